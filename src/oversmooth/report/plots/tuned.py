"""Accuracy against depth with fixed settings, tuned per cell, and as published."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure
from ._common import _depth_axis, label_order

__all__ = ["tuned_vs_depth"]


def tuned_vs_depth(frame: pd.DataFrame, datasets: Sequence[str] | None = None) -> Figure:
    """Test accuracy against depth per row: fixed settings (solid), tuned per cell on
    validation (dashed), published (dotted, open markers); one panel per dataset.

    Args:
        frame: :func:`oversmooth.experiments.tune_table.tuned_summary` (columns ``dataset``,
            ``label``, ``depth``, ``fixed_mean``/``fixed_std``/``fixed_n``,
            ``tuned_mean``/``tuned_std``/``tuned_n``, ``published``; percent).
        datasets: panels to draw (default: every dataset of ``frame``).
    """
    if frame is None or frame.empty or frame[["fixed_mean", "tuned_mean"]].notna().sum().sum() == 0:
        raise ValueError("no tuned accuracy to plot: run `oversmooth tune` first")
    names = list(datasets) if datasets else list(dict.fromkeys(frame["dataset"]))
    fig, axes = new_figure(ncols=len(names), width=5.4, height=3.8)
    labels = label_order(frame["label"])
    for ax, dataset in zip(axes, names):
        part = frame[frame["dataset"] == dataset]
        for label, cells in part.groupby("label", sort=False):
            cells = cells.sort_values("depth")
            style = line_style(labels.index(label))
            for kind, dash, suffix in (("fixed", "-", "fixed"), ("tuned", "--", "tuned")):
                ok = cells.dropna(subset=[f"{kind}_mean"])
                if len(ok):
                    yerr = np.where(ok[f"{kind}_n"] > 1, ok[f"{kind}_std"].fillna(0.0), 0.0)
                    ax.errorbar(ok["depth"], ok[f"{kind}_mean"], yerr=yerr if yerr.any() else None,
                                capsize=2, label=f"{label} {suffix}",
                                **{**style, "linestyle": dash})
            pub = cells.dropna(subset=["published"])
            if len(pub):
                ax.plot(pub["depth"], pub["published"].astype(float),
                        **{**style, "linestyle": ":", "linewidth": 1.0}, markerfacecolor="none",
                        label=f"{label} published")
        _depth_axis(ax, part["depth"])
        ax.set_ylim(0, 100)
        ax.set_xlabel("depth (number of propagation layers)")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(f"Fixed vs tuned vs published: {dataset}")
    finish_legend(fig, axes)
    return fig
