"""Figures of a user's own model: a probe's per-layer tables and a one-call diagnosis.

What :meth:`oversmooth.Probe.plot` and :meth:`oversmooth.diagnose.Diagnosis.plot` draw; the
functions take the frames those objects hold and compute nothing.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure, use_log_scale
from ._common import _axis_label, _layer_axis, _markevery, _set_value_scale, _short

__all__ = ["probe_layers", "probe_heatmap", "diagnosis"]

#: At most this many recorded epochs are drawn as lines (evenly spaced, the last included).
MAX_EPOCH_LINES = 6


def _tables(forward: pd.DataFrame, backward: pd.DataFrame | None) -> pd.DataFrame:
    frames = [f for f in (forward, backward) if f is not None and not f.empty]
    if not frames:
        raise ValueError("the probe recorded nothing: run a forward pass inside `with Probe(...)`")
    return pd.concat(frames, ignore_index=True)


def _metrics(table: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    present = list(dict.fromkeys(table["metric"]))
    chosen = [m for m in (metrics or present) if m in present]
    if not chosen:
        raise ValueError(f"none of {', '.join(metrics)} was recorded; recorded: {', '.join(present)}")
    return chosen


def _epochs(epochs: Sequence[int]) -> list[int]:
    epochs = sorted(set(int(e) for e in epochs))
    if len(epochs) <= MAX_EPOCH_LINES:
        return epochs
    idx = np.linspace(0, len(epochs) - 1, MAX_EPOCH_LINES).round().astype(int)
    return [epochs[i] for i in sorted(set(idx))]


def probe_layers(forward: pd.DataFrame, backward: pd.DataFrame | None = None,
                 metrics: Sequence[str] | None = None, title: str = "probe") -> Figure:
    """Per-layer metrics over layers, one line per recorded epoch.

    Args:
        forward, backward: a probe's ``forward_table()`` / ``backward_table()`` (columns
            ``epoch, layer, metric, value``).
        metrics: panels, in order (default: every recorded metric).
        title: prefix of the panel titles.

    At most :data:`MAX_EPOCH_LINES` epochs are drawn (evenly spaced, first and last kept);
    values spanning two decades or more get a log axis.
    """
    table = _tables(forward, backward)
    chosen = _metrics(table, metrics)
    epochs = _epochs(table["epoch"])
    ncols = min(3, len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=4.6, height=3.4)
    for ax, metric in zip(axes, chosen):
        part = table[table["metric"] == metric]
        values = []
        for i, epoch in enumerate(epochs):
            rows = part[part["epoch"] == epoch].groupby("layer")["value"].mean().sort_index()
            if rows.empty:
                continue
            ax.plot(rows.index, rows.values, label=f"epoch {epoch}", markevery=_markevery(len(rows)),
                    **line_style(i))
            values.extend(rows.values)
        log = _set_value_scale(ax, values)
        _layer_axis(ax, int(part["layer"].min()), int(part["layer"].max()))
        ax.set_ylabel(_axis_label(metric, log))
        ax.set_title(f"{title}: {_short(metric)}")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    finish_legend(fig, axes[:len(chosen)], title="recorded epoch")
    return fig


def probe_heatmap(forward: pd.DataFrame, backward: pd.DataFrame | None = None,
                  metrics: Sequence[str] | None = None, title: str = "probe") -> Figure:
    """Per-layer metrics over recorded epochs: one heatmap per metric, epoch on the
    vertical axis, layer on the horizontal one; a logarithmic colour scale where the
    (positive) values span two decades or more.

    Args: as :func:`probe_layers`.
    """
    table = _tables(forward, backward)
    chosen = _metrics(table, metrics)
    ncols = min(2, len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=5.0, height=3.6)
    for ax, metric in zip(axes, chosen):
        grid = table[table["metric"] == metric].pivot_table(index="epoch", columns="layer",
                                                           values="value", aggfunc="mean")
        values = grid.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        log = use_log_scale(finite)
        norm = (LogNorm(vmin=finite.min(), vmax=finite.max()) if log else
                Normalize(vmin=finite.min(), vmax=finite.max()) if finite.size else None)
        image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", origin="lower",
                          interpolation="nearest", norm=norm, cmap="viridis")
        layers, epochs = list(grid.columns), list(grid.index)
        xt = np.unique(np.linspace(0, len(layers) - 1, min(len(layers), 9)).round().astype(int))
        yt = np.unique(np.linspace(0, len(epochs) - 1, min(len(epochs), 7)).round().astype(int))
        ax.set_xticks(xt, [str(layers[i]) for i in xt])
        ax.set_yticks(yt, [str(epochs[i]) for i in yt])
        ax.grid(False)
        ax.set_xlabel("layer k (output of the k-th propagation layer)")
        ax.set_ylabel("epoch")
        ax.set_title(f"{title}: {_short(metric)}")
        bar = fig.colorbar(image, ax=ax)
        bar.set_label(_axis_label(metric, log), fontsize=8)
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    return fig


def diagnosis(table: pd.DataFrame, onset: int | None = None, thresholds: Mapping[str, float] | None = None,
              title: str = "diagnosis") -> Figure:
    """The per-layer picture of :func:`oversmooth.diagnose`.

    Args:
        table: ``Diagnosis.table`` (``layer``, ``distance_rel``, ``predicted_rel``,
            ``mean_cosine_similarity``, ``gradient_rel``, ``grad_subspace_rel``).
        onset: the layer where forward oversmoothing sets in (a vertical line), or None.
        thresholds: ``Diagnosis.thresholds`` (drawn as dotted lines).
        title: prefix of the panel titles.

    Panels: the scale-free distance to the invariant subspace relative to the input's, with
    pure propagation's prediction ``rate**k`` (log axis); mean cosine similarity; gradient
    size relative to the last layer's (log axis); the gradient's energy outside the
    invariant subspace.
    """
    if table is None or table.empty:
        raise ValueError("nothing to plot: the diagnosis has no layer")
    t = thresholds or {}
    fig, axes = new_figure(ncols=2, nrows=2, width=4.8, height=3.3)
    layers = table["layer"]
    lo, hi = int(layers.min()), int(layers.max())
    panels = [
        (axes[0], [("distance_rel", "measured"), ("predicted_rel", "pure propagation (rate^k)")],
         "onset_distance", "distance to invariant subspace / input's", True),
        (axes[1], [("mean_cosine_similarity", "measured")], "onset_cosine", None, False),
        (axes[2], [("gradient_rel", "gradient / last layer's")], "small_gradient",
         "gradient relative to the last layer's", True),
        (axes[3], [("grad_subspace_rel", "measured")], "smooth_gradient", None, False),
    ]
    for ax, lines, key, label, log_always in panels:
        values = []
        for i, (column, name) in enumerate(lines):
            if column not in table or not table[column].notna().any():
                continue
            series = table[column].where(table[column] > 0) if log_always else table[column]
            ax.plot(layers, series, label=name, markevery=_markevery(len(table)),
                    **({**line_style(i), "linestyle": "--"} if column == "predicted_rel" else line_style(i)))
            values.extend(series.dropna().tolist())
        if key in t:
            ax.axhline(t[key], color="0.4", linestyle=":", linewidth=1)
            ax.annotate(f"threshold {t[key]:g}", (0.99, t[key]), xycoords=("axes fraction", "data"),
                        fontsize=7, color="0.3", va="bottom", ha="right")
            values.append(t[key])
        log = (log_always and values and min(values) > 0) and use_log_scale(values, ratio=10.0)
        if log:
            ax.set_yscale("log")
        if onset is not None:
            ax.axvline(onset, color="tab:red", linestyle="--", linewidth=1, label="onset")
        _layer_axis(ax, lo, hi)
        metric = lines[0][0]
        ax.set_ylabel(f"{label}\n(unitless{', log scale' if log else ''})" if label
                      else _axis_label(metric, log))
        ax.set_title(f"{title}: {label or _short(metric)}" if not label else f"{title}: {_short_label(metric)}")
    finish_legend(fig, axes)
    return fig


def _short_label(column: str) -> str:
    return {"distance_rel": "distance to M, relative", "gradient_rel": "gradient size"}.get(column, column)
