"""`oversmooth sweep`, `oversmooth table` and `oversmooth export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, err_console, parse_options, parse_params

StoreArg = Annotated[str, typer.Argument(help="The results store (an SQLite file).")]


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _ints(text: str, flag: str) -> list[int]:
    try:
        return [int(t) for t in _split(text)]
    except ValueError:
        raise ValueError(f"{flag} takes integers separated by commas, got {text!r}") from None


def _sweep_config(config: str | None, preset: str | None, flags: dict):
    from ..experiments.config import config_from_dict
    from ..experiments.config import read_toml
    from ..experiments.presets import preset_dict

    if config and preset:
        raise ValueError("give --config or --preset, not both")
    raw, source, text = {}, "command line", None
    if preset:
        raw, source = preset_dict(preset), f"preset {preset}"
    elif config:
        raw, text = read_toml(config)
        source = str(config)
        config_from_dict(raw, source=source, text=text)  # file errors name their line
    if not flags:
        return config_from_dict(raw, source=source, text=text)
    if "models" in flags:
        raw.pop("variants", None)
    for key in ("training", "options"):
        if key in flags:
            raw[key] = {**raw.get(key, {}), **flags.pop(key)}
    if "dataset_params" in flags:
        params = flags.pop("dataset_params")
        names = flags.get("datasets", raw.get("datasets", []))
        raw["dataset_params"] = {name: dict(params) for name in names}
    raw.update(flags)
    return config_from_dict(raw, source=f"{source} + flags" if source != "command line" else source,
                            text=None)


@app.command("sweep")
def sweep_command(
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="TOML sweep file (see configs/).")] = None,
    preset: Annotated[Optional[str], typer.Option("--preset", help="A named sweep: table3, table3-quick, hetero-bank.")] = None,
    datasets: Annotated[Optional[str], typer.Option("--datasets", help="Comma-separated: cora,citeseer.")] = None,
    models: Annotated[Optional[str], typer.Option("--models", help="Comma-separated: gcn,gcnii.")] = None,
    depths: Annotated[Optional[str], typer.Option("--depths", help="Comma-separated: 2,4,8,16.")] = None,
    seeds: Annotated[Optional[str], typer.Option("--seeds", help="A count (3: seeds 0,1,2) or a list 0,5,7.")] = None,
    option: Annotated[Optional[list[str]], typer.Option("--option", "-o", metavar="KEY=VALUE", help="Model option for every run, repeatable: -o dropedge=0.3.")] = None,
    mitigation: Annotated[Optional[list[str]], typer.Option("--mitigation", "-m", metavar="OPTS", help="A mitigation arm, repeatable: -m none -m dropedge=0.3 -m residual,norm=pair.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", metavar="KEY=VALUE", help="Parameter of the synthetic datasets: -p num_nodes=500.")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Maximum epochs (default: the model's).")] = None,
    patience: Annotated[Optional[int], typer.Option("--patience", help="Early-stopping patience.")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Learning rate.")] = None,
    weight_decay: Annotated[Optional[float], typer.Option("--weight-decay", help="Weight decay.")] = None,
    hidden: Annotated[Optional[int], typer.Option("--hidden", help="Hidden channels.")] = None,
    metrics: Annotated[Optional[str], typer.Option("--metrics", help="Per-layer metrics of the trained model, comma-separated.")] = None,
    track: Annotated[Optional[str], typer.Option("--track", help="Per-layer metrics recorded during training.")] = None,
    track_every: Annotated[Optional[int], typer.Option("--track-every", help="Epochs between --track measurements.")] = None,
    backward_epochs: Annotated[Optional[str], typer.Option("--backward-epochs", help="Store per-layer backward metrics (gradient norms, smoothness) at these epochs: 0,1,10,best.")] = None,
    store: Annotated[str, typer.Option("--store", "-s", help="Results store (SQLite file, created if missing).")] = "results.db",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Parallel runs (default: one per core).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local or ray (pip install 'oversmooth\\[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address (default: start a local Ray).")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Run again the runs stored as failed.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the runs and what the store holds; run nothing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="One log line per run instead of the progress bar.")] = False,
    tensorboard: Annotated[Optional[str], typer.Option("--tensorboard", metavar="DIR", help="Also write the sweep's runs as TensorBoard event files to DIR (pip install 'oversmooth\\[tensorboard]').")] = None,
) -> None:
    """Run a grid of (dataset x model x mitigation x depth x seed) into a results store.

    Each run stores its settings, test/val/train accuracy at the best epoch, best epoch,
    wall time, the per-layer metrics of the trained model, and its training history.
    Runs already in the store are skipped, so an interrupted sweep resumes where it
    stopped; a run that fails is stored as failed and the sweep goes on.

    [bold]Examples[/bold]

      oversmooth sweep --datasets cora,citeseer --models gcn,gcnii --depths 2,4,8,16,32,64 --seeds 3
      oversmooth sweep --datasets cora --models gcn -m none -m dropedge=0.3 --depths 2,8,32
      oversmooth sweep --datasets cora-like --models gcn --depths 16 --backward-epochs 0,1,10,best
      oversmooth sweep --config configs/cora-depth.toml --store cora.db --jobs 2
      oversmooth sweep --preset table3-quick --store table3.db
      oversmooth sweep --preset table3 --executor ray --ray-address auto
      oversmooth sweep --preset hetero-bank --store hetero.db --jobs 1
      oversmooth sweep --datasets bank,bank-flat --models rgcn,gcn --depths 2,4 -p num_customers=400
      oversmooth sweep --datasets cora --models gcn --depths 2,8,32 --tensorboard tb/
    """
    from ..experiments import expand, run_sweep
    from ..experiments.store import Store

    flags: dict = {}
    if datasets is not None:
        flags["datasets"] = _split(datasets)
    if models is not None:
        flags["models"] = _split(models)
    if depths is not None:
        flags["depths"] = _ints(depths, "--depths")
    if seeds is not None:
        values = _ints(seeds, "--seeds")
        flags["seeds"] = values[0] if len(values) == 1 and "," not in seeds else values
    if option:
        flags["options"] = parse_options(option)
    if mitigation:
        flags["mitigations"] = list(mitigation)
    if param:
        flags["dataset_params"] = parse_params(param)
    training = {k: v for k, v in {"epochs": epochs, "patience": patience, "lr": lr,
                                  "weight_decay": weight_decay, "hidden_channels": hidden}.items()
                if v is not None}
    if training:
        flags["training"] = training
    if metrics is not None:
        flags["metrics"] = _split(metrics)
    if track is not None:
        flags["track"] = _split(track)
    if track_every is not None:
        flags["track_every"] = track_every
    if backward_epochs is not None:
        flags["backward_epochs"] = [e if e == "best" else _ints(e, "--backward-epochs")[0]
                                    for e in _split(backward_epochs)]
    if config is None and preset is None and not flags.get("datasets"):
        raise ValueError("nothing to sweep: give --config FILE, --preset NAME, or "
                         "--datasets/--models/--depths")
    cfg = _sweep_config(config, preset, flags)
    runs = expand(cfg)
    if tensorboard and not dry_run:
        from ..integrations.tensorboard import require

        require()  # before the sweep, not after it
    if dry_run:  # reads the store if there is one, creates nothing
        stored = {}
        if Path(store).exists():
            with Store(store, readonly=True) as s:
                stored = s.statuses([r.key for r in runs])
        for run in runs:
            print(f"{stored.get(run.key, 'todo'):6s} {run.key[:12]} {run.describe()}")
        print(f"{len(runs)} runs, {len(stored)} in {store}, {len(runs) - len(stored)} to run")
        return
    summary = run_sweep(cfg, store, executor=executor, jobs=jobs, ray_address=ray_address,
                        quiet=quiet, retry_failed=retry_failed)
    err_console.print(
        f"sweep '{cfg.name}': {summary.total} runs, {summary.skipped} already stored, "
        f"{summary.done} done, {summary.failed} failed in {summary.wall_time:.1f} s -> {store}",
        highlight=False)
    for failure in summary.failures[:10]:
        err_console.print(f"  failed: {failure}", highlight=False, markup=False)
    if tensorboard:
        from ..integrations.tensorboard import write_sweep

        write_sweep(store, tensorboard, keys=[r.key for r in runs])
        err_console.print(f"TensorBoard event files -> {tensorboard} "
                          f"(view: tensorboard --logdir {tensorboard})", highlight=False,
                          soft_wrap=True)


@app.command("table")
def table_command(
    store: StoreArg,
    metric: Annotated[str, typer.Option("--metric", help="test_acc, val_acc, train_acc, wall_time, best_epoch, or a per-layer metric (deepest layer): dirichlet_energy, mean_cosine_similarity, ...; one node type's: mean_cosine_similarity[customer]")] = "test_acc",
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown, latex or csv.")] = "markdown",
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Only this dataset.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Only the runs of this sweep file (rows in its order).")] = None,
    preset: Annotated[Optional[str], typer.Option("--preset", help="Only the runs of this preset (rows in its order).")] = None,
    published: Annotated[bool, typer.Option("--published/--no-published", help="Show published numbers in brackets.")] = True,
    tuned: Annotated[bool, typer.Option("--tuned", help="Per tuned cell (oversmooth tune): fixed vs tuned accuracy, published, validation spread over trials, top fANOVA importances.")] = False,
) -> None:
    """Print mean ± std per (model, depth) cell in the literature's layout.

    Rows are models, columns depths; the published number is shown in brackets where
    one exists, and the last column gives the deepest depth at which each model stays
    within 1 point of its best. Failed cells read "failed".

    [bold]Examples[/bold]

      oversmooth table results.db
      oversmooth table results.db --metric mean_cosine_similarity --dataset cora
      oversmooth table table3.db --preset table3-quick --format latex
      oversmooth table tuned.db --preset table3-tuned --tuned
      oversmooth table hetero.db --preset hetero-bank --metric "mean_cosine_similarity[customer]"
    """
    from ..experiments import expand
    from ..experiments.store import Store
    from ..experiments.tables import render, summarize

    path = Path(store)
    keys = order = None
    if config or preset:
        cfg = _sweep_config(config, preset, {})
        keys = [r.key for r in expand(cfg)]
        order = [v.label for v in cfg.variants]
    if tuned:
        from ..experiments.tune_table import render_tuned, tuned_summary

        with Store(path, readonly=True) as s:
            frame = tuned_summary(s, fixed_keys=keys)
        if dataset is not None:
            frame = frame[frame["dataset"] == dataset.lower()]
        sys.stdout.write(render_tuned(frame, fmt))
        return
    with Store(path, readonly=True) as s:
        summary = summarize(s, metric, keys=keys, order=order)
    if dataset is not None:
        summary = summary[summary["dataset"] == dataset.lower()]
    sys.stdout.write(render(summary, metric, fmt, show_published=published))


@app.command("export")
def export_command(
    store: StoreArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or parquet (needs pyarrow).")] = "csv",
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Output folder (default: STORE's name + '_export').")] = None,
) -> None:
    """Write every table of a store to pandas-friendly files, one per table.

    [bold]Examples[/bold]

      oversmooth export results.db --format csv
      oversmooth export results.db --format parquet --out results/
      python -c "import pandas as pd; print(pd.read_csv('results_export/runs.csv'))"
    """
    from ..experiments.export import export

    path = Path(store)
    target = Path(out) if out else path.with_name(path.stem + "_export")
    paths = export(path, target, fmt)
    for p in paths:
        print(p)
