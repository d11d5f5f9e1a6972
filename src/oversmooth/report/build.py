"""``build_report``: measurements -> one HTML page + figures.

The measurements come from :func:`oversmooth.experiments.report_inputs` (a store's tables,
pure propagation, backward diagnostics, the rewiring comparison); this module only renders them. The page is
self-contained (see :mod:`.html`); the figures are also written as PNG and SVG into
``figures/`` beside it, for papers. Everything is written into a temporary folder next
to the output first and moved into place at the end (:mod:`.output`), so a failure
leaves nothing half-written (files of an earlier report stay as they were).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from . import html as H
from . import comparison, sections, tables, verdicts
from ..experiments import measurements as _measurements
from ..experiments.measurements import ReportInputs, report_inputs
from .output import Figures, check_output, publish

__all__ = ["build_report", "ReportResult"]


@dataclass
class ReportResult:
    html: Path
    figures: list[Path] = field(default_factory=list)
    claims: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def build_report(inputs: ReportInputs | str | os.PathLike, output: str | os.PathLike, *,
                 formats: Sequence[str] = ("png", "svg"), title: str = "oversmooth report",
                 notes: Mapping[str, str] | None = None, datasets: Sequence[str] | None = None,
                 propagation: Mapping | None = None, backward_rows: pd.DataFrame | None = None,
                 spectral: bool | None = None, spectral_steps: int | None = None
                 ) -> ReportResult:
    """Render ``inputs`` to ``output`` (an ``.html`` file) and its figures to ``figures/``
    beside it.

    Args:
        inputs: what to show, from :func:`oversmooth.experiments.report_inputs`: the
            store's tables, pure propagation, backward diagnostics.
        output: the HTML file to write (its folder must exist or is created).
        formats: file formats of the figures written beside the HTML.
        title: page title.
        notes: extra lines for the overview table (e.g. the demo's settings).
        datasets, propagation, backward_rows, spectral, spectral_steps: deprecated (one
            release), with a store path as ``inputs``: handed to ``report_inputs`` as
            before (``spectral`` true and ``spectral_steps`` 64 by default).

    Returns:
        a :class:`ReportResult` (paths, the claims with verdicts, what is missing).

    Raises:
        ValueError: ``output`` is not an ``.html`` file.
        TypeError: a deprecated keyword beside a :class:`ReportInputs`.
    """
    legacy = {"datasets": datasets, "propagation": propagation, "backward_rows": backward_rows,
              "spectral": spectral, "spectral_steps": spectral_steps}
    given = sorted(k for k, v in legacy.items() if v is not None)
    if isinstance(inputs, ReportInputs):
        if given:
            raise TypeError(f"build_report(ReportInputs, ...) takes no {', '.join(given)}: "
                            "pass them to oversmooth.experiments.report_inputs")
    else:
        warnings.warn("build_report(store_path, ...) is deprecated; use build_report("
                      "oversmooth.experiments.report_inputs(store_path, ...), output)",
                      DeprecationWarning, stacklevel=2)
        inputs = report_inputs(inputs, datasets, propagation=propagation,
                               backward_rows=backward_rows,
                               spectral=True if spectral is None else spectral,
                               steps=64 if spectral_steps is None else spectral_steps)
    output = Path(output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"output {output} must be an .html file")
    output = check_output(output)  # before any rendering: a bad path costs nothing

    figs = Figures(formats)
    missing: list[str] = []
    body = [sections.accuracy(inputs, figs, missing)]
    tuned = sections.tuned(inputs, figs, missing)  # only for a store with trials
    hetero = sections.heterogeneous(inputs, figs, missing)  # only with a graph and its flattened form
    body += [s for s in (tuned, hetero) if s] + [sections.layers(inputs, figs, missing),
            sections.spectral(inputs, figs, missing), sections.backward(inputs, figs, missing),
            comparison.comparison(inputs, figs, missing)]
    claims_section, claims = verdicts.claims(inputs, figs)
    body += [claims_section, tables.tables(inputs), tables.settings(inputs)]
    overview = sections.overview(inputs, claims, missing, notes or {})
    page = H.render(title, [overview, *body], subtitle=f"Generated from {inputs.contents.path}")
    written = publish(page, output, figs)  # figures first, the page last, each file whole
    return ReportResult(output, written, claims, missing)


def __getattr__(name: str):
    # deprecated aliases (one release) of the names moved to oversmooth.experiments
    if name in ("read_store", "StoreContents", "spectral_graphs"):
        warnings.warn(f"oversmooth.report.build.{name} moved to "
                      f"oversmooth.experiments.measurements.{name}", DeprecationWarning,
                      stacklevel=2)
        return getattr(_measurements, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
