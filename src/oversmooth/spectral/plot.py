"""Deprecated: the figure moved to :func:`oversmooth.report.plots.propagation_curves`
(every figure of the package is drawn by :mod:`oversmooth.report` in one style)."""

from __future__ import annotations

import warnings
from pathlib import Path

__all__ = ["plot_propagation"]


def plot_propagation(result, path, title: str | None = None) -> Path:
    """Deprecated alias (one release): ``save(propagation_curves(result, title), path)``
    with :func:`oversmooth.report.plots.propagation_curves` and
    :func:`oversmooth.report.style.save`. Returns the path written."""
    warnings.warn("oversmooth.spectral.plot.plot_propagation(result, path) is deprecated; use "
                  "oversmooth.report.style.save(oversmooth.report.plots.propagation_curves("
                  "result), path)", DeprecationWarning, stacklevel=2)
    # The one import of a higher package allowed here: this deprecated alias, removed with it.
    from ..report.plots import propagation_curves
    from ..report.style import save

    return save(propagation_curves(result, title), path)
