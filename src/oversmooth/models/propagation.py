"""Deprecated: the operators moved to :mod:`oversmooth.graph` (removed in the next release)."""

from __future__ import annotations

import warnings

from ..graph.operators import normalized_adjacency

__all__ = ["normalized_adjacency"]

warnings.warn("oversmooth.models.propagation is deprecated; use oversmooth.graph.normalized_adjacency "
              "and oversmooth.graph.graph_operator", DeprecationWarning, stacklevel=2)
