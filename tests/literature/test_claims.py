"""Claim verdicts on hand-made store contents: each claim confirmed, contradicted and
not measured, with the numbers the verdict rests on; the claims' data file (texts,
sources, asserted numbers) drives the verdicts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from oversmooth.experiments import Store
from oversmooth.literature import claims as C
from oversmooth.literature.claims import CLAIMS, Claim, Measurements, evaluate
from oversmooth.literature.published import published
from tests.report._stores import make_record

# every claim of shared/docs/claims.md, in its order (groups as there)
IDS = ["acc-table", "acc-peak", "acc-64", "not-overfitting", "practical-depth", "onset", "skip-dropedge",
       "rarely-deeper", "spectrum-range", "rank-one", "sqrt-degree", "stationary", "gap-rate",
       "complete-vs-cora", "dense-faster", "heterogeneous", "receptive-field", "pure-propagation",
       "cosine-0.5", "bank-graph", "mitigations", "dropedge-destination", "pairnorm-capacity",
       "skip-not-solve", "transformers", "rewiring", "relbench", "vs-vanishing", "backward-linear",
       "spurious-stationary", "gnn-not-mlp", "oversquashing"]


@dataclass
class Propagation:  # what the claims read of a pure-propagation measurement
    name: str
    table: pd.DataFrame


def measurements(tmp_path, records, propagation=None) -> Measurements:
    with Store(tmp_path / "s.db") as store:
        for rec in records:
            store.save(rec)
        return Measurements(store.read("runs"), store.read("layer_metrics"), propagation or {})


def verdicts(m) -> dict[str, Claim]:
    return {c.id: c for c in evaluate(m)}


def gcn(depth, acc, dataset="cora", seed=0, **kw):
    return make_record(f"gcn-{dataset}-{depth}-{seed}-{kw.get('label', '')}", dataset=dataset,
                       depth=depth, seed=seed, test_acc=acc, **kw)


def test_every_claim_not_measured_on_empty_store(tmp_path):
    got = verdicts(measurements(tmp_path, []))
    assert list(got) == [c.id for c in CLAIMS]
    assert {c.verdict for c in got.values()} == {"not measured"}
    assert all(any(w in c.explanation for w in ("run", "measures", "trains", "needs", "offline"))
               for c in got.values())


def test_gcn_accuracy_confirmed_and_contradicted(tmp_path):
    (tmp_path / "a").mkdir()
    ok = measurements(tmp_path / "a", [gcn(2, 0.815), gcn(4, 0.78), gcn(8, 0.72)])
    claim = verdicts(ok)["acc-table"]
    assert claim.verdict == "confirmed"
    assert claim.numbers["GCN 4 layers"] == {"claimed": 79.2, "measured": 78.0}

    (tmp_path / "b").mkdir()
    bad = measurements(tmp_path / "b", [gcn(2, 0.815), gcn(8, 0.30)])
    claim = verdicts(bad)["acc-table"]
    assert claim.verdict == "contradicted"
    assert "8 layers: 30.0 vs 70.1" in claim.explanation
    # a run on another dataset says nothing about Cora
    (tmp_path / "c").mkdir()
    other = measurements(tmp_path / "c", [gcn(2, 0.81, dataset="cora-like")])
    assert verdicts(other)["acc-table"].verdict == "not measured"


def test_gcn_peak_and_collapse(tmp_path):
    runs = [gcn(2, 0.81), gcn(4, 0.79), gcn(8, 0.25), gcn(64, 0.15)]
    got = verdicts(measurements(tmp_path, runs))
    assert got["acc-peak"].verdict == "confirmed"
    assert got["acc-peak"].numbers["peak depth"] == 2
    assert got["acc-64"].verdict == "confirmed"
    assert got["acc-64"].numbers["GCN 64 layers"] == 15.0


def test_gcn_peak_contradicted_when_deep_gcn_holds_up(tmp_path):
    runs = [gcn(2, 0.81), gcn(8, 0.70), gcn(64, 0.60)]
    got = verdicts(measurements(tmp_path, runs))
    assert got["acc-peak"].verdict == "contradicted"
    assert "8 layers 70.0%" in got["acc-peak"].explanation
    assert got["acc-64"].verdict == "contradicted"


def test_seeds_are_averaged(tmp_path):
    runs = [gcn(64, 0.20, seed=0), gcn(64, 0.60, seed=1)]
    claim = verdicts(measurements(tmp_path, runs))["acc-64"]
    assert claim.numbers["GCN 64 layers"] == 40.0 and claim.verdict == "contradicted"


def skip_de(depth, acc):
    return make_record(f"res-de-{depth}", label="GCN+residual,dropedge", model="gcn",
                       options={"residual": True, "dropedge": 0.3}, depth=depth, test_acc=acc)


def test_skip_dropedge_depth(tmp_path):
    plain = [gcn(2, 0.81), gcn(4, 0.76), gcn(8, 0.60)]
    (tmp_path / "a").mkdir()
    good = measurements(tmp_path / "a", plain + [skip_de(2, 0.80), skip_de(4, 0.81),
                                                  skip_de(8, 0.80)])
    claim = verdicts(good)["skip-dropedge"]
    assert claim.verdict == "confirmed", claim.explanation
    assert claim.numbers["GCN practical depth"] == 2
    assert claim.numbers["GCN+residual,dropedge practical depth"] == 8
    (tmp_path / "b").mkdir()
    bad = measurements(tmp_path / "b", plain + [skip_de(2, 0.81), skip_de(8, 0.55)])
    assert verdicts(bad)["skip-dropedge"].verdict == "contradicted"
    (tmp_path / "c").mkdir()  # skip connections without DropEdge do not test the claim
    res_only = measurements(tmp_path / "c", plain + [make_record(
        "res", label="ResGCN", model="resgcn", depth=8, test_acc=0.8)])
    assert verdicts(res_only)["skip-dropedge"].verdict == "not measured"


def test_cosine_rule(tmp_path):
    (tmp_path / "a").mkdir()
    good = measurements(tmp_path / "a", [gcn(2, 0.81, cosine=0.3), gcn(32, 0.20, cosine=0.98)])
    claim = verdicts(good)["cosine-0.5"]
    assert claim.verdict == "confirmed", claim.explanation
    assert claim.numbers["healthy: largest cosine similarity"] == 0.3
    assert claim.numbers["oversmoothed: smallest cosine similarity"] == 0.98
    (tmp_path / "b").mkdir()
    bad = measurements(tmp_path / "b", [gcn(2, 0.81, cosine=0.7), gcn(32, 0.20, cosine=0.98)])
    claim = verdicts(bad)["cosine-0.5"]
    assert claim.verdict == "contradicted" and "1 of 1 healthy runs" in claim.explanation
    (tmp_path / "c").mkdir()
    none = measurements(tmp_path / "c", [gcn(2, 0.81, metrics=False)])
    assert verdicts(none)["cosine-0.5"].verdict == "not measured"


def curve(name, values):
    table = pd.DataFrame({"step": np.arange(len(values)), "measured": values,
                          "predicted": np.nan})
    return Propagation(name, table)


def test_complete_vs_cora(tmp_path):
    complete = curve("complete (200 nodes)", [1.0, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16])
    sparse = curve("cora", [1.0, 0.6, 0.5, 0.4, 0.35, 0.3])
    got = verdicts(measurements(tmp_path, [], {"complete (200 nodes)": complete, "cora": sparse}))
    claim = got["complete-vs-cora"]
    assert claim.verdict == "confirmed"
    assert claim.numbers["complete (200 nodes): steps to threshold"] == 1
    assert claim.numbers["cora: steps to threshold"] is None
    fast_sparse = curve("ring", [1.0, 0.1, 1e-3, 1e-4, 1e-5, 1e-6])
    got = verdicts(measurements(tmp_path, [], {"complete": complete, "ring": fast_sparse}))
    assert got["complete-vs-cora"].verdict == "contradicted"
    got = verdicts(measurements(tmp_path, [], {"cora": sparse}))
    assert got["complete-vs-cora"].verdict == "not measured"


def test_claim_rejects_unknown_verdict():
    with pytest.raises(ValueError, match="verdict"):
        Claim("x", "t", "s", "maybe", {}, "")


def test_claims_are_the_listed_ones_with_sources_and_tolerances():
    assert [c.id for c in CLAIMS] == IDS
    for c in CLAIMS:
        assert c.text and c.group and c.tolerance
        assert c.source.strip() and "shared/docs" not in c.source and ".md" not in c.source
    got = evaluate(Measurements(pd.DataFrame(), pd.DataFrame(), {}))
    assert [(c.group, c.tolerance) for c in got] == [(c.group, c.tolerance) for c in CLAIMS]


def test_accuracy_tolerance_on_both_sides(tmp_path):
    (tmp_path / "a").mkdir()
    inside = measurements(tmp_path / "a", [gcn(8, 0.730)])   # 70.1 claimed: 2.9 points off
    assert verdicts(inside)["acc-table"].verdict == "confirmed"
    (tmp_path / "b").mkdir()
    outside = measurements(tmp_path / "b", [gcn(8, 0.732)])  # 3.1 points off
    assert verdicts(outside)["acc-table"].verdict == "contradicted"
    (tmp_path / "c").mkdir()
    res = measurements(tmp_path / "c", [make_record("r4", label="GCN+residual", model="gcn",
                                                    options={"residual": True}, depth=4,
                                                    test_acc=0.78)])
    claim = verdicts(res)["acc-table"]  # 82.1 claimed: 4.1 points off
    assert claim.verdict == "contradicted"
    assert claim.numbers == {"GCN+residual 4 layers": {"claimed": 82.1, "measured": 78.0}}


def test_near_random_on_both_sides(tmp_path):
    (tmp_path / "a").mkdir()
    at = verdicts(measurements(tmp_path / "a", [gcn(64, C.NEAR_RANDOM / 100)]))["acc-64"]
    assert at.verdict == "confirmed"
    # the published number beside ours comes from the table of published numbers
    assert at.numbers["published (DropEdge README)"] == published("cora", "GCN", 64)
    (tmp_path / "b").mkdir()
    above = verdicts(measurements(tmp_path / "b", [gcn(64, C.NEAR_RANDOM / 100 + 0.002)]))
    assert above["acc-64"].verdict == "contradicted"


def test_the_data_file_drives_the_verdicts(tmp_path):
    text = C.DATA_FILE.read_text().replace("gcn = { 2 = 81.5, 4 = 79.2, 8 = 70.1 }",
                                           "gcn = { 2 = 81.5, 4 = 79.2, 8 = 30.0 }")
    assert "8 = 30.0" in text
    path = tmp_path / "claims.toml"
    path.write_text(text)
    specs = C.load_claims(path)
    (tmp_path / "s").mkdir()
    m = measurements(tmp_path / "s", [gcn(2, 0.815), gcn(8, 0.30)])
    assert {c.id: c for c in evaluate(m, specs)}["acc-table"].verdict == "confirmed"
    assert verdicts(m)["acc-table"].verdict == "contradicted"  # the shipped claim: 70.1


def test_load_claims_keeps_data_and_rules_in_step(tmp_path):
    path = tmp_path / "claims.toml"
    text = C.DATA_FILE.read_text()
    path.write_text(text.replace('id = "acc-64"', 'id = "acc-65"'))
    with pytest.raises(ValueError, match="'acc-65' has no verdict rule"):
        C.load_claims(path)
    start = text.index('[[claims]]\nid = "acc-64"')
    end = text.index("[[claims]]", start + 1)
    path.write_text(text[:start] + text[end:])
    with pytest.raises(ValueError, match="do not match the verdict rules"):
        C.load_claims(path)
    path.write_text(text.replace('citation = "Explainer article',
                                 'citation = "shared/docs/claims.md; Explainer article'))
    with pytest.raises(ValueError, match="where it circulates"):
        C.load_claims(path)


def test_report_reexports_the_claims():
    import oversmooth.report as report

    assert report.CLAIMS is CLAIMS and report.evaluate is evaluate
    assert report.Claim is Claim and report.Measurements is Measurements


def test_the_old_module_is_a_deprecated_alias():
    import oversmooth.report.claims as old

    with pytest.warns(DeprecationWarning, match="oversmooth.literature.claims.CLAIMS"):
        assert old.CLAIMS is CLAIMS
    with pytest.raises(AttributeError):
        old.SOURCE
