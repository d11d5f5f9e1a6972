"""`oversmooth tune`: per-cell hyperparameter search on validation, then N seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, err_console
from .experiments import _ints, _split


def tune_config(config: str | None, preset: str | None, *, labels: str | None = None,
                datasets: str | None = None, depths: str | None = None,
                seeds: str | None = None, trials: int | None = None,
                epochs: int | None = None, patience: int | None = None):
    """The :class:`~oversmooth.experiments.tune_config.TuneConfig` of a preset or file with
    the command line's changes (rows kept by ``labels``)."""
    from ..experiments.parsing import read_toml
    from ..experiments.presets import preset_dict
    from ..experiments.tune_config import tune_config_from_dict

    if bool(config) == bool(preset):
        raise ValueError("give --config FILE or --preset NAME (e.g. --preset table3-tuned)")
    text = None
    if preset:
        raw, source = preset_dict(preset), f"preset {preset}"
    else:
        raw, text = read_toml(config)
        source = str(config)
        tune_config_from_dict(raw, source, text)  # file errors name their line
    changed = False
    if labels is not None:
        wanted = _split(labels)
        have = [v.get("label") for v in raw.get("variants", [])]
        unknown = [l for l in wanted if l not in have]
        if unknown:
            raise ValueError(f"--labels: no row {unknown[0]!r} in {source}; rows: {', '.join(map(str, have))}")
        raw["variants"] = [v for v in raw.get("variants", []) if v.get("label") in wanted]
        raw.pop("models", None)
        changed = True
    if datasets is not None:
        raw["datasets"], changed = _split(datasets), True
    if depths is not None:
        raw["depths"], changed = _ints(depths, "--depths"), True
        for variant in raw.get("variants", []):
            variant.pop("depths", None)
    if seeds is not None:
        values = _ints(seeds, "--seeds")
        raw["seeds"] = values[0] if len(values) == 1 and "," not in seeds else values
        changed = True
    if trials is not None:
        raw["tune"] = {**raw.get("tune", {}), "trials": trials}
        changed = True
    training = {k: v for k, v in {"epochs": epochs, "patience": patience}.items() if v is not None}
    if training:
        raw["training"], changed = {**raw.get("training", {}), **training}, True
    return tune_config_from_dict(raw, f"{source} + flags" if changed else source,
                                 None if changed else text)


@app.command("tune")
def tune_command(
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="TOML sweep file with a [tune] table.")] = None,
    preset: Annotated[Optional[str], typer.Option("--preset", help="A named sweep: table3-tuned.")] = None,
    labels: Annotated[Optional[str], typer.Option("--labels", help="Only these rows, comma-separated: GCN,GCN+DropEdge.")] = None,
    datasets: Annotated[Optional[str], typer.Option("--datasets", help="Comma-separated: cora,citeseer.")] = None,
    depths: Annotated[Optional[str], typer.Option("--depths", help="Comma-separated: 2,8,32.")] = None,
    seeds: Annotated[Optional[str], typer.Option("--seeds", help="Seeds of the final runs: a count or a list.")] = None,
    trials: Annotated[Optional[int], typer.Option("--trials", help="Trial budget per cell (raise it to search on).")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Maximum epochs of every run and trial.")] = None,
    patience: Annotated[Optional[int], typer.Option("--patience", help="Early-stopping patience of the fixed settings.")] = None,
    pruning: Annotated[Optional[bool], typer.Option("--pruning/--no-pruning", help="Stop hopeless trials on the validation curve (default: the config's, on).")] = None,
    store: Annotated[str, typer.Option("--store", "-s", help="Results store (SQLite file, created if missing).")] = "results.db",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Parallel trials/runs (default: one per core).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local or ray (pip install 'oversmooth\\[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the cells, their spaces and what the store holds; run nothing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary.")] = False,
) -> None:
    """Tune every cell (dataset, model, depth) on validation, then run the best on N seeds.

    Per cell: a seeded Optuna TPE search (trial 0 = the row's fixed settings; hopeless
    trials pruned) that never sees test accuracy, then the best configuration on the
    sweep's seeds as ordinary runs labelled "(tuned)", beside the fixed settings. Trials
    live in the store: a killed tune resumes without repeating a finished trial, and
    several processes (--jobs, --executor ray, other machines) share one search.

    [bold]Examples[/bold]

      oversmooth tune --preset table3-tuned --store tuned.db
      oversmooth tune --preset table3-tuned --labels GCN,GCN+DropEdge --datasets cora --depths 2,8,32 --trials 8 --jobs 1
      oversmooth table tuned.db --preset table3-tuned --tuned
    """
    from ..experiments.store import Store
    from ..experiments.tune import run_tune
    from ..experiments.tune_config import cells
    from ..experiments.tune_store import FINISHED, cell_trials

    cfg = tune_config(config, preset, labels=labels, datasets=datasets, depths=depths,
                      seeds=seeds, trials=trials, epochs=epochs, patience=patience)
    if dry_run:
        todo = cells(cfg)
        s = Store(store, readonly=True) if Path(store).exists() else None
        for cell in todo:
            rows = cell_trials(s, cell.key) if s else []
            finished = sum(r["state"] in FINISHED for r in rows)
            searched = ", ".join(k for k, e in cell.space.items() if isinstance(e, dict))
            print(f"{cell.key[:12]} {cell.describe()}: {finished}/{cfg.tune.trials} trials; "
                  f"searches {searched}")
        print(f"{len(todo)} cells x {cfg.tune.trials} trials, then {len(cfg.sweep.seeds)} seeds each")
        if s:
            s.close()
        return
    summary = run_tune(cfg, store, executor=executor, jobs=jobs, ray_address=ray_address,
                       pruning=pruning, progress=not quiet)
    err_console.print(
        f"tune '{cfg.sweep.name}': {summary.cells} cells, {summary.trials} trials run "
        f"({summary.pruned} pruned, {summary.failed_trials} failed), {summary.runs} runs "
        f"({summary.failed_runs} failed) in {summary.wall_time:.1f} s -> {store}", highlight=False)
    for failure in summary.failures[:10]:
        err_console.print(f"  failed: {failure}", highlight=False, markup=False)
