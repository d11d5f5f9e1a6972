"""`oversmooth diagnose`: one-call verdicts for a zoo model or a user's own model."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph,
                   parse_params, print_json)

HIDDEN = 32  # hidden channels of the diagnosed zoo models (as `oversmooth backward`)


@app.command("diagnose")
def diagnose_command(
    name: DatasetArg,
    model: Annotated[Optional[str], typer.Option(
        "--model", "-m", help="Zoo model (see oversmooth.models.available()); default gcn.")] = None,
    model_file: Annotated[Optional[str], typer.Option(
        "--model-file", metavar="PATH.py:FACTORY",
        help="Your own model: FACTORY(data) (or FACTORY()) in PATH.py returns a torch.nn.Module "
             "called as model(x, edge_index). The file is your own code and is run as such "
             "(imported like any Python module).")] = None,
    depth: Annotated[int, typer.Option("--depth", "-d", help="Number of layers of a zoo model.")] = 16,
    hidden: Annotated[int, typer.Option("--hidden", help="Hidden channels of a zoo model.")] = HIDDEN,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the initialisation.")] = 0,
    option: Annotated[Optional[list[str]], typer.Option(
        "--option", "-o", metavar="KEY=VALUE", help="Zoo model option, repeatable: -o alpha=0.2.")] = None,
    plot: Annotated[Optional[str], typer.Option(
        "--plot", metavar="FILE.png", help="Write the per-layer figure (png, svg or pdf).")] = None,
    no_spectral: Annotated[bool, typer.Option(
        "--no-spectral", help="Skip the spectral prediction (seconds on large graphs).")] = False,
    param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0, json: JsonOpt = False,
) -> None:
    """Does the model oversmooth, where, and why: one forward and backward pass, per-layer
    metrics, verdicts and what to try.

    Forward: the first layer whose distance to the invariant subspace (scale-free, relative to
    the input's) falls below 0.1, and the first whose mean cosine similarity reaches 0.99.
    Backward, per layer: small gradients with a smooth backward signal (backward oversmoothing)
    or a rough one (vanishing gradients). Beside them the graph's spectral prediction, and the
    commands that measure the mitigations on this graph. A zoo model is freshly initialised
    (seed --seed), in eval mode; --model-file runs your own factory.

    [bold]Examples[/bold]

      oversmooth diagnose cora --model gcn --depth 32
      oversmooth diagnose cora --model gcnii --depth 32 --json
      oversmooth diagnose cora --model-file my_model.py:build --plot diagnosis.png
    """
    from ..diagnose import diagnose, model_from_file
    from ..training import build_seeded

    if model is not None and model_file is not None:
        raise ValueError("pass --model or --model-file, not both")
    if depth < 1 or hidden < 1:
        raise ValueError(f"--depth and --hidden must be >= 1, got {depth} and {hidden}")
    if plot:
        from .._atomic import check_output_file

        check_output_file(plot)
    data = load_graph(name, param, root, split)
    if getattr(data, "y", None) is None:
        raise ValueError(f"dataset {name!r} has no labels: the diagnosis needs a classification loss")
    if model_file is not None:
        if option:
            raise ValueError("--option applies to zoo models, not to --model-file")
        net = model_from_file(model_file, data)
    else:
        net = build_seeded(model or "gcn", data, depth, seed, hidden_channels=hidden, reset=False,
                           **parse_params(option))
    graph = " ".join([name, *(f"-p {p}" for p in param or [])])
    result = diagnose(net, data, graph=graph, spectral=not no_spectral)
    if plot:
        result.plot(plot)
    if json:
        print_json({"dataset": name, "seed": seed, **result.to_dict()})
        return
    from rich.console import Console

    # per-layer tables have 8 columns: never squeeze them into an 80-column pipe
    Console(width=max(console.width, 110), markup=False).print(result)
    if plot:
        console.print(f"plot written to {plot}")
