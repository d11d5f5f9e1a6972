"""Per-layer metric curves of trained models, from a store's ``layer_metrics``."""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure
from ._common import (LAYER_METRICS, _axis_label, _layer_axis, _markevery, _set_value_scale,
                      _short, deepest_runs, label_order)

__all__ = ["layer_metrics"]


def _per_layer(layers: pd.DataFrame, runs: pd.DataFrame, metric: str) -> dict[str, pd.Series]:
    """``{"label (L=depth)": mean over seeds of metric per layer}`` for the given runs."""
    out: dict[str, pd.Series] = {}
    rows = layers[(layers["metric"] == metric) & layers["run_key"].isin(runs["run_key"])]
    if rows.empty:
        return out
    rows = rows.merge(runs[["run_key", "label", "depth"]], on="run_key")
    order = {label: i for i, label in enumerate(label_order(rows["label"]))}
    groups = sorted(rows.groupby(["label", "depth"]), key=lambda g: (order[g[0][0]], g[0][1]))
    for (label, depth), part in groups:
        out[f"{label} (L={int(depth)})"] = part.groupby("layer")["value"].mean().sort_index()
    return out


def layer_metrics(layers: pd.DataFrame, runs: pd.DataFrame, dataset: str,
                  metrics: Sequence[str] = LAYER_METRICS) -> Figure:
    """Per-layer metric curves of each model at its deepest depth on ``dataset``.

    Args:
        layers: the store's ``layer_metrics`` table (``run_key``, ``layer``, ``metric``,
            ``value``), or ``layer_history`` rows of one epoch, or backward rows.
        runs: the store's ``runs`` table (for label, depth, dataset, status).
        dataset: which dataset.
        metrics: panels, in order; metrics the store does not hold are left out.

    One panel per metric, one line per model (the mean over seeds of the run at the
    model's deepest depth). Values spanning two decades or more get a log axis (energy
    and subspace distance usually do: they decay geometrically with depth).
    """
    chosen = deepest_runs(runs, dataset)
    if chosen.empty:
        raise ValueError(f"no finished runs on dataset {dataset!r}")
    panels = [(m, _per_layer(layers, chosen, m)) for m in metrics]
    panels = [(m, curves) for m, curves in panels if curves]
    if not panels:
        raise ValueError(f"the store holds no per-layer metrics ({', '.join(metrics)}) "
                         f"for the runs on {dataset!r}")
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=4.6, height=3.4)
    labels = list(dict.fromkeys(label for _, curves in panels for label in curves))
    for ax, (metric, curves) in zip(axes, panels):
        values = []
        for label, series in curves.items():
            ax.plot(series.index, series.values, label=label, markevery=_markevery(len(series)),
                    **line_style(labels.index(label)))
            values.extend(series.values)
        log = _set_value_scale(ax, values)
        if metric == "mean_cosine_similarity":
            ax.axhline(0.5, color="0.4", linestyle=":", linewidth=1)
            ax.annotate("0.5 rule of thumb", (0.99, 0.5), xycoords=("axes fraction", "data"),
                        fontsize=7, color="0.3", va="bottom", ha="right")
        _layer_axis(ax, min(int(s.index.min()) for s in curves.values()),
                    max(int(s.index.max()) for s in curves.values()))
        ax.set_ylabel(_axis_label(metric, log))
        ax.set_title(f"{_short(metric)}: {dataset}")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    finish_legend(fig, axes[:len(panels)], title="model (depth)")
    return fig
