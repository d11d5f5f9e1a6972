"""The claims' figures: each draws what a claim was checked against beside what it claims
(a claimed range shaded, a claimed value dashed). They take plain values (the facts and
series of :mod:`oversmooth.literature.claims.series`) and compute none."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..style import finish_legend, line_style, new_figure
from ._common import _axis_label, _depth_axis, _set_value_scale, label_order

__all__ = ["spectrum_range", "limit_rows", "receptive_field", "accuracy_against_claims",
           "cosine_vs_accuracy", "layer_curves", "oversquashing"]

CLAIMED = {"color": "0.85", "zorder": 0}  # a claimed region: light grey behind the data
CLAIMED_LINE = {"color": "0.25", "linestyle": "--", "linewidth": 1.0}


def _keys(table: Mapping) -> tuple[list[int], list[float]]:
    """A ``{step: value}`` table (keys ints, or strings after JSON) in step order."""
    pairs = sorted((int(k), float(v)) for k, v in table.items() if v is not None)
    return [k for k, _ in pairs], [v for _, v in pairs]


def spectrum_range(spectra: Mapping[str, Mapping], claimed: Sequence[float]) -> Figure:
    """Each graph's smallest and largest eigenvalue of S̃ (``{graph: {"smallest",
    "largest"}}``) as a bar, over the claimed range shaded and the claimed bound 1."""
    if not spectra:
        raise ValueError("no spectrum to plot")
    lo, hi = claimed
    fig, (ax,) = new_figure(width=6.4, height=1.6 + 0.45 * len(spectra))
    ax.axvspan(lo, hi, label=f"claimed: eigenvalues in [{lo:g}, {hi:g}]", **CLAIMED)
    ax.axvline(1.0, label="claimed: none above 1", **CLAIMED_LINE)
    for i, (name, s) in enumerate(spectra.items()):
        style = line_style(i)
        ax.plot([s["smallest"], s["largest"]], [i, i], color=style["color"], linewidth=7,
                solid_capstyle="butt", label=f"{name}: [{s['smallest']:.3f}, {s['largest']:.3f}]")
    ax.set_yticks(range(len(spectra)), list(spectra))
    ax.set_ylim(-0.8, len(spectra) - 0.2)
    low = min([lo] + [s["smallest"] for s in spectra.values()])
    ax.set_xlim(low - 0.1, max([hi] + [s["largest"] for s in spectra.values()]) + 0.1)
    ax.set_xlabel("eigenvalue of S̃ = D̃^-1/2 (A+I) D̃^-1/2 (unitless)")
    ax.set_title("Spectrum of the GCN operator against the claimed range")
    finish_legend(fig, [ax])
    return fig


def limit_rows(degree: Sequence[float], gcn: Sequence[float], rw: Sequence[float]) -> Figure:
    """Row norms of the limit of PᵏX against the node degree (``gcn``: under S̃; ``rw``:
    under the random walk D̃⁻¹(A+I)), each divided by its mean: the claim (rank one, every row
    the same) is the flat line 1; S̃'s rows grow like sqrt(d+1)."""
    d = np.asarray(degree, dtype=float)
    if d.size == 0:
        raise ValueError("no limit rows to plot")
    fig, (ax,) = new_figure(width=6.4, height=4.2)
    gcn, rw = np.asarray(gcn, dtype=float), np.asarray(rw, dtype=float)
    root = np.sqrt(d + 1.0)
    ax.plot(d, root / root.mean(), linestyle=":", color="0.4", label="sqrt(d + 1), scaled")
    ax.axhline(1.0, label="claimed: every row the same", **CLAIMED_LINE)
    ax.plot(d, gcn / gcn.mean(), linestyle="none", label="limit under S̃ (GCN)", **line_style(0))
    ax.plot(d, rw / rw.mean(), linestyle="none", label="limit under D̃⁻¹(A+I) (random walk)", **line_style(1))
    ax.set_xscale("log")
    ax.set_xlabel("node degree d (log scale)")
    ax.set_ylabel("row norm of the limit / its mean\n(unitless)")
    ax.set_title("The limit's rows against the claimed rank-one matrix (largest component)")
    finish_legend(fig, [ax])
    return fig


def receptive_field(coverage: Mapping[str, Mapping], distances: Mapping[str, Mapping],
                    hops: Sequence[int], entire: float, nearly: float) -> Figure:
    """Left: fraction of the nodes within k hops, per graph (``{graph: {k: fraction}}``).
    Right: d_M(PᵏX)/d_M(X) after k steps (``{graph: {k: value}}``). ``hops``: the claimed
    k (entire graph, nearly identical); ``entire``, ``nearly``: the rules' thresholds."""
    if not coverage:
        raise ValueError("no hop coverage to plot")
    fig, axes = new_figure(ncols=2, width=4.6, height=3.8)
    for i, (name, table) in enumerate(coverage.items()):
        k, v = _keys(table)
        axes[0].plot(k, v, label=name, **line_style(i))
    axes[0].axhline(entire, label=f"the claim's 'entire graph' ({entire:g} of the nodes)", **CLAIMED_LINE)
    axes[0].axvline(hops[0], color="0.6", linewidth=0.8)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_xlabel("hops k")
    axes[0].set_ylabel("nodes within k hops\n(fraction, mean over 200 nodes)")
    axes[0].set_title(f"Receptive field per hop (claimed: k = {hops[0]} covers the graph)")
    names = list(coverage)
    for name, table in distances.items():
        k, v = _keys(table)
        i = names.index(name) if name in names else len(names) + list(distances).index(name)
        axes[1].plot(k, v, label=name, **line_style(i))
    axes[1].axhline(nearly, label=f"the claim's 'nearly identical' ({nearly:g})", **CLAIMED_LINE)
    axes[1].axvline(hops[1], color="0.6", linewidth=0.8)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("propagation steps k")
    axes[1].set_ylabel("d_M(PᵏX) / d_M(X)\n(unitless, log scale)")
    axes[1].set_title(f"Smoothing per step (claimed: identical at k = {hops[1]})")
    finish_legend(fig, axes)
    return fig


def accuracy_against_claims(measured: Mapping[str, Mapping[int, float]],
                            claimed: Mapping[str, Mapping[int, float]] | None = None, *,
                            tolerance: float | None = None, peak: Sequence[int] | None = None,
                            collapse: tuple[int, float] | None = None, title: str = "") -> Figure:
    """Measured test accuracy per depth (one line per row label) beside what is claimed:
    ``claimed`` numbers (open markers, ± ``tolerance`` as error bars), the claimed ``peak``
    depths (a band) and the claimed ``collapse`` region ``(from depth, below accuracy)``."""
    measured = {k: v for k, v in measured.items() if v}
    if not measured:
        raise ValueError("no measured accuracy to plot")
    fig, (ax,) = new_figure(width=6.0, height=4.0)
    labels = label_order(list(measured) + list(claimed or {}))
    depths = {int(d) for v in measured.values() for d in v}
    if peak:
        ax.axvspan(min(peak) * 0.95, max(peak) * 1.05, label=f"claimed peak: {min(peak)}-{max(peak)} layers",
                   **CLAIMED)
    if collapse:
        ax.fill_between([collapse[0], max(depths | {collapse[0]}) * 1.05], 0, collapse[1], color="#f3d3d3",
                        zorder=0, label=f"claimed collapse: below {collapse[1]:g}% from {collapse[0]} layers")
    for label, acc in measured.items():
        d, v = _keys(acc)
        ax.plot(d, v, label=f"{label}: measured", **line_style(labels.index(label)))
    for label, acc in (claimed or {}).items():
        d, v = _keys(acc)
        depths |= set(d)
        style = line_style(labels.index(label))
        ax.errorbar(d, v, yerr=tolerance, linestyle="none", marker=style["marker"], color=style["color"],
                    markerfacecolor="none", markersize=7, capsize=3,
                    label=f"{label}: claimed" + (f" (± {tolerance:g} points)" if tolerance else ""))
    _depth_axis(ax, sorted(depths))
    ax.set_ylim(0, 100)
    ax.set_xlabel("depth (number of propagation layers)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title or "Test accuracy against the claim")
    finish_legend(fig, [ax])
    return fig


def cosine_vs_accuracy(runs: pd.DataFrame, healthy_below: float, smoothed_at: float,
                       healthy_points: float, smoothed_points: float) -> Figure:
    """Each run's last-layer mean cosine similarity against how far its accuracy is below
    the best run (``runs``: columns ``label``, ``gap``, ``value``), with the claim's
    bounds and the rule's healthy / oversmoothed regions."""
    if runs is None or runs.empty:
        raise ValueError("no run with accuracy and cosine similarity to plot")
    fig, (ax,) = new_figure(width=6.4, height=4.2)
    right = max(float(runs["gap"].max()), smoothed_points) * 1.05 + 1
    ax.axvspan(-1, healthy_points, color="#d8ecd8", zorder=0, label=f"healthy: within {healthy_points:g} points")
    ax.axvspan(smoothed_points, right, color="#f3d3d3", zorder=0,
               label=f"oversmoothed: {smoothed_points:g}+ points below")
    ax.axhline(healthy_below, label=f"claimed: healthy below {healthy_below:g}", **CLAIMED_LINE)
    ax.axhline(smoothed_at, color="0.25", linestyle=":", linewidth=1.0,
               label=f"claimed: oversmoothed approaches 1 (>= {smoothed_at:g})")
    labels = label_order(runs["label"])
    for label, part in runs.groupby("label", sort=False):
        ax.plot(part["gap"], part["value"], linestyle="none", label=label, **line_style(labels.index(label)))
    ax.set_xlim(-1, right)
    ax.set_ylim(min(0.0, float(runs["value"].min())) - 0.02, 1.02)
    ax.set_xlabel("accuracy below the dataset's best run (points)")
    ax.set_ylabel("mean cosine similarity, last layer\n(unitless, 1 = parallel)")
    ax.set_title("Cosine similarity of trained models against the claimed bounds")
    finish_legend(fig, [ax])
    return fig


def layer_curves(series: Mapping[str, Sequence[float]], metric: str, title: str) -> Figure:
    """``metric`` per layer (layers 1, 2, ...) of each row label."""
    series = {k: v for k, v in series.items() if v}
    if not series:
        raise ValueError(f"no per-layer {metric} to plot")
    fig, (ax,) = new_figure(width=6.0, height=4.0)
    labels = label_order(series)
    for label, values in series.items():
        ax.plot(range(1, len(values) + 1), values, label=label, **line_style(labels.index(label)))
    log = _set_value_scale(ax, [v for vals in series.values() for v in vals])
    ax.set_xlabel("layer k (output of the k-th propagation layer)")
    ax.set_ylabel(_axis_label(metric, log))
    ax.set_title(title)
    finish_legend(fig, [ax])
    return fig


def oversquashing(influence: Mapping, transfer: Mapping) -> Figure:
    """Left: nodes per hop shell and the influence of one of them on the target, per hop
    (a GCN's Jacobian). Middle: ring-transfer training accuracy by distance. Right: the
    three topologies at one distance, at depth = distance and twice that."""
    fig, axes = new_figure(ncols=3, width=4.2, height=3.8)
    hops = range(len(influence["nodes_per_hop"]))
    axes[0].plot(hops, influence["nodes_per_hop"], label="nodes in the hop shell (mean)", **line_style(0))
    axes[0].plot(hops, influence["per_node"], label="influence of one of them (hop 0 = 1)", **line_style(1))
    axes[0].set_yscale("log")
    axes[0].set_xlabel("hops from the target")
    axes[0].set_ylabel("count / relative influence\n(log scale)")
    axes[0].set_title(f"Exponentially many nodes, compressed ({influence['graph']})")
    d, v = _keys(transfer["by_distance"])
    axes[1].plot(d, v, label="ring transfer, depth = distance", **line_style(2))
    r = int(transfer["distance"])
    names = list(transfer["by_topology"])
    x = np.arange(len(names))
    axes[2].bar(x - 0.2, [transfer["by_topology"][n] for n in names], 0.4, color=line_style(3)["color"],
                label=f"distance {r}, depth {r}")
    axes[2].bar(x + 0.2, [transfer["at_twice_the_depth"][n] for n in names], 0.4, color=line_style(4)["color"],
                label=f"distance {r}, depth {2 * r}")
    axes[2].set_xticks(x, names)
    axes[2].set_xlabel(f"topology (source {r} hops from the target)")
    for ax in axes[1:]:
        ax.axhline(20.0, color="0.25", linestyle=":", linewidth=1.0, label="_chance")
        ax.set_ylim(0, 105)
        ax.set_ylabel("best training accuracy (%, chance 20)")
    axes[1].set_xlabel("source-target distance (hops)")
    axes[1].set_title("Distorted with distance")
    axes[2].set_title("Topology and depth at one distance")
    for ax in axes[:2]:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[1].plot([], [], color="0.25", linestyle=":", label="chance (5 classes)")
    finish_legend(fig, axes)
    return fig
