r"""Pure propagation :math:`H^{(k)} = P^k X`: the oversmoothing metrics per step, measured
beside the spectral prediction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from .. import metrics as _metrics
from ..metrics.defaults import PROPAGATION_METRICS
from ..graph.validate import check_features
from .._deprecation import renamed
from .analysis import SpectralReport, analyze
from .operators import operator as _operator

__all__ = ["propagate", "PropagationResult", "fit_rate", "NOISE_FLOOR", "DEFAULT_METRICS",
           "Propagation", "pure_propagation"]

DEFAULT_METRICS = PROPAGATION_METRICS

#: Relative distances at or below this are float64 round-off, not signal: the fit stops there.
NOISE_FLOOR = 1e-12


@dataclass
class PropagationResult:
    """Outcome of :func:`propagate`.

    Attributes:
        table: one row per step ``k = 0..steps`` (index ``step``): the metric columns of
            :func:`oversmooth.metrics.compute`, then ``subspace_distance`` (measured
            :math:`d_M(H^{(k)})` for this operator's invariant subspace),
            ``relative_distance`` (:math:`d_M(H^{(k)})/d_M(X)`), ``predicted_distance``
            (``report.predicted_factor(k) * d_M(X)``) and ``predicted_relative``.
        fitted_rate: :math:`e^{s}` with :math:`s` the least-squares slope of
            :math:`\\log d_M(H^{(k)})` over ``fit_range``; ``None`` with fewer than 2 usable steps.
        fit_range: ``(first, last)`` steps used by the fit, or ``None``.
        report: the :class:`~oversmooth.spectral.SpectralReport` of the operator.
    """

    table: pd.DataFrame
    fitted_rate: float | None
    fit_range: tuple[int, int] | None
    report: SpectralReport

    def to_dict(self) -> dict:
        """JSON-ready: the report, the fit, and the table as a list of rows."""
        return {"report": self.report.to_dict(), "fitted_rate": self.fitted_rate,
                "fit_range": list(self.fit_range) if self.fit_range else None,
                "table": self.table.reset_index().to_dict(orient="records")}


def fit_rate(distance, start: int = 10, noise_floor: float = NOISE_FLOOR):
    r"""Decay rate of a distance sequence :math:`d_0, d_1, \dots`: :math:`e^s` with :math:`s`
    the least-squares slope of :math:`\log d_k` over ``k = start ..`` the last step before
    :math:`d_k \le` ``noise_floor`` :math:`\cdot d_0`.

    Returns ``(rate, (first, last))``, or ``(None, None)`` when fewer than two steps are
    usable (too few steps, or the distance hit the noise floor before ``start``; a zero
    initial distance has nothing to fit).
    """
    d = np.asarray(distance, dtype=np.float64)
    if d.size == 0 or not d[0] > 0:
        return None, None
    below = np.flatnonzero(d <= noise_floor * d[0])
    end = int(below[0]) if below.size else d.size  # exclusive
    if end - start < 2:
        return None, None
    k = np.arange(start, end)
    slope = np.polyfit(k, np.log(d[start:end]), 1)[0]
    return float(math.exp(slope)), (int(start), int(end - 1))


def _distance_fn(report: SpectralReport, edge_index):
    """Measured distance to the operator's invariant subspace."""
    operator = report.operator if report.operator in ("rw", "sym") else "gcn"  # sgc, appnp: powers of gcn
    return lambda h: _metrics.subspace_distance(h, edge_index, operator=operator)


def propagate(data, operator: str | None = None, steps: int = 64, metrics=None, *, K: int | None = None,
              alpha: float = 0.1, x: torch.Tensor | None = None, fit_start: int = 10,
              report: SpectralReport | None = None, kind: str | None = None) -> PropagationResult:
    r"""Propagate features without weights or nonlinearity and measure every step.

    Row ``k`` holds :math:`H^{(k)}`: :math:`P^k X` for ``gcn``, ``sym``, ``rw``;
    :math:`(P^K)^k X` for ``sgc`` (a step is one SGC application); for ``appnp`` the
    output of APPNP with K = k power-iteration steps, :math:`Z^{(k)} = (1-\alpha)PZ^{(k-1)} +
    \alpha X` (the operator's own ``K`` is not used: the steps sweep it). Propagation runs
    in float64 on the device of ``data.x``.

    Args:
        data: the graph (``data.x`` is the input unless ``x`` is given; ``data.y``, when
            present, enables ``group_distance_ratio``).
        operator: ``gcn`` (default), ``sym``, ``rw``, ``sgc`` or ``appnp``.
        steps: number of propagation steps (rows ``0..steps``).
        metrics: names for :func:`oversmooth.metrics.compute` (a list or comma-separated
            string; ``None``: :data:`DEFAULT_METRICS`; ``"all"``: every metric); the distance
            to the invariant subspace is always measured, for this operator.
        K, alpha: ``sgc``/``appnp`` parameters (see :func:`oversmooth.spectral.operator`).
        x: input features instead of ``data.x``.
        fit_start: first step of the decay-rate fit (see :func:`fit_rate`).
        report: a precomputed :func:`analyze` report for the same graph and operator.

    Returns:
        :class:`PropagationResult` with ``.table`` (a DataFrame indexed by ``step``),
        ``.fitted_rate``, ``.fit_range`` and ``.report``. Compare ``fitted_rate`` with
        ``report.rate``: they agree when the top eigenvalues dominate the fit window.

    Raises:
        ValueError: bad operator/steps/metrics/features, or a report for another operator.
    """
    operator = renamed("kind", "operator", kind, operator, "gcn", "propagate")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if isinstance(fit_start, bool) or not isinstance(fit_start, int) or fit_start < 0:
        raise ValueError(f"fit_start must be an integer >= 0, got {fit_start!r}")
    if report is None:
        report = analyze(data, operator, K=K, alpha=alpha)
    elif report.operator != operator or report.num_nodes != data.num_nodes:
        raise ValueError(f"report is for {report.operator} on {report.num_nodes} nodes, "
                         f"not {operator} on {data.num_nodes}")
    x = data.x if x is None else x
    if x is None:
        raise ValueError("the graph has no features: pass x")
    check_features(x)
    if x.size(0) != data.num_nodes:
        raise ValueError(f"x has {x.size(0)} rows but the graph has {data.num_nodes} nodes")
    if metrics is None:
        metrics = list(DEFAULT_METRICS)
    elif metrics == "all":
        metrics = None
    names = [m for m in _metrics.resolve(metrics) if m != "subspace_distance"]
    y = getattr(data, "y", None)
    if y is None:
        names = [m for m in names if m != "group_distance_ratio"]
    edge_index = data.edge_index.to(x.device)
    op = _operator(data, "gcn" if operator == "appnp" else operator, K=report.K if operator == "sgc" else None)
    if not isinstance(op, torch.Tensor):
        op.base = op.base.to(x.device)
    else:
        op = op.to(x.device)
    distance = _distance_fn(report, edge_index)

    x64 = x.detach().to(torch.float64)
    rows, h = [], x64
    for k in range(steps + 1):
        if k:
            h = ((1.0 - report.alpha) * (op @ h) + report.alpha * x64 if operator == "appnp"
                 else op @ h)
        row = {"step": k}
        if names:
            row.update(_metrics.compute(h, edge_index, y, names))
        row["subspace_distance"] = distance(h)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("step")
    d0 = float(table["subspace_distance"].iloc[0])
    table["relative_distance"] = table["subspace_distance"] / d0 if d0 > 0 else 0.0
    factor = np.array([report.predicted_factor(k) for k in range(steps + 1)])
    table["predicted_distance"] = factor * d0
    table["predicted_relative"] = factor
    rate, fit_range = fit_rate(table["subspace_distance"].to_numpy(), fit_start)
    return PropagationResult(table=table, fitted_rate=rate, fit_range=fit_range, report=report)


@dataclass
class Propagation:
    """Pure propagation of one graph as measured beside predicted: what the report draws
    and the claims read (:class:`oversmooth.literature.claims.Measurements`).

    Attributes:
        name: the graph.
        table: columns ``step``, ``measured`` (:math:`d_M(P^kX)/d_M(X)`), ``predicted``
            (:math:`\\lambda^k`, NaN where there is no prediction).
        rate: :math:`\\lambda`, the largest eigenvalue modulus outside the invariant
            subspace (None when unknown).
        note: what the spectral analysis says in words.
        info: extra numbers (``fitted_rate``).
    """

    name: str
    table: pd.DataFrame
    rate: float | None = None
    note: str = ""
    info: dict = field(default_factory=dict)

    @classmethod
    def from_result(cls, name: str, result: PropagationResult) -> "Propagation":
        """The measured and predicted relative distances of a :func:`propagate` result."""
        table = result.table  # indexed by step
        frame = pd.DataFrame({"step": table.index.to_numpy(),
                              "measured": table["relative_distance"].to_numpy(dtype=float),
                              "predicted": table["predicted_relative"].to_numpy(dtype=float)})
        return cls(name, frame, float(result.report.rate), result.report.note,
                   {"fitted_rate": result.fitted_rate})


def pure_propagation(data, name: str, steps: int = 64, operator: str | None = None, *,
                     kind: str | None = None) -> Propagation:
    r"""Measure :math:`d_M(P^kX)/d_M(X)` for ``k = 0 .. steps`` beside the spectral
    prediction :math:`\lambda^k` (Oono & Suzuki, ICLR 2020): :func:`propagate` with no
    extra metrics, as a :class:`Propagation` named ``name``.

    ``operator`` defaults to ``gcn``, :math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}`
    (``kind=`` is its deprecated name). A graph whose features already lie in the
    invariant subspace (:math:`d_M(X) = 0`) gives a measured curve of zeros.

    Raises:
        ValueError: ``steps < 1``, or what :func:`propagate` raises.
    """
    operator = renamed("kind", "operator", kind, operator, "gcn", "pure_propagation")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return Propagation.from_result(name, propagate(data, operator, steps=steps, metrics=[]))
