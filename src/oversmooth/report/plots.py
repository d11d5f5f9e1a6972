"""The report's figures: one function per figure, each returning a matplotlib ``Figure``.

Every figure has a title, axis labels with units, a legend (below the panels, in
columns, so 10+ lines stay readable) and a log scale on any axis whose values span two
or more orders of magnitude (:func:`.style.use_log_scale`). Save one with
:func:`oversmooth.report.style.save` (png, svg or pdf). Each function raises
``ValueError`` with a one-line message when it is given nothing to draw.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import finish_legend, line_style, new_figure, use_log_scale

__all__ = ["accuracy_vs_depth", "layer_metrics", "spectral_vs_measured", "backward",
           "METRIC_LABELS", "LAYER_METRICS", "BACKWARD_METRICS", "deepest_runs", "label_order"]

#: (short name, unit) of each per-layer metric: titles use the name, axes both.
METRIC_LABELS = {
    "dirichlet_energy": ("Dirichlet energy", "feature units²"),
    "dirichlet_energy_sym": ("normalised Dirichlet energy", "feature units²"),
    "subspace_distance": ("distance to invariant subspace", "feature units"),
    "mean_cosine_similarity": ("mean cosine similarity", "unitless, 1 = parallel"),
    "mad": ("MAD (mean cosine distance)", "unitless, 0 = identical"),
    "effective_rank": ("effective rank", "dimensions"),
    "numerical_rank": ("numerical rank", "dimensions"),
    "mean_pairwise_distance": ("mean pairwise distance", "feature units"),
    "grad_norm": ("gradient norm ‖∂L/∂H‖_F", "loss per feature unit"),
    "grad_energy_rel": ("gradient Rayleigh quotient", "unitless, 0 = smooth"),
    "grad_subspace_rel": ("gradient energy outside M", "fraction, 0 = smooth"),
    "grad_mean_norm": ("mean gradient row norm", "loss per feature unit"),
}
from ..metrics.defaults import BACKWARD_KEYS as BACKWARD_METRICS
from ..metrics.defaults import LAYER_METRICS


def _short(metric: str) -> str:
    return METRIC_LABELS.get(metric, (metric.replace("_", " "), ""))[0]


def _axis_label(metric: str, log: bool) -> str:
    name, unit = METRIC_LABELS.get(metric, (metric.replace("_", " "), ""))
    unit = ", ".join(filter(None, [unit, "log scale" if log else ""]))
    return f"{name}\n({unit})" if unit else name


def label_order(labels) -> list[str]:
    """Row labels in the literature's order (GCN, GCN+DropEdge, ..., then alphabetical),
    so a model keeps its colour across the report's figures."""
    from ..literature.published import ROW_ORDER

    rank = {label: i for i, label in enumerate(ROW_ORDER)}
    return sorted(dict.fromkeys(labels), key=lambda l: (rank.get(l, len(rank)), l))


def _depth_axis(ax, depths: Sequence[int]) -> None:
    depths = sorted({int(d) for d in depths})
    if len(depths) > 1 and depths[-1] / max(depths[0], 1) >= 8:
        ax.set_xscale("log", base=2)
    ax.set_xticks(depths)
    ax.set_xticklabels([str(d) for d in depths])
    ax.minorticks_off()


def _layer_axis(ax, min_layer: int, max_layer: int) -> None:
    ax.set_xlabel("layer k (output of the k-th propagation layer)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if max_layer >= 16:
        # a log axis keeps the first layers, where most change happens, apart; layer 0
        # (the input) needs the linear piece of a symlog axis
        if min_layer <= 0:
            ax.set_xscale("symlog", base=2, linthresh=1, linscale=0.5)
        else:
            ax.set_xscale("log", base=2)
        ticks = ([0] if min_layer <= 0 else []) + [2 ** i for i in range(int(math.log2(max_layer)) + 1)]
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(t) for t in ticks])
        ax.minorticks_off()


def _markevery(points: int):
    """Every point marked on short lines; about a dozen evenly spaced (in display
    space, so also on log axes) on long ones, which would otherwise be a row of blobs."""
    return None if points <= 16 else 0.08


def _set_value_scale(ax, values) -> bool:
    if use_log_scale(values):
        ax.set_yscale("log")
        return True
    return False


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


def deepest_runs(runs: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The finished runs of each row label on ``dataset`` at that label's deepest depth."""
    done = runs[(runs["dataset"] == dataset) & (runs["status"] == "done")]
    if done.empty:
        return done
    deepest = done.groupby("label")["depth"].transform("max")
    return done[done["depth"] == deepest]


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
