"""Descriptive statistics of a graph."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from ..graph import components, is_undirected, num_classes, simple_edges, validate

__all__ = ["summary", "connected_component_labels", "edge_homophily", "node_homophily"]


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


def summary(data) -> dict:
    """Nodes, edges, features, classes, homophily, isolated nodes, components and degrees.

    ``num_edges`` counts undirected edges (pairs ``{i, j}``, ``i != j``) when the graph is
    undirected; for a directed graph it is the number of non-loop columns of ``edge_index``.
    Homophily is ``None`` when the graph has no labels or no edges.
    """
    validate(data)
    n = int(data.num_nodes)
    ei = data.edge_index
    row, col = ei
    loops = int((row == col).sum())
    no_loop = ei[:, row != col]
    src, _ = simple_edges(ei, n)
    directed = not is_undirected(ei, n)
    num_edges = int(src.numel()) if directed else int(src.numel()) // 2
    sym = torch.cat([no_loop, no_loop.flip(0)], dim=1)
    neighbours = torch.unique(sym[0] * n + sym[1]) // n
    deg = torch.bincount(neighbours, minlength=n)
    count, _ = components(ei, n)
    y = getattr(data, "y", None)
    labelled = y is not None and y.dim() == 1 and y.numel() == n
    result = {
        "name": getattr(data, "name", None),
        "num_nodes": n,
        "num_edges": num_edges,
        "num_features": int(data.x.size(1)) if getattr(data, "x", None) is not None else 0,
        "num_classes": num_classes(y) or None if labelled else None,
        "edge_homophily": None,
        "node_homophily": None,
        "isolated_nodes": int((deg == 0).sum()),
        "connected_components": count,
        "avg_degree": float(deg.double().mean()),
        "max_degree": int(deg.max()) if n else 0,
        "directed": bool(directed),
        "self_loops": loops,
    }
    if labelled and no_loop.size(1):
        result["edge_homophily"] = edge_homophily(ei, y)
        result["node_homophily"] = node_homophily(sym, y, n)
    for name in ("train_mask", "val_mask", "test_mask"):
        mask = getattr(data, name, None)
        if mask is not None:
            result[name.replace("_mask", "_nodes")] = int(mask.sum()) if mask.dim() == 1 else None
    return result
