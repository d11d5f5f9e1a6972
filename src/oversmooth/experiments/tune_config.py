"""Tuning configuration: a sweep file with a ``[tune]`` table, and the cells it searches.

A *cell* is one (dataset, row, depth) of the sweep's table. ``oversmooth tune`` runs, per
cell, a hyperparameter search on validation accuracy, then the best configuration on the
sweep's seeds. The ``[tune]`` table (all keys optional)::

    [tune]
    trials = 12          # trial budget per cell (raise it later: the search goes on)
    pruning = true       # stop hopeless trials on the validation curve (Optuna's median rule)
    search_seed = 0      # seeds the TPE sampler
    trial_seed = 0       # the training seed of every trial
    startup_trials = 4   # random trials before TPE models the history
    report_every = 10    # epochs between the validation reports pruning looks at
    warmup = 30          # epochs before a trial may be pruned
    fixed = true         # also run the row's fixed settings on the seeds (the comparison)
    stale_after = 300    # seconds without a heartbeat before a running trial is reclaimed

    [tune.space.GCN]     # per row label (or model): changes to its family's space
    lr = { low = 0.005, high = 0.05, log = true }

Everything is checked before a trial runs (:func:`check_tune`), errors name the key and,
for a file, its line.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from .config import SweepConfig, Variant, config_from_dict
from .grid import resolve_training, run_key
from .parsing import _Locator, _unknown_key, read_toml
from .tune_space import check_space, search_space

__all__ = ["TuneSettings", "TuneConfig", "TuneCell", "check_tune", "tune_config_from_dict",
           "load_tune_config", "cells", "TUNE_KEYS", "TUNED"]

TUNE_KEYS = ("trials", "pruning", "search_seed", "trial_seed", "startup_trials", "report_every",
             "warmup", "fixed", "stale_after", "space")
_INTS = {"trials": 1, "search_seed": 0, "trial_seed": 0, "startup_trials": 0, "report_every": 1,
         "warmup": 0, "stale_after": 1}
MAX_TRIALS = 10_000
#: Appended to a row's label for its tuned runs: ``"GCN (tuned)"``.
TUNED = " (tuned)"


@dataclass(frozen=True)
class TuneSettings:
    """The ``[tune]`` table, checked (see the module docstring)."""

    trials: int = 10
    pruning: bool = True
    search_seed: int = 0
    trial_seed: int = 0
    startup_trials: int = 4
    report_every: int = 10
    warmup: int = 30
    fixed: bool = True
    stale_after: int = 300
    space: dict = field(default_factory=dict)  # {label or model: {hyperparameter: entry}}


@dataclass
class TuneConfig:
    """A sweep (its grid, fixed settings and seeds) and how to tune it."""

    sweep: SweepConfig
    tune: TuneSettings


@dataclass(frozen=True)
class TuneCell:
    """One searched cell: where, which row, its space, and the fixed configuration."""

    dataset: str
    variant: Variant
    depth: int
    space: dict
    baseline: dict  # the row's own value of every searched hyperparameter (trial 0)
    training: dict  # the row's resolved training settings
    defaults: dict
    key: str

    @property
    def label(self) -> str:
        return self.variant.label

    def describe(self) -> str:
        return f"{self.dataset} {self.label} depth={self.depth}"

    def row(self) -> dict:
        return {"cell_key": self.key, "dataset": self.dataset, "label": self.label,
                "model": self.variant.model, "depth": self.depth}


def check_tune(raw, variants: list[Variant], loc: _Locator) -> TuneSettings:
    """Validate a ``[tune]`` table against the sweep's rows (every space is resolved)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{loc.where('tune')}: tune must be a table ([tune])")
    for key in raw:
        if key not in TUNE_KEYS:
            raise _unknown_key(key, TUNE_KEYS, loc.where(key, table="tune"), "[tune]")
    for key, minimum in _INTS.items():
        value = raw.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < minimum):
            what = "the trial budget per cell" if key == "trials" else key
            raise ValueError(f"{loc.where(key, table='tune')}: tune.{key} = {value!r}: {what} "
                             f"must be an integer >= {minimum}")
    if raw.get("trials", 1) > MAX_TRIALS:
        raise ValueError(f"{loc.where('trials', table='tune')}: tune.trials = {raw['trials']}: "
                         f"at most {MAX_TRIALS} trials per cell")
    for key in ("pruning", "fixed"):
        if key in raw and not isinstance(raw[key], bool):
            raise ValueError(f"{loc.where(key, table='tune')}: tune.{key} must be true or false")
    spaces = raw.get("space", {})
    if not isinstance(spaces, dict) or not all(isinstance(v, dict) for v in spaces.values()):
        raise ValueError(f"{loc.where('space', table='tune')}: tune.space must hold tables "
                         "[tune.space.<label or model>]")
    names = {v.label for v in variants} | {v.model for v in variants}
    for name in spaces:
        if name not in names:
            raise _unknown_key(name, sorted(names), loc.where(name, table="tune.space"),
                               "[tune.space] (a row label or model of the sweep)")
    for variant in variants:
        override = {**spaces.get(variant.model, {}), **spaces.get(variant.label, {})}
        where = None
        for key in override:  # name the line of the first entry that fails
            where = loc.where(key, table=f"tune.space.{variant.label}") if variant.label in spaces \
                else loc.where(key, table=f"tune.space.{variant.model}")
            search_space(variant.model, variant.options, {key: override[key]}, where)
        space = search_space(variant.model, variant.options, override,
                             where or f"{loc.source}: tune.space.{variant.label}")
        check_space(space, f"{loc.source}: tune.space.{variant.label}")
    values = {k: v for k, v in raw.items() if k != "space"}
    return TuneSettings(**values, space={k: dict(v) for k, v in spaces.items()})


def tune_config_from_dict(raw: dict, source: str = "config", text: str | None = None) -> TuneConfig:
    """A :class:`TuneConfig` from a sweep dict with an optional ``tune`` table."""
    sweep = config_from_dict(raw, source, text)  # validates [tune] too
    return TuneConfig(sweep, check_tune(raw.get("tune", {}), sweep.variants, _Locator(text, source)))


def load_tune_config(path) -> TuneConfig:
    raw, text = read_toml(path)
    return tune_config_from_dict(raw, str(path), text)


def _signature_defaults(model: str) -> dict:
    from .. import models

    out = {}
    for klass in models.model_class(model).__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.default is not inspect.Parameter.empty and p.name not in out:
                out[p.name] = p.default
    return out


def baseline(variant: Variant, training: dict, defaults: dict, space: dict) -> dict:
    """The row's own value of every searched hyperparameter (``None`` where it has none)."""
    known = {**_signature_defaults(variant.model), **defaults, **variant.options, **training}
    if known.get("input_dropout") is None and "dropout" in known:
        known["input_dropout"] = known["dropout"]  # the models' rule: None means dropout
    base = {k: known.get(k) for k, e in space.items() if isinstance(e, dict)}
    for key, value in base.items():
        if value is None and "none" in space[key].get("choices", ()):
            base[key] = "none"  # an option left off (norm=None) is spelt "none" in a TOML space
    return base


def with_baseline(space: dict, base: dict) -> dict:
    """``space`` grown to hold the row's own values (a choice added, a range widened), so
    trial 0 -- the row's fixed configuration -- is always a point of the search."""
    out = {}
    for key, entry in space.items():
        value = base.get(key)
        if isinstance(entry, dict) and value is not None:
            entry = dict(entry)
            if "choices" in entry and value not in entry["choices"]:
                entry["choices"] = [*entry["choices"], value]
            elif "low" in entry and isinstance(value, (int, float)) and not isinstance(value, bool):
                if entry.get("log") and value <= 0:
                    pass  # a log range cannot hold 0: trial 0 is then a sampled one
                else:
                    entry["low"], entry["high"] = min(entry["low"], value), max(entry["high"], value)
        out[key] = entry
    return out


def cells(config: TuneConfig) -> list[TuneCell]:
    """Every cell of the sweep, in table order, with its resolved space and key.

    The key hashes what defines the search: dataset (parameters, split), model, options,
    depth, resolved training settings, the space, the sampler and trial seeds. The budget
    and pruning are not in it, so raising ``trials`` continues a search.
    """
    sweep, tune = config.sweep, config.tune
    out = []
    for dataset in sweep.datasets:
        for variant in sweep.variants:
            defaults, training = resolve_training(variant.model, sweep.training, variant.training)
            override = {**tune.space.get(variant.model, {}), **tune.space.get(variant.label, {})}
            space = search_space(variant.model, variant.options, override)
            base = baseline(variant, training, defaults, space)
            space = with_baseline(space, base)
            for depth in (variant.depths or sweep.depths):
                key = run_key({"tune": 1, "dataset": dataset,
                               "dataset_params": sweep.dataset_params.get(dataset, {}),
                               "split": sweep.split, "model": variant.model,
                               "options": variant.options, "depth": depth, "training": training,
                               "space": space, "search_seed": tune.search_seed,
                               "trial_seed": tune.trial_seed})
                out.append(TuneCell(dataset, variant, depth, space, base, training, defaults, key))
    return out
