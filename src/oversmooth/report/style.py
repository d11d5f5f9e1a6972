"""One plotting style for every figure of the package: the report's, the ``oversmooth plot``
commands' and the ``--plot`` files of ``oversmooth propagate`` and ``oversmooth backward``.

Matplotlib runs on the Agg backend (no display needed). Lines get a colour from
``tab10`` and a marker from a cycle of 10 markers, shifted against each other, so 10+
lines on one chart stay distinguishable in colour, in shape, and in black-and-white print.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Iterable

import matplotlib

matplotlib.use("Agg", force=False)  # a no-op when a backend was already chosen by the user

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._atomic import atomic_output, check_output_file  # noqa: E402

__all__ = ["COLORS", "MARKERS", "FORMATS", "line_style", "new_figure", "use_log_scale",
           "finish_legend", "save", "to_bytes"]

COLORS = tuple(plt.get_cmap("tab10").colors)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
FORMATS = ("png", "svg", "pdf")

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text in SVG (searchable, editable)
}


def line_style(index: int) -> dict:
    """Colour and marker of the ``index``-th line: the marker cycle is offset by
    ``index // 10`` so lines 0 and 10 share a colour but not a marker."""
    return {"color": COLORS[index % len(COLORS)],
            "marker": MARKERS[(index + index // len(COLORS)) % len(MARKERS)],
            "markersize": 4, "linewidth": 1.4}


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 5.2, height: float = 3.6):
    """A figure of ``nrows x ncols`` panels in the report style; returns (fig, axes list)."""
    with plt.rc_context(RC):
        fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        _style_axes(ax)
    return fig, list(axes.flat)


def _style_axes(ax) -> None:
    ax.grid(True, alpha=RC["grid.alpha"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.title.set_fontsize(RC["axes.titlesize"])
    ax.xaxis.label.set_fontsize(RC["axes.labelsize"])
    ax.yaxis.label.set_fontsize(RC["axes.labelsize"])
    ax.tick_params(labelsize=8)


def use_log_scale(values: Iterable[float], ratio: float = 100.0) -> bool:
    """Whether values span orders of magnitude: all finite ones positive and
    ``max / min >= ratio`` (default two decades)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite or min(finite) <= 0:
        return False
    return max(finite) / min(finite) >= ratio


def finish_legend(fig: Figure, axes, title: str | None = None) -> None:
    """One legend for the whole figure below the panels, in as many columns as fit,
    with each label once (panels share their lines' labels)."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels and not label.startswith("_"):
                handles.append(handle)
                labels.append(label)
    if not handles:
        return
    width_in = fig.get_figwidth()
    ncol = max(1, min(len(labels), int(width_in / 1.6)))
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, title=title,
               fontsize=RC["legend.fontsize"], title_fontsize=RC["legend.fontsize"],
               frameon=False)


def save(fig: Figure, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``fig`` to ``path`` as ``fmt`` (default: the path's suffix; png, svg or pdf).

    The file is written atomically (:func:`oversmooth._atomic.atomic_output`): a killed
    command leaves the old file or the new one, no debris, and an existing link at ``path``
    is replaced, not written through. Returns the path written.

    Raises:
        ValueError: an unknown format, or an unusable path (empty, a folder, a missing folder).
    """
    path = check_output_file(path)
    fmt = (fmt or path.suffix.lstrip(".") or "png").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r} of plot file {path.name!r}; choose "
                         f"{', '.join(FORMATS)}")
    with atomic_output(path, binary=True) as handle, plt.rc_context(RC):
        fig.savefig(handle, format=fmt, bbox_inches="tight")
    return path


def to_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """``fig`` encoded as ``fmt`` in memory (for embedding in HTML)."""
    buffer = io.BytesIO()
    with plt.rc_context(RC):
        fig.savefig(buffer, format=fmt, bbox_inches="tight")
    return buffer.getvalue()
