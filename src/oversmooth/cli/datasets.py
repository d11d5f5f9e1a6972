"""`oversmooth datasets`, `oversmooth info`, and relational data: `oversmooth bank` (write the
synthetic bank as a SQLite database) and `oversmooth sqlite` (read one as a graph)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ._app import (DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph,
                   parse_params, print_json)


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


@app.command("bank")
def bank_command(
    out: Annotated[str, typer.Argument(help="SQLite database file to write (replaced if present).")],
    param: ParamOpt = None,
) -> None:
    """Write the synthetic bank (customers, accounts, merchants, transactions, planted fraud)
    as a SQLite database, whole or not at all.

    The parameters are those of `oversmooth info bank` (see `oversmooth datasets --json`);
    read the database back with `oversmooth sqlite OUT --target customer.fraud`.

    [bold]Examples[/bold]

      oversmooth bank bank.db
      oversmooth bank big.db -p num_customers=10000 -p num_merchants=5000 -p num_transactions=500000
    """
    from ..datasets import bank_to_sqlite, check_synthetic

    path = bank_to_sqlite(out, **check_synthetic("bank", parse_params(param)))
    console.print(f"wrote {path}; read it with: oversmooth sqlite {path} --target customer.fraud",
                  soft_wrap=True)


@app.command("sqlite")
def sqlite_command(
    database: Annotated[str, typer.Argument(help="SQLite database file (opened read-only).")],
    target: Annotated[str, typer.Option("--target", "-t", metavar="TABLE.COLUMN",
                                        help="The label column, e.g. customer.fraud.")],
    max_categories: Annotated[int, typer.Option("--max-categories", min=1,
                                                help="One-hot columns kept per text column.")] = 32,
    json: JsonOpt = False,
) -> None:
    """Read a SQLite database as a graph and list what became of it: a node type per table
    (rows, feature columns), an edge type per foreign key, the target's classes and split.

    [bold]Examples[/bold]

      oversmooth bank bank.db && oversmooth sqlite bank.db --target customer.fraud
      oversmooth sqlite shop.db --target orders.returned --json
    """
    from ..datasets import from_sqlite

    data = from_sqlite(database, target=target, max_categories=max_categories)
    store = data[data.target_node_type]
    result = {
        "database": database, "target": target, "classes": store.classes,
        "split": {part: int(store[f"{part}_mask"].sum()) for part in ("train", "val", "test")},
        "node_types": {t: {"rows": data[t].num_nodes, "features": data[t].feature_names}
                       for t in data.node_types},
        "edge_types": [{"edge_type": list(e), "edges": data[e].num_edges} for e in data.edge_types],
    }
    if json:
        print_json(result)
        return
    nodes = Table(title=f"{database}: node types (target {target})")
    for column in ("type", "rows", "features"):
        nodes.add_column(column, justify="right" if column == "rows" else "left")
    for name, info in result["node_types"].items():
        nodes.add_row(name, str(info["rows"]), ", ".join(info["features"]))
    edges = Table(title="edge types (one per foreign key, and its reverse)")
    edges.add_column("edge type")
    edges.add_column("edges", justify="right")
    for row in result["edge_types"]:
        edges.add_row(" -> ".join(row["edge_type"]), str(row["edges"]))
    console.print(nodes)
    console.print(edges)
    split = result["split"]
    console.print(f"classes of {target}: {', '.join(map(str, result['classes']))}; "
                  f"split train/val/test {split['train']}/{split['val']}/{split['test']}")
