"""The claims section: each claim with its verdict and, where its measurements are in the
store, the figure of what it was judged on; not-overfitting reads the store's history."""

from __future__ import annotations

import re

import pytest

from oversmooth.experiments import report_inputs
from oversmooth.report import build_report
from oversmooth.report.verdicts import FIGURES
from tests.report._stores import claims_store

DRAWN = ["acc-table", "acc-peak", "spectrum-range", "rank-one", "receptive-field", "cosine-0.5",
         "skip-not-solve", "oversquashing"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    result = build_report(report_inputs(claims_store(folder / "c.db"), spectral=False), folder / "report.html")
    return result, result.html.read_text()


def test_each_measured_claim_has_its_figure_in_the_claims_section(report):
    result, page = report
    assert set(DRAWN) <= set(FIGURES)
    drawn = sorted(p.stem.removeprefix("claim_") for p in result.figures
                   if p.suffix == ".png" and p.stem.startswith("claim_"))
    # pairnorm-capacity: no GCN+PairNorm run in the store, so nothing to draw
    assert drawn == sorted(DRAWN)
    claims = page[page.index('<section id="claims">'):page.index('<section id="tables">')]
    assert claims.count("data:image/png;base64,") == len(DRAWN)
    for cid in DRAWN:
        assert f"<figcaption>{cid} (" in claims
    # a figure follows the table of its group: the first of "The mathematics" after its heading
    assert claims.index("<h3>The mathematics</h3>") < claims.index("<figcaption>spectrum-range (")


def test_verdicts_come_from_the_stored_facts_and_history(report):
    result, page = report
    verdicts = {c.id: c.verdict for c in result.claims}
    assert verdicts["not-overfitting"] == "confirmed"   # the history's val_loss is read
    assert verdicts["spectrum-range"] == "partly"       # the stored spectrum: -0.48 < 0
    assert verdicts["oversquashing"] == "partly"        # not depth: the clique path moves 30 points
    assert verdicts["skip-not-solve"] == "partly"       # helps, but not smoothed (0.55 -> 0.65)
    assert "not-overfitting" in re.sub(r"\s+", " ", page)
