"""Measures of node-representation similarity used in the oversmoothing literature.

Every metric is a plain function of tensors returning a Python float (accumulated in
float64, on the input's device, input detached). :func:`compute` evaluates them all;
definitions, conventions and pitfalls are in each docstring.

Example::

    from oversmooth import datasets, metrics
    data = datasets.load("cora")
    metrics.compute(data.x, data.edge_index, data.y)
    metrics.dirichlet_energy(data.x, data.edge_index, operator="gcn")

Heterogeneous graphs (:mod:`.hetero`, loaded on first use): per node type, pair of types and
edge type, e.g. ``metrics.compute_hetero(x_dict, hetero_data)``.
"""

from __future__ import annotations

import importlib

import torch
from torch import Tensor

from ._utils import check_graph, check_labels_for, scale_exponent, sharing, stage, unscale
from .backward import BACKWARD_KEYS, backward_smoothness
from .energy import _energy, dirichlet_energy
from .rank import (_effective_rank, _feature_correlation, _numerical_rank, _rank_one_residual, effective_rank,
                   feature_correlation, numerical_rank, rank_one_residual)
from .distance import (group_distance_ratio, group_distance_ratio_estimate, mean_pairwise_distance,
                       mean_pairwise_distance_estimate, smv, smv_estimate)
from .estimate import Estimate
from .mad import mad, mad_estimate, mad_gap, mad_gap_estimate
from .similarity import MAX_EXACT, NUM_SAMPLES, NUM_SOURCES, _mean_cosine, mean_cosine_similarity
from .subspace import _distance, invariant_projection, subspace_distance

__all__ = [
    "compute", "available", "dirichlet_energy", "mean_cosine_similarity", "mad", "mad_gap",
    "mean_pairwise_distance", "smv", "group_distance_ratio", "invariant_projection",
    "subspace_distance", "numerical_rank", "effective_rank", "feature_correlation", "rank_one_residual",
    "backward_smoothness", "Estimate", "mad_estimate", "mad_gap_estimate", "mean_pairwise_distance_estimate",
    "smv_estimate", "group_distance_ratio_estimate", "BACKWARD_KEYS", "MAX_EXACT", "NUM_SAMPLES", "NUM_SOURCES",
    "compute_hetero", "dirichlet_energy_per_edge_type", "cosine_similarity_by_type", "mad_by_type",
    "subspace_distance_hetero", "PER_TYPE_METRICS", "scope_name",
]

#: Names of the heterogeneous-graph module, imported on first attribute access.
_HETERO = ("compute_hetero", "dirichlet_energy_per_edge_type", "cosine_similarity_by_type", "mad_by_type",
           "subspace_distance_hetero", "PER_TYPE_METRICS", "scope_name")


def __getattr__(name: str):
    if name in _HETERO:
        return getattr(importlib.import_module(f"{__name__}.hetero"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

# name -> function of (x, edge_index, y) on validated, detached input: a float, or an Estimate
# for the metrics sampled above MAX_EXACT rows
_METRICS = {
    "dirichlet_energy": lambda x, ei, y: _energy(x, ei, None, False),
    "dirichlet_energy_sym": lambda x, ei, y: _energy(x, ei, "gcn", False),
    "mean_cosine_similarity": lambda x, ei, y: _mean_cosine(x),
    "mad": lambda x, ei, y: mad(x),
    "mad_gap": lambda x, ei, y: mad_gap_estimate(x, ei),
    "mean_pairwise_distance": lambda x, ei, y: mean_pairwise_distance_estimate(x),
    "smv": lambda x, ei, y: smv_estimate(x),
    "group_distance_ratio": lambda x, ei, y: group_distance_ratio_estimate(x, y),
    "subspace_distance": lambda x, ei, y: _distance(x, ei, "gcn", False),
    # scale free: comparable across layers and models whatever their norms
    "subspace_distance_rel": lambda x, ei, y: _distance(x, ei, "gcn", True),
    "numerical_rank": lambda x, ei, y: _numerical_rank(x),
    "effective_rank": lambda x, ei, y: _effective_rank(x),
    "feature_correlation": lambda x, ei, y: _feature_correlation(x),
    "rank_one_residual": lambda x, ei, y: _rank_one_residual(x),
}


def available() -> list[str]:
    """Names accepted by :func:`compute` (``group_distance_ratio`` needs labels)."""
    return list(_METRICS)


def resolve(metrics) -> list[str]:
    """Turn ``None``, a comma-separated string or a list of names into known metric names."""
    if metrics is None:
        return available()
    names = [m.strip() for m in metrics.split(",")] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in names if m not in _METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}; known: {', '.join(_METRICS)}")
    return names


def compute(x: Tensor, edge_index: Tensor, y: Tensor | None = None, metrics=None) -> dict[str, float]:
    """Every applicable metric of ``x`` on the graph ``edge_index``, as a dict of floats.

    Keys (in this order): ``dirichlet_energy``, ``dirichlet_energy_sym``,
    ``mean_cosine_similarity``, ``mad``, ``mad_gap``, ``mean_pairwise_distance``, ``smv``,
    ``group_distance_ratio`` (only when ``y`` is given), ``subspace_distance`` (``"gcn"``),
    ``subspace_distance_rel`` (the same divided by ``||X||_F``), ``numerical_rank``,
    ``effective_rank``, ``feature_correlation``, ``rank_one_residual``. ``metrics`` selects a
    subset (names or a comma-separated string; an unknown name raises ``ValueError``);
    naming ``group_distance_ratio`` without ``y`` raises too.

    Scale: the metrics whose exact form is O(N^2) (``mad_gap``'s hop masks, the non-squared
    ``mean_pairwise_distance``, ``smv``, ``group_distance_ratio``) are exact up to
    ``MAX_EXACT`` = 4096 nodes and sampled above (``NUM_SAMPLES`` = 200,000 pairs,
    ``NUM_SOURCES`` = 64 source nodes for ``mad_gap``, fixed seed: deterministic); each of
    them adds a ``NAME_stderr`` key (0.0 when exact).
    """
    x, edge_index = check_graph(x, edge_index)
    if y is not None:
        y = check_labels_for(y, x)
    names = resolve(metrics)
    if y is None:
        if metrics is not None and "group_distance_ratio" in names:
            raise ValueError("group_distance_ratio needs labels: pass y")
        names = [m for m in names if m != "group_distance_ratio"]
    return _compute(x, edge_index, y, names)


# how each value scales with x (|x|^power): what rescaling extreme float64 input undoes
_POWERS = {"dirichlet_energy": 2, "dirichlet_energy_sym": 2, "mean_pairwise_distance": 1, "subspace_distance": 1}


def _compute(x: Tensor, edge_index: Tensor, y: Tensor | None, names: list[str]) -> dict[str, float]:
    """:func:`compute` on validated input (the probe's fast path)."""
    values = {}
    k = scale_exponent(x)
    if k:
        x = torch.ldexp(x, torch.tensor(-k, device=x.device))
    with sharing():  # statistics used by several metrics (and x in float64) are computed once
        stage(x)
        # feature_correlation's moments contain the ranks' Gram matrix: compute them first
        for name in sorted(names, key=lambda m: m != "feature_correlation"):
            values[name] = _METRICS[name](x, edge_index, y)
    out: dict[str, float] = {}
    for name in names:
        values[name] = unscale(values[name], k * _POWERS.get(name, 0), name)
        if isinstance(values[name], Estimate):
            out[name], out[f"{name}_stderr"] = values[name]
        else:
            out[name] = values[name]
    return out
