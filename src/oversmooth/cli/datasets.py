"""`oversmooth datasets` and `oversmooth info`."""

from __future__ import annotations

from rich.table import Table

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph,
                   print_json)


@app.command("datasets")
def datasets_command(root: RootOpt = None, json: JsonOpt = False) -> None:
    """List every dataset, real and synthetic, and whether its files are present.

    Real datasets show the PyG class that loads them; synthetic ones the generator
    (its parameters are in --json and in `oversmooth info NAME --help`).

    [bold]Examples[/bold]

      oversmooth datasets
      OVERSMOOTH_DATA_MIRROR=/data/mirror oversmooth datasets --json
    """
    from ..datasets import REAL_DATASETS, SYNTHETIC, synthetic_parameters
    from ..datasets.real import is_present

    rows = [
        {"name": s.name, "kind": "real", "source": s.source, "num_nodes": s.num_nodes,
         "num_classes": s.num_classes, "splits": s.num_splits, "present": is_present(s, root)}
        for s in REAL_DATASETS.values()
    ] + [
        {"name": name, "kind": "synthetic", "source": f"datasets.{SYNTHETIC[name].__name__}",
         "parameters": synthetic_parameters(name), "num_nodes": None, "num_classes": None,
         "splits": 1, "present": "generated"}
        for name in SYNTHETIC
    ]
    if json:
        print_json(rows)
        return
    table = Table(title="oversmooth datasets")
    for column in ("name", "source", "nodes", "classes", "splits", "present"):
        table.add_column(column, justify="right" if column in ("nodes", "classes", "splits") else "left")
    for r in rows:
        table.add_row(r["name"], r["source"], str(r["num_nodes"] or "-"),
                      str(r["num_classes"] or "-"), str(r["splits"]), r["present"])
    console.print(table)


@app.command("info")
def info_command(name: DatasetArg, param: ParamOpt = None, root: RootOpt = None,
                 split: SplitOpt = 0, json: JsonOpt = False) -> None:
    """Summarise one graph: nodes, edges, classes, homophily, components, degrees.

    [bold]Examples[/bold]

      oversmooth info cora
      oversmooth info texas --split 3 --json
      oversmooth info csbm -p num_nodes=10000 -p avg_degree=8 -p homophily=0.3
    """
    from ..datasets import summary

    result = summary(load_graph(name, param, root, split))
    if json:
        print_json(result)
        return
    table = Table(title=f"{result['name'] or name}", show_header=False)
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key == "name":
            continue
        text = f"{value:.4f}" if isinstance(value, float) else ("-" if value is None else str(value))
        table.add_row(key.replace("_", " "), text)
    console.print(table)
