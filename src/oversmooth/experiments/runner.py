"""Executing one run: load the graph, build and train the model, measure it per layer.

:func:`execute` is what every executor runs (in this process, in a local worker
process, or in a Ray task). It never raises for a failing run: NaN losses, out of
memory, bad options and any other exception become a ``failed`` record carrying the
error, so the sweep goes on.
"""

from __future__ import annotations

import datetime as _dt
import socket
import time
from typing import Any

import torch

from .grid import RunSpec
from .store import RunRecord

__all__ = ["execute", "layer_outputs", "measure_layers", "measure_backward"]

_GRAPHS: dict[tuple, Any] = {}  # per-process cache: a worker loads each graph once


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _graph(spec: RunSpec):
    from ..datasets import load
    from ..training import row_normalize

    normalize = spec.training.get("normalize_features", True)
    cache_key = (spec.dataset, repr(sorted(spec.dataset_params.items())), spec.split, normalize)
    if cache_key not in _GRAPHS:
        data = load(spec.dataset, split=spec.split, **spec.dataset_params)
        _GRAPHS[cache_key] = row_normalize(data) if normalize else data
    return _GRAPHS[cache_key]


def layer_outputs(model, data) -> dict[int, torch.Tensor]:
    """One eval-mode forward pass; returns ``{layer: output}`` of every emitted layer
    (:func:`oversmooth.probe.capture_layers`)."""
    from ..probe import capture_layers

    return capture_layers(model, data).outputs


def measure_layers(model, data, metrics: tuple[str, ...] | list[str]) -> list[tuple[int, str, float]]:
    """``(layer, metric, value)`` for every emitted layer of ``model`` on ``data``,
    computed by :func:`oversmooth.metrics.compute` (no metric is re-implemented here).

    On a HeteroData or a flattened one (:func:`oversmooth.graph.to_homogeneous`): the whole
    graph under each metric's name and every node type under ``NAME[type]``, the same for
    both (:func:`oversmooth.experiments.typed.typed_layer_metrics`)."""
    from .. import metrics as metrics_module
    from .typed import is_typed, typed_layer_metrics

    if not metrics:
        return []
    if is_typed(data):
        return typed_layer_metrics(layer_outputs(model, data), data, metrics)
    rows = []
    for layer, h in sorted(layer_outputs(model, data).items()):
        values = metrics_module.compute(h, data.edge_index, y=data.y, metrics=list(metrics))
        rows.extend((layer, name, float(values[name])) for name in metrics)
    return rows


def measure_backward(model, data, epoch: int) -> list[tuple[int, int, str, float]]:
    """``(epoch, layer, metric, value)`` of the per-layer backward signals
    (:func:`oversmooth.backward.layer_table`: gradient norms and their smoothness),
    without touching the optimiser state or the parameters' gradients."""
    from ..backward import layer_table

    table = layer_table(model, data, metrics=())
    return [(epoch, int(row.layer), str(row.metric), float(row.value))
            for row in table.itertuples(index=False)]


def execute(spec: RunSpec) -> RunRecord:
    """Train and measure one run; a failure is returned as a ``failed`` record."""
    record = RunRecord(run_key=spec.key, status="failed", dataset=spec.dataset, model=spec.model,
                       label=spec.label, depth=spec.depth, seed=spec.seed, options=spec.options,
                       settings=spec.settings, started_at=_now(), host=socket.gethostname())
    try:
        _train_and_measure(spec, record)
        record.status = "done"
    except Exception as exc:  # noqa: BLE001 -- every failure is data for the table
        record.error = f"{type(exc).__name__}: {exc}".strip()[:2000]
        record.layer_metrics, record.layer_history, record.history = [], [], []
    record.finished_at = _now()
    return record


def _train_and_measure(spec: RunSpec, record: RunRecord) -> None:
    from .. import training

    from ..oversquashing.rewiring import rewire, split_rewire_options

    data = _graph(spec)  # features normalised there (once per worker), so train() does not
    # rewiring is a data transform, cached per graph, parameters and seed
    model_options, rewiring, rewire_params = split_rewire_options(spec.options)
    if rewiring:
        data = rewire(data, rewiring, seed=spec.seed, **rewire_params)
    device = torch.device(spec.device)
    if device.type != "cpu":
        data = data.to(device)
    fit_args = {k: v for k, v in spec.training.items()
                if k not in ("hidden_channels", "normalize_features")}
    hidden = spec.training.get("hidden_channels", spec.defaults.get("hidden_channels", 64))

    probe_time = 0.0
    backward_epochs = {e for e in spec.backward_epochs if e != "best"}
    if 0 in backward_epochs:
        # the very model train() starts fitting from
        initial = training.build_seeded(spec.model, data, spec.depth, spec.seed, hidden_channels=hidden,
                                        device=device, **model_options)
        start = time.perf_counter()
        record.layer_history.extend(measure_backward(initial, data, 0))
        probe_time += time.perf_counter() - start
        del initial

    def track(epoch, model, _result):
        nonlocal probe_time
        start = time.perf_counter()
        if spec.track and spec.track_every and epoch % spec.track_every == 0:
            record.layer_history.extend(
                (epoch, layer, metric, value)
                for layer, metric, value in measure_layers(model, data, spec.track))
        if epoch in backward_epochs:
            record.layer_history.extend(measure_backward(model, data, epoch))
        probe_time += time.perf_counter() - start

    callback = track if (spec.track and spec.track_every) or backward_epochs - {0} else None

    model, result = training.train(spec.model, data, spec.depth, spec.seed, hidden_channels=hidden,
                                   normalize_features=False, callback=callback, device=device,
                                   **fit_args, **model_options)
    tracked_time = probe_time  # spent inside fit's epochs, so part of result.wall_time
    start = time.perf_counter()
    record.layer_metrics = measure_layers(model, data, spec.metrics)
    if "best" in spec.backward_epochs and result.best_epoch not in backward_epochs:
        # fit() restored the best epoch's weights.
        record.layer_history.extend(measure_backward(model, data, result.best_epoch))
    probe_time += time.perf_counter() - start

    record.test_acc, record.val_acc = result.test_acc, result.val_acc
    record.train_acc = result.train_acc
    record.best_epoch, record.epochs_run = result.best_epoch, result.epochs_run
    record.wall_time = result.wall_time - tracked_time
    record.probe_time = probe_time
    record.history = [(int(row["epoch"]), name, row[name])
                      for row in result.history for name in row
                      if name != "epoch" and row[name] is not None]
