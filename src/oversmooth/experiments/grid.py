"""Expanding a sweep into runs, each with a deterministic, sweep-independent key.

A run's key is the SHA-256 of the canonical JSON (sorted keys, no whitespace) of the
settings that determine its result: dataset (with generator parameters and split),
model, options, depth, seed, the training hyperparameters after the model's defaults
are applied, and the model's full default table. The sweep's name, the row label,
the metrics recorded and the executor are not part of it, so two sweeps asking for the
same run share it in a store, and changing a model's defaults makes new runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .config import TRAINING_KEYS, SweepConfig, runs_on

__all__ = ["RunSpec", "expand", "run_key"]


def run_key(settings: dict) -> str:
    """SHA-256 hex digest of the canonical JSON of ``settings``."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: everything a worker needs, picklable."""

    dataset: str
    model: str
    label: str
    depth: int
    seed: int
    options: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)  # resolved fit hyperparameters
    defaults: dict = field(default_factory=dict)  # models.defaults(model), for the key
    dataset_params: dict = field(default_factory=dict)
    split: int = 0
    metrics: tuple[str, ...] = ()
    track: tuple[str, ...] = ()
    track_every: int = 0
    backward_epochs: tuple = ()
    device: str = "cpu"

    @property
    def settings(self) -> dict:
        """The settings that define the run's result (what the key hashes)."""
        return {"dataset": self.dataset, "dataset_params": self.dataset_params,
                "split": self.split, "model": self.model, "options": self.options,
                "depth": self.depth, "seed": self.seed, "training": self.training,
                "defaults": self.defaults}

    @property
    def key(self) -> str:
        return run_key(self.settings)

    def describe(self) -> str:
        return f"{self.dataset} {self.label} depth={self.depth} seed={self.seed}"


def resolve_training(model: str, *overrides: dict) -> tuple[dict, dict]:
    """The model's default table and the training hyperparameters after ``overrides``."""
    from .. import models

    defaults = dict(models.defaults(model))
    training = {k: defaults[k] for k in TRAINING_KEYS if k in defaults}
    training.setdefault("normalize_features", True)
    for override in overrides:
        training.update(override)
    return defaults, training


def expand(config: SweepConfig) -> list[RunSpec]:
    """All runs of ``config`` in table order: dataset, variant, depth, seed; each variant on
    the datasets of its kind (:func:`~.config.runs_on`)."""
    runs = []
    for dataset in config.datasets:
        for variant in config.variants:
            if not runs_on(dataset, variant.model):
                continue
            defaults, training = resolve_training(variant.model, config.training, variant.training)
            for depth in (variant.depths or config.depths):
                for seed in config.seeds:
                    runs.append(RunSpec(
                        dataset=dataset, model=variant.model, label=variant.label, depth=depth,
                        seed=seed, options=dict(variant.options), training=training,
                        defaults=defaults, dataset_params=config.dataset_params.get(dataset, {}),
                        split=config.split, metrics=tuple(config.metrics),
                        track=tuple(config.track), track_every=config.track_every,
                        backward_epochs=tuple(config.backward_epochs),
                        device=config.device))
    keys = [r.key for r in runs]
    if len(set(keys)) != len(keys):
        seen = set()
        dup = next(r for r, k in zip(runs, keys) if k in seen or seen.add(k))
        raise ValueError(f"two variants describe the same run ({dup.describe()}): "
                         "their model, options and training settings are identical")
    return runs
