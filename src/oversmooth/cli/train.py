"""`oversmooth train`: fit one zoo model on one dataset."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._app import DatasetArg, JsonOpt, ParamOpt, RootOpt, SplitOpt, app, console, load_graph, parse_options, print_json


@app.command("train")
def train_command(
    name: DatasetArg,
    model: Annotated[str, typer.Option("--model", "-m", help="Zoo model (see the list below).")] = "gcn",
    depth: Annotated[int, typer.Option("--depth", "-d", help="Number of propagation layers.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result on CPU).")] = 0,
    hidden: Annotated[Optional[int], typer.Option("--hidden", help="Hidden channels (default: the model's).")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Maximum epochs (default: the model's).")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Learning rate (default: the model's).")] = None,
    weight_decay: Annotated[Optional[float], typer.Option("--weight-decay", help="Weight decay (default: the model's).")] = None,
    patience: Annotated[Optional[int], typer.Option("--patience", help="Early-stopping patience in epochs.")] = None,
    option: Annotated[Optional[list[str]], typer.Option("--option", "-o", metavar="KEY=VALUE",
                      help="Model option, repeatable: -o dropedge=0.3 -o norm=pair.")] = None,
    monitor: Annotated[str, typer.Option("--monitor", help="val_loss or val_acc.")] = "val_loss",
    raw_features: Annotated[bool, typer.Option("--raw-features", help="Do not row-normalise the features (the default of every model but graphormer, which reads them raw).")] = False,
    param: ParamOpt = None, root: RootOpt = None, split: SplitOpt = 0, json: JsonOpt = False,
) -> None:
    """Train a model full-batch with the authors' hyperparameters; print test accuracy at the
    best validation epoch.

    Models: mlp gcn gat sage gin resgcn densegcn jknet incepgcn gcnii gcnii* appnp sgc
    dagnn gprgnn g2 gps transformer nsd; on a heterogeneous graph (bank) rgcn hgt hetero-gcn
    hetero-sage hetero-gat hetero-gin (homogeneous models take it flattened: bank-flat). Mitigations are model options (-o), e.g.
    residual=True, initial_residual=0.1, identity_mapping=0.5, dense=True, jk=cat,
    dropedge=0.3, dropnode=0.1, dropmessage=0.1, norm=pair|pair-si|pair-scs|batch|node|mean|group.

    [bold]Examples[/bold]

      oversmooth train cora --model gcnii --depth 64
      oversmooth train cora --model gcn --depth 16 -o dropedge=0.3 -o norm=pair --seed 1 --json
      oversmooth train texas --split 3 --model gcnii --depth 32 -o alpha=0.5 -o theta=1.5
      oversmooth train bank --model rgcn --depth 4
      oversmooth train bank-flat --model gcn --depth 4 -p num_customers=400
    """
    from ..training import train

    data = load_graph(name, param, root, split)
    overrides = parse_options(option)
    for key, value in (("epochs", epochs), ("lr", lr), ("weight_decay", weight_decay), ("patience", patience)):
        if value is not None:
            overrides[key] = value
    result = train(model, data, depth, seed=seed, hidden_channels=hidden, monitor=monitor,
                   normalize_features=False if raw_features else None, progress=not json, **overrides).result
    if json:
        print_json(result.to_dict())
        return
    table = Table(title=f"{model} depth {depth} on {name} (seed {seed})", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    for key in ("test_acc", "val_acc", "train_acc"):
        table.add_row(key.replace("_", " "), f"{100 * getattr(result, key):.2f} %")
    table.add_row("best epoch", f"{result.best_epoch} of {result.epochs_run}")
    table.add_row("wall time", f"{result.wall_time:.2f} s ({1e3 * result.wall_time / result.epochs_run:.1f} ms/epoch)")
    console.print(table)
    console.print("settings: " + ", ".join(f"{k}={v}" for k, v in result.settings.items()), highlight=False)
