"""Pure propagation: the spectral prediction beside the measurement, and every metric of
one propagation run per step."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure
from ._common import _markevery

__all__ = ["spectral_vs_measured", "propagation_curves"]


def spectral_vs_measured(curves: Mapping[str, pd.DataFrame],
                         rates: Mapping[str, float | None] | None = None) -> Figure:
    """Spectral prediction next to measured pure propagation, one colour per graph.

    Args:
        curves: ``{graph name: table}`` with columns ``step`` (k = 0, 1, ...),
            ``measured`` (:math:`d_M(P^k X)/d_M(X)`, the relative distance to the
            invariant subspace after k propagation steps without weights or
            nonlinearities) and ``predicted`` (the spectral prediction
            :math:`\\lambda^k`, NaN where there is none).
        rates: ``{graph name: λ}``, the second-largest eigenvalue modulus, for the legend.

    Measured: solid line with markers; predicted: dashed line of the same colour. The
    y-axis is logarithmic; exact zeros (a complete graph is flat after one step) cannot
    be drawn on it and are marked with a downward triangle at the bottom of the axis.
    """
    if not curves:
        raise ValueError("no pure-propagation measurement to plot")
    fig, (ax,) = new_figure(width=6.4, height=4.2)
    positive = []
    for table in curves.values():
        for column in ("measured", "predicted"):
            v = table[column].to_numpy(dtype=float)
            positive.extend(v[np.isfinite(v) & (v > 0)])
    floor = max(min(positive) / 3, 1e-18) if positive else 1e-18
    for i, (name, table) in enumerate(curves.items()):
        style = line_style(i)
        measured = table["measured"].to_numpy(dtype=float)
        zero = measured <= 0
        shown = np.where(zero, np.nan, measured)
        ax.plot(table["step"], shown, label=f"{name}: measured", markevery=_markevery(len(shown)),
                **style)
        if zero.any():
            ax.plot(table["step"][zero], np.full(zero.sum(), floor), linestyle="none",
                    marker="v", color=style["color"], markersize=5,
                    label=f"{name}: measured exactly 0")
        if table["predicted"].notna().any():
            rate = (rates or {}).get(name)
            suffix = f" λᵏ, λ = {rate:.4g}" if rate is not None else ""
            ax.plot(table["step"], table["predicted"], linestyle="--", color=style["color"],
                    linewidth=1.2, label=f"{name}: predicted{suffix}")
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor / 2)
    ax.set_xlabel("propagation steps k (applications of P = D̃^-1/2 (A+I) D̃^-1/2)")
    ax.set_ylabel("relative distance to invariant subspace d_M(PᵏX)/d_M(X), log scale",
                  fontsize=8)
    ax.set_title("Pure propagation: spectral prediction vs measurement")
    finish_legend(fig, [ax])
    return fig


#: Columns of a propagation table that are not drawn as curves of their own.
_NOT_CURVES = ("subspace_distance", "predicted_distance", "predicted_relative")


def propagation_curves(result, title: str | None = None) -> Figure:
    """Every metric of one pure-propagation run against the step.

    Args:
        result: a :class:`oversmooth.spectral.PropagationResult` (``table`` indexed by
            step with the metric columns, ``relative_distance`` and
            ``predicted_relative``; ``report.rate``, ``report.operator``; ``fitted_rate``).
        title: the title (default: the operator and the fitted rate).

    Each metric is divided by its value at step 0 so all share one log axis; the
    distance to the invariant subspace is drawn thicker, the spectral prediction
    :math:`\\lambda^k` dashed in black. Non-positive values (a metric that reached
    exactly 0, or a signed one such as ``mad_gap``) cannot be shown on a log axis and are
    left out of their curve.
    """
    table = result.table
    if table is None or table.empty:
        raise ValueError("no pure-propagation measurement to plot")
    fig, (ax,) = new_figure(width=6.4, height=4.2)
    steps = table.index.to_numpy()
    drawn = 0
    for column in table.columns:
        if column in _NOT_CURVES or column.endswith("_stderr"):
            continue
        values = table[column].to_numpy(dtype=np.float64)
        if not values.size or not values[0] > 0:
            continue
        scaled = values / values[0]
        scaled[~(scaled > 0)] = np.nan
        main = column == "relative_distance"
        style = {**line_style(drawn), "linewidth": 2.2 if main else 1.2}
        ax.plot(steps, scaled, label="distance to invariant subspace" if main else column,
                markevery=_markevery(len(steps)), **style)
        drawn += 1
    predicted = table["predicted_relative"].to_numpy(dtype=np.float64).copy()
    predicted[~(predicted > 0)] = np.nan
    report = result.report
    ax.plot(steps, predicted, linestyle="--", color="black", linewidth=1.2,
            label=f"predicted λᵏ (rate {report.rate:.4g})")
    ax.set_yscale("log")
    ax.set_xlabel("propagation steps k")
    ax.set_ylabel("metric at step k / metric at step 0, log scale")
    fitted = f", fitted rate {result.fitted_rate:.4g}" if result.fitted_rate else ""
    ax.set_title(title or f"Pure propagation with {report.operator}{fitted}")
    finish_legend(fig, [ax])
    return fig
