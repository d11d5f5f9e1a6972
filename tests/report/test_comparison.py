"""The over-smoothing vs over-squashing section: the comparison's numbers, a figure and a
reading of them, rendered without measuring anything."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from oversmooth.experiments import Store, report_inputs
from oversmooth.report import build_report
from oversmooth.report.comparison import reading
from tests.report._stores import make_record


def frame(**changes) -> pd.DataFrame:
    rows = {"none": dict(num_nodes=40, num_edges=60, smoothing_rate=0.95, smoothing_gap=0.05, spectral_gap=0.07,
                         min_curvature=-1.5, total_resistance=2000.0, total_resistance_stderr=0.0),
            "sdrf": dict(num_nodes=40, num_edges=60, smoothing_rate=0.95, smoothing_gap=0.05, spectral_gap=0.08,
                         min_curvature=-1.2, total_resistance=1900.0, total_resistance_stderr=0.0),
            "fosr": dict(num_nodes=40, num_edges=70, smoothing_rate=0.9, smoothing_gap=0.1, spectral_gap=0.12,
                         min_curvature=-1.5, total_resistance=1500.0, total_resistance_stderr=0.0)}
    for key, value in changes.items():
        name, column = key.split("__")
        rows[name][column] = value
    return pd.DataFrame.from_dict(rows, orient="index")


def section(page: str) -> str:
    return page[page.index('<section id="squashing">'):page.index('<section id="claims">')]


@pytest.fixture
def small_store(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save(make_record("k", dataset="karate", depth=2))
    return path


def test_reading_says_what_each_rewiring_did_to_both():
    text = reading("toy", frame())
    assert "rate λ = 0.95" in text and "-1.5" in text and "2000" in text
    assert "SDRF (net +0 edges) left the smoothing gap unchanged and lowered total resistance by 5 %" in text
    assert "FoSR (net +10 edges) raised the smoothing gap by 100 % to 0.1 (faster over-smoothing)" in text
    assert "relieving over-squashing (FoSR) sped up over-smoothing" in text
    assert "SDRF relieved over-squashing without speeding up over-smoothing" in text
    # a sketch's error hides a small change; nothing lowered resistance: said so
    noisy = reading("toy", frame(none__total_resistance_stderr=0.18, sdrf__total_resistance_stderr=0.18,
                                 fosr__total_resistance_stderr=0.18))
    assert "within its sketch's error" in noisy and "No rewiring lowered the total resistance" in noisy
    # a graph without edges: no curvature to print, no NaN in the text
    empty = reading("dot", frame(none__num_nodes=1, none__num_edges=0, none__min_curvature=float("nan")))
    assert "On dot (1 node, 0 edges)" in empty and "no edge to be a bottleneck" in empty
    assert "nan" not in empty.lower()


def test_given_comparison_is_rendered_as_it_is(tmp_path, monkeypatch, small_store):
    import oversmooth.oversquashing

    def forbidden(*args, **kwargs):
        raise AssertionError("the report computed a measurement")

    monkeypatch.setattr(oversmooth.oversquashing, "compare", forbidden)
    inputs = report_inputs(small_store, spectral=False, comparison={"toy": frame()})
    result = build_report(inputs, tmp_path / "report.html")
    part = section(result.html.read_text())
    assert "<h3>toy</h3>" in part and part.count("data:image/png;base64,") == 1
    cells = re.findall(r"<td[^>]*>(.*?)</td>", part)
    assert cells[:9] == ["no rewiring", "40", "60", "0.95", "0.05", "0.07", "-1.5", "2000", "0"]
    assert ["FoSR", "40", "70", "0.9", "0.1", "0.12", "-1.5", "1500", "0"] == cells[18:27]
    assert "figures" in str(result.figures[0].parent)
    assert {p.name for p in result.figures} >= {"squashing_toy.png", "squashing_toy.svg"}


def test_measured_on_the_stores_graph(tmp_path, small_store):
    inputs = report_inputs(small_store, spectral=False, compare=True)
    (name, table), = inputs.comparison.items()
    assert name == "karate" and list(table.index) == ["none", "sdrf", "fosr"]
    assert table["num_nodes"].tolist() == [34, 34, 34] and (table["total_resistance_stderr"] == 0).all()
    part = section(build_report(inputs, tmp_path / "report.html").html.read_text())
    for column in ("smoothing_rate", "smoothing_gap", "min_curvature", "total_resistance"):
        for value in table[column]:
            assert f'<td class="num">{value:.4g}</td>' in part
    assert "sped up over-smoothing" in part  # both rewirings widen karate's bottleneck


def test_missing_and_unavailable_comparisons_say_why(tmp_path, small_store, monkeypatch):
    result = build_report(report_inputs(small_store, spectral=False), tmp_path / "a" / "report.html")
    assert "no rewiring comparison measured" in section(result.html.read_text())
    assert "over-smoothing vs over-squashing: not measured" in result.missing
    from oversmooth.experiments import measurements

    monkeypatch.setattr(measurements, "COMPARISON_MAX_NODES", 10)
    inputs = report_inputs(small_store, spectral=False, compare=True)
    assert inputs.comparison == {} and "34 nodes" in inputs.comparison_unavailable["karate"]
    result = build_report(inputs, tmp_path / "b" / "report.html")
    assert "karate was not compared: its largest component has 34 nodes" in section(result.html.read_text())
