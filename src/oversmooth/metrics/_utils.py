"""Shared plumbing of the metrics: validation, float64 staging, cached graph structure.

Every public metric validates its input once at the boundary and then works on a
*detached* tensor on the input's own device; results are accumulated in float64. Graph
structure derived from an ``edge_index`` (simple edge list, degrees, connected
components) is cached per ``edge_index`` tensor, so the probe can evaluate many layers
of one graph without recomputing it.
"""

from __future__ import annotations

import weakref

import numpy as np
import torch
from torch import Tensor

from ..validation import check_edge_index, check_features

# Rows of float64 work per chunk when gathering edge endpoints (bounds peak memory).
CHUNK_ELEMENTS = 1 << 22


def check_x(x: Tensor, name: str = "x") -> Tensor:
    """Validate features and return them detached (no copy)."""
    check_features(x, name)
    if x.size(0) == 0:
        raise ValueError(f"{name} has no rows: the graph is empty")
    return x.detach()


def check_graph(x: Tensor, edge_index: Tensor, num_nodes: int | None = None) -> tuple[Tensor, Tensor]:
    """Validate ``x`` and ``edge_index`` together (same device, indices within ``x``'s rows)."""
    x = check_x(x)
    if num_nodes is not None and num_nodes != x.size(0):
        raise ValueError(f"num_nodes={num_nodes} but x has {x.size(0)} rows")
    check_edge_index(edge_index, x.size(0))
    if edge_index.device != x.device:
        raise ValueError(f"x is on {x.device} but edge_index is on {edge_index.device}; "
                         "move both to the same device")
    return x, edge_index.detach().long()


def float64(x: Tensor) -> Tensor:
    return x.detach().to(torch.float64)


def sq_norm(x: Tensor) -> Tensor:
    """||x||_F^2 in float64 (0-dim tensor), computed chunk by chunk."""
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    step = max(1, CHUNK_ELEMENTS // max(1, x.size(1)))
    for start in range(0, x.size(0), step):
        total += float64(x[start:start + step]).pow(2).sum()
    return total


def scale_to_unit(x64: Tensor) -> Tensor:
    """Divide by max |x| so that squares neither overflow nor underflow (for scale-free metrics)."""
    top = x64.abs().max()
    return x64 / top if bool(top > 0) else x64


# --------------------------------------------------------------------------- graph cache
class _Entry:
    __slots__ = ("ref", "version", "num_nodes", "values")

    def __init__(self, edge_index: Tensor, num_nodes: int) -> None:
        self.ref = weakref.ref(edge_index)
        self.version = edge_index._version
        self.num_nodes = num_nodes
        self.values: dict = {}


_CACHE: list[_Entry] = []
_CACHE_SIZE = 4


def _entry(edge_index: Tensor, num_nodes: int) -> _Entry:
    for e in _CACHE:
        if e.ref() is edge_index and e.version == edge_index._version and e.num_nodes == num_nodes:
            return e
    e = _Entry(edge_index, num_nodes)
    _CACHE.insert(0, e)
    del _CACHE[_CACHE_SIZE:]
    return e


def simple_edges(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """``(src, dst)`` without self-loops and duplicate columns (as ``normalized_adjacency``)."""
    entry = _entry(edge_index, num_nodes)
    if "simple" not in entry.values:
        src, dst = edge_index[0], edge_index[1]
        keep = src != dst
        src, dst = src[keep], dst[keep]
        keys = dst * num_nodes + src
        # PyG graphs are coalesced (sorted, no duplicates): skip the sort when it is.
        if keys.numel() > 1 and not bool((keys[1:] > keys[:-1]).all()):
            keys = torch.unique(keys)
            dst, src = keys // num_nodes, keys % num_nodes
        entry.values["simple"] = (src, dst)
    return entry.values["simple"]


def degree(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Number of distinct neighbours (in-degree over the simple edge list), float64."""
    entry = _entry(edge_index, num_nodes)
    if "degree" not in entry.values:
        _, dst = simple_edges(edge_index, num_nodes)
        entry.values["degree"] = torch.bincount(dst, minlength=num_nodes).to(torch.float64)
    return entry.values["degree"]


def components(edge_index: Tensor, num_nodes: int) -> tuple[int, Tensor]:
    """``(count, label per node)`` of the weakly connected components; isolated nodes are their own.

    Computed with scipy on a host copy of ``edge_index``; the labels are returned on
    ``edge_index``'s device.
    """
    entry = _entry(edge_index, num_nodes)
    if "components" not in entry.values:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        ei = edge_index.cpu().numpy()
        adj = sp.coo_matrix((np.ones(ei.shape[1], np.int8), (ei[0], ei[1])), shape=(num_nodes, num_nodes))
        count, labels = connected_components(adj, directed=True, connection="weak")
        entry.values["components"] = (int(count), torch.from_numpy(labels.astype(np.int64)).to(edge_index.device))
    return entry.values["components"]


def sym_adjacency(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Sparse COO matrix with a positive entry for each edge in either direction (reachability)."""
    entry = _entry(edge_index, num_nodes)
    if "sym_adjacency" not in entry.values:
        src, dst = simple_edges(edge_index, num_nodes)
        idx = torch.stack([torch.cat([src, dst]), torch.cat([dst, src])])
        val = torch.ones(idx.size(1), dtype=torch.float32, device=edge_index.device)
        entry.values["sym_adjacency"] = torch.sparse_coo_tensor(
            idx, val, (num_nodes, num_nodes), check_invariants=False).coalesce()
    return entry.values["sym_adjacency"]


def generator(device: torch.device, seed: int) -> torch.Generator:
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


def check_name(value: str, known: tuple[str, ...], what: str) -> None:
    if value not in known:
        raise ValueError(f"unknown {what} {value!r}; known: {', '.join(known)}")


def check_labels_for(y: Tensor, x: Tensor) -> Tensor:
    """Validate one integer label per row of ``x`` on ``x``'s device."""
    from ..validation import check_labels

    check_labels(y, x.size(0))
    if y.device != x.device:
        raise ValueError(f"x is on {x.device} but y is on {y.device}; move both to the same device")
    return y.detach().long()
