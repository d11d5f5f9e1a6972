"""Show oversmoothing: figures, claims checked against measurements, one HTML page.

Usage: ``build_report(report_inputs("results.db"), "report.html")`` (``report_inputs`` from
:mod:`oversmooth.experiments`) writes the page and its figures (``figures/*.png|svg``) beside it.

The report renders only: it receives measurements (the store's tables, pure propagation,
backward diagnostics: :class:`oversmooth.experiments.ReportInputs`) and turns them into
figures and HTML; it loads no dataset and trains nothing.

:mod:`.plots` has one function per figure of the package (each returns a matplotlib
``Figure``), all in the one style of :mod:`.style`; :mod:`.build` assembles the page from
:mod:`.sections` and :mod:`.tables` (HTML helpers in :mod:`.html`, files in
:mod:`.output`). The claims and their verdict rules live in
:mod:`oversmooth.literature.claims` (``CLAIMS``, ``Claim``, ``Measurements`` and
``evaluate`` are re-exported here as before).
"""

import warnings as _warnings

from .build import ReportResult, build_report
from ..literature.claims import CLAIMS, Claim, Measurements, evaluate

__all__ = ["build_report", "ReportResult", "CLAIMS", "Claim", "Measurements", "evaluate"]

#: Deprecated aliases (one release): name -> where it lives now.
_MOVED = {"read_store": "oversmooth.experiments", "Propagation": "oversmooth.spectral",
          "pure_propagation": "oversmooth.spectral", "backward_table": "oversmooth.backward"}


def __getattr__(name: str):
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name == "backward_table":  # renamed signal_table there; the call warns
        from .._deprecation import moved
        from ..backward import signal_table

        return moved(signal_table, "oversmooth.report.backward_table", "oversmooth.backward.signal_table")
    _warnings.warn(f"oversmooth.report.{name} moved to {_MOVED[name]}.{name}",
                   DeprecationWarning, stacklevel=2)
    if name == "read_store":
        from ..experiments import read_store

        return read_store
    # deprecated alias: the only place report/ names spectral propagation
    from .. import spectral

    return getattr(spectral, name)
