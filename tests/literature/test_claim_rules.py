"""Each verdict rule of the claims added with `oversmooth claims`, on synthetic measurements
made to land on either side of its tolerance."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from oversmooth.literature.claims import CLAIMS, Measurements, evaluate
from oversmooth.literature.claims import accuracy as A, distinct as D, gradients as G, mathematics as M, mitigations as T
from tests.report._stores import make_record
from tests.literature.test_claims import measurements

EMPTY = pd.DataFrame()


def verdict(cid, facts=None, m=None):
    m = m or Measurements(EMPTY, EMPTY, {}, facts or {})
    return {c.id: c for c in evaluate(m)}[cid]


def test_every_claim_of_the_file_has_a_rule_and_a_verdict_without_measurements():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == 32 and len(set(ids)) == 32
    got = evaluate(Measurements(EMPTY, EMPTY))
    assert {c.verdict for c in got} == {"not measured"}
    offline = {c.id: c.explanation for c in got}
    assert "--preset hetero-bank" in offline["heterogeneous"] and "oversmooth claims" in offline["bank-graph"]
    assert offline["relbench"].startswith("not measurable offline")


SPECTRUM = {"cora": {"smallest": -0.48, "largest": 1.0}}


def test_spectrum_range_sides():
    assert verdict("spectrum-range", {"spectrum": SPECTRUM}).verdict == "partly"
    ok = {"g": {"smallest": -M.EIG_TOL / 2, "largest": 1.0}}
    assert verdict("spectrum-range", {"spectrum": ok}).verdict == "confirmed"
    bad = {"g": {"smallest": -0.5, "largest": 1.0 + 2 * M.EIG_TOL}}
    assert verdict("spectrum-range", {"spectrum": bad}).verdict == "contradicted"


LIMIT = {"graph": "g", "components": 1, "largest_component_nodes": 10, "rank_gcn_whole": 1,
         "rank_gcn_largest": 1, "identical_rows_gcn_whole": 0.0, "identical_rows_gcn_largest": 0.0,
         "identical_rows_rw_whole": 0.0, "identical_rows_rw_largest": 0.0,
         "spread_norm_over_sqrt_deg_plus_1": 0.0, "spread_norm_over_sqrt_deg": 0.0,
         "rw_vs_degree_weighted_mean": 0.0, "smallest_cosine_between_components": 1.0}


@pytest.mark.parametrize("cid,key,bad", [
    ("rank-one", "identical_rows_gcn_largest", 0.3), ("sqrt-degree", "spread_norm_over_sqrt_deg", 0.3),
    ("stationary", "identical_rows_rw_whole", 0.6)])
def test_limit_rules_sides(cid, key, bad):
    assert verdict(cid, {"limit": LIMIT}).verdict == "confirmed"
    at = dict(LIMIT, **{key: M.IDENTICAL})
    assert verdict(cid, {"limit": at}).verdict == "confirmed"
    over = dict(LIMIT, **{key: bad})
    assert verdict(cid, {"limit": over}).verdict == "partly"


def rates(**graphs):
    base = {"avg_degree": 4.0, "lambda2": 0.9, "rate": 0.9, "fitted_rate": 0.9,
            "relative_distance": {"10": 0.3, "64": 0.01}}
    return {g: dict(base, **v) for g, v in graphs.items()}


def test_gap_rate_sides():
    good = rates(a={}, b={"lambda2": 0.5, "rate": 0.5, "fitted_rate": 0.5 + M.RATE_TOL / 2})
    assert verdict("gap-rate", {"rates": good}).verdict == "confirmed"
    several = rates(a={"lambda2": 1.0})
    assert verdict("gap-rate", {"rates": several}).verdict == "partly"
    off = rates(a={"lambda2": 1.0, "fitted_rate": 0.9 - 2 * M.RATE_TOL})
    assert verdict("gap-rate", {"rates": off}).verdict == "contradicted"


def test_dense_faster_sides():
    r = rates(e4={"avg_degree": 4, "rate": 0.9}, e8={"avg_degree": 8, "rate": 0.7},
              bar={"avg_degree": 49, "rate": 0.5})
    density = {"family": ["e4", "e8"], "bottleneck": "bar"}
    assert verdict("dense-faster", {"rates": r, "density": density}).verdict == "confirmed"
    r2 = copy.deepcopy(r)
    r2["bar"]["rate"] = 0.9  # as slow as the sparsest: not faster
    assert verdict("dense-faster", {"rates": r2, "density": density}).verdict == "partly"
    r2["e8"]["rate"] = 0.95
    assert verdict("dense-faster", {"rates": r2, "density": density}).verdict == "contradicted"


def test_receptive_field_sides():
    cov = {"cora": {"5": 0.95, "10": 1.0}, "barabasi_albert (400 nodes)": {"5": M.COVERAGE_ENTIRE}}
    r = rates(cora={"relative_distance": {"10": M.NEARLY_IDENTICAL}})
    assert verdict("receptive-field", {"coverage": cov, "rates": r}).verdict == "confirmed"
    cov["cora"]["5"] = 0.3
    r["cora"]["relative_distance"]["10"] = 0.2
    cov["barabasi_albert (400 nodes)"]["5"] = 0.5
    assert verdict("receptive-field", {"coverage": cov, "rates": r}).verdict == "contradicted"


def test_pure_propagation_and_vs_vanishing_sides():
    flat = rates(complete={"fitted_rate": None, "relative_distance": {"1": 1e-16, "64": 1e-16}})
    slow = rates(g={"fitted_rate": 1.0, "relative_distance": {"64": 0.5}})
    assert verdict("pure-propagation", {"rates": {**rates(a={}), **flat}}).verdict == "confirmed"
    assert verdict("pure-propagation", {"rates": slow}).verdict == "contradicted"
    lin = {"depth": 16, "init": "default", "ratio": G.VANISHED}
    assert verdict("vs-vanishing", {"rates": rates(a={}), "linear": lin}).verdict == "confirmed"
    assert verdict("vs-vanishing", {"rates": rates(a={}), "linear": dict(lin, ratio=0.5)}).verdict == "partly"
    assert verdict("vs-vanishing", {"rates": slow, "linear": dict(lin, ratio=0.5)}).verdict == "contradicted"


def test_dropedge_and_rewiring_sides():
    d = {"graph": "cora", "rate_dropped": 0.3, "rate": 0.99, "rate_drop": 0.995, "components": 78,
         "components_drop": 400, "limit_distance": T.SAME_LIMIT}
    assert verdict("dropedge-destination", {"dropedge": d}).verdict == "confirmed"
    assert verdict("dropedge-destination", {"dropedge": dict(d, limit_distance=0.5)}).verdict == "partly"
    assert verdict("dropedge-destination", {"dropedge": dict(d, limit_distance=0.5, rate_drop=0.9)}).verdict == "contradicted"
    base = {"edges": 10, "components": 1}
    rw = {"g": {"original": dict(base, relative_distance_10=0.1),
                "fosr": dict(base, relative_distance_10=0.1 * T.SLOWER),
                "sdrf": dict(base, relative_distance_10=0.1)}}
    assert verdict("rewiring", {"rewiring": rw}).verdict == "partly"
    rw["g"]["sdrf"]["relative_distance_10"] = 0.2
    assert verdict("rewiring", {"rewiring": rw}).verdict == "confirmed"


def test_gradient_rules_sides():
    b = {"gcn_first": 0.5, "gcn_last": 1.0, "mlp_min": 0.99, "setup": "s"}
    st = {"gnn_stationary": True, "mlp_stationary": False, "gnn_inner_rel": 1e-4, "mlp_inner_rel": 0.3,
          "gnn_loss_after": 0.6, "reference_loss": 0.1, "mean_error_init": 0.3, "mean_error_after": 1e-5,
          "verdict": "v", "setup": "s"}
    facts = {"backward": b, "stationarity": st}
    assert verdict("backward-linear", facts).verdict == "confirmed"
    facts_b = {"backward": dict(b, gcn_first=G.SMOOTHED_RATIO * 1.0), "stationarity": st}
    assert verdict("backward-linear", facts_b).verdict == "partly"
    assert verdict("spurious-stationary", facts).verdict == "confirmed"
    assert verdict("gnn-not-mlp", facts).verdict == "confirmed"
    no = {"stationarity": dict(st, gnn_stationary=False)}
    assert verdict("spurious-stationary", no).verdict == "contradicted"
    assert verdict("gnn-not-mlp", no).verdict == "partly"


def run(label, depth, acc, model="gcn", options=None, residual=None, seed=0):
    return make_record(f"{label}-{depth}-{seed}", label=label, model=model, options=options or {},
                       depth=depth, seed=seed, test_acc=acc, metrics=False)


def with_layers(m, metric, values):
    """Add ``metric`` per layer (layers 1, 2, ...) to runs by run_key."""
    rows = [{"run_key": key, "layer": k, "metric": metric, "value": v}
            for key, per in values.items() for k, v in enumerate(per, start=1)]
    m.layers = pd.concat([m.layers, pd.DataFrame(rows)], ignore_index=True)
    m.facts = {"settings": {"deep": 16}}
    return m


def test_mitigation_rules_sides(tmp_path):
    recs = [run("GCN", 2, 0.81), run("GCN", 16, 0.30), run("GCN+PairNorm", 2, 0.70, options={"norm": "pair"}),
            run("GCN+PairNorm", 16, 0.60, options={"norm": "pair"}),
            run("GCN+residual", 16, 0.70, options={"residual": True}),
            run("GCNII", 16, 0.81 - T.MITIGATE_POINTS / 100, model="gcnii"), run("APPNP", 16, 0.70, model="appnp"),
            run("GPS", 2, 0.80, model="gps"), run("GPS", 8, 0.78, model="gps"),
            run("Transformer", 2, 0.60, model="transformer"), run("Transformer", 8, 0.30, model="transformer")]
    m = with_layers(measurements(tmp_path, recs), "rank_one_residual", {
        "GPS-8-0": (0.8, 0.8 * T.KEPT), "Transformer-8-0": (0.8, 0.1)})
    # relative d_M: the deep features are the last hidden layer's (the last one is the output)
    m = with_layers(m, T.SPREAD, {"GCN-16-0": (0.4, 0.3, 0.9), "GCN+PairNorm-16-0": (0.8, 0.3 + T.SPREAD_MARGIN, 0.1),
                                  "GCN+residual-16-0": (0.6, 0.6 * T.KEPT, 0.9)})
    got = {c.id: c for c in evaluate(m)}
    assert got["mitigations"].verdict == "partly"
    assert "GCNII" in got["mitigations"].explanation.split("; not:")[0]
    assert "APPNP" in got["mitigations"].explanation.split("; not:")[1]
    assert got["pairnorm-capacity"].verdict == "confirmed", got["pairnorm-capacity"].explanation
    assert got["skip-not-solve"].verdict == "confirmed", got["skip-not-solve"].explanation
    assert got["transformers"].verdict == "partly"
    assert "GPS" in got["transformers"].explanation.split("smoothed or degraded")[0]
    # the other side of each tolerance: not spread enough, not smoothed
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    m = with_layers(measurements(tmp_path / "b", recs), T.SPREAD, {
        "GCN-16-0": (0.4, 0.3, 0.9), "GCN+PairNorm-16-0": (0.8, 0.3 + T.SPREAD_MARGIN / 2, 0.1),
        "GCN+residual-16-0": (0.6, 0.6 * T.KEPT + 0.01, 0.1)})
    got = {c.id: c for c in evaluate(m)}
    assert got["pairnorm-capacity"].verdict == "partly"
    assert "keeps the embeddings spread" in got["pairnorm-capacity"].explanation.split(": no")[0]
    assert got["skip-not-solve"].verdict == "partly"
    assert got["skip-not-solve"].explanation.endswith(": no")
    # the rank-one residual alone does not make the GCN rows measured
    m = with_layers(measurements(tmp_path / "c", recs), "rank_one_residual", {"GCN+residual-16-0": (0.8, 0.1)})
    assert verdict("skip-not-solve", m=m).verdict == "not measured"


def test_rank_one_ratio_leaves_out_a_first_layer_rank_one_to_float_precision(tmp_path):
    """A deep GCN+DropEdge's first layer had residual 1e-9 (dead units): its last/first ratio
    of 8e7 was noise. Runs below the floor leave the ratio; those above it keep it."""
    recs = [run("GPS", 8, 0.78, model="gps", seed=s) for s in (0, 1, 2)]
    m = with_layers(measurements(tmp_path, recs), "rank_one_residual", {
        "GPS-8-0": (T.RANK_ONE_FLOOR / 1000, 0.9), "GPS-8-1": (0.8, 0.4), "GPS-8-2": (T.RANK_ONE_FLOOR * 2, T.RANK_ONE_FLOOR * 1.2)})
    assert T._cell(m, "GPS", 8) == (78.0, round((0.4 / 0.8 + 1.2 / 2) / 2, 3))
    (tmp_path / "b").mkdir()
    m = with_layers(measurements(tmp_path / "b", recs[:1]), "rank_one_residual", {"GPS-8-0": (1e-9, 0.9)})
    assert T._cell(m, "GPS", 8) == (78.0, None)


def test_accuracy_rules_sides(tmp_path):
    curve = {2: 0.81, 3: 0.81, 4: 0.80, 5: 0.79, 6: 0.75, 8: 0.70, 16: 0.30}
    recs = [run("GCN", d, a) for d, a in curve.items()] + [run("GCNII", 16, 0.80, model="gcnii")]
    m = measurements(tmp_path, recs)
    got = {c.id: c for c in evaluate(m)}
    assert got["onset"].verdict == "confirmed", got["onset"].explanation   # 2+ points at 5, 10+ at 8
    assert got["practical-depth"].verdict == "contradicted"  # GCN holds at 5, GCNII at 16
    assert got["rarely-deeper"].verdict == "confirmed"
    (tmp_path / "b").mkdir()
    early = {2: 0.81, 3: 0.78, 4: 0.60, 8: 0.30}
    m = measurements(tmp_path / "b", [run("GCN", d, a) for d, a in early.items()]
                     + [run("GCN+residual", d, a, options={"residual": True}) for d, a in
                        {2: 0.80, 4: 0.80, 8: 0.80 + (A.BENEFIT_POINTS + 0.5) / 100}.items()])
    got = {c.id: c for c in evaluate(m)}
    assert got["onset"].verdict == "contradicted"                          # 3 and 4: too early
    assert got["practical-depth"].verdict == "partly"
    assert got["rarely-deeper"].verdict == "contradicted"                  # 1 of 2 rows gains


def test_not_overfitting_reads_the_history(tmp_path):
    recs = [run("GCN", 2, 0.81), run("GCN", 16, 0.30)]
    m = measurements(tmp_path, recs)
    m.runs = m.runs.assign(train_acc=[1.0, 0.3])
    m.history = pd.DataFrame({"run_key": ["GCN-2-0", "GCN-16-0"], "epoch": [1, 1], "metric": "val_loss",
                              "value": [0.6, 1.8]})
    assert verdict("not-overfitting", m=m).verdict == "confirmed"
    m.runs = m.runs.assign(train_acc=[1.0, 0.98])  # deep model fits its training set: overfitting
    assert verdict("not-overfitting", m=m).verdict == "partly"


def typed_run(dataset, model, depth, acc, cosine, seed=0, options=None):
    """A run on the bank or the flattened bank with the customers' cosine at every layer."""
    rec = make_record(f"{dataset}-{model}-{depth}-{seed}", dataset=dataset, label=model, model=model,
                      options=options or {"dropout": 0.0}, depth=depth, seed=seed, test_acc=acc, metrics=False)
    rec.layer_metrics = [(k, "mean_cosine_similarity[customer]", cosine) for k in range(1, depth + 1)]
    return rec


def typed(path, *records):
    """The measurements of a store holding ``records``."""
    from oversmooth.experiments.store import Store

    with Store(path / "typed.db") as store:
        for r in records:
            store.save(r)
        return Measurements(store.read("runs"), store.read("layer_metrics"))


@pytest.mark.parametrize("acc_h, cos_h, verdict_", [(0.95, 0.40, "confirmed"), (0.95, 0.58, "partly"),
                                                    (0.93, 0.40, "partly"), (0.90, 0.70, "contradicted")])
def test_heterogeneous_sides(tmp_path, acc_h, cos_h, verdict_):
    # gcn on bank-flat: 90 % at depth 8, customers' cosine 0.6 at layers 4-7; tolerance: 3 points, 0.05
    m = typed(tmp_path, typed_run("bank", "hetero-gcn", 2, 0.95, 0.3),
              typed_run("bank", "hetero-gcn", 8, acc_h, cos_h),
              typed_run("bank-flat", "gcn", 2, 0.95, 0.3), typed_run("bank-flat", "gcn", 8, 0.90, 0.60),
              typed_run("bank", "rgcn", 8, 0.5, 0.9), typed_run("bank-flat", "mlp", 8, 0.6, 0.2),
              typed_run("bank-flat", "gcn", 8, 0.2, 0.99, options={"residual": True}))  # a mitigation: not read
    got = verdict("heterogeneous", m=m)
    assert got.verdict == verdict_, got.explanation
    assert got.numbers["customer mean cosine similarity, layers 4-7 of 8"] == {"hetero-gcn": cos_h, "gcn": 0.6}
    assert got.numbers["every model at depth 8: accuracy (%)"]["rgcn (bank)"] == 50.0


def test_heterogeneous_needs_both_kinds_and_the_per_type_cosine(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    only = typed(tmp_path / "a", typed_run("bank", "hetero-gcn", 8, 0.9, 0.4))
    assert verdict("heterogeneous", m=only).verdict == "not measured"
    plain = typed(tmp_path / "b",
                  make_record("a", dataset="bank", label="h", model="hetero-gcn", depth=8, metrics=False),
                  make_record("b", dataset="bank-flat", label="g", model="gcn", depth=8, metrics=False))
    got = verdict("heterogeneous", m=plain)
    assert got.verdict == "not measured" and "mean_cosine_similarity[customer]" in got.explanation


@pytest.mark.parametrize("cosine, verdict_", [({2: 0.35, 4: 0.62, 8: 1.0}, "confirmed"),
                                              ({2: 0.35, 4: 0.5, 8: 0.99}, "partly"),
                                              ({2: 0.9, 4: 0.95, 8: 0.99}, "partly"),
                                              ({2: 0.05, 4: 0.2, 8: 0.5}, "contradicted")])
def test_bank_graph_sides(cosine, verdict_):
    # claimed 0.3 / 0.7 / 0.95, tolerance 0.1 each
    got = verdict("bank-graph", facts={"bank_graph": {"cosine": cosine, "setup": "R-GCN at initialisation"}})
    assert got.verdict == verdict_, got.explanation
    assert got.numbers["claimed"] == {2: 0.3, 4: 0.7, 8: 0.95}
    missing = verdict("bank-graph", facts={"bank_graph": {"cosine": {2: 0.3, 4: 0.7}, "setup": ""}})
    assert missing.verdict == "not measured" and "8 layers" in missing.explanation


def test_heterogeneous_reads_the_deeper_half_of_the_hidden_layers():
    from oversmooth.literature.claims.hetero import _deep_layers

    assert list(_deep_layers(2)) == [1] and list(_deep_layers(3)) == [2]
    assert list(_deep_layers(16)) == list(range(8, 16))  # not 16: a GCN's output layer


SQUASHING = {
    "influence": {"graph": "cora", "setup": "s", "nodes_per_hop": [1.0, 3.0, 26.0, 82.0],
                  "per_hop": [1.0, 2.0, 2.1, 1.1], "per_node": [1.0, 0.8, 0.2, 0.08]},
    "transfer": {"setup": "s", "distance": 4, "by_distance": {"3": 100.0, "4": 100.0, "6": 80.0},
                 "by_topology": {"ring": 100.0, "crossed ring": 100.0, "clique path": 80.0},
                 "at_twice_the_depth": {"ring": 80.1, "crossed ring": 100.0, "clique path": 80.0},
                 "resistance": {"ring": 2.0, "crossed ring": 1.2, "clique path": 4.0}},
    "bottleneck": {"graph": "g", "fosr_edges": 50,
                   "original": {"total_resistance": 10.0, "spectral_gap": 0.1, "min_curvature": -1.8,
                                "rate": 0.99, "relative_distance_10": 0.2},
                   "fosr": {"total_resistance": 9.0, "spectral_gap": 0.2, "min_curvature": -1.8,
                            "rate": 0.98, "relative_distance_10": 0.2 * D.SLOWER - 1e-9}}}


def test_oversquashing_sides():
    """Each part lands on its side of its tolerance: first every part holds, then none."""
    got = verdict("oversquashing", {"squashing": SQUASHING})
    assert got.verdict == "confirmed", got.explanation
    assert got.numbers["ring transfer, depth = distance: training accuracy by distance"] == {3: 100.0, 4: 100.0, 6: 80.0}
    bad = copy.deepcopy(SQUASHING)
    bad["influence"]["nodes_per_hop"][3] = 26.0 * D.GROWTH - 1            # one shell grows less than x2
    bad["influence"]["per_node"][3] = 0.8 * D.COMPRESSED + 1e-9           # the far node still weighs
    bad["transfer"]["by_distance"]["6"] = 100.0 - D.TASK_POINTS + 1e-6    # distance changes too little
    bad["transfer"]["by_topology"]["clique path"] = 100.0 - D.TASK_POINTS + 1e-6
    bad["transfer"]["at_twice_the_depth"]["ring"] = 100.0 - D.TASK_POINTS  # depth moves it 20 points
    bad["bottleneck"]["fosr"]["relative_distance_10"] = 0.2 * D.SLOWER     # smoothing slowed
    got = verdict("oversquashing", {"squashing": bad})
    assert got.verdict == "contradicted", got.explanation
    assert "not depth" in got.explanation
    worse = copy.deepcopy(SQUASHING)
    worse["bottleneck"]["fosr"]["total_resistance"] = 11.0                 # FoSR did not widen it
    got = verdict("oversquashing", {"squashing": worse})
    assert got.verdict == "partly" and "did not widen the bottleneck" in got.explanation
