"""Deprecated: validation moved to :mod:`oversmooth.graph` (removed in the next release)."""

from __future__ import annotations

import warnings

from .graph.validate import check_edge_index, check_features, check_labels, check_mask, validate

__all__ = ["validate", "check_edge_index", "check_features", "check_labels", "check_mask"]

warnings.warn("oversmooth.validation is deprecated; use oversmooth.graph (validate, check_*)",
              DeprecationWarning, stacklevel=2)
