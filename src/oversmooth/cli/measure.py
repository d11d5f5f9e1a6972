"""`oversmooth measure`: oversmoothing metrics of a graph's raw features."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._app import DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph, print_json

MetricsOpt = Annotated[
    Optional[str],
    typer.Option("--metrics", "-m", metavar="A,B", help="Comma-separated subset of metric names (default: all)."),
]


@app.command("measure")
def measure_command(name: DatasetArg, param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0,
                    metrics: MetricsOpt = None, json: JsonOpt = False) -> None:
    """Print the oversmoothing metrics of a dataset's raw features.

    Metrics: dirichlet_energy, dirichlet_energy_sym, mean_cosine_similarity, mad, mad_gap,
    mean_pairwise_distance, smv, group_distance_ratio, subspace_distance, numerical_rank,
    effective_rank, feature_correlation (see `oversmooth.metrics`). Above 4096 nodes the
    O(N^2) ones are sampled estimates and print their standard error.

    [bold]Examples[/bold]

      oversmooth measure cora
      oversmooth measure csbm -p num_nodes=100000 --metrics dirichlet_energy,subspace_distance
      oversmooth measure texas --split 2 --json
    """
    from .. import metrics as M

    names = M.resolve(metrics) if metrics else None
    data = load_graph(name, param, root, split)
    result = M.compute(data.x, data.edge_index, getattr(data, "y", None), names)
    if json:
        print_json(result)
        return
    table = Table(title=f"metrics of the raw features of {getattr(data, 'name', None) or name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("stderr", justify="right")
    for key, value in result.items():
        if not key.endswith("_stderr"):
            stderr = result.get(f"{key}_stderr")
            table.add_row(key, f"{value:.6g}", "-" if not stderr else f"{stderr:.2g}")
    console.print(table)
