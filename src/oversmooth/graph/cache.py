"""The one cache of structure derived from a graph's ``edge_index``.

Everything computed from an ``edge_index`` alone (simple edge list, degrees, components,
invariant basis, propagation operators) is remembered per tensor: keyed by the tensor's
identity (a weak reference, so a freed tensor whose memory is reused is never mistaken
for it), its in-place version counter and ``num_nodes``. The probe, the metrics and the
models evaluate many layers and epochs on one graph; each structure is built once.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from torch import Tensor

__all__ = ["cached", "clear_cache", "CACHE_SIZE"]

#: Number of distinct graphs whose structure is kept (most recently used first).
CACHE_SIZE = 4


class _Entry:
    __slots__ = ("ref", "version", "num_nodes", "values")

    def __init__(self, edge_index: Tensor, num_nodes: int) -> None:
        self.ref = weakref.ref(edge_index)
        self.version = edge_index._version
        self.num_nodes = num_nodes
        self.values: dict = {}


_ENTRIES: list[_Entry] = []


def _entry(edge_index: Tensor, num_nodes: int) -> _Entry:
    for i, e in enumerate(_ENTRIES):
        if e.ref() is edge_index and e.version == edge_index._version and e.num_nodes == num_nodes:
            if i:
                _ENTRIES.insert(0, _ENTRIES.pop(i))
            return e
    e = _Entry(edge_index, num_nodes)
    _ENTRIES.insert(0, e)
    del _ENTRIES[CACHE_SIZE:]
    return e


def cached(edge_index: Tensor, num_nodes: int, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered with the rest of ``edge_index``'s structure under ``key``."""
    entry = _entry(edge_index, num_nodes)
    if key not in entry.values:
        entry.values[key] = compute()
    return entry.values[key]


def clear_cache() -> None:
    """Forget every cached structure (tests; freeing memory held for large graphs)."""
    _ENTRIES.clear()
