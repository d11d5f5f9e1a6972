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

    Prints the invariant subspace (one vector per connected component), the rate (largest |eigenvalue| outside it: the distance to it shrinks by this factor per step), the spectral gap, the smallest eigenvalue, and the predicted number of steps to shrink the distance by 10, 1000 and 10^6.

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


@app.command("propagate")
def propagate_command(name: DatasetArg,
                      steps: Annotated[int, typer.Option("--steps", help="Propagation steps.")] = 64,
                      operator: OperatorOpt = "gcn", k: KOpt = None, alpha: AlphaOpt = 0.1,
                      metrics: Annotated[Optional[str], typer.Option(
                          "--metrics", help="Comma-separated metric names, or 'all' "
                          "(default: the cheap ones, see oversmooth.spectral.DEFAULT_METRICS).")] = None,
                      plot: Annotated[Optional[str], typer.Option(
                          "--plot", metavar="FILE.png", help="Draw log-scale metric-vs-step curves.")] = None,
                      param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0,
                      json: JsonOpt = False) -> None:
    """Propagate the features with no weights (H = P^k X) and watch them oversmooth.

    One row per step: the metrics, the measured distance to the invariant subspace, and the distance the spectrum predicts (rate^k x the distance at step 0); below, the decay rate fitted from the measurement beside the predicted rate.

    [bold]Examples[/bold]

      oversmooth propagate cora --steps 64
      oversmooth propagate cora --operator appnp --alpha 0.1 --plot appnp.png
      oversmooth propagate csbm -p num_nodes=5000 --metrics mad,dirichlet_energy --json
    """
    from .._atomic import check_output_file
    from ..report.plots import propagation_curves
    from ..report.style import save
    from ..spectral import propagate

    if plot is not None:
        check_output_file(plot)  # before the work, not after it
    data = load_graph(name, param, root, split)
    result = propagate(data, operator, steps=steps, metrics=metrics, K=k, alpha=alpha)
    if plot is not None:
        save(propagation_curves(result, title=f"{getattr(data, 'name', None) or name}: pure "
                                f"propagation with {operator}"), plot)
    if json:
        print_json(result.to_dict())
        return
    table = Table(title=f"pure propagation with {operator} on {getattr(data, 'name', None) or name}")
    columns = [c for c in result.table.columns if not c.endswith("_stderr")]
    table.add_column("step", justify="right")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for step, row in result.table.iterrows():
        table.add_row(str(step), *(f"{float(row[c]):.4g}" for c in columns))
    # numbers cannot wrap: give the table the width it needs rather than truncating cells
    console.print(table, width=max(console.width, 8 + 12 * (len(columns) + 1)))
    report = result.report
    fitted = "-" if result.fitted_rate is None else f"{result.fitted_rate:.6g}"
    span = f" over steps {result.fit_range[0]}..{result.fit_range[1]}" if result.fit_range else ""
    console.print(f"predicted rate {report.rate:.6g}, fitted rate {fitted}{span}", highlight=False)
    console.print(report.note, highlight=False)
    if plot is not None:
        console.print(f"plot written to {plot}", highlight=False)
