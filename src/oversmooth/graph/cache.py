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


def _no_tensor():
    return None


class _Entry:
    __slots__ = ("ref", "version", "rest", "is_tuple", "num_nodes", "values")

    def __init__(self, key, num_nodes: int) -> None:
        self.is_tuple = isinstance(key, tuple)
        first = (key[0] if key else None) if self.is_tuple else key
        self.ref = weakref.ref(first) if first is not None else _no_tensor
        self.version = first._version if first is not None else 0
        # the further edge tensors of a heterogeneous graph, checked only once the first matches
        self.rest = tuple((weakref.ref(t), t._version) for t in key[1:]) if self.is_tuple else ()
        self.num_nodes = num_nodes
        self.values: dict = {}

    def matches_rest(self, key: tuple) -> bool:
        return len(key) == len(self.rest) + (1 if key else 0) and all(
            ref() is t and version == t._version for (ref, version), t in zip(self.rest, key[1:]))


_ENTRIES: list[_Entry] = []


def _entry(edge_index, num_nodes: int) -> _Entry:
    is_tuple = isinstance(edge_index, tuple)
    first = (edge_index[0] if edge_index else None) if is_tuple else edge_index
    version = first._version if first is not None else 0
    for i, e in enumerate(_ENTRIES):
        if (e.ref() is first and e.version == version and e.num_nodes == num_nodes
                and e.is_tuple == is_tuple and (not is_tuple or e.matches_rest(edge_index))):
            if i:
                _ENTRIES.insert(0, _ENTRIES.pop(i))
            return e
    e = _Entry(edge_index, num_nodes)
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
