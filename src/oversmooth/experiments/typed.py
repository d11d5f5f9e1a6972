"""Per-layer metrics on a heterogeneous graph and on its flattened form, in one layout.

A sweep trains heterogeneous models (``rgcn``, ``hgt``, ``hetero-*``) on a HeteroData, whose
layers emit ``{node type: tensor}``, and homogeneous models on the same graph flattened
(:func:`oversmooth.graph.to_homogeneous`, e.g. ``bank-flat``), whose layers emit one
``[N, F]`` tensor with the node types' rows in consecutive blocks. Both are measured the
same way, so their rows in a store compare one to one:

* the whole graph, under the plain metric names: the whole-graph values of
  :func:`oversmooth.metrics.compute_hetero`, i.e. :func:`oversmooth.metrics.compute` of all
  rows in node-type order on the flattened graph, without labels (only the target type
  has them, so ``group_distance_ratio`` is measured per type only);
* each node type, under ``NAME[type]`` (:func:`oversmooth.metrics.scope_name`): the type's
  rows on its own graph (:func:`oversmooth.graph.type_graph`), as the probe measures them
  (:func:`oversmooth.probe.hetero.node_type_metrics`); ``group_distance_ratio`` on the
  target type only.

A type's own graph may have no edges (the bank's customers share no account), and then
its graph-based values (energy, subspace distance) are 0 by construction; the graph-free
ones (cosine similarity, MAD, ranks, ``rank_one_residual``) are what compares a type's
rows across models.
"""

from __future__ import annotations

import math
from typing import Mapping

import torch
from torch import Tensor

from ..graph import from_homogeneous, is_flattened, is_hetero, split_by_type

__all__ = ["is_typed", "typed_layer_metrics"]

#: The heterogeneous form and per-type views of the last few graphs measured in this
#: process: the type graphs are built once per graph, not once per measured layer or epoch.
_VIEWS: dict[int, tuple] = {}
_KEEP = 4


def is_typed(data) -> bool:
    """Whether ``data`` is measured per node type: a HeteroData or a flattened one."""
    return is_hetero(data) or is_flattened(data)


def _structure(data):
    """``(HeteroData, {node type: View})`` of ``data`` (cached with ``data`` itself)."""
    from ..probe.hetero import type_views

    held = _VIEWS.get(id(data))
    if held is None or held[0] is not data:
        graph = data if is_hetero(data) else from_homogeneous(data)
        held = (data, graph, type_views(graph))
        _VIEWS[id(data)] = held
        while len(_VIEWS) > _KEEP:
            _VIEWS.pop(next(iter(_VIEWS)))
    return held[1], held[2]


def _finite(h: Tensor) -> bool:
    return bool(torch.isfinite(h).all())


def typed_layer_metrics(outputs: Mapping[int, Tensor | dict], data, metrics) -> list[tuple[int, str, float]]:
    """``(layer, name, value)`` for every layer output of ``outputs`` (``{layer: tensor}`` of a
    homogeneous model on a flattened graph, or ``{layer: {node type: tensor}}`` of a
    heterogeneous model on a HeteroData): the whole graph under each name of ``metrics``
    (but ``group_distance_ratio``), every node type under ``NAME[type]``.

    A layer whose dict lacks a node type (no relation points to it) or holds a non-finite
    value gets NaN whole-graph values; its types are still measured one by one.
    """
    from ..metrics import compute_hetero, scope_name
    from ..probe.hetero import node_type_metrics

    graph, views = _structure(data)
    whole = [m for m in metrics if m != "group_distance_ratio"]
    rows: list[tuple[int, str, float]] = []
    for layer, h in sorted(outputs.items()):
        x_dict = dict(h) if isinstance(h, Mapping) else split_by_type(h, data)
        complete = set(x_dict) == set(graph.node_types) and all(_finite(x) for x in x_dict.values())
        values = compute_hetero(x_dict, graph, whole) if whole and complete else {}
        rows.extend((layer, name, float(values.get(name, math.nan))) for name in whole)
        for node_type, measured in node_type_metrics(x_dict, views, list(metrics), _finite).items():
            rows.extend((layer, scope_name(name, node_type), float(value))
                        for name, value in measured.items() if name in metrics)
    return rows
