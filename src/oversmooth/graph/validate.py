"""Validation at the package boundary.

Every graph entering ``oversmooth`` goes through :func:`validate`; the metric
functions use the finer-grained checks below. Each failure raises a
:class:`ValueError` whose one-line message names the exact problem, so the CLI
can print it as is.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["validate", "check_edge_index", "check_edge_type", "check_features", "check_labels", "check_mask"]

MASKS = ("train_mask", "val_mask", "test_mask")


def check_edge_index(edge_index: Tensor, num_nodes: int | None = None) -> None:
    """Check that ``edge_index`` is an integer ``[2, E]`` tensor of indices in ``[0, num_nodes)``."""
    if not isinstance(edge_index, Tensor):
        raise ValueError(f"edge_index must be a torch.Tensor, got {type(edge_index).__name__}")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index must have shape [2, num_edges], got {list(edge_index.shape)}")
    if edge_index.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"edge_index must have dtype torch.long, got {edge_index.dtype}")
    if edge_index.numel() == 0:
        return
    low, high = int(edge_index.min()), int(edge_index.max())
    if low < 0:
        raise ValueError(f"edge_index contains a negative node index ({low})")
    if num_nodes is not None and high >= num_nodes:
        raise ValueError(
            f"edge_index refers to node {high} but the graph has only {num_nodes} nodes"
        )


def check_edge_type(edge_type: tuple[str, str, str], edge_index: Tensor, num_nodes_dict) -> None:
    """Check one edge type of a heterogeneous graph: its endpoint types exist, and ``edge_index``
    is an integer ``[2, E]`` tensor whose rows index the source and destination types' nodes."""
    where = f"edge type {edge_type!r}"
    for t in (edge_type[0], edge_type[-1]):
        if t not in num_nodes_dict:
            raise ValueError(f"{where}: {t!r} is not a node type of the graph (give it x)")
    try:
        check_edge_index(edge_index)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    if edge_index.numel() == 0:
        return
    for row, t in ((0, edge_type[0]), (1, edge_type[-1])):
        high = int(edge_index[row].max())
        if high >= num_nodes_dict[t]:
            raise ValueError(f"{where}: edge_index[{row}] has index {high} but {t!r} has "
                             f"{num_nodes_dict[t]} nodes")


def check_features(x: Tensor, name: str = "x") -> None:
    """Check that ``x`` is a 2-D floating tensor with finite entries."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 2:
        raise ValueError(f"{name} must have shape [num_nodes, num_features], got {list(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got {x.dtype}")
    finite = torch.isfinite(x.detach())
    if not bool(finite.all()):
        bad = (~finite).nonzero()[0].tolist()
        kind = "NaN" if bool(torch.isnan(x.detach()).any()) else "Inf"
        raise ValueError(f"{name} contains {kind} values (first at row {bad[0]}, column {bad[1]})")


def check_labels(y: Tensor, num_nodes: int, num_classes: int | None = None) -> None:
    """Check that ``y`` holds one integer class in ``[0, num_classes)`` per node."""
    if not isinstance(y, Tensor):
        raise ValueError(f"y must be a torch.Tensor, got {type(y).__name__}")
    if y.dim() != 1 or y.size(0) != num_nodes:
        raise ValueError(f"y must have shape [{num_nodes}], got {list(y.shape)}")
    if y.is_floating_point() or y.dtype == torch.bool:
        raise ValueError(f"y must hold integer class labels, got {y.dtype}")
    if y.numel() == 0:
        return
    low, high = int(y.min()), int(y.max())
    if low < 0:
        raise ValueError(f"y contains a negative class label ({low})")
    if num_classes is not None and high >= num_classes:
        raise ValueError(f"y contains class {high} but num_classes is {num_classes}")


def check_mask(mask: Tensor, num_nodes: int, name: str) -> None:
    """Check that a node mask is boolean with one entry (or one column of splits) per node."""
    if not isinstance(mask, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise ValueError(f"{name} must be a boolean tensor, got {mask.dtype}")
    if mask.dim() not in (1, 2) or mask.size(0) != num_nodes:
        raise ValueError(
            f"{name} has shape {list(mask.shape)} but the graph has {num_nodes} nodes"
        )


def validate(data, num_classes: int | None = None):
    """Check a :class:`~torch_geometric.data.Data` or :class:`~torch_geometric.data.HeteroData`
    graph and return it unchanged.

    ``Data``: a positive node count, ``edge_index`` shape, dtype and index range, finite
    floating-point features with one row per node, integer labels in range (``num_classes``),
    and boolean masks with one entry per node.

    ``HeteroData`` (the conventions of :mod:`oversmooth.graph.hetero`): every node type has a
    positive node count and finite floating-point ``x`` with one row per node, its labels and
    masks checked as for ``Data`` (``num_classes`` applies to the target type's ``y``); every
    edge type's ``edge_index`` is checked against its source and destination node counts;
    the target type is well defined (:func:`~oversmooth.graph.hetero.target_node_type`); and
    every edge has its reverse in some edge type (relations present in both directions).

    Raises:
        ValueError: naming the first problem found (and the node or edge type).
    """
    from torch_geometric.data import Data

    from .hetero import is_hetero

    if is_hetero(data):
        return _validate_hetero(data, num_classes)
    if not isinstance(data, Data):
        raise ValueError(f"expected a torch_geometric.data.Data graph, got {type(data).__name__}")
    num_nodes = data.num_nodes
    if not num_nodes:
        raise ValueError("the graph is empty (0 nodes)")
    edge_index = getattr(data, "edge_index", None)
    if edge_index is None:
        raise ValueError("the graph has no edge_index (use an empty [2, 0] tensor for no edges)")
    check_edge_index(edge_index, num_nodes)
    x = getattr(data, "x", None)
    if x is not None:
        check_features(x)
        if x.size(0) != num_nodes:
            raise ValueError(f"x has {x.size(0)} rows but the graph has {num_nodes} nodes")
    _check_node_labels(data, num_nodes, num_classes)
    return data


def _check_node_labels(store, num_nodes: int, num_classes: int | None) -> None:
    y = getattr(store, "y", None)
    if y is not None:
        check_labels(y, num_nodes, num_classes)
    for name in MASKS:
        mask = getattr(store, name, None)
        if mask is not None:
            check_mask(mask, num_nodes, name)


def _node_count(node_type: str, store) -> int:
    where = f"node type {node_type!r}"
    if "x" not in store:
        raise ValueError(f"{where} has no features x (every node type needs x; "
                         "a featureless type can use torch.ones(num_nodes, 1))")
    x = store["x"]
    try:
        check_features(x)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    n = store["num_nodes"] if "num_nodes" in store else x.size(0)
    if not n:
        raise ValueError(f"{where} has no nodes")
    if x.size(0) != n:
        raise ValueError(f"{where}: x has {x.size(0)} rows but the type has {n} nodes")
    return int(n)


def _validate_hetero(data, num_classes: int | None):
    from .hetero import target_node_type

    if not data.node_types:
        raise ValueError("the heterogeneous graph has no node types")
    counts = {t: _node_count(t, data[t]) for t in data.node_types}
    target = target_node_type(data)
    for t, n in counts.items():
        try:
            _check_node_labels(data[t], n, num_classes if t == target else None)
        except ValueError as error:
            raise ValueError(f"node type {t!r}: {error}") from None
    edges = {}
    for edge_type in data.edge_types:
        if "edge_index" not in data[edge_type]:
            raise ValueError(f"edge type {edge_type!r} has no edge_index (use an empty [2, 0] tensor for no edges)")
        edges[edge_type] = data[edge_type].edge_index
        check_edge_type(edge_type, edges[edge_type], counts)
    _check_both_directions(edges, counts)
    return data


def _check_both_directions(edges: dict, counts: dict) -> None:
    """Every edge ``u -> v`` (``u != v``) of the flattened graph has ``v -> u`` in some edge type."""
    from .hetero import flat_edge_index
    from .structure import is_undirected

    flat = flat_edge_index(edges, counts)
    n = sum(counts.values())
    if is_undirected(flat, n):
        return
    src, dst = flat
    present = torch.unique(src * n + dst)
    lonely = ((src != dst) & ~torch.isin(dst * n + src, present)).nonzero()
    column = int(lonely[0])
    for edge_type, edge_index in edges.items():
        if column < edge_index.size(1):
            break
        column -= edge_index.size(1)
    (s, _, d), (i, j) = edge_type, edge_index[:, column].tolist()
    raise ValueError(f"edge type {edge_type!r}: edge {s} {i} -> {d} {j} has no reverse {d} {j} -> {s} {i} "
                     "in any edge type (add reverse relations: torch_geometric.transforms.ToUndirected)")
