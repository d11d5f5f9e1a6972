"""Per-cell hyperparameter search on validation, then the best configuration on N seeds.

For every cell (dataset, row, depth) of a sweep, :func:`run_tune`

1. runs ``trials`` trials (Optuna's TPE sampler, seeded; trial 0 is the row's own fixed
   configuration), each a training run on the trial seed whose graph has *no test node*;
   with ``pruning`` a trial stops when its best validation accuracy so far falls below
   the median of the cell's finished trials at the same epoch (Optuna's ``MedianPruner``);
2. picks the trial with the best validation accuracy (ties: lower validation loss, then
   the earlier trial) and runs it on the sweep's seeds as ordinary runs (label
   ``"<row> (tuned)"``), with the per-layer metrics of the sweep;
3. with ``fixed``, also runs the row's fixed settings on the seeds (what ``oversmooth
   sweep`` runs; skipped when already stored), so each cell has both.

Trials live in the store's ``trials`` table (:mod:`.tune_store`): a search killed at any
point resumes where it stopped, never repeating a finished trial, and any number of
``oversmooth tune`` processes (``--jobs``, ``--executor ray``, other machines sharing the
store) work on one search without evaluating a trial twice.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field, replace

from .._extras import require
from .executors import Executor, make_executor
from .grid import RunSpec
from .runner import execute
from .store import Store
from .tune_config import TUNED, TuneCell, TuneConfig, cells
from .tune_space import distributions, fixed_values, inside, split_params
from .tune_store import FINISHED, cell_trials, claim_trial, finish_trial, heartbeat, worker_id
from .tune_trial import TrialSpec, evaluate_trial

__all__ = ["run_tune", "TuneSummary", "best_trial", "cell_runs", "propose", "OPTUNA_MISSING"]

OPTUNA_MISSING = ("oversmooth tune needs optuna and scikit-learn (fANOVA importances), an "
                  "optional extra: pip install 'oversmooth[tune]'")



@dataclass
class TuneSummary:
    """What :func:`run_tune` did (counts over this call) and how long it took."""

    cells: int
    trials: int = 0
    pruned: int = 0
    failed_trials: int = 0
    runs: int = 0
    failed_runs: int = 0
    wall_time: float = 0.0
    failures: list[str] = field(default_factory=list)


def propose(cell: TuneCell, number: int, rows: list[dict], search_seed: int = 0,
            startup_trials: int = 4) -> dict:
    """The parameters of trial ``number`` of ``cell`` given its trials ``rows`` so far:
    trial 0 is the row's fixed configuration (when inside the space); the others come from
    a TPE sampler seeded with ``(search_seed, number)`` over the finished trials (running
    ones count as "liars", so parallel workers spread out)."""
    import optuna
    from optuna.trial import TrialState, create_trial

    dists = distributions(cell.space)
    if number == 0 and inside(cell.space, cell.baseline):
        return {k: cell.baseline[k] for k in dists}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=search_seed * 1_000_003 + number, constant_liar=True,
                                         n_startup_trials=startup_trials)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    states = {"complete": TrialState.COMPLETE, "pruned": TrialState.PRUNED,
              "failed": TrialState.FAIL, "running": TrialState.RUNNING}
    for row in rows:
        params = {k: v for k, v in row["params"].items() if k in dists}
        if not inside(cell.space, params):
            continue  # a trial of an older space: not evidence about this one
        complete = row["state"] == "complete" and row["value"] is not None
        study.add_trial(create_trial(
            state=states[row["state"]] if row["state"] != "complete" or complete else TrialState.FAIL,
            value=row["value"] if complete else None, params=params, distributions=dists,
            intermediate_values=row["curve"] if row["state"] == "pruned" else None))
    return study.ask(dists).params


def best_trial(rows: list[dict]) -> dict | None:
    """The complete trial with the best validation accuracy (ties: lower validation loss,
    then the earlier trial), or None."""
    done = [r for r in rows if r["state"] == "complete" and r["value"] is not None]
    if not done:
        return None
    return min(done, key=lambda r: (-r["value"], r["val_loss"] if r["val_loss"] is not None
                                    else float("inf"), r["trial"]))


def _spec(config: TuneConfig, cell: TuneCell, seed: int, params: dict | None, label: str,
          metrics=None) -> RunSpec:
    sweep = config.sweep
    training, options = split_params({**fixed_values(cell.space), **(params or {})}
                                      if params is not None else {})
    return RunSpec(dataset=cell.dataset, model=cell.variant.model, label=label, depth=cell.depth,
                   seed=seed, options={**cell.variant.options, **options},
                   training={**cell.training, **training}, defaults=cell.defaults,
                   dataset_params=sweep.dataset_params.get(cell.dataset, {}), split=sweep.split,
                   metrics=tuple(sweep.metrics if metrics is None else metrics),
                   track=tuple(sweep.track), track_every=sweep.track_every,
                   backward_epochs=tuple(sweep.backward_epochs), device=sweep.device)


def cell_runs(config: TuneConfig, cell: TuneCell, rows: list[dict]) -> tuple[list, list]:
    """``(tuned, fixed)`` run specs of a cell: the best trial's configuration and the row's
    fixed settings, on the sweep's seeds (tuned is empty until the budget is finished)."""
    fixed = [_spec(config, cell, s, None, cell.label) for s in config.sweep.seeds]
    finished = [r for r in rows if r["state"] in FINISHED]
    best = best_trial(rows) if len(finished) >= config.tune.trials else None
    tuned = [] if best is None else [_spec(config, cell, s, best["params"], cell.label + TUNED)
                                     for s in config.sweep.seeds]
    return tuned, fixed


def _trial_spec(config: TuneConfig, cell: TuneCell, number: int, params: dict,
                rows: list[dict], pruning: bool) -> TrialSpec:
    tune = config.tune
    run = _spec(config, cell, tune.trial_seed, params, cell.label, metrics=())
    run = replace(run, track=(), track_every=0, backward_epochs=())
    prior = tuple((r["state"], r["curve"]) for r in rows
                  if r["state"] in ("complete", "pruned") and r["trial"] != number)
    return TrialSpec(run, cell.key, number, pruning, tune.report_every, tune.warmup,
                     prior=prior)


def run_tune(config: TuneConfig, store: str | Store, *, executor: str | Executor = "local",
             jobs: int | None = None, ray_address: str | None = None,
             pruning: bool | None = None, progress: bool = True) -> TuneSummary:
    """Tune every cell of ``config`` into ``store`` (see the module docstring); resumes
    what the store holds. ``pruning`` overrides ``config.tune.pruning``. Returns a
    :class:`TuneSummary` of what this call ran."""
    require("optuna", "tune", "oversmooth tune")
    require("sklearn", "tune", "oversmooth tune (fANOVA importances)")
    start = time.perf_counter()
    tune = config.tune
    pruning = tune.pruning if pruning is None else pruning
    todo = cells(config)
    own = not isinstance(store, Store)
    store = Store(store) if own else store
    summary = TuneSummary(cells=len(todo))
    me = worker_id()
    pool = make_executor(executor, jobs, ray_address) if isinstance(executor, str) else executor
    in_flight: dict = {}
    done: set[str] = set()

    def log(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    def next_task():
        busy_runs = {t[1].key for t in in_flight.values() if t[0] == "run"}
        for cell in todo:
            if cell.key in done:
                continue
            rows = cell_trials(store, cell.key)
            tuned, fixed = cell_runs(config, cell, rows)
            runs = tuned + (fixed if tune.fixed else [])
            if tuned:
                stored = store.statuses([r.key for r in runs])
                waiting = [r for r in runs if r.key not in stored and r.key not in busy_runs]
                if waiting:
                    return "run", waiting[0], cell
                if not any(r.key in busy_runs for r in runs):
                    done.add(cell.key)
                continue
            claimed = claim_trial(store, cell.row(), tune.trials,
                                  lambda n, rs: propose(cell, n, rs, tune.search_seed,
                                                        tune.startup_trials),
                                  me, tune.stale_after)
            if claimed is not None:
                number, params = claimed
                return "trial", _trial_spec(config, cell, number, params, rows, pruning), cell
        return None

    cancelled = False
    try:
        while True:
            while len(in_flight) < pool.capacity:
                task = next_task()
                if task is None:
                    break
                fn = evaluate_trial if task[0] == "trial" else execute
                in_flight[pool.submit(task[1], fn)] = task
            if not in_flight:
                if len(done) == len(todo):
                    break
                time.sleep(5.0)  # other workers hold the remaining trials
                continue
            finished, _ = wait(list(in_flight), timeout=15.0, return_when=FIRST_COMPLETED)
            for future in finished:
                kind, spec, cell = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 -- a worker died: record it
                    result = {"state": "failed", "error": f"{type(exc).__name__}: {exc}"}
                    if kind == "run":
                        from .sweep import _failure_record
                        result = _failure_record(spec, exc)
                if kind == "trial":
                    finish_trial(store, spec.cell_key, spec.trial, result, me)
                    summary.trials += 1
                    summary.pruned += result["state"] == "pruned"
                    if result["state"] == "failed":
                        summary.failed_trials += 1
                        summary.failures.append(f"{spec.describe()}: {result.get('error')}")
                    value = result.get("value")
                    log(f"{spec.describe()}: {result['state']} val_acc="
                        f"{'–' if value is None else f'{100 * value:.1f}'} "
                        f"epochs={result.get('epochs_run')} {result.get('wall_time', 0):.1f}s")
                else:
                    store.save(result)
                    summary.runs += 1
                    if result.status != "done":
                        summary.failed_runs += 1
                        summary.failures.append(f"{spec.describe()}: {result.error}")
                    log(f"{spec.describe()}: run {result.status} "
                        + (f"test_acc={100 * result.test_acc:.1f}" if result.status == "done" else ""))
            heartbeat(store, [(t[1].cell_key, t[1].trial) for t in in_flight.values()
                              if t[0] == "trial"], me)
    except BaseException:
        cancelled = True
        raise
    finally:
        if isinstance(executor, str):
            pool.close(cancel=cancelled)
        summary.wall_time = time.perf_counter() - start
        if own:
            store.close()
    return summary
