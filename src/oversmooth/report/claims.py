"""Deprecated: moved to :mod:`oversmooth.literature.claims`.

Every public name of the old module still resolves here, with a ``DeprecationWarning``
(``CLAIMS``, ``Claim``, ``Measurements`` and ``evaluate`` are also re-exported, without a
warning, by :mod:`oversmooth.report`).
"""

from __future__ import annotations

import warnings

from ..literature import claims as _claims

__all__ = list(_claims.__all__)


def __getattr__(name: str):
    if name in __all__ or name == "PRACTICAL_POINTS":
        warnings.warn(f"oversmooth.report.claims.{name} moved to "
                      f"oversmooth.literature.claims.{name}", DeprecationWarning, stacklevel=2)
        return getattr(_claims, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
