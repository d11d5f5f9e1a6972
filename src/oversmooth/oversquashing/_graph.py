"""Shared input handling: a graph given as a ``Data`` or as ``edge_index`` (+ ``num_nodes``)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from ..graph import cached, components, graph_of, simple_edges
from ..graph.validate import check_edge_index


def as_graph(data, num_nodes: int | None = None) -> tuple[Tensor, int]:
    """``(edge_index, num_nodes)`` of a ``Data`` or of an ``edge_index`` tensor."""
    if isinstance(data, Tensor):
        n = int(num_nodes) if num_nodes is not None else (int(data.max()) + 1 if data.numel() else 0)
        if n < 1:
            raise ValueError("the graph must have at least one node; pass num_nodes")
        check_edge_index(data, n)
        return data, n
    return graph_of(data)


def undirected_edges(edge_index: Tensor, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Undirected simple edges ``(u, v)`` with ``u < v`` (a directed edge counts both ways)."""
    def compute():
        src, dst = (t.cpu().numpy() for t in simple_edges(edge_index, n))
        u, v = np.minimum(src, dst), np.maximum(src, dst)
        keys = np.unique(u.astype(np.int64) * n + v)
        return keys // n, keys % n
    return cached(edge_index, n, ("oversquashing", "undirected"), compute)


def adjacency(edge_index: Tensor, n: int) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency (float64 CSR, sorted indices) of the undirected simple graph."""
    def compute():
        u, v = undirected_edges(edge_index, n)
        rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
        a = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        a.sort_indices()
        return a
    return cached(edge_index, n, ("oversquashing", "adjacency"), compute)


def laplacian(edge_index: Tensor, n: int) -> sp.csr_matrix:
    """Combinatorial Laplacian :math:`L = D - A` of the undirected simple graph (float64 CSR)."""
    def compute():
        a = adjacency(edge_index, n)
        return (sp.diags(np.asarray(a.sum(1)).ravel()) - a).tocsr()
    return cached(edge_index, n, ("oversquashing", "laplacian"), compute)


def component_labels(edge_index: Tensor, n: int) -> tuple[int, np.ndarray]:
    count, labels = components(edge_index, n)
    return count, labels.cpu().numpy()


def as_pairs(pairs, n: int) -> np.ndarray:
    """``[2, P]`` int64 array of node pairs, checked against ``n``."""
    if isinstance(pairs, Tensor):
        arr = pairs.detach().cpu().numpy()
    else:
        arr = np.asarray(pairs)
    arr = np.asarray(arr, dtype=np.int64) if arr.size else np.zeros((2, 0), np.int64)
    if arr.ndim == 1 and arr.size == 2:
        arr = arr.reshape(2, 1)
    elif arr.ndim == 2 and arr.shape[0] != 2 and arr.shape[1] == 2:
        arr = arr.T
    if arr.ndim != 2 or arr.shape[0] != 2:
        raise ValueError(f"pairs must have shape [2, P] or [P, 2], got {tuple(arr.shape)}")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        bad = int(arr[(arr < 0) | (arr >= n)][0])
        raise ValueError(f"node index {bad} out of range for a graph with {n} nodes")
    return arr


def to_tensor(values: np.ndarray) -> Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float64))
