import numpy as np
import pandas as pd
import pytest

from oversmooth.experiments.export import export
from oversmooth.literature.published import PUBLISHED
from oversmooth.experiments.store import Store
from oversmooth.experiments.tables import deepest_within, layout, render, summarize
from tests.experiments._records import record

ACCS = {("GCN", 2): [0.80, 0.82, 0.81], ("GCN", 8): [0.60, 0.70, 0.65], ("GCN", 4): [0.79, 0.8, 0.81],
        ("SGC", 2): [0.75, 0.76, 0.77]}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "r.db")
    for (label, depth), accs in ACCS.items():
        for seed, acc in enumerate(accs):
            s.save(record(f"{label}{depth}-{seed}", label=label, depth=depth, seed=seed,
                          test_acc=acc, layers=depth))
    s.save(record("GCN16-0", status="failed", label="GCN", depth=16, error="TrainingDiverged: NaN"))
    s.save(record("SGC8-0", label="SGC", depth=8, test_acc=0.5))
    s.save(record("SGC8-1", status="failed", label="SGC", depth=8, error="OutOfMemoryError"))
    yield s
    s.close()


def test_summary_matches_numpy(store):
    table = summarize(store)
    for (label, depth), accs in ACCS.items():
        row = table[(table["label"] == label) & (table["depth"] == depth)].iloc[0]
        assert row["mean"] == pytest.approx(100 * np.mean(accs))
        assert row["std"] == pytest.approx(100 * np.std(accs))  # ddof=0
        assert row["n"] == 3 and row["failed"] == 0
    assert list(table["label"].unique()) == ["GCN", "SGC"]  # literature order
    gcn16 = table[(table["label"] == "GCN") & (table["depth"] == 16)].iloc[0]
    assert gcn16["n"] == 0 and gcn16["failed"] == 1 and np.isnan(gcn16["mean"])


def test_markdown_shows_failed_published_and_deepest(store):
    text = render(summarize(store), fmt="markdown")
    lines = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    gcn = [c.strip() for c in lines["GCN"].split("|")[1:-1]]
    assert gcn[0] == "GCN"
    assert gcn[1] == f"81.0 ± 0.8 [{PUBLISHED[('cora', 'GCN', 2)]}]"
    assert gcn[4] == "failed [64.9]"          # depth 16: every seed failed, never a number
    assert gcn[5] == "4"                      # 81.0 at 2, 80.0 at 4 (within 1), 65 at 8
    sgc = [c.strip() for c in lines["SGC"].split("|")[1:-1]]
    assert sgc[3] == "50.0 (1 failed) [–]"   # one seed left: no ±; SGC has no published row
    assert sgc[4] == "–"                      # SGC was not run at depth 16


def test_layout_is_what_markdown_prints(store):
    summary = summarize(store)
    ((caption, frame),) = layout(summary)
    assert caption == "cora: test_acc (%), mean ± std over seeds; published in brackets"
    assert list(frame.columns) == ["model", "2", "4", "8", "16", "deepest within 1 pt"]
    assert frame["model"].tolist() == ["GCN", "SGC"]
    assert frame.iloc[0, 4] == "failed [64.9]" and frame.iloc[1, 3] == "50.0 (1 failed) [–]"
    text = render(summary, fmt="markdown")
    for row in frame.values.tolist():
        assert "| " + " | ".join(row) + " |" in text.splitlines()
    ((_, rate),) = layout(summarize(store, "dirichlet"), "dirichlet")
    assert "deepest within 1 pt" not in rate.columns and "[" not in rate.iloc[0, 1]


def test_deepest_within():
    cells = pd.DataFrame({"depth": [2, 4, 8, 16], "mean": [80.0, 81.0, 80.1, 60.0]})
    assert deepest_within(cells) == 8
    assert deepest_within(cells, points=0.5) == 4
    assert deepest_within(pd.DataFrame({"depth": [2], "mean": [np.nan]})) is None


def test_layer_metric_is_read_at_the_deepest_layer(store):
    table = summarize(store, "dirichlet")
    row = table[(table["label"] == "GCN") & (table["depth"] == 8)].iloc[0]
    assert row["mean"] == pytest.approx(1 / 8) and row["published"] is None
    assert "deepest" not in render(table, "dirichlet")
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        summarize(store, "nope")


def test_latex_and_csv(store):
    latex = render(summarize(store), fmt="latex")
    assert "\\begin{tabular}" in latex and "$\\pm$" in latex and "failed" in latex
    csv = render(summarize(store), fmt="csv")
    frame = pd.read_csv(__import__("io").StringIO(csv))
    assert {"dataset", "label", "depth", "mean", "std", "n", "failed", "published"} <= set(frame)
    with pytest.raises(ValueError, match="unknown format"):
        render(summarize(store), fmt="html")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trip(store, tmp_path, fmt):
    pytest.importorskip("pyarrow") if fmt == "parquet" else None
    paths = export(store, tmp_path / "out", fmt)
    assert [p.name for p in paths] == [f"{t}.{fmt}" for t in
                                       ("runs", "layer_metrics", "layer_history", "history")]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    runs = read(paths[0])
    assert len(runs) == store.count() and set(runs["status"]) == {"done", "failed"}
    assert len(read(paths[1])) == store.count("layer_metrics")


def test_parquet_without_pyarrow_says_what_to_install(store, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'oversmooth\[parquet\]'"):
        export(store, tmp_path / "out", "parquet")


def test_labels_are_escaped_in_markdown_and_latex(tmp_path):
    label = "GCN|x_1 & 50% {a}\\b"
    with Store(tmp_path / "r.db") as s:
        s.save(record("k1", label=label, depth=2))
        s.save(record("k2", label="plain", depth=2))
        summary = summarize(s)
    md = render(summary, fmt="markdown")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    cells = [len(line.replace("\\|", "").split("|")) for line in rows]
    assert len(set(cells)) == 1  # the | in the label does not add a column
    assert "GCN\\|x_1 & 50% {a}\\\\b" in md
    tex = render(summary, fmt="latex")
    assert r"GCN|x\_1 \& 50\% \{a\}\textbackslash{}b" in tex
