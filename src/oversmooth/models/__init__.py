"""Deep GNN model zoo (see :func:`build`)."""

from .base import LayerTaps, TapHandle

__all__ = ["LayerTaps", "TapHandle"]
