"""build_report and the CLI on empty, partial, full and old-schema stores."""

from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pytest

from oversmooth.experiments import Store, StoreVersionError, report_inputs
from oversmooth.report import build_report, plots
from oversmooth.report.html import SECTIONS
from tests.report._stores import make_record, ten_model_store


@pytest.fixture(scope="module")
def ten(tmp_path_factory) -> str:
    return ten_model_store(tmp_path_factory.mktemp("ten") / "ten.db")


def sections_of(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z]+)"><h2>', page)


def old_store(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    conn.commit()
    conn.close()
    return path


def test_empty_store_says_what_is_missing(tmp_path):
    Store(tmp_path / "empty.db").close()
    result = build_report(report_inputs(tmp_path / "empty.db", spectral=False),
                          tmp_path / "out" / "report.html")
    page = result.html.read_text()
    assert sections_of(page) == [s for s, _ in SECTIONS]
    assert "the store holds no runs" in page
    assert page.count('class="missing"') >= 6
    assert "oversmooth sweep --store" in page  # says how to produce the data
    assert result.figures == []
    assert {c.verdict for c in result.claims} == {"not measured"}


def test_partial_store_runs_without_layer_metrics(tmp_path):
    with Store(tmp_path / "p.db") as store:
        for depth, acc in ((2, 0.8), (8, 0.4)):
            store.save(make_record(f"r{depth}", depth=depth, test_acc=acc, metrics=False))
        store.save(make_record("f", depth=16, status="failed"))
    result = build_report(report_inputs(tmp_path / "p.db", spectral=False),
                          tmp_path / "report.html")
    page = result.html.read_text()
    assert [p.name for p in result.figures] == [f"{n}.{f}" for n in ("accuracy_vs_depth", "claim_acc-table",
                                                                     "claim_acc-peak") for f in ("png", "svg")]
    assert "the store holds no per-layer metrics" in page
    assert any("per-layer metrics on cora" in m for m in result.missing)
    assert "RuntimeError: boom" in page  # the failed run's error is in its settings
    assert "failed" in page


def test_full_store_report(tmp_path):
    path = ten_model_store(tmp_path / "ten.db")
    with Store(path) as store:  # backward metrics stored by a sweep are shown
        store.save(make_record("g", dataset="cora", label="GCN", depth=128, test_acc=0.2,
                               grads=True))
    result = build_report(report_inputs(path, spectral=False), tmp_path / "r" / "report.html")
    names = sorted(p.name for p in result.figures)
    # the claims of plain GCN's accuracy and of the cosine similarity get their figures
    assert names == sorted(f"{n}.{f}" for n in ("accuracy_vs_depth", "layers_cora", "backward_cora",
                                                  "claim_acc-table", "claim_acc-peak", "claim_cosine-0.5")
                           for f in ("png", "svg"))
    assert all(p.parent == tmp_path / "r" / "figures" for p in result.figures)
    page = result.html.read_text()
    assert page.count("data:image/png;base64,") == 6
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing outside the page
    assert "81.1 [81.1]" not in page and "[81.1]" in page  # published numbers in the table
    assert "GCNII*" in page and "mean_cosine_similarity" in page
    assert not list(tmp_path.joinpath("r").glob(".oversmooth-report-*"))


def test_failure_leaves_nothing_half_written(tmp_path, monkeypatch, ten):
    path = ten

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(plots, "layer_metrics", broken)
    out = tmp_path / "out"
    inputs = report_inputs(path, spectral=False)
    with pytest.raises(RuntimeError, match="plotting failed"):
        build_report(inputs, out / "report.html")
    assert list(out.iterdir()) == []


def test_old_schema_and_missing_store(tmp_path):
    with pytest.raises(StoreVersionError, match="schema version 0"):
        report_inputs(old_store(tmp_path / "old.db"))
    with pytest.raises(FileNotFoundError, match="oversmooth demo"):
        report_inputs(tmp_path / "nope.db")
    Store(tmp_path / "e.db").close()
    with pytest.raises(ValueError, match="must be an .html file"):
        build_report(report_inputs(tmp_path / "e.db", spectral=False), tmp_path / "r.pdf")


def test_cli_report_and_errors(tmp_path, run_cli, ten):
    path = ten
    out = tmp_path / "report.html"
    code, stdout, _ = run_cli("report", path, "-o", str(out), "--no-spectral")
    assert code == 0 and stdout.strip().endswith(str(out)) and out.is_file()
    code, _, err = run_cli("report", str(old_store(tmp_path / "old.db")))
    assert code == 2 and "schema version 0" in err and "Traceback" not in err
    code, _, err = run_cli("report", str(tmp_path / "missing.db"))
    assert code == 2 and "not found" in err
    code, _, err = run_cli("report", path, "-d", "citeseer", "-o", str(out))
    assert code == 2 and "not in the store" in err


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_cli_plot_accuracy_formats(tmp_path, run_cli, fmt, ten):
    path = ten
    target = tmp_path / f"acc.{fmt}"
    code, stdout, err = run_cli("plot", "accuracy", path, "-f", fmt, "-o", str(target))
    assert code == 0, err
    head = target.read_bytes()[:5]
    assert {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF-"}[fmt] in head


def test_cli_plot_layers_spectrum_backward(tmp_path, run_cli, ten):
    path = ten
    code, _, err = run_cli("plot", "layers", path, "-o", str(tmp_path / "l.svg"), "-f", "svg",
                           "--metrics", "dirichlet_energy,mad")
    assert code == 0, err
    code, _, err = run_cli("plot", "spectrum", "ring", "-p", "num_nodes=30", "--steps", "8",
                           "-o", str(tmp_path / "s.png"))
    assert code == 0, err and (tmp_path / "s.png").stat().st_size > 1000
    code, _, err = run_cli("plot", "backward", "csbm", "-p", "num_nodes=100", "--model", "gcn",
                           "--depth", "4", "-o", str(tmp_path / "b.png"))
    assert code == 0, err and (tmp_path / "b.png").stat().st_size > 1000
    code, _, err = run_cli("plot", "accuracy", path, "-f", "gif")
    assert code == 2 and "unknown format" in err


def given_measurements(path):
    """Pure propagation and backward rows made up here: the report must render them as
    they are, measuring nothing itself."""
    from oversmooth.spectral import Propagation

    steps = pd.Series(range(0, 41))
    props = {"cora": Propagation("cora", pd.DataFrame({"step": steps, "measured": 0.9 ** steps,
                                                        "predicted": 0.91 ** steps}), 0.91, "n1"),
             "complete (200 nodes)": Propagation(
                 "complete (200 nodes)", pd.DataFrame({"step": steps, "measured": [1.0] + [0.0] * 40,
                                                       "predicted": [1.0] + [0.0] * 40}), 0.0, "n2")}
    back = pd.DataFrame([("cora", "GCN (L=4, at init)", k, "grad_norm", 10.0 ** -k)
                         for k in range(1, 5)], columns=["dataset", "series", "layer", "metric",
                                                         "value"])
    return report_inputs(path, propagation=props, backward_rows=back)


def test_report_renders_given_measurements_without_computing(tmp_path, monkeypatch, ten):
    import oversmooth.datasets
    import oversmooth.spectral

    def forbidden(*args, **kwargs):
        raise AssertionError("the report computed a measurement")

    inputs = given_measurements(ten)
    for module, name in ((oversmooth.datasets, "load"), (oversmooth.spectral, "propagate"),
                         (oversmooth.spectral, "analyze"),
                         (oversmooth.spectral, "pure_propagation")):
        monkeypatch.setattr(module, name, forbidden)
    result = build_report(inputs, tmp_path / "report.html")
    page = result.html.read_text()
    assert sections_of(page) == [s for s, _ in SECTIONS]  # the same sections as before
    assert sorted(p.stem for p in result.figures if p.suffix == ".png") == [
        "accuracy_vs_depth", "backward_cora", "claim_acc-peak", "claim_acc-table", "claim_cosine-0.5",
        "layers_cora", "spectral_vs_measured"]
    assert page.count("data:image/png;base64,") == 7
    spectral = page[page.index('<section id="spectral">'):page.index('<section id="backward">')]
    assert "<td>cora</td>" in spectral and "<td>complete (200 nodes)</td>" in spectral
    assert '<td class="num">0.91</td>' in spectral and "<td>n1</td>" in spectral
    verdicts = {c.id: c.verdict for c in result.claims}
    assert verdicts["complete-vs-cora"] != "not measured"  # the claims read the given curves
    assert not result.missing or all("spectral" not in m for m in result.missing)


def test_labels_render_as_one_escaped_cell(tmp_path):
    label = "GCN | <b>bold</b> & co"
    with Store(tmp_path / "s.db") as store:
        for depth in (2, 4):
            store.save(make_record(f"r{depth}", label=label, depth=depth, metrics=False))
    result = build_report(report_inputs(tmp_path / "s.db", spectral=False),
                          tmp_path / "report.html")
    page = result.html.read_text()
    assert "<b>bold</b>" not in page
    tables = page[page.index('<section id="tables">'):page.index('<section id="settings">')]
    rows = re.findall(r"<tr>(.*?)</tr>", tables)
    header = re.findall(r"<th>(.*?)</th>", rows[0])
    assert header == ["model", "2", "4", "deepest within 1 pt"]
    (row,) = rows[1:]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert len(cells) == len(header)  # the "|" splits nothing
    assert cells[0] == "GCN | &lt;b&gt;bold&lt;/b&gt; &amp; co"


def test_deprecated_store_path_form(tmp_path, ten):
    with pytest.warns(DeprecationWarning, match="report_inputs"):
        result = build_report(ten, tmp_path / "old" / "report.html", spectral=False)
    assert sections_of(result.html.read_text()) == [s for s, _ in SECTIONS]
    assert any("not measured" in m for m in result.missing)
    with pytest.raises(TypeError, match="spectral"):
        build_report(report_inputs(ten, spectral=False), tmp_path / "r.html", spectral=False)


def test_heterogeneous_vs_flattened_section_shows_the_stored_numbers(tmp_path):
    from tests.experiments.test_hetero_vs_flat import typed_store

    result = build_report(report_inputs(typed_store(tmp_path / "typed.db"), spectral=False),
                          tmp_path / "out" / "report.html")
    page = result.html.read_text()
    assert sections_of(page)[:3] == ["overview", "accuracy", "heterogeneous"]
    part = page[page.index('<section id="heterogeneous">'):]
    part = part[:part.index("</section>")]
    assert "Heterogeneous vs flattened" in part and "bank vs bank-flat" in part
    for stored in ("90.0", "80.0", "0.4", "0.8"):  # accuracies (%) and the customers' cosine
        assert f">{stored}<" in part, stored
    assert "GCN (flat)" in part and "hetero-GCN" in part
    assert 'class="badge confirmed"' in part and "customer cosine 0.40 vs 0.80" in part
    assert {"hetero_accuracy_bank_vs_bank-flat.png", "hetero_layers_bank_vs_bank-flat.png"} <= \
        {p.name for p in result.figures}
    ten = build_report(report_inputs(ten_model_store(tmp_path / "ten.db"), spectral=False), tmp_path / "t.html")
    assert "heterogeneous" not in sections_of(ten.html.read_text())  # only with a graph and its flattened form
