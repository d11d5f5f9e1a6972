"""Backward diagnostics: smoothness of the loss gradients per layer."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..style import finish_legend, line_style, new_figure
from ._common import (BACKWARD_METRICS, _axis_label, _layer_axis, _markevery, _set_value_scale,
                      _short)

__all__ = ["backward", "backward_diagnosis"]


def backward(table: pd.DataFrame, metrics: Sequence[str] = BACKWARD_METRICS,
             title: str = "Backward diagnostics") -> Figure:
    """Per-layer smoothness of the gradients :math:`\\partial L/\\partial H^{(k)}`.

    Args:
        table: rows ``series`` (a line name, e.g. ``"GCN (L=32)"``), ``layer``, ``metric``
            (``grad_norm``, ``grad_energy_rel``, ``grad_subspace_rel``, ``grad_mean_norm``:
            :func:`oversmooth.metrics.backward_smoothness`), ``value``.
        metrics: panels, in order; absent ones are left out.
        title: prefix of the panel titles (e.g. the dataset).

    Gradients that vanish or explode with depth span decades, and get a log axis.
    """
    if table is None or table.empty:
        raise ValueError("no backward diagnostics to plot")
    present = [m for m in metrics if (table["metric"] == m).any()]
    if not present:
        raise ValueError(f"no backward metric among {', '.join(metrics)} in the table")
    ncols = min(2, len(present))
    nrows = math.ceil(len(present) / ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=4.8, height=3.3)
    series_names = list(dict.fromkeys(table["series"]))
    for ax, metric in zip(axes, present):
        part = table[table["metric"] == metric]
        values = []
        for name, rows in part.groupby("series", sort=False):
            rows = rows.groupby("layer")["value"].mean().sort_index()
            ax.plot(rows.index, rows.values, label=name, markevery=_markevery(len(rows)),
                    **line_style(series_names.index(name)))
            values.extend(rows.values)
        log = _set_value_scale(ax, values)
        _layer_axis(ax, int(part["layer"].min()), int(part["layer"].max()))
        ax.set_ylabel(_axis_label(metric, log))
        ax.set_title(f"{title}: {_short(metric)}")
    for ax in axes[len(present):]:
        ax.set_visible(False)
    finish_legend(fig, axes[:len(present)], title="model (depth)")
    return fig


def backward_diagnosis(results: Mapping, title: str | None = None) -> Figure:
    """Gradient size and smoothness per layer of one or more backward diagnoses.

    Args:
        results: ``{label: DiagnosisResult}`` (:func:`oversmooth.backward.diagnose`; each
            ``table`` has ``layer``, ``grad_norm``, ``weight_grad_rel``,
            ``grad_subspace_rel``, ``grad_energy_rel``).
        title: prefix of the panel titles (e.g. the model, depth and dataset).

    Left, on a log axis: :math:`\\|B^{(k)}\\|_F` (solid) and the layer's weight gradient
    relative to the last layer's (dashed). Right: the smoothness of :math:`B^{(k)}`,
    :math:`d_M(B)^2/\\|B\\|^2` (solid) and :math:`E(B)/\\|B\\|^2` (dashed), 0 = smooth.
    One colour per label.
    """
    if not results:
        raise ValueError("nothing to plot: results is empty")
    fig, (size, smooth) = new_figure(ncols=2, width=5.2, height=3.8)
    for i, (label, result) in enumerate(results.items()):
        t = result.table
        style = line_style(i)
        size.plot(t["layer"], t["grad_norm"].where(t["grad_norm"] > 0),
                  label=f"{label}: ‖B(k)‖", **style)
        rel = t["weight_grad_rel"].where(t["weight_grad_rel"] > 0)
        if rel.notna().any():
            size.plot(t["layer"], rel, linestyle="--", label=f"{label}: ‖∂L/∂W(k)‖ / last",
                      **{**style, "marker": "s"})
        smooth.plot(t["layer"], t["grad_subspace_rel"], label=f"{label}: d_M(B)²/‖B‖²", **style)
        smooth.plot(t["layer"], t["grad_energy_rel"], linestyle="--",
                    label=f"{label}: E(B)/‖B‖²", **{**style, "marker": "s"})
    prefix = f"{title}: " if title else ""
    size.set_yscale("log")
    size.set(xlabel="layer k (output on the right)",
             ylabel="gradient norm\n(loss per feature unit, log scale)",
             title=f"{prefix}gradient size")
    smooth.set(xlabel="layer k (output on the right)",
               ylabel="relative smoothness\n(unitless, 0 = smooth)",
               title=f"{prefix}backward smoothness")
    smooth.set_ylim(bottom=-0.02)
    for ax in (size, smooth):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    finish_legend(fig, [size, smooth])
    return fig
