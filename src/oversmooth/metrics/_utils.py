"""Shared plumbing of the metrics: validation, float64 staging, cached graph structure.

Every public metric validates its input once at the boundary and then works on a
*detached* tensor on the input's own device; results are accumulated in float64. Graph
structure derived from an ``edge_index`` (simple edge list, degrees, connected
components, the one-direction half of a symmetric edge list) is cached per
``edge_index`` tensor, so the probe can evaluate many layers of one graph without
recomputing it. Passes over the rows of ``x`` go by blocks of :data:`BLOCK_ELEMENTS`
entries, small enough to stay in cache, so no N x d float64 copy is ever made; within one
:func:`oversmooth.metrics.compute` call, statistics shared by several metrics (unit-row
sums, the Gram matrix) are computed once (:func:`shared`).
"""

from __future__ import annotations

import contextlib
import threading
import weakref

import numpy as np
import torch
from torch import Tensor

from ..validation import check_edge_index, check_features

# Entries of float64 work per block (row blocks of x, edge blocks of gathered endpoints):
# about 2 MB, so a block's intermediates stay in cache and peak memory stays bounded.
BLOCK_ELEMENTS = 1 << 18


def blocks(count: int, width: int):
    """``slice`` objects covering ``range(count)`` in blocks of about BLOCK_ELEMENTS entries."""
    step = max(1, BLOCK_ELEMENTS // max(1, width))
    for start in range(0, count, step):
        yield slice(start, min(start + step, count))


def row_blocks(x: Tensor, *aligned: Tensor):
    """Row blocks of ``x`` (see :func:`blocks`), each with the same rows of ``aligned`` tensors.

    Yields ``x`` itself (not a view) when it fits one block: the probe's layers take this
    path, and the float64 copy staged for ``x`` is then found without slicing.
    """
    if x.numel() <= BLOCK_ELEMENTS:
        yield (x, *aligned) if aligned else x
        return
    for rows in blocks(x.size(0), x.size(1)):
        yield (x[rows], *(a[rows] for a in aligned)) if aligned else x[rows]


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


def _staged(x: Tensor) -> Tensor | None:
    """The float64 copy of ``x`` that :func:`stage` made in the current :func:`sharing` block."""
    memo = getattr(_LOCAL, "memo", None)
    if not memo or x.dtype == torch.float64:
        return None
    hit = memo.get(_key("float64", x))
    return None if hit is None else hit[1]


def float64(x: Tensor) -> Tensor:
    """``x`` in float64: the copy :func:`stage` made inside a :func:`sharing` block, else a new one.

    Callers never write into the result in place (it may be ``x`` itself or the staged copy).
    """
    staged = _staged(x)
    return staged if staged is not None else x.detach().to(torch.float64)


def stage(x: Tensor) -> None:
    """Inside a :func:`sharing` block, convert ``x`` to float64 once for every metric, if small.

    A layer of a few thousand nodes fits one block: every metric then reads the same float64
    copy instead of converting it again (the probe evaluates several metrics per layer).
    Larger inputs keep their block-by-block conversions (no N x d float64 copy).
    """
    if x.dtype != torch.float64 and x.numel() <= BLOCK_ELEMENTS:
        shared("float64", x, lambda: x.detach().to(torch.float64))


def sum_squares(x: Tensor) -> Tensor:
    """Sum of the squared entries of ``x`` in float64 (0-dim tensor)."""
    x64 = x if x.dtype == torch.float64 else _staged(x)
    flat = (x.to(torch.float64) if x64 is None else x64).detach().reshape(-1)
    return torch.dot(flat, flat)


def column_sums(x: Tensor) -> Tensor:
    """Float64 column sums of ``x`` (length d), block by block."""
    return sum(float64(block).sum(0) for block in row_blocks(x))


def sq_norm(x: Tensor) -> Tensor:
    """||x||_F^2 in float64 (0-dim tensor), computed block by block."""
    return shared("sq_norm", x, lambda: sum(sum_squares(block) for block in row_blocks(x)))


# --------------------------------------------------------------------------- per-call memo
_LOCAL = threading.local()


@contextlib.contextmanager
def sharing():
    """Within this block, :func:`shared` computes each statistic of a tensor once.

    Used by ``compute`` (and the probe) around one evaluation of several metrics on one
    ``x``; the memo is dropped on exit, so an in-place change of ``x`` between calls is
    always seen.
    """
    outer = getattr(_LOCAL, "memo", None)
    if outer is None:
        _LOCAL.memo = {}
    try:
        yield
    finally:
        if outer is None:
            _LOCAL.memo = None


def _key(name: str, x: Tensor) -> tuple:
    # storage, view geometry and version: x.detach() makes a new object for the same data
    # (inference tensors have no version counter; inside a sharing block they are temporaries)
    version = -1 if x.is_inference() else x._version
    return (name, x.data_ptr(), x.dtype, tuple(x.shape), x.stride(), version, x.device)


def shared(name: str, x: Tensor, compute):
    """``compute()``, memoised per (name, tensor) inside a :func:`sharing` block."""
    memo = getattr(_LOCAL, "memo", None)
    if memo is None:
        return compute()
    key = _key(name, x)
    if key not in memo:
        memo[key] = (x, compute())  # holding x keeps its storage (and so the key) unique
    return memo[key][1]


def is_shared(name: str, x: Tensor) -> bool:
    """Whether :func:`shared` already holds ``name`` for ``x``."""
    memo = getattr(_LOCAL, "memo", None)
    return memo is not None and _key(name, x) in memo


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


def graph_cached(edge_index: Tensor, num_nodes: int, name: str, compute):
    """``compute()``, cached with the rest of ``edge_index``'s structure."""
    entry = _entry(edge_index, num_nodes)
    if name not in entry.values:
        entry.values[name] = compute()
    return entry.values[name]


def simple_edges(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """``(src, dst)`` without self-loops and duplicate columns (as ``normalized_adjacency``)."""
    entry = _entry(edge_index, num_nodes)
    if "simple" not in entry.values:
        src, dst = edge_index[0], edge_index[1]
        keep = src != dst
        src, dst = src[keep], dst[keep]
        keys = src * num_nodes + dst
        # PyG graphs are coalesced (sorted by source then target, no duplicates): skip the
        # sort when it is.
        as_given = keys.numel() < 2 or bool((keys[1:] > keys[:-1]).all())
        if not as_given:
            keys = torch.unique(keys)
            src, dst = keys // num_nodes, keys % num_nodes
        entry.values["simple"] = (src, dst)
        entry.values["as_given"] = as_given
    return entry.values["simple"]


def half_edges(edge_index: Tensor, num_nodes: int, as_given: bool) -> tuple[Tensor, Tensor] | None:
    """``(src, dst)`` with ``src < dst`` when the simple edge list is symmetric, else ``None``.

    A sum of a symmetric function over a symmetric simple edge list is twice its sum over
    this half. With ``as_given=True`` the half is only returned when the columns of
    ``edge_index`` themselves are that simple list plus possibly self-loops (no duplicate
    column), so that the half also stands for the columns as given.
    """
    entry = _entry(edge_index, num_nodes)
    src, dst = simple_edges(edge_index, num_nodes)
    if "half" not in entry.values:
        # the simple list is sorted by (src, dst); a stable sort by dst orders its transpose
        # by (dst, src): the list is symmetric iff that equals the list itself
        order = torch.sort(dst, stable=True).indices
        symmetric = torch.equal(dst.index_select(0, order), src) and torch.equal(src.index_select(0, order), dst)
        if symmetric:
            upper = src < dst
            entry.values["half"] = (src[upper], dst[upper])
        else:
            entry.values["half"] = None
    if as_given and not entry.values["as_given"]:
        return None
    return entry.values["half"]


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
