"""Accuracy against depth, published numbers overlaid."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure
from ._common import _depth_axis, label_order

__all__ = ["accuracy_vs_depth"]


def accuracy_vs_depth(summary: pd.DataFrame, published: bool = True,
                      datasets: Sequence[str] | None = None) -> Figure:
    """Test accuracy against depth: one panel per dataset, one line per model (row label).

    Args:
        summary: :func:`oversmooth.experiments.summarize` of a store (columns ``dataset``,
            ``label``, ``depth``, ``mean`` and ``std`` in percent, ``n`` seeds, ``published``).
        published: overlay the published numbers (dashed, open markers, same colour as the
            model) where the table has them.
        datasets: panels to draw (default: every dataset of ``summary``).

    Error bars are ± the standard deviation over seeds where a cell has more than one seed.
    The depth axis is logarithmic (base 2) when depths span a factor of 8 or more.
    """
    if summary is None or summary.empty or summary["mean"].notna().sum() == 0:
        raise ValueError("no accuracy to plot: the store holds no finished runs")
    names = list(datasets) if datasets else list(dict.fromkeys(summary["dataset"]))
    fig, axes = new_figure(ncols=len(names), width=5.4, height=3.8)
    labels = label_order(summary["label"])
    any_published = False
    for ax, dataset in zip(axes, names):
        part = summary[summary["dataset"] == dataset]
        if part.empty:
            raise ValueError(f"no runs on dataset {dataset!r} in the store")
        for label, cells in part.groupby("label", sort=False):
            cells = cells.sort_values("depth")
            style = line_style(labels.index(label))
            ok = cells.dropna(subset=["mean"])
            if len(ok):
                yerr = np.where(ok["n"] > 1, ok["std"].fillna(0.0), 0.0)
                ax.errorbar(ok["depth"], ok["mean"], yerr=yerr if yerr.any() else None,
                            label=label, capsize=2, **style)
            if published and "published" in cells:
                pub = cells.dropna(subset=["published"])
                if len(pub):
                    any_published = True
                    ax.plot(pub["depth"], pub["published"].astype(float), linestyle="--",
                            markerfacecolor="none", **{**style, "linewidth": 1.0},
                            label="_published")
        _depth_axis(ax, part["depth"])
        ax.set_ylim(0, 100)
        ax.set_xlabel("depth (number of propagation layers)")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(f"Test accuracy vs depth: {dataset}")
    if any_published:
        axes[0].plot([], [], linestyle="--", marker="o", markerfacecolor="none", color="0.3",
                     label="published (dashed, open markers)")
    finish_legend(fig, axes)
    return fig
