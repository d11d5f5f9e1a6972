"""Deprecated: the report's measurements moved out of report/ (which renders only).

``backward_table`` is :func:`oversmooth.backward.signal_table`; ``Propagation`` and
``pure_propagation`` live in :mod:`oversmooth.spectral`. These names resolve here, with a
``DeprecationWarning``, for one release.
"""

from __future__ import annotations

import warnings

_MOVED = {"Propagation": "oversmooth.spectral.Propagation",
          "pure_propagation": "oversmooth.spectral.pure_propagation",
          "backward_table": "oversmooth.backward.signal_table"}


def __getattr__(name: str):
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"oversmooth.report.measure.{name} moved to {_MOVED[name]}", DeprecationWarning, stacklevel=2)
    # deprecated aliases (one release): the only place report/ names what computes
    if name == "backward_table":
        from ..backward import signal_table

        return signal_table
    from .. import spectral

    return getattr(spectral, name)
