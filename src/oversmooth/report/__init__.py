"""Show oversmoothing: figures, claims checked against measurements, one HTML page.

>>> from oversmooth.report import build_report
>>> build_report("results.db", "report.html")       # + figures/*.png|svg beside it

:mod:`.plots` has one function per figure (each returns a matplotlib ``Figure``),
:mod:`.build` the page. The claims and their verdict rules live in
:mod:`oversmooth.literature.claims` (``CLAIMS``, ``Claim``, ``Measurements`` and
``evaluate`` are re-exported here as before).
"""

from .build import ReportResult, build_report, read_store
from ..literature.claims import CLAIMS, Claim, Measurements, evaluate
from .measure import backward_table

__all__ = ["build_report", "read_store", "ReportResult", "CLAIMS", "Claim", "Measurements",
           "evaluate", "backward_table"]


def __getattr__(name: str):
    if name in ("Propagation", "pure_propagation"):
        import warnings

        warnings.warn(f"oversmooth.report.{name} moved to oversmooth.spectral.{name}",
                      DeprecationWarning, stacklevel=2)
        # deprecated alias: the only place report/ names spectral propagation
        from .. import spectral

        return getattr(spectral, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
