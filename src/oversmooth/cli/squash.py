"""`oversmooth squash`: over-squashing of a graph (curvature, resistance, bottlenecks, gap)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph, parse_options,
                   print_json)


def _pairs(items: list[str] | None):
    if not items:
        return None
    pairs = []
    for item in items:
        a, sep, b = item.partition(",")
        try:
            pairs.append((int(a), int(b)))
        except ValueError:
            raise ValueError(f"--pair {item!r} is not of the form U,V (two node indices)") from None
    return [[p[0] for p in pairs], [p[1] for p in pairs]]


@app.command("squash")
def squash_command(
    name: DatasetArg,
    curvature: Annotated[str, typer.Option("--curvature", help="balanced_forman, augmented_forman, "
                                           "ollivier_ricci (small graphs).")] = "balanced_forman",
    top: Annotated[int, typer.Option("--top", help="How many bottleneck edges to list.")] = 10,
    pair: Annotated[Optional[list[str]], typer.Option("--pair", metavar="U,V",
                                                      help="Effective resistance of this pair, repeatable.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Also print the per-hop Jacobian influence "
                                                 "of this (untrained) model, e.g. gcn.")] = None,
    depth: Annotated[int, typer.Option("--depth", help="Layers of --model.")] = 4,
    samples: Annotated[int, typer.Option("--samples", help="Target nodes sampled for --model.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model, samples, sketch and rewiring.")] = 0,
    option: Annotated[Optional[list[str]], typer.Option("--option", "-o", metavar="KEY=VALUE",
                      help="Rewire the graph first (-o rewire=fosr|sdrf|borf|gdc|virtual_node -o rewire_num_iterations=50), "
                           "or an option of --model (-o residual=True); repeatable.")] = None,
    param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0, json: JsonOpt = False,
) -> None:
    """Measure over-squashing: edge curvature, bottleneck edges, total effective resistance, spectral gap and Cheeger bounds; with --model, the Jacobian influence per hop.

    Negatively curved edges are the bottlenecks (Topping et al. 2022); high total resistance means information between distant nodes is squashed (Black et al. 2023).

    [bold]Examples[/bold]

      oversmooth squash cora
      oversmooth squash texas --curvature augmented_forman --top 5 --json
      oversmooth squash ring -p num_nodes=40 --pair 0,20
      oversmooth squash cora --model gcn --depth 4 --samples 50
      oversmooth squash texas -o rewire=fosr -o rewire_num_iterations=50
    """
    import torch

    from .. import oversquashing

    if depth < 1:
        raise ValueError(f"--depth must be positive, got {depth}")
    model_options, rewiring, rewire_params = oversquashing.split_rewire_options(parse_options(option))
    if model_options and not model:
        raise ValueError(f"-o {next(iter(model_options))}=... is a model option: give --model, or use "
                         f"rewire=NAME / rewire_PARAM=VALUE")
    data = load_graph(name, param, root, split)
    rewired = None
    if rewiring:
        before = data.num_edges
        data = oversquashing.rewire(data, rewiring, seed=seed, **rewire_params)
        rewired = {"name": rewiring, **rewire_params, "edges_before": before, "edges_after": data.num_edges}
    result = oversquashing.squash_summary(data, curvature=curvature, top=top, pairs=_pairs(pair), seed=seed)
    if model:
        from .. import models

        if data.x is None:
            raise ValueError(f"{name} has no node features for --model")
        from ..graph import num_classes

        torch.manual_seed(seed)
        net = models.build(model, data.num_features, 32, max(num_classes(data), 2), depth, **model_options)
        prof = oversquashing.influence_profile(net, data, depth, num_samples=samples, seed=seed)
        result["influence"] = {"model": model, "depth": depth, **model_options, **prof.to_dict()}
    if rewired:
        result["rewire"] = rewired
    if json:
        print_json(result)
        return
    title = getattr(data, "name", None) or name
    if rewired:
        title += f" rewired by {rewiring} ({rewired['edges_before']} -> {rewired['edges_after']} directed edges)"
    table = Table(title=f"over-squashing of {title}", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key in ("num_nodes", "num_edges", "num_components", "curvature_min", "curvature_mean", "negative_edges",
                "total_resistance", "total_resistance_method", "spectral_gap", "cheeger_lower", "cheeger_upper"):
        value = result[key]
        table.add_row(key.replace("_", " "), f"{value:.6g}" if isinstance(value, float) else str(value))
    for q, v in result["curvature_quantiles"].items():
        table.add_row(f"curvature quantile {q}", f"{v:.4g}")
    console.print(table)
    if result["bottlenecks"]:
        console.print(f"most negatively curved edges ({result['curvature']}): " + ", ".join(
            f"{b['u']}-{b['v']} ({b['curvature']:.3g})" for b in result["bottlenecks"]), highlight=False)
    for p in result.get("pair_resistance", []):
        console.print(f"effective resistance {p['u']}-{p['v']}: {p['resistance']:.6g}", highlight=False)
    if "influence" in result:
        inf = result["influence"]
        console.print(f"{model} depth {depth} (untrained), influence per hop I_h/I_0 over {inf['num_targets']} "
                      f"targets: " + " ".join(f"{v:.3g}" for v in inf["per_hop"])
                      + f"; receptive field R = {inf['receptive_field']:.3g} hops", highlight=False)
