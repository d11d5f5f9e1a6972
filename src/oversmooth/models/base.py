"""The one interface every zoo model shares for exposing per-layer representations.

A zoo model calls ``self.emit(k, h)`` right after its ``k``-th propagation layer
(``k = 1 .. depth``; ``k = 0`` may be emitted for the representation entering the
first propagation layer), passing the layer's output *before* activation, dropout and
normalisation. A heterogeneous model (:class:`~oversmooth.models.hetero.HeteroGNN`) emits
a dict ``{node type: tensor}`` per layer. Emitting costs one empty-list check when nothing
listens; listeners (the probe) get the live tensor, so they can attach gradient hooks to it.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

Tap = Callable[[int, Tensor], None]


class TapHandle:
    """Returned by :meth:`LayerTaps.add_tap`; ``remove()`` detaches the listener."""

    def __init__(self, taps: list[Tap], tap: Tap) -> None:
        self._taps, self._tap = taps, tap

    def remove(self) -> None:
        if self._tap in self._taps:
            self._taps.remove(self._tap)


class LayerTaps(torch.nn.Module):
    """Base class of the zoo: ``emit`` per-layer outputs to any registered listener."""

    def __init__(self) -> None:
        super().__init__()
        self._taps: list[Tap] = []

    def add_tap(self, tap: Tap) -> TapHandle:
        """Call ``tap(layer_index, tensor)`` for every emitted layer output until removed."""
        self._taps.append(tap)
        return TapHandle(self._taps, tap)

    def emit(self, layer: int, h: Tensor) -> Tensor:
        for tap in self._taps:
            tap(layer, h)
        return h
