"""The one training entry point: :func:`train` (build, seed, fit) and :func:`build_seeded`.

Every caller that trains a zoo model from its name goes through :func:`train`; every
caller that needs the untrained model of a seed (a measurement at initialisation) goes
through :func:`build_seeded`. Nothing else in the package seeds, builds and fits.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Callable, NamedTuple

import torch
from torch import nn

from .fit import FitResult, _initialize, fit, row_normalize, seed_everything
from .hetero import check_kind

__all__ = ["Trained", "train", "build_seeded"]

#: Attributes of :class:`FitResult` that :class:`Trained` still forwards, with a warning.
_RESULT_ATTRIBUTES = frozenset([f.name for f in dataclasses.fields(FitResult)] + ["to_dict"])


class Trained(NamedTuple):
    """What :func:`train` returns: the fitted ``model`` (its weights restored to the best
    epoch) and its :class:`FitResult` ``result``. A named tuple:
    ``model, result = train(...)`` or ``train(...).result.test_acc``.

    Deprecated (one release): reading a :class:`FitResult` attribute on it
    (``train(...).test_acc``, ``train(...).to_dict()``) still works and warns with a
    ``DeprecationWarning``; read it from ``.result``.
    """

    model: nn.Module
    result: FitResult

    def __getattr__(self, name: str):
        if name in _RESULT_ATTRIBUTES:
            warnings.warn(f"train(...).{name} is deprecated: train returns Trained(model, result); "
                          f"use train(...).result.{name}", DeprecationWarning, stacklevel=2)
            return getattr(self.result, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def build_seeded(name: str, data, depth: int, seed: int = 0, *, hidden_channels: int | None = None,
                 device: str | torch.device | None = None, reset: bool = True, **options) -> nn.Module:
    """Zoo model ``name`` for ``data``, untrained, in the initial state of seed ``seed``.

    Input width ``data.x.shape[1]``, output width :func:`oversmooth.graph.num_classes`
    (``data``), ``hidden_channels`` and model ``options`` as in
    :func:`oversmooth.models.build` (``None`` and options not given: the model's defaults).
    The model is built right after :func:`seed_everything` (``seed``) and moved to ``device``.

    ``reset=True`` (default): then re-seeded and re-initialised with ``reset_parameters()``,
    exactly as :func:`fit` does before its first epoch: bitwise the model
    :func:`train` (``name, data, depth, seed``, same options and device) starts fitting from.
    ``reset=False``: the model as built. The two differ for models whose construction draws
    more random numbers than their ``reset_parameters()`` (GCN, GCNII, GAT, ...);
    ``reset=False`` is the state the backward diagnostics at initialisation
    (``oversmooth backward``, :func:`oversmooth.backward.stationarity`, the demo) measure.

    A HeteroData needs a heterogeneous model (``rgcn``, ``hgt``, ``hetero-*``): input widths
    per node type, the classes of the target type (:func:`oversmooth.graph.target_node_type`)
    and the options ``metadata`` and ``target_node_type`` come from ``data``. A model of the
    other kind than ``data`` is a one-line ``ValueError``.
    """
    from ..graph import num_classes, target_node_type
    from ..models import build

    if check_kind(name, data):
        target = target_node_type(data)
        in_channels = {t: data[t].x.shape[1] for t in data.node_types}
        out_channels = num_classes(data[target].y)
        options = {"metadata": data.metadata(), "target_node_type": target, **options}
    else:
        in_channels, out_channels = data.x.shape[1], num_classes(data)
    seed_everything(seed)
    model = build(name, in_channels, hidden_channels, out_channels, depth, **options)
    if device is not None:
        model = model.to(device)
    if reset:
        _initialize(model, seed)
    return model


def train(name: str, data, depth: int, seed: int = 0, *, hidden_channels: int | None = None,
          normalize_features: bool | None = None, monitor: str = "val_loss", callback: Callable | None = None,
          progress: bool = False, device: str | torch.device | None = None, **overrides) -> Trained:
    """Build zoo model ``name`` with its defaults, seed it and :func:`fit` it on ``data``.

    ``overrides`` may hold model options (``alpha=0.2``, ``dropedge=0.3``), training
    hyperparameters (``lr``, ``weight_decay``, ``epochs``, ``patience``; the rest of
    :func:`fit`'s arguments are named here) and a rewiring of the graph (``rewire="fosr"``,
    ``rewire_num_iterations=20``: :func:`oversmooth.oversquashing.rewire`). Features are row-normalised first (the authors'
    preprocessing, :func:`row_normalize`) when ``normalize_features`` is True; None takes the
    model's default (True but for ``graphormer``, whose recipe reads raw features). The model is
    built by :func:`build_seeded` and fitted with the same ``seed``, so one seed gives one
    result on CPU.

    ``data`` may be a HeteroData for a heterogeneous model (``rgcn``, ``hgt``, ``hetero-*``):
    features are then row-normalised per node type and the model is fitted on the target
    node type's labels and masks (:func:`fit`); rewiring does not apply.

    Returns :class:`Trained` ``(model, result)``: the fitted model (best epoch's weights, on
    ``device``) and the :class:`FitResult`, whose ``settings`` record everything used.
    """
    from ..models.registry import TRAINING_KEYS, defaults
    from ..oversquashing.rewiring import rewire, split_rewire_options

    base = defaults(name)
    training = {k: overrides.pop(k) for k in TRAINING_KEYS if k in overrides}
    if normalize_features is None:
        normalize_features = base.get("normalize_features", True)
    # rewiring (rewire=NAME, rewire_PARAM=...) is a data transform, applied before building
    rewire_options = {k: v for k, v in overrides.items() if k == "rewire" or k.startswith("rewire_")}
    overrides, rewiring, rewire_params = split_rewire_options(overrides)
    if rewiring:
        if check_kind(name, data):
            raise ValueError("rewiring applies to homogeneous graphs, data is a HeteroData")
        data = rewire(data, rewiring, seed=seed, **rewire_params)
    model = build_seeded(name, data, depth, seed, hidden_channels=hidden_channels, reset=False,
                         **overrides)
    if normalize_features:
        data = row_normalize(data)
    result = fit(model, data, seed=seed, monitor=monitor, callback=callback, progress=progress,
                 device=device, **training)
    model_options = {k: v for k, v in base.items() if k not in TRAINING_KEYS and k != "depth"}
    model_options.update(overrides)
    if hidden_channels is not None:
        model_options["hidden_channels"] = hidden_channels
    model_options.update(rewire_options)
    if getattr(model, "hetero", False):
        model_options["target_node_type"] = model.target_node_type
    result.settings = dict(model=name, depth=depth, normalize_features=normalize_features,
                           **model_options, **result.settings)
    return Trained(model, result)
