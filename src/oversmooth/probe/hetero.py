"""The probe's per-node-type measurements of a heterogeneous model's layers.

A heterogeneous zoo model emits each layer as ``{node type: tensor}``;
:class:`oversmooth.probe.Probe` measures every type's rows on that type's own graph
(:func:`oversmooth.graph.type_graph`) with the homogeneous metrics.
:func:`node_type_metrics` is the one place this dispatch happens: the cross-type metrics of
:mod:`oversmooth.metrics.hetero` (per edge type, per pair of types, the flattened graph)
join there.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import torch
from torch import Tensor

from ..graph.hetero import target_node_type, type_graph
from ..graph.validate import check_labels
from ..metrics import _compute
from ..metrics._utils import sharing, stage

__all__ = ["View", "type_views", "measured", "node_type_metrics"]


class View(NamedTuple):
    """What one node type's representations are measured on: its node count, its graph
    (:func:`oversmooth.graph.type_graph`) and its labels (the target type only)."""

    num_nodes: int
    edge_index: Tensor
    y: Tensor | None


def type_views(data) -> dict[str, View]:
    """A :class:`View` per node type of a HeteroData (type graphs built once, here)."""
    target = target_node_type(data)
    views = {}
    for t in data.node_types:
        n = int(data[t].num_nodes)
        y = data[t].y if t == target else None
        if y is not None:
            check_labels(y, n)
        views[t] = View(n, type_graph(data, t).detach(), y)
    return views


def measured(h: Tensor, view: View | None, keys, finite: Callable[[Tensor], bool],
             measure: Callable[[Tensor], dict]) -> dict[str, float]:
    """``measure(h)`` for a ``[view.num_nodes, d]`` float ``h`` that ``finite`` (the probe's
    check, inside the staged block) passes; NaN for every key otherwise (a diverged model,
    a tensor of no known node type)."""
    h = h.detach()
    if view is not None and h.dim() == 2 and h.size(0) == view.num_nodes and h.is_floating_point():
        with torch.inference_mode(), sharing():
            stage(h)
            if finite(h):
                return measure(h)
    return dict.fromkeys(keys, math.nan)


def node_type_metrics(h: dict, views: dict[str, View], metrics, finite: Callable[[Tensor], bool]
                      ) -> dict[str, dict[str, float]]:
    """The forward metrics of one layer of a heterogeneous model, ``{node type: {metric:
    value}}``: :func:`oversmooth.metrics.compute`'s on each type's rows and graph
    (``group_distance_ratio`` on the labelled target type only)."""
    out = {}
    for t, h_t in h.items():
        view = views.get(t)
        names = [m for m in metrics if m != "group_distance_ratio" or (view is not None and view.y is not None)]
        out[t] = measured(h_t, view, names, finite, lambda x: _compute(x, view.edge_index, view.y, names))
    return out
