"""The claims run end to end on the reduced (``tiny``) budget: every claim gets a verdict
or a reason, the numbers and settings come with them, and the CLI prints them."""

from __future__ import annotations

import json

import pytest

from oversmooth.experiments.claims import budget, run_claims, sweep_config
from oversmooth.literature.claims import CLAIMS, VERDICTS


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    return run_claims("tiny", tmp_path_factory.mktemp("claims") / "claims.db")


def test_tiny_run_gives_every_claim_a_verdict(tiny_run):
    got = {c.id: c for c in tiny_run.claims}
    assert list(got) == [c.id for c in CLAIMS]
    assert all(c.verdict in VERDICTS and c.explanation for c in got.values())
    # the graph measurements do not depend on the training budget
    for cid in ("spectrum-range", "rank-one", "sqrt-degree", "stationary", "dense-faster",
                "receptive-field", "complete-vs-cora", "pure-propagation", "rewiring",
                "dropedge-destination", "backward-linear", "gnn-not-mlp", "oversquashing", "heterogeneous",
                "bank-graph"):
        assert got[cid].verdict != "not measured", (cid, got[cid].explanation)
    assert got["spectrum-range"].verdict == "partly"  # S̃ has negative eigenvalues on Cora
    assert got["acc-table"].numbers  # plain GCN trained at 2 and 8 layers
    out = tiny_run.to_dict()
    assert out["settings"]["budget"]["name"] == "tiny" and out["settings"]["torch_threads"] >= 1
    json.dumps(out, default=str)


def test_budgets_are_named_and_checked():
    assert budget("full").seeds == (0, 1, 2) and budget("default").deep == 16
    assert budget("default", seeds=(0, 1)).seeds == (0, 1)
    with pytest.raises(ValueError, match="unknown budget"):
        budget("huge")
    with pytest.raises(ValueError, match="no field"):
        budget("default", epoch=3)
    labels = [v.label for v in sweep_config(budget("default")).variants]
    assert labels[:3] == ["GCN", "GCN+residual", "GCN+residual+DropEdge"]


def test_cli_claims_json(tmp_path, capsys):
    from oversmooth.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["claims", "--full", "--budget", "tiny"])
    assert exc.value.code == 2
    main(["claims", "--budget", "tiny", "--store", str(tmp_path / "c.db"), "--json"])  # success: returns
    captured = capsys.readouterr()
    out = json.loads(captured.out)  # progress goes to stderr, the JSON alone to stdout
    assert [c["id"] for c in out["claims"]] == [c.id for c in CLAIMS]
    for stage in ("graphs", "over-squashing", "gradients", "training sweep", "heterogeneous"):
        assert f"claims: {stage}" in captured.err


def test_cli_claims_refuses_an_unusable_store_before_measuring(tmp_path, capsys):
    from oversmooth.cli import main

    for store, message in ((tmp_path, "is a folder"), (tmp_path / "no" / "c.db", "does not exist")):
        with pytest.raises(SystemExit) as exc:
            main(["claims", "--budget", "tiny", "--store", str(store)])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and message in err and "claims: graphs" not in err
    assert not (tmp_path / "no").exists()


def test_the_heterogeneous_runs_are_the_presets():
    from oversmooth.experiments import expand, preset
    from oversmooth.experiments.claims.hetero import hetero_sweep_config

    claims = expand(hetero_sweep_config(budget("default")))
    assert {(r.label, r.dataset) for r in claims} == {("hetero-GCN", "bank"), ("GCN (flat)", "bank-flat")}
    assert {r.key for r in claims} <= {r.key for r in expand(preset("hetero-bank"))}  # a store of it has them
    assert {r.depth for r in claims} == set(budget("default").hetero_depths)


def test_the_store_keeps_what_the_report_needs(tiny_run, tmp_path):
    """A report of the run's store gives the same verdicts (from the facts kept in it and the
    history) and draws the claims' figures, without measuring anything."""
    from oversmooth.experiments import report_inputs
    from oversmooth.report import build_report

    result = build_report(report_inputs(tiny_run.settings["store"], spectral=False), tmp_path / "r.html")
    run = {c.id: c.verdict for c in tiny_run.claims}
    report = {c.id: c.verdict for c in result.claims}
    # complete-vs-cora reads pure propagation, which the report measures itself (not here)
    assert {k: v for k, v in report.items() if k != "complete-vs-cora"} == \
        {k: v for k, v in run.items() if k != "complete-vs-cora"}
    assert report["not-overfitting"] != "not measured"
    drawn = {p.stem for p in result.figures if p.suffix == ".png"}
    assert {f"claim_{c}" for c in ("spectrum-range", "rank-one", "receptive-field", "acc-table", "acc-peak",
                                   "cosine-0.5", "oversquashing")} <= drawn
