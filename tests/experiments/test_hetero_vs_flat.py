"""experiments.hetero_vs_flat: a heterogeneous graph against itself flattened, read from a store."""

from __future__ import annotations


from oversmooth.experiments import Store
from oversmooth.experiments.hetero_vs_flat import hetero_vs_flat
from tests.report._stores import make_record

ROWS = [("bank", "hetero-GCN", "hetero-gcn"), ("bank", "R-GCN", "rgcn"), ("bank-flat", "GCN (flat)", "gcn")]


def typed_store(path, params=None, flat_params=None):
    """Runs on the bank and the flattened bank (depths 2 and 8) with the customers' cosine per
    layer: hetero-GCN 0.4, GCN 0.8 (0.9 + depth / 100 on the flattened bank's output layer)."""
    with Store(path) as store:
        for dataset, label, model in ROWS:
            for depth in (2, 8):
                rec = make_record(f"{label}-{depth}", dataset=dataset, label=label, model=model, depth=depth,
                                  test_acc=0.9 if dataset == "bank" else 0.8, metrics=False)
                rec.settings["dataset_params"] = dict((flat_params if dataset == "bank-flat" else None)
                                                      or params or {"num_customers": 40})
                cos = 0.4 if dataset == "bank" else 0.8
                rec.layer_metrics = [(k, "mean_cosine_similarity[customer]", cos) for k in range(1, depth + 1)]
                rec.layer_metrics += [(k, "mean_cosine_similarity", cos / 2) for k in range(1, depth + 1)]
                store.save(rec)
    return path


def test_the_bank_and_its_flattened_form_side_by_side(tmp_path):
    with Store(typed_store(tmp_path / "s.db"), readonly=True) as store:
        [comp] = hetero_vs_flat(store)
    assert (comp.name, comp.typed, comp.flat, comp.target) == ("bank vs bank-flat", "bank", "bank-flat", "customer")
    assert set(comp.accuracy["dataset"]) == {"bank vs bank-flat"}
    assert set(comp.accuracy["label"]) == {"hetero-GCN", "R-GCN", "GCN (flat)"}
    cell = comp.accuracy[(comp.accuracy["label"] == "GCN (flat)") & (comp.accuracy["depth"] == 8)]
    assert float(cell["mean"].iloc[0]) == 80.0
    assert comp.metric == "mean_cosine_similarity[customer]"
    last = comp.last_layer.set_index(["label", "depth"])["mean"]
    assert last[("hetero-GCN", 8)] == 0.4 and last[("GCN (flat)", 8)] == 0.8
    assert comp.claim.id == "heterogeneous" and comp.claim.verdict == "confirmed"  # 90 vs 80 %, 0.4 vs 0.8
    assert set(comp.runs["dataset"]) == {"bank vs bank-flat"}


def test_only_one_graph_is_compared(tmp_path):
    with Store(typed_store(tmp_path / "a.db", flat_params={"num_customers": 50}), readonly=True) as store:
        assert hetero_vs_flat(store) == []  # different generator parameters: two graphs
    with Store(tmp_path / "b.db") as store:
        store.save(make_record("x", dataset="bank", label="R-GCN", model="rgcn"))
        assert hetero_vs_flat(store) == []  # no flattened runs
