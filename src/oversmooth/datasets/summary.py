"""Descriptive statistics of a graph."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from ..graph import (components, edge_index_dict, from_homogeneous, graph_of, is_flattened, is_hetero, is_undirected,
                     num_classes, simple_edges, target_node_type, validate)

__all__ = ["summary", "metapath_homophily", "connected_component_labels", "edge_homophily",
           "node_homophily"]


def connected_component_labels(edge_index: torch.Tensor, num_nodes: int) -> tuple[int, np.ndarray]:
    """Deprecated alias of :func:`oversmooth.graph.components` (labels as a NumPy array)."""
    warnings.warn("datasets.connected_component_labels is deprecated; use oversmooth.graph.components",
                  DeprecationWarning, stacklevel=2)
    count, labels = components(edge_index, num_nodes)
    return count, labels.cpu().numpy()


def edge_homophily(edge_index: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of edges (columns of ``edge_index``, self-loops excluded) joining same-class nodes."""
    row, col = edge_index
    keep = row != col
    if not bool(keep.any()):
        return float("nan")
    return float((y[row[keep]] == y[col[keep]]).double().mean())


def node_homophily(edge_index: torch.Tensor, y: torch.Tensor, num_nodes: int) -> float:
    """Mean over nodes with at least one neighbour of the fraction of same-class neighbours."""
    row, col = edge_index
    keep = row != col
    row, col = row[keep], col[keep]
    same = (y[row] == y[col]).double()
    deg = torch.zeros(num_nodes, dtype=torch.float64).index_add_(0, row, torch.ones_like(same))
    hits = torch.zeros(num_nodes, dtype=torch.float64).index_add_(0, row, same)
    has = deg > 0
    if not bool(has.any()):
        return float("nan")
    return float((hits[has] / deg[has]).mean())


def _structure(ei: torch.Tensor, n: int) -> tuple[dict, torch.Tensor]:
    """Edge, isolated-node, component and degree counts, and the symmetrised non-loop columns."""
    row, col = ei
    loops = int((row == col).sum())
    no_loop = ei[:, row != col]
    src, _ = simple_edges(ei, n)
    directed = not is_undirected(ei, n)
    sym = torch.cat([no_loop, no_loop.flip(0)], dim=1)
    neighbours = torch.unique(sym[0] * n + sym[1]) // n
    deg = torch.bincount(neighbours, minlength=n)
    stats = {
        "num_edges": int(src.numel()) if directed else int(src.numel()) // 2,
        "isolated_nodes": int((deg == 0).sum()),
        "connected_components": components(ei, n)[0],
        "avg_degree": float(deg.double().mean()),
        "max_degree": int(deg.max()) if n else 0,
        "directed": bool(directed),
        "self_loops": loops,
    }
    return stats, sym


def summary(data) -> dict:
    """Nodes, edges, features, classes, homophily, isolated nodes, components and degrees.

    ``num_edges`` counts undirected edges (pairs ``{i, j}``, ``i != j``) when the graph is
    undirected; for a directed graph it is the number of non-loop columns of ``edge_index``.
    Homophily is ``None`` when the graph has no labels or no edges.

    A :class:`~torch_geometric.data.HeteroData` (validated first) gets the same keys for its
    flattened graph (:func:`oversmooth.graph.to_homogeneous`: every node, the union of all
    edge types), so ``num_features`` is the flattened width (the sum over types), and labels
    and split sizes are the target type's. Then ``target_node_type``, ``metapath_homophily``,
    ``node_types`` (each type's ``num_nodes`` and ``num_features``) and ``edge_types``
    (``"src,rel,dst"``: its number of ``edge_index`` columns).

    Homophily of a heterogeneous graph is measured between target nodes, the only labelled
    ones: ``edge_homophily``/``node_homophily`` over the edge types joining the target type
    to itself (``None`` without such edges); ``metapath_homophily`` maps ``"t-a-t"``, for
    each node type ``a`` linked to the target ``t``, to the homophily of that two-hop
    metapath (:func:`metapath_homophily`; ``None`` where no node of ``a`` links two
    targets). Longer metapaths are not measured.

    A flattened graph (:func:`oversmooth.graph.to_homogeneous`) is summarised as the
    heterogeneous graph it flattens (:func:`oversmooth.graph.from_homogeneous`): its ``y``
    holds placeholders on the non-target rows, which homophily over all of ``y`` would count.
    """
    if is_hetero(data):
        return _hetero_summary(data)
    if is_flattened(data):
        validate(data)
        result = _hetero_summary(from_homogeneous(data))
        result["name"] = getattr(data, "name", None)
        return result
    validate(data)
    n = int(data.num_nodes)
    ei = data.edge_index
    stats, sym = _structure(ei, n)
    y = getattr(data, "y", None)
    labelled = y is not None and y.dim() == 1 and y.numel() == n
    result = {
        "name": getattr(data, "name", None),
        "num_nodes": n,
        "num_edges": stats.pop("num_edges"),
        "num_features": int(data.x.size(1)) if getattr(data, "x", None) is not None else 0,
        "num_classes": num_classes(y) or None if labelled else None,
        "edge_homophily": None,
        "node_homophily": None,
        **stats,
    }
    if labelled and sym.size(1):
        result["edge_homophily"] = edge_homophily(ei, y)
        result["node_homophily"] = node_homophily(sym, y, n)
    _split_sizes(data, result)
    return result


def _split_sizes(store, result: dict) -> None:
    for name in ("train_mask", "val_mask", "test_mask"):
        mask = getattr(store, name, None)
        if mask is not None:
            result[name.replace("_mask", "_nodes")] = int(mask.sum()) if mask.dim() == 1 else None


def metapath_homophily(pairs: torch.Tensor, y: torch.Tensor, num_other: int) -> float | None:
    r"""Homophily of the two-hop metapath target - other - target.

    ``pairs`` is a ``[2, E]`` tensor of (target node, other node) links (duplicates count
    once). The value is the fraction of metapath instances :math:`t_1 - a - t_2`,
    :math:`t_1 \ne t_2`, whose two targets share a class: with :math:`c_{ak}` the number of
    class-:math:`k` targets linked to :math:`a`,
    :math:`\sum_a \sum_k c_{ak}(c_{ak}-1) / \sum_a n_a(n_a-1)`; computed in O(E + A C), without
    forming the pairs. ``None`` when no other node links two targets.
    """
    pairs, y = pairs.cpu(), y.cpu()
    keys = torch.unique(pairs[0] * num_other + pairs[1])
    target, other = keys // num_other, keys % num_other
    counts = torch.zeros(num_other, num_classes(y) or 1, dtype=torch.float64)
    counts.index_put_((other, y[target]), torch.ones(keys.numel(), dtype=torch.float64), accumulate=True)
    per_node = counts.sum(1)
    total = float((per_node * (per_node - 1)).sum())
    return float((counts * (counts - 1)).sum()) / total if total > 0 else None


def _hetero_summary(data) -> dict:
    validate(data)
    target = target_node_type(data)
    ei, n = graph_of(data)
    stats, _ = _structure(ei, n)
    store = data[target]
    y = getattr(store, "y", None)
    edges = edge_index_dict(data)
    result = {
        "name": getattr(data, "name", None),
        "num_nodes": n,
        "num_edges": stats.pop("num_edges"),
        "num_features": sum(int(data[t].x.size(1)) for t in data.node_types),
        "num_classes": (num_classes(y) or None) if y is not None else None,
        "edge_homophily": None,
        "node_homophily": None,
        **stats,
        "target_node_type": target,
        "metapath_homophily": {},
    }
    _split_sizes(store, result)
    if y is not None:
        y = y.cpu()
        own = [e.cpu() for (s, _rel, d), e in edges.items() if s == d == target]
        own = torch.cat(own, 1) if own else torch.zeros(2, 0, dtype=torch.long)
        own = own[:, own[0] != own[1]]
        if own.size(1):
            result["edge_homophily"] = edge_homophily(own, y)
            result["node_homophily"] = node_homophily(torch.cat([own, own.flip(0)], 1), y, int(store.num_nodes))
        for other in data.node_types:
            links = [e.cpu() if s == target else e.cpu().flip(0) for (s, _rel, d), e in edges.items()
                     if {s, d} == {target, other} and other != target]
            if links:
                result["metapath_homophily"][f"{target}-{other}-{target}"] = metapath_homophily(
                    torch.cat(links, 1), y, int(data[other].num_nodes))
    result["node_types"] = {t: {"num_nodes": int(data[t].num_nodes), "num_features": int(data[t].x.size(1))}
                            for t in data.node_types}
    result["edge_types"] = {",".join(e): int(index.size(1)) for e, index in edges.items()}
    return result
