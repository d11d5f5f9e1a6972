"""Evaluating one trial (what a worker runs): train on the trial's settings, report the
validation curve, stop early when pruned. Test accuracy is never computed: the graph a
trial trains on has an empty test mask, so nothing a search reads can depend on test labels.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import torch

from .grid import RunSpec

__all__ = ["TrialSpec", "evaluate_trial", "trial_graph"]


@dataclass(frozen=True)
class TrialSpec:
    """One trial for a worker: the run it trains (its ``seed`` is the trial seed), and the
    finished trials of its cell that pruning compares it with (picklable)."""

    run: RunSpec
    cell_key: str
    trial: int
    pruning: bool = True
    report_every: int = 10
    warmup: int = 30
    prune_startup: int = 3
    # (state, curve {epoch: best val acc so far}) of the cell's finished trials
    prior: tuple = field(default_factory=tuple)

    def describe(self) -> str:
        return f"{self.run.dataset} {self.run.label} depth={self.run.depth} trial {self.trial}"


def trial_graph(spec: RunSpec):
    """The graph of ``spec`` (features normalised, cached per worker) with no test node."""
    from .runner import _graph

    data = copy.copy(_graph(spec))
    data.test_mask = torch.zeros_like(data.test_mask)
    return data


def _pruner_trial(spec: TrialSpec):
    """An Optuna trial in a throwaway study holding the cell's finished curves, whose
    ``should_prune`` applies the median rule (None when pruning is off)."""
    if not spec.pruning:
        return None
    import optuna
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=spec.prune_startup,
                                         n_warmup_steps=spec.warmup,
                                         interval_steps=spec.report_every)
    study = optuna.create_study(direction="maximize", pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    for state, curve in spec.prior:
        if not curve:
            continue
        final = curve[max(curve)]
        study.add_trial(create_trial(
            state=TrialState.COMPLETE if state == "complete" else TrialState.PRUNED,
            value=final if state == "complete" else None, params={}, distributions={},
            intermediate_values={int(k): float(v) for k, v in curve.items()}))
    return study.ask()


def evaluate_trial(spec: TrialSpec) -> dict:
    """Train the trial; return its outcome (``state``: ``complete``, ``pruned`` or
    ``failed``; ``value``: validation accuracy at the best epoch; ``curve``). Never raises."""
    from .. import training
    from ..oversquashing.rewiring import rewire, split_rewire_options

    run = spec.run
    start = time.perf_counter()
    curve: dict[int, float] = {}
    outcome = {"state": "failed", "curve": curve}
    try:
        data = trial_graph(run)
        options, rewiring, rewire_params = split_rewire_options(run.options)
        if rewiring:
            data = rewire(data, rewiring, seed=run.seed, **rewire_params)
        judge = _pruner_trial(spec)
        pruned = []

        def report(epoch, _model, result):
            best = max(row["val_acc"] for row in result.history)
            if epoch % spec.report_every == 0:
                curve[epoch] = best
                if judge is not None:
                    judge.report(best, epoch)
                    if judge.should_prune():
                        pruned.append(epoch)
                        return True
            return False

        fit_args = {k: v for k, v in run.training.items()
                    if k not in ("hidden_channels", "normalize_features")}
        hidden = run.training.get("hidden_channels", run.defaults.get("hidden_channels"))
        _, result = training.train(run.model, data, run.depth, run.seed, hidden_channels=hidden,
                                   normalize_features=False, callback=report,
                                   device=torch.device(run.device), **fit_args, **options)
        curve[result.epochs_run] = max(row["val_acc"] for row in result.history)
        outcome.update(state="pruned" if pruned else "complete", value=result.val_acc,
                       val_loss=result.val_loss if math.isfinite(result.val_loss) else None,
                       best_epoch=result.best_epoch, epochs_run=result.epochs_run)
    except Exception as exc:  # noqa: BLE001 -- a failing configuration is data for the search
        outcome["error"] = f"{type(exc).__name__}: {exc}".strip()[:2000]
    outcome["wall_time"] = time.perf_counter() - start
    return outcome
