"""What the figures share: metric names and units, row order, axes, the runs drawn."""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
from matplotlib.ticker import MaxNLocator

from ...metrics.defaults import BACKWARD_KEYS as BACKWARD_METRICS
from ...metrics.defaults import LAYER_METRICS
from ..style import use_log_scale

__all__ = ["METRIC_LABELS", "LAYER_METRICS", "BACKWARD_METRICS", "deepest_runs", "label_order"]

#: (short name, unit) of each per-layer metric: titles use the name, axes both.
METRIC_LABELS = {
    "dirichlet_energy": ("Dirichlet energy", "feature units²"),
    "dirichlet_energy_sym": ("normalised Dirichlet energy", "feature units²"),
    "subspace_distance": ("distance to invariant subspace", "feature units"),
    "subspace_distance_rel": ("relative distance to invariant subspace", "fraction of ‖X‖_F, 0 = smoothed"),
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


def _label(metric: str) -> tuple[str, str]:
    """``(name, unit)`` of a metric; one measured on a scope (``NAME[customer]``,
    :func:`oversmooth.metrics.scope_name`) is named as ``NAME`` followed by ``[customer]``."""
    base, _, scope = metric.partition("[")
    name, unit = METRIC_LABELS.get(base, (base.replace("_", " "), ""))
    return (f"{name} [{scope}" if scope else name), unit


def _short(metric: str) -> str:
    return _label(metric)[0]


def _axis_label(metric: str, log: bool) -> str:
    name, unit = _label(metric)
    unit = ", ".join(filter(None, [unit, "log scale" if log else ""]))
    return f"{name}\n({unit})" if unit else name


def label_order(labels) -> list[str]:
    """Row labels in the literature's order (GCN, GCN+DropEdge, ..., then alphabetical),
    so a model keeps its colour across the report's figures."""
    from ...literature.published import ROW_ORDER

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


def deepest_runs(runs: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The finished runs of each row label on ``dataset`` at that label's deepest depth."""
    done = runs[(runs["dataset"] == dataset) & (runs["status"] == "done")]
    if done.empty:
        return done
    deepest = done.groupby("label")["depth"].transform("max")
    return done[done["depth"] == deepest]
