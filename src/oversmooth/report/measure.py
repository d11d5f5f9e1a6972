"""Measurements the report needs beyond the store: pure propagation and backward diagnostics.

These are thin adapters: the numbers come from :mod:`oversmooth.spectral` (the rate
:math:`\\lambda`, the prediction :math:`\\lambda^k`), :mod:`oversmooth.metrics`
(``subspace_distance``, ``backward_smoothness``) and, when installed in this tree,
:mod:`oversmooth.backward`; nothing is re-derived here.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

import pandas as pd
import torch

__all__ = ["Propagation", "pure_propagation", "backward_table"]


@dataclass
class Propagation:
    """Pure propagation :math:`X, PX, P^2X, \\dots` of one graph's features.

    Attributes:
        name: the graph.
        table: columns ``step``, ``measured`` (:math:`d_M(P^kX)/d_M(X)`), ``predicted``
            (:math:`\\lambda^k`, NaN when no spectral analysis is available).
        rate: :math:`\\lambda`, the largest eigenvalue modulus outside the invariant
            subspace (None when unknown).
        note: what the spectral analysis says in words, or why the prediction is missing.
    """

    name: str
    table: pd.DataFrame
    rate: float | None = None
    note: str = ""
    info: dict = field(default_factory=dict)


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def pure_propagation(data, name: str, steps: int = 64, kind: str = "gcn") -> Propagation:
    """Measure :math:`d_M(P^kX)/d_M(X)` for ``k = 0 .. steps`` and put the spectral
    prediction :math:`\\lambda^k` (Oono & Suzuki, ICLR 2020) beside it.

    ``P`` is the GCN operator :math:`\\tilde D^{-1/2}(A+I)\\tilde D^{-1/2}`; ``X`` the
    graph's features in float64. When :func:`oversmooth.spectral.propagate` exists it is
    used as is; otherwise the measured curve is computed here (the projection
    :func:`oversmooth.metrics.invariant_projection`, then ``||P^k X - Pi X||_F``) and the rate taken from
    :func:`oversmooth.spectral.analyze` (no prediction when neither is available).
    A graph whose features already lie in the invariant subspace (``d_M(X) = 0``)
    gives a measured curve of zeros.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    spectral = _optional("oversmooth.spectral")
    if spectral is not None and hasattr(spectral, "propagate"):
        return _from_spectral(spectral, data, name, steps, kind)

    from ..metrics import invariant_projection
    from ..graph import normalized_adjacency

    p = normalized_adjacency(data.edge_index, data.num_nodes, kind, dtype=torch.float64)
    h = data.x.to(torch.float64)
    # P maps the invariant subspace M onto itself and Pi P = Pi, so the projection of
    # P^k X on M is Pi X for every k: d_M(P^k X) = ||P^k X - Pi X||_F, one projection
    limit = invariant_projection(h, data.edge_index, kind, num_nodes=data.num_nodes,
                                 dtype=torch.float64)
    d0 = float(torch.linalg.vector_norm(h - limit))
    measured = [1.0 if d0 > 0 else 0.0]
    for _ in range(steps):
        h = p @ h
        d = float(torch.linalg.vector_norm(h - limit))
        measured.append(d / d0 if d0 > 0 else 0.0)
    rate, note, info = None, "no spectral analysis available (oversmooth.spectral missing)", {}
    if spectral is not None and hasattr(spectral, "analyze"):
        report = spectral.analyze(data, kind)
        rate, note = float(report.rate), report.note
        info = {k: v for k, v in report.to_dict().items() if not isinstance(v, (dict, list))}
    predicted = [rate ** k if rate is not None else math.nan for k in range(steps + 1)]
    table = pd.DataFrame({"step": range(steps + 1), "measured": measured, "predicted": predicted})
    return Propagation(name, table, rate, note, info)


def _from_spectral(spectral, data, name: str, steps: int, kind: str) -> Propagation:
    result = spectral.propagate(data, kind, steps=steps, metrics=[])
    table = result.table  # indexed by step
    frame = pd.DataFrame({"step": table.index.to_numpy(),
                          "measured": table["relative_distance"].to_numpy(dtype=float),
                          "predicted": table["predicted_relative"].to_numpy(dtype=float)})
    return Propagation(name, frame, float(result.report.rate), result.report.note,
                       {"fitted_rate": result.fitted_rate})


# moved to oversmooth.backward (the report renders only); deprecated alias for one release
from .._deprecation import moved  # noqa: E402
from ..backward import signal_table  # noqa: E402

backward_table = moved(signal_table, "oversmooth.report.backward_table", "oversmooth.backward.signal_table")
