"""Deprecated: moved to :mod:`oversmooth.literature.published`.

Every name of the old module (``PUBLISHED``, ``SOURCES``, ``ROW_ORDER``, ``DEPTHS``,
``published``, ``canonical_label``) still resolves here, with a ``DeprecationWarning``.
"""

from __future__ import annotations

import warnings

from ..literature import published as _published

__all__ = ["PUBLISHED", "SOURCES", "ROW_ORDER", "published", "canonical_label"]


def __getattr__(name: str):
    if name in __all__ or name == "DEPTHS":
        warnings.warn(f"oversmooth.experiments.published.{name} moved to "
                      f"oversmooth.literature.published.{name}", DeprecationWarning,
                      stacklevel=2)
        return getattr(_published, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
