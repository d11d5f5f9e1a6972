"""Per-layer backward diagnostics: :func:`diagnose` and :func:`layer_table`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import torch
from torch import Tensor, nn

from ..metrics.defaults import DIAGNOSE_METRICS
from ..probe import Probe, default_loss, layer_targets
from ._layers import LayerGroup, hooked_groups, layer_groups

__all__ = ["DiagnosisResult", "diagnose", "layer_table", "signal_table", "default_loss", "SIGNAL_COLUMNS",
           "BACKWARD_SIGNALS", "FORWARD_METRICS"]

#: Columns of :attr:`DiagnosisResult.table` describing the backward signal and weight gradient.
SIGNAL_COLUMNS = ("grad_norm", "grad_energy_rel", "grad_subspace_rel", "grad_mean_norm",
                  "weight_grad_norm", "weight_grad_rel")
#: The columns of :data:`SIGNAL_COLUMNS` that measure the backward signal itself (what
#: :func:`signal_table` keeps).
BACKWARD_SIGNALS = SIGNAL_COLUMNS[:4]
FORWARD_METRICS = DIAGNOSE_METRICS


@dataclasses.dataclass
class DiagnosisResult:
    r"""Outcome of :func:`diagnose`.

    * ``table``: one row per tapped layer ``k`` (input side first) with the backward signal
      :math:`B^{(k)}` metrics (``grad_norm`` :math:`\|B^{(k)}\|_F`, ``grad_energy_rel``,
      ``grad_subspace_rel``, ``grad_mean_norm``: see
      :func:`oversmooth.metrics.backward_smoothness`), the weight gradient of the layer that
      produces it (``weight_grad_norm``, ``weight_grad_rel`` = relative to the last layer's; NaN
      when the layer has no weight, e.g. APPNP's propagation steps) and the forward metrics of
      :math:`H^{(k)}` (default ``dirichlet_energy_sym``, ``subspace_distance``);
    * ``parameters``: one row per parameter group (see :func:`layer_groups`): ``group``,
      ``layer`` (tapped layer it produces or NaN), ``weight_grad_norm``, ``weight_grad_rel``;
    * ``signals``: :math:`B^{(k)}` itself per layer (detached tensors);
    * ``loss``; ``output_error_mean_norm`` :math:`\|\frac1N 1^\top \partial L/\partial Y\|`
      (the mean output error of Keriven 2025, on the logits :math:`Y`);
    * ``model``: the model's class name;
    * ``outputs``: :math:`H^{(k)}` itself per layer (detached tensors, every captured layer).

    Layers whose output does not depend on any parameter (SGC propagates the raw features
    before its only linear layer) have no backward signal and are absent from ``table``.
    """

    table: Any
    parameters: Any
    signals: dict[int, Tensor]
    loss: float
    output_error_mean_norm: float
    model: str
    outputs: dict[int, Tensor] = dataclasses.field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no tensors): ``model, loss, output_error_mean_norm, layers, parameters``."""
        return {"model": self.model, "loss": self.loss,
                "output_error_mean_norm": self.output_error_mean_norm,
                "layers": _records(self.table), "parameters": _records(self.parameters)}


def _records(frame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _check(model, data) -> None:
    if not isinstance(model, nn.Module):
        raise ValueError(f"diagnose needs a torch.nn.Module, got {type(model).__name__}")
    for attr in ("x", "edge_index"):
        if getattr(data, attr, None) is None:
            raise ValueError(f"data has no {attr}")


def _sq_norm(tensors) -> float:
    return sum(float(t.detach().double().pow(2).sum()) for t in tensors if t is not None)


def diagnose(model: nn.Module, data, loss_fn: Callable | None = None, *, metrics=FORWARD_METRICS,
             train: bool = False, layers=None) -> DiagnosisResult:
    r"""One forward and backward pass through ``model`` on ``data``, measured layer by layer.

    Keriven (2025, "Backward Oversmoothing: why is it hard to train deep Graph Neural
    Networks?", arXiv 2505.16736): with :math:`H^{(k)} = P X^{(k)} W^{(k)}` and
    :math:`X^{(k+1)} = \rho(H^{(k)})`, the backward signal
    :math:`B^{(k)} = \partial L/\partial H^{(k)} = \rho'(H^{(k)}) \odot (P^\top B^{(k+1)} W^{(k+1)\top})`
    is smoothed by :math:`P^\top` at every layer from the output back to the input, and the
    weight gradient :math:`\partial L/\partial W^{(k)} = (P X^{(k)})^\top B^{(k)}` of a layer whose
    :math:`B^{(k)}` is smooth is driven by the mean output error only.

    :math:`H^{(k)}` is the zoo model's tapped output of layer ``k`` (pre-activation); for any
    other model (PyG's ``GCN``, a user's own) the output of the ``k``-th hooked layer
    (:func:`oversmooth.probe.layer_targets`: ``layers``, or every top-level ``MessagePassing``),
    whose weight gradient is that of the hooked module's parameters
    (:func:`oversmooth.backward._layers.hooked_groups`). One
    :meth:`oversmooth.Probe.measure` pass (:func:`oversmooth.probe.capture_layers`) gives
    :math:`H^{(k)}`, :math:`B^{(k)}` and the weight gradients, and the probe computes the
    forward ``metrics`` of :math:`H^{(k)}` and the smoothness of :math:`B^{(k)}`. Weight gradients are the Frobenius
    norms of the gradients of all parameters of each layer (weight and bias), grouped as in
    :func:`oversmooth.backward._layers.layer_groups`, and ``weight_grad_rel`` divides by the last
    group's (the layer nearest the logits).

    Reading the table: small ``weight_grad_rel`` with ``grad_subspace_rel`` / ``grad_energy_rel``
    near 0 = gradients small *because* the errors are smooth (backward oversmoothing); small
    ``weight_grad_rel`` with non-smooth :math:`B^{(k)}` (values near those of the output
    layer) = plain vanishing gradients; smoothness falling from the output layer towards the
    input is the signature of backward oversmoothing.

    The pass runs in eval mode (no dropout) unless ``train=True``; the model's mode, the
    parameters' ``requires_grad`` flags and their ``.grad`` are left as they were (gradients
    are taken with ``torch.autograd.grad``), so it can run in the middle of training.
    ``loss_fn(output, data) -> scalar`` defaults to :func:`default_loss`.

    Raises ``ValueError`` for a model without layers to listen to, data without ``x``/
    ``edge_index`` (or ``y`` with the default loss), or a non-finite loss.
    """
    import pandas as pd

    _check(model, data)
    targets = layer_targets(model, layers)
    groups = layer_groups(model) if targets is None else hooked_groups(targets)
    params = [p for g in groups for p in g.params]
    flags = [p.requires_grad for p in params]
    try:
        for p in params:
            p.requires_grad_(True)
        with Probe(model, data, layers=layers, loss_fn=loss_fn,
                   metrics=list(metrics) if metrics else None, backward="all") as probe:
            capture = probe.measure(0, train=train, wrt=params)
        forward, backward = probe.forward_table(), probe.backward_table()
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad_(flag)
    loss = capture.loss
    if not bool(torch.isfinite(loss)):
        raise ValueError(f"the loss must be a finite scalar, got {loss.flatten()[:4]}")

    layers, signals, param_grads = sorted(capture.grads), capture.grads, capture.wrt_grads
    group_rows = _group_norms(groups, param_grads)
    last = group_rows[-1]["weight_grad_norm"]
    for row in group_rows:
        row["weight_grad_rel"] = row["weight_grad_norm"] / last if last > 0 else math.nan
    by_layer = {row["layer"]: row for row in group_rows if row["layer"] is not None}

    wide = lambda frame: (frame.pivot_table(index="layer", columns="metric", values="value",  # noqa: E731
                                            aggfunc="first") if len(frame) else pd.DataFrame())
    fwd, bwd = wide(forward), wide(backward)
    rows = []
    for k in layers:
        row: dict[str, Any] = {"layer": k}
        for name in BACKWARD_SIGNALS:
            row[name] = float(bwd.loc[k, name]) if k in bwd.index else math.nan
        group = by_layer.get(k)
        row["weight_grad_norm"] = group["weight_grad_norm"] if group else math.nan
        row["weight_grad_rel"] = group["weight_grad_rel"] if group else math.nan
        for name in fwd.columns:
            row[name] = float(fwd.loc[k, name]) if k in fwd.index else math.nan
        rows.append(row)
    parameters = pd.DataFrame(group_rows, columns=["group", "layer", "weight_grad_norm", "weight_grad_rel"])
    parameters["layer"] = parameters["layer"].astype("float")
    out_grad = capture.output_grad
    mean_error = float(torch.linalg.vector_norm(out_grad.double().mean(0))) if out_grad is not None else 0.0
    columns = ["layer", *SIGNAL_COLUMNS, *(list(metrics) if metrics else list(fwd.columns))]
    table = pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [c for r in rows for c in r])))
    return DiagnosisResult(table=table, parameters=parameters, signals=signals,
                           loss=float(loss), output_error_mean_norm=mean_error,
                           model=type(model).__name__, outputs=capture.outputs)


def _group_norms(groups: list[LayerGroup], grads) -> list[dict]:
    rows, i = [], 0
    for group in groups:
        n = len(group.params)
        rows.append({"group": group.name, "layer": group.layer,
                     "weight_grad_norm": _sq_norm(grads[i:i + n]) ** 0.5})
        i += n
    return rows


def layer_table(model: nn.Module, data, loss_fn: Callable | None = None, *, metrics=FORWARD_METRICS,
                train: bool = False, layers=None):
    """Per-layer backward metrics of one forward+backward pass, as a tidy frame for the sweep.

    Columns ``layer, metric, value`` (one row per layer and metric of
    :attr:`DiagnosisResult.table`: :data:`SIGNAL_COLUMNS` and the forward ``metrics``). Safe
    inside a training loop: the optimizer state and the parameters' ``.grad`` are untouched and
    the model's train/eval mode is restored (see :func:`diagnose`). A sweep stores it at chosen
    epochs (e.g. 0, 1, 10 and the best) by adding an ``epoch`` column.
    """
    table = diagnose(model, data, loss_fn, metrics=metrics, train=train, layers=layers).table
    return table.melt(id_vars="layer", var_name="metric", value_name="value")


def signal_table(model: nn.Module, data, series: str | None = None, loss_fn: Callable | None = None, *,
                 train: bool = False):
    r"""The backward signals per layer: the :data:`BACKWARD_SIGNALS` rows of :func:`layer_table`
    (``grad_norm`` :math:`\|B^{(k)}\|_F`, ``grad_energy_rel``, ``grad_subspace_rel``,
    ``grad_mean_norm`` of :math:`B^{(k)} = \partial L/\partial H^{(k)}`, Keriven 2025).

    Columns ``layer, metric, value``, with a first column ``series`` holding ``series`` when
    given: the report's backward figure draws one line per series. One eval-mode (unless
    ``train``) pass of :func:`diagnose`; the model's state is left alone.
    """
    table = layer_table(model, data, loss_fn, train=train)
    table = table[table["metric"].isin(BACKWARD_SIGNALS)][["layer", "metric", "value"]].copy()
    if series is not None:
        table.insert(0, "series", series)
    return table
