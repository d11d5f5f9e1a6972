"""`oversmooth backward`: backward-oversmoothing diagnostics and the stationarity experiment."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, err_console,
                   load_graph, parse_options, print_json)

HIDDEN = 32  # hidden channels of the diagnosed models (and of stationarity's)


@app.command("backward")
def backward_command(
    name: DatasetArg,
    model: Annotated[str, typer.Option("--model", "-m", help="Zoo model (see oversmooth.models.available()).")] = "gcn",
    depth: Annotated[int, typer.Option("--depth", "-d", help="Number of layers.")] = 16,
    hidden: Annotated[Optional[int], typer.Option(
        "--hidden", help=f"Hidden channels of every layer (default {HIDDEN}).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the initialisation.")] = 0,
    init: Annotated[Optional[str], typer.Option(
        "--init", help="kaiming | glorot | default (the model's own). Default: the model's own "
                       "for the diagnosis, kaiming for --stationarity.")] = None,
    option: Annotated[Optional[list[str]], typer.Option(
        "--option", "-o", metavar="KEY=VALUE", help="Model option, repeatable: -o alpha=0.2.")] = None,
    stationarity: Annotated[bool, typer.Option(
        "--stationarity", help="Run the spurious-stationary-point experiment (GNN vs MLP).")] = False,
    plot: Annotated[Optional[str], typer.Option("--plot", metavar="FILE.png",
                                                help="Write gradient norm and smoothness per layer.")] = None,
    param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0, json: JsonOpt = False,
    width: Annotated[Optional[int], typer.Option(
        "--width", "-w", help="Deprecated name of --hidden (warns).")] = None,
) -> None:
    """Backward oversmoothing (Keriven 2025): per-layer gradients and their smoothness.

    Without --stationarity: one forward+backward pass (eval mode, cross entropy on the training
    nodes) of a freshly initialised model; per layer k the norm of B(k) = dL/dH(k), its
    smoothness (d_M(B)^2/||B||^2 and E(B)/||B||^2: 0 = smooth, i.e. backward oversmoothed),
    the norm of its mean row, the layer's weight-gradient norm (absolute and relative to the
    last layer's) and the forward Dirichlet energy / subspace distance of H(k). Small gradients
    with smooth B = backward oversmoothing; small gradients with non-smooth B = plain
    vanishing gradients.

    With --stationarity: train only the last layer of the GNN and of an MLP of the same depth
    and hidden channels (same init), then report inner gradients, loss and the verdict.

    [bold]Examples[/bold]

      oversmooth backward cora --model gcn --depth 32
      oversmooth backward csbm -p num_nodes=1000 --model gcnii --depth 16 --json
      oversmooth backward cora --depth 16 --plot backward.png
      oversmooth backward csbm --stationarity --depth 16 --hidden 16
    """
    from ..backward import diagnose, initialize
    from ..backward import stationarity as run_stationarity
    from ..training import build_seeded

    if width is not None:
        if hidden is not None and hidden != width:
            raise ValueError("pass --hidden only (--width is its deprecated name)")
        err_console.print("[yellow]warning:[/yellow] --width is deprecated; use --hidden", highlight=False)
        hidden = width
    hidden = HIDDEN if hidden is None else hidden
    if depth < 1 or hidden < 1:
        raise ValueError(f"--depth and --hidden must be >= 1, got {depth} and {hidden}")
    if plot is not None:
        from .._atomic import check_output_file

        check_output_file(plot)  # before the work, not after it
    data = load_graph(name, param, root, split)
    if getattr(data, "y", None) is None:
        raise ValueError(f"dataset {name!r} has no labels: the diagnosis needs a classification loss")
    options = parse_options(option)
    if stationarity:
        if plot is not None:
            raise ValueError("--plot applies to the diagnosis, not to --stationarity")
        result = run_stationarity(model, data, depth=depth, hidden_channels=hidden, seed=seed,
                                  init=init or "kaiming", options=options)
        if json:
            print_json(result.to_dict())
            return
        _print_stationarity(result)
        return
    net = build_seeded(model, data, depth, seed, hidden_channels=hidden, reset=False, **options)
    initialize(net, init or "default", seed)
    result = diagnose(net, data)
    if plot is not None:
        from ..report.plots import backward_diagnosis
        from ..report.style import save

        save(backward_diagnosis({model: result}, title=f"{model}, depth {depth}, {name}"), plot)
    if json:
        # "width": the deprecated name of hidden_channels, kept in the output for one release
        print_json({"dataset": name, "depth": depth, "hidden_channels": hidden, "width": hidden, "seed": seed,
                    **result.to_dict()})
        return
    table = Table(title=f"{model} depth {depth} on {name}: loss {result.loss:.4f}, "
                        f"mean output error {result.output_error_mean_norm:.2e}")
    table.caption = ("dM(B), E(B): smoothness of B relative to ||B||^2 (0 = smooth); |dW|/last: "
                     "weight gradient relative to the last layer's; E(H), dM(H): forward metrics")
    columns = [("layer", "layer"), ("|B|", "grad_norm"), ("dM(B)", "grad_subspace_rel"),
               ("E(B)", "grad_energy_rel"), ("|mean B|", "grad_mean_norm"),
               ("|dW|", "weight_grad_norm"), ("|dW|/last", "weight_grad_rel"),
               ("E(H)", "dirichlet_energy_sym"), ("dM(H)", "subspace_distance")]
    columns = [(title, key) for title, key in columns if key in result.table.columns]
    for title, _ in columns:
        table.add_column(title, justify="right")
    for row in result.table.to_dict(orient="records"):
        table.add_row(*[str(int(row[k])) if k == "layer" else _fmt(row[k]) for _, k in columns])
    _wide(110).print(table)
    if plot is not None:
        console.print(f"plot written to {plot}")


def _wide(width: int) -> Console:
    # per-layer tables have 9 numeric columns: never squeeze them into an 80-column pipe
    return Console(width=max(console.width, width))


def _fmt(value) -> str:
    return "-" if value is None or value != value else f"{value:.2e}"


def _print_stationarity(result) -> None:
    table = Table(title="inner-layer gradients after training only the last layer")
    for column in ("model", "group", "grad at init", "grad after", "after / last at init", "after / init"):
        table.add_column(column, justify="left" if column in ("model", "group") else "right")
    for row in result.table.to_dict(orient="records"):
        table.add_row(row["model"], row["group"], _fmt(row["grad_init"]), _fmt(row["grad_after"]),
                      _fmt(row["rel_after"]), _fmt(row["drop"]))
    _wide(100).print(table)
    console.print(result.verdict, soft_wrap=True, highlight=False, markup=False)
