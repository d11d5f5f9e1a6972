"""Show oversmoothing: figures, claims checked against measurements, one HTML page.

Usage: ``build_report("results.db", "report.html")`` writes the page and its figures
(``figures/*.png|svg``) beside it.

:mod:`.plots` has one function per figure (each returns a matplotlib ``Figure``),
:mod:`.build` the page. The claims and their verdict rules live in
:mod:`oversmooth.literature.claims` (``CLAIMS``, ``Claim``, ``Measurements`` and
``evaluate`` are re-exported here as before).
"""

from .build import ReportResult, build_report, read_store
from ..literature.claims import CLAIMS, Claim, Measurements, evaluate
from .measure import Propagation, backward_table, pure_propagation

__all__ = ["build_report", "read_store", "ReportResult", "CLAIMS", "Claim", "Measurements",
           "evaluate", "Propagation", "pure_propagation", "backward_table"]
