"""Deprecated: the figure moved to :func:`oversmooth.report.plots.backward_diagnosis`
(every figure of the package is drawn by :mod:`oversmooth.report` in one style)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

__all__ = ["plot"]


def plot(results: dict, path: str | os.PathLike, title: str | None = None) -> Path:
    """Deprecated alias (one release): ``save(backward_diagnosis(results, title), path)``
    with :func:`oversmooth.report.plots.backward_diagnosis` and
    :func:`oversmooth.report.style.save`. Returns the path written."""
    warnings.warn("oversmooth.backward.plot(results, path) is deprecated; use "
                  "oversmooth.report.style.save(oversmooth.report.plots.backward_diagnosis("
                  "results), path)", DeprecationWarning, stacklevel=2)
    # The one import of a higher package allowed here: this deprecated alias, removed with it.
    from ..report.plots import backward_diagnosis
    from ..report.style import save

    return save(backward_diagnosis(results, title), path)
