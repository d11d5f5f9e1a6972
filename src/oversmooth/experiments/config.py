"""Sweep configuration: TOML files, presets and command-line flags, validated up front.

A sweep is the grid ``datasets x variants x depths x seeds``, where a *variant* is a
model with its mitigation options and training overrides, shown as one row of a table.
Variants come from ``models x mitigations`` (every model with every mitigation) and
from explicit ``[[variants]]`` tables. A file looks like::

    name = "cora-depth"
    datasets = ["cora"]                      # any name of `oversmooth datasets`
    models = ["gcn", "resgcn"]               # any name of oversmooth.models.available()
    mitigations = ["none", "dropedge=0.3"]   # strings "k=v,k2=v2" or inline tables
    depths = [2, 4, 8, 16]
    seeds = 3                                # 3 means seeds 0, 1, 2; or a list [0, 5]
    metrics = ["dirichlet_energy", "mean_cosine_similarity"]  # per layer, trained model
    track = ["dirichlet_energy"]             # per layer during training ...
    track_every = 10                         # ... every 10 epochs (0: off)
    backward_epochs = [0, 1, 10, "best"]     # per-layer backward metrics at these epochs

    [training]                               # overrides of the models' defaults
    epochs = 200
    patience = 50

    [options]                                # model options given to every variant
    norm = "pair"

    [dataset_params.csbm]                    # parameters of a synthetic dataset
    num_nodes = 2000

    [tune]                                   # optional: how `oversmooth tune` searches
    trials = 12                              # (oversmooth.experiments.tune_config)

    [[variants]]
    model = "jknet"
    label = "JKNet+DropEdge"                 # row name in tables (default: derived)
    options = { dropedge = 0.3 }
    training = { lr = 0.005 }
    depths = [4, 8]                          # optional: this variant's own depths

A model runs on the datasets of its kind (:func:`runs_on`): heterogeneous models (``rgcn``,
``hgt``, ``hetero-*``) on heterogeneous datasets (``bank``), homogeneous ones on the others,
e.g. the flattened ``bank-flat``; so ``datasets = ["bank", "bank-flat"]`` with ``models =
["rgcn", "gcn"]`` runs R-GCN on the bank and GCN on the same graph flattened.

Everything is checked before a run starts: unknown keys, unknown models or datasets,
depths < 1, wrong types, a model with no dataset of its kind. Errors are ``ValueError``
naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..metrics.defaults import SWEEP_METRICS
from .parsing import (TRAINING_KEYS, _backward_epochs, _check_name, _check_training, _int_list, _Locator, _str_list, _unknown_key,
                      parse_options, read_toml)

__all__ = ["SweepConfig", "Variant", "load_config", "config_from_dict", "parse_options",
           "TRAINING_KEYS", "DEFAULT_METRICS", "runs_on"]

DEFAULT_METRICS = SWEEP_METRICS

TOP_KEYS = ("name", "datasets", "dataset_params", "split", "models", "mitigations", "options",
            "variants", "depths", "seeds", "training", "metrics", "track", "track_every",
            "backward_epochs",
            "device", "tune")
VARIANT_KEYS = ("model", "label", "options", "training", "depths")


@dataclass(frozen=True)
class Variant:
    """One row of the table: a model, its options, its training overrides."""

    model: str
    options: dict = field(default_factory=dict)
    label: str = ""
    training: dict = field(default_factory=dict)
    depths: tuple[int, ...] | None = None


@dataclass
class SweepConfig:
    """A validated sweep. Build it with :func:`load_config` or :func:`config_from_dict`."""

    name: str
    datasets: list[str]
    variants: list[Variant]
    depths: list[int]
    seeds: list[int]
    dataset_params: dict[str, dict] = field(default_factory=dict)
    split: int = 0
    training: dict = field(default_factory=dict)
    metrics: list[str] = field(default_factory=lambda: list(DEFAULT_METRICS))
    track: list[str] = field(default_factory=list)
    track_every: int = 0
    backward_epochs: list = field(default_factory=list)  # ints >= 0 and/or "best"
    device: str = "cpu"


def runs_on(dataset: str, model: str) -> bool:
    """Whether a sweep runs ``model`` on ``dataset``: a heterogeneous model (``rgcn``, ``hgt``,
    ``hetero-*``) on the heterogeneous datasets (``bank``), a homogeneous one on the others
    (``bank-flat``: the bank flattened). The grid holds only these pairs."""
    from .. import datasets as datasets_module
    from .. import models as models_module

    return datasets_module.is_heterogeneous(dataset) == models_module.is_hetero_model(model)


def _label(model: str, options: dict) -> str:
    if not options:
        return model
    parts = [k if v is True else f"{k}={v}" for k, v in sorted(options.items())]
    return f"{model}+{','.join(parts)}"


def config_from_dict(raw: dict, source: str = "config", text: str | None = None) -> SweepConfig:
    """Validate a configuration given as a dict (the parsed TOML, a preset, or the flags).

    Args:
        raw: the configuration, keys as in the module docstring.
        source: what to call it in error messages (a path, ``"command line"``).
        text: the TOML text, to name the offending line in errors.

    Raises:
        ValueError: ``"<source>:<line>: <problem>"`` for the first problem found.
    """
    from .. import datasets as datasets_module
    from .. import metrics as metrics_module
    from .. import models as models_module

    loc = _Locator(text, source)
    raw = {k: v for k, v in raw.items() if v is not None}  # None: "not given" (flags, code)
    for key in raw:
        if key not in TOP_KEYS:
            raise _unknown_key(key, TOP_KEYS, loc.where(key), "the sweep configuration")

    known_datasets = datasets_module.available()
    datasets = [_check_name(d.lower(), known_datasets, "dataset", "datasets", loc)
                for d in _str_list(raw.get("datasets", []), "datasets", loc)]
    if not datasets:
        raise ValueError(f"{loc.where('datasets')}: no datasets given (datasets = [\"cora\"])")
    dataset_params = raw.get("dataset_params", {})
    if not isinstance(dataset_params, dict):
        raise ValueError(f"{loc.where('dataset_params')}: dataset_params must be a table")
    for name, params in dataset_params.items():
        if name not in datasets:
            raise ValueError(f"{loc.where(name, table='dataset_params')}: dataset_params names "
                             f"{name!r}, which is not among the datasets {datasets}")
        if name not in datasets_module.SYNTHETIC:
            raise ValueError(f"{loc.where(name, table='dataset_params')}: {name} is a real "
                             "dataset and takes no parameters")
        if not isinstance(params, dict):
            raise ValueError(f"{loc.where(name, table='dataset_params')}: dataset_params.{name} must be a "
                             f"table of generator parameters ([dataset_params.{name}]), got {params!r}")
        allowed = datasets_module.synthetic_parameters(name)
        for key in params:
            if key not in allowed:
                raise _unknown_key(key, list(allowed), loc.where(key, table=f"dataset_params.{name}"),
                                   f"[dataset_params.{name}]")
        for key, value in params.items():  # types and sizes, before any run generates the graph
            try:
                datasets_module.check_synthetic(name, {key: value})
            except ValueError as exc:
                raise ValueError(f"{loc.where(key, table=f'dataset_params.{name}')}: "
                                 f"{str(exc).removeprefix(name + ': ')}") from None

    depths = _int_list(raw.get("depths"), "depths", loc, 1) if "depths" in raw else None
    seeds = _int_list(raw.get("seeds", 1), "seeds", loc, 0)
    training = _check_training(raw.get("training", {}), loc, "training")
    options = parse_options(raw.get("options"))

    known_models = list(models_module.available())
    variants: list[Variant] = []
    models = _str_list(raw.get("models", []), "models", loc)
    mitigations = raw.get("mitigations", ["none"])
    if not isinstance(mitigations, list) or not mitigations:
        raise ValueError(f"{loc.where('mitigations')}: mitigations must be a non-empty list")
    for model in models:
        model = _check_name(model.lower(), known_models, "model", "models", loc)
        for mitigation in mitigations:
            opts = {**options, **parse_options(mitigation)}
            variants.append(Variant(model, opts, _label(model, parse_options(mitigation))))
    raw_variants = raw.get("variants", [])
    if not isinstance(raw_variants, list):
        raise ValueError(f"{loc.where('variants')}: variants must be an array of tables "
                         "([[variants]])")
    for entry in raw_variants:
        if not isinstance(entry, dict):
            raise ValueError(f"{loc.where('variants')}: each variant must be a table")
        for key in entry:
            if key not in VARIANT_KEYS:
                raise _unknown_key(key, VARIANT_KEYS, loc.where(key, table="variants"),
                                   "[[variants]]")
        if "model" not in entry:
            raise ValueError(f"{loc.where('', table='variants')}: a [[variants]] table has no "
                             "model = \"...\"")
        model = _check_name(str(entry["model"]).lower(), known_models, "model", "model", loc)
        opts = {**options, **parse_options(entry.get("options"))}
        own_depths = (tuple(_int_list(entry["depths"], "depths", loc, 1))
                      if "depths" in entry else None)
        variants.append(Variant(model, opts,
                                str(entry.get("label") or _label(model, parse_options(entry.get("options")))),
                                _check_training(entry.get("training", {}), loc, "variants"),
                                own_depths))
    for variant in variants:  # names and types, before any run builds the model
        from ..oversquashing.rewiring import split_rewire_options

        # rewire=NAME, rewire_PARAM=...: a data transform, checked by name there
        model_options, _, _ = split_rewire_options(variant.options)
        for option, value in model_options.items():
            try:
                models_module.check_options(variant.model, {option: value})
            except ValueError as exc:
                raise ValueError(f"{loc.where(option)}: {str(exc).removeprefix(variant.model + ': ')}") from None
    if not variants:
        raise ValueError(f"{loc.where('models')}: no models given (models = [\"gcn\"] or "
                         "[[variants]] tables)")
    for variant in variants:  # each model runs on the datasets of its kind (grid.runs_on)
        if not any(runs_on(d, variant.model) for d in datasets):
            kind = "heterogeneous" if models_module.is_hetero_model(variant.model) else "homogeneous"
            hint = (f"heterogeneous datasets: {', '.join(datasets_module.HETEROGENEOUS)}" if kind == "heterogeneous"
                    else f"flattened: {', '.join(datasets_module.FLATTENED)}")
            raise ValueError(f"{loc.where('models')}: model {variant.model} is {kind}: none of the datasets "
                             f"{datasets} is ({hint})")
    labels = [v.label for v in variants]
    duplicate = next((l for l in labels if labels.count(l) > 1), None)
    if duplicate:
        raise ValueError(f"{loc.where('label', value=duplicate)}: two variants share the label "
                         f"{duplicate!r}; give each its own label")
    if depths is None:
        if any(v.depths is None for v in variants):
            raise ValueError(f"{source}: no depths given (depths = [2, 4, 8])")
        depths = sorted({d for v in variants for d in v.depths})

    known_metrics = list(metrics_module.available())
    metric_names = [_check_name(m, known_metrics, "metric", "metrics", loc)
                    for m in _str_list(raw.get("metrics", list(DEFAULT_METRICS)), "metrics", loc)]
    track = [_check_name(m, known_metrics, "metric", "track", loc)
             for m in _str_list(raw.get("track", []), "track", loc)]
    track_every = raw.get("track_every", 10 if track else 0)
    if not isinstance(track_every, int) or isinstance(track_every, bool) or track_every < 0:
        raise ValueError(f"{loc.where('track_every')}: track_every must be an integer >= 0")
    if track and track_every == 0:
        raise ValueError(f"{loc.where('track_every')}: track lists metrics but track_every = 0")
    if "tune" in raw:  # how `oversmooth tune` searches; `oversmooth sweep` runs the fixed grid
        from .tune_config import check_tune

        check_tune(raw["tune"], variants, loc)
    backward_epochs = _backward_epochs(raw.get("backward_epochs", []), loc)
    split = raw.get("split", 0)
    if not isinstance(split, int) or isinstance(split, bool) or split < 0:
        raise ValueError(f"{loc.where('split')}: split must be an integer >= 0")
    name = raw.get("name", Path(source).stem if source.endswith(".toml") else "sweep")
    device = raw.get("device", "cpu")
    if not isinstance(device, str):
        raise ValueError(f"{loc.where('device')}: device must be a string like 'cpu' or 'cuda'")
    return SweepConfig(name=str(name), datasets=datasets, variants=variants, depths=depths,
                       seeds=seeds, dataset_params={k: dict(v) for k, v in dataset_params.items()},
                       split=split, training=training, metrics=metric_names, track=track,
                       track_every=track_every, backward_epochs=backward_epochs, device=device)


def load_config(path: str | Path) -> SweepConfig:
    """Read and validate a TOML sweep file (see the module docstring for its keys)."""
    raw, text = read_toml(path)
    return config_from_dict(raw, source=str(path), text=text)
