"""Over-smoothing against over-squashing, before and after each rewiring."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..style import finish_legend, line_style, new_figure, use_log_scale

__all__ = ["rewiring_tradeoff", "REWIRING_LABELS"]

#: How a rewiring's name (``oversmooth.oversquashing.REWIRINGS``) reads in figures and text.
REWIRING_LABELS = {"none": "no rewiring", "sdrf": "SDRF", "fosr": "FoSR", "borf": "BORF", "gdc": "GDC",
                   "virtual_node": "virtual node"}


def rewiring_tradeoff(frame: pd.DataFrame, title: str | None = None) -> Figure:
    """One point per rewiring: total effective resistance against the smoothing gap.

    Args:
        frame: :func:`oversmooth.oversquashing.compare`'s table, one row per rewiring
            (``none`` first), with columns ``smoothing_gap`` (:math:`1 - \\lambda` of the
            propagation operator) and ``total_resistance`` (the Kirchhoff index).
        title: the title (default: a generic one).

    An arrow runs from ``none`` to each rewiring. Moving left means less over-squashing
    (lower resistance), moving up faster over-smoothing (larger gap).
    """
    if frame is None or frame.empty:
        raise ValueError("no rewiring comparison to plot")
    fig, (ax,) = new_figure(width=4.8, height=3.6)
    x = frame["total_resistance"].to_numpy(dtype=float)
    y = frame["smoothing_gap"].to_numpy(dtype=float)
    for i, name in enumerate(frame.index):
        style = line_style(i)
        ax.plot([x[i]], [y[i]], linestyle="none", label=REWIRING_LABELS.get(str(name), str(name)),
                color=style["color"],
                marker=style["marker"], markersize=7)
        if i and np.isfinite([x[0], y[0], x[i], y[i]]).all():
            ax.annotate("", xy=(x[i], y[i]), xytext=(x[0], y[0]),
                        arrowprops={"arrowstyle": "->", "color": style["color"], "linewidth": 1.0})
    log = use_log_scale(x)
    if log:
        ax.set_xscale("log")
    else:
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4), useOffset=False)
    ax.set_xlabel("total effective resistance, Kirchhoff index\n(Ω, unit resistors"
                  + (", log scale" if log else "") + "; left: less over-squashing)")
    ax.set_ylabel("smoothing gap 1 − λ\n(unitless; up: faster over-smoothing)")
    ax.set_title(title or "Rewiring: over-smoothing vs over-squashing")
    finish_legend(fig, [ax])
    return fig
