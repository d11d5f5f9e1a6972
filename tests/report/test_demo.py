"""The demo in its quick mode: every stage runs and the report comes out complete."""

from __future__ import annotations

import re

from oversmooth.experiments import Store
from oversmooth.report.html import SECTIONS


def test_quick_demo(tmp_path, run_cli):
    out = tmp_path / "demo"
    code, stdout, err = run_cli("demo", "--quick", "-o", str(out))
    assert code == 0, err
    report = out / "report.html"
    assert stdout.strip().splitlines()[-1] == str(report)  # the path comes last
    page = report.read_text()
    assert re.findall(r'<section id="([a-z]+)">', page) == [s for s, _ in SECTIONS]
    # accuracy, layers, spectral, backward, squashing, and the cosine-0.5 claim's (the Cora
    # claims' figures need runs on Cora)
    assert page.count("data:image/png;base64,") == 6
    with Store(out / "results.db") as store:
        runs = store.read("runs")
        assert sorted(set(runs["label"])) == ["APPNP", "GCN", "GCN+residual", "GCNII"]
        assert sorted(set(runs["depth"])) == [2, 4]
        assert (runs["status"] == "done").all(), runs["error"].dropna().tolist()
        assert set(store.read("layer_metrics")["metric"]) >= {"dirichlet_energy",
                                                              "subspace_distance"}
    for name in ("accuracy_vs_depth", "layers_csbm", "spectral_vs_measured", "backward_csbm",
                 "squashing_csbm", "claim_cosine-0.5"):
        assert (out / "figures" / f"{name}.png").is_file()
        assert (out / "figures" / f"{name}.svg").is_file()
    assert "complete-vs-cora" in page
