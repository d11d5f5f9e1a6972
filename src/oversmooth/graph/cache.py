"""The one cache of structure derived from a graph's ``edge_index``.

Everything computed from an ``edge_index`` alone (simple edge list, degrees, components,
invariant basis, propagation operators) is remembered per tensor: keyed by the tensor's
identity (a weak reference, so a freed tensor whose memory is reused is never mistaken
for it), its in-place version counter and ``num_nodes``. The probe, the metrics and the
models evaluate many layers and epochs on one graph; each structure is built once.

A heterogeneous graph is keyed by the tuple of its edge tensors (one per edge type): its
flattened ``edge_index`` is built once per tuple, and that tensor then keys the rest.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from torch import Tensor

__all__ = ["cached", "clear_cache", "CACHE_SIZE"]

#: Number of distinct graphs whose structure is kept (most recently used first).
CACHE_SIZE = 4


class _Entry:
    __slots__ = ("refs", "versions", "num_nodes", "values")

    def __init__(self, tensors: tuple[Tensor, ...], num_nodes: int) -> None:
        self.refs = tuple(weakref.ref(t) for t in tensors)
        self.versions = tuple(t._version for t in tensors)
        self.num_nodes = num_nodes
        self.values: dict = {}

    def matches(self, tensors: tuple[Tensor, ...], num_nodes: int) -> bool:
        return (self.num_nodes == num_nodes and len(self.refs) == len(tensors)
                and all(r() is t and v == t._version for r, v, t in zip(self.refs, self.versions, tensors)))


_ENTRIES: list[_Entry] = []


def _entry(edge_index, num_nodes: int) -> _Entry:
    tensors = tuple(edge_index) if isinstance(edge_index, tuple) else (edge_index,)
    for i, e in enumerate(_ENTRIES):
        if e.matches(tensors, num_nodes):
            if i:
                _ENTRIES.insert(0, _ENTRIES.pop(i))
            return e
    e = _Entry(tensors, num_nodes)
    _ENTRIES.insert(0, e)
    del _ENTRIES[CACHE_SIZE:]
    return e


def cached(edge_index: Tensor | tuple[Tensor, ...], num_nodes: int, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered with the rest of ``edge_index``'s structure under ``key``.

    ``edge_index`` may be a tuple of tensors (the edge types of a heterogeneous graph): the
    entry is then valid while every one of them is alive and unchanged.
    """
    entry = _entry(edge_index, num_nodes)
    if key not in entry.values:
        entry.values[key] = compute()
    return entry.values[key]


def clear_cache() -> None:
    """Forget every cached structure (tests; freeing memory held for large graphs)."""
    _ENTRIES.clear()
