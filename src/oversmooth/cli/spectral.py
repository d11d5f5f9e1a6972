"""`oversmooth spectrum` and `oversmooth propagate`."""

from __future__ import annotations

import math
from typing import Annotated, Optional

import typer
from rich.table import Table

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph,
                   print_json)

OperatorOpt = Annotated[str, typer.Option("--operator", "-o",
                                          help="Propagation operator: gcn, sym, rw, sgc, appnp.")]
KOpt = Annotated[Optional[int], typer.Option("--K", help="Steps of sgc (default 2) / appnp (default 10).")]
AlphaOpt = Annotated[float, typer.Option("--alpha", help="Teleport probability of appnp.")]
MethodOpt = Annotated[str, typer.Option("--method", help="auto, dense or lanczos.")]


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return " .. ".join(_fmt(v) for v in value)
    return str(value)


@app.command("spectrum")
def spectrum_command(name: DatasetArg, operator: OperatorOpt = "gcn", k: KOpt = None,
                     alpha: AlphaOpt = 0.1, method: MethodOpt = "auto", param: ParamOpt = None,
                     root: RootOpt = None, split: SplitOpt = 0, json: JsonOpt = False) -> None:
    """Predict how fast propagation oversmooths a graph, before any training.

    Prints the invariant subspace (one vector per connected component), the rate
    (largest |eigenvalue| outside it: the distance to it shrinks by this factor per
    step), the spectral gap, the smallest eigenvalue, and the predicted number of
    steps to shrink the distance by 10, 1000 and 10^6.

    [bold]Examples[/bold]

      oversmooth spectrum cora
      oversmooth spectrum cora --operator sym --json
      oversmooth spectrum csbm -p num_nodes=100000 --operator appnp --alpha 0.1
    """
    from ..spectral import analyze

    data = load_graph(name, param, root, split)
    report = analyze(data, operator, K=k, alpha=alpha, method=method)
    result = report.to_dict()
    if json:
        print_json(result)
        return
    table = Table(title=f"spectrum of {operator} on {getattr(data, 'name', None) or name}",
                  show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key in ("note", "steps_to"):
            continue
        table.add_row(key.replace("_", " "), _fmt(value))
    for eps, steps in result["steps_to"].items():
        table.add_row(f"steps to shrink distance by {eps}", _fmt(steps))
    console.print(table)
    console.print(report.note, highlight=False)
