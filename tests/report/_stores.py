"""Synthetic stores for the report tests: hand-made run records, no training."""

from __future__ import annotations

import math

from oversmooth.experiments.store import RunRecord, Store
from oversmooth.literature.presets import preset

# the ten rows of the table3 preset: (label, model, options)
TEN_MODELS = [(v["label"], v["model"], v.get("options", {})) for v in preset("table3")["variants"]]
DEPTHS = tuple(preset("table3")["depths"])


def make_record(key, dataset="cora", label="GCN", model="gcn", options=None, depth=2, seed=0,
                test_acc=0.8, status="done", cosine=None, metrics=True, decay=0.7,
                grads=False):
    rec = RunRecord(run_key=key, status=status, dataset=dataset, model=model, label=label,
                    depth=depth, seed=seed, options=dict(options or {}),
                    settings={"dataset": dataset, "dataset_params": {}, "split": 0,
                              "model": model, "options": dict(options or {}), "depth": depth,
                              "seed": seed, "training": {"epochs": 10}},
                    error="RuntimeError: boom" if status == "failed" else None)
    if status != "done":
        return rec
    rec.test_acc, rec.val_acc, rec.train_acc = test_acc, test_acc, 1.0
    rec.best_epoch, rec.epochs_run, rec.wall_time, rec.probe_time = 5, 10, 1.0, 0.1
    if metrics:
        for layer in range(1, depth + 1):
            energy = 10.0 * decay ** layer
            cos = cosine if cosine is not None else 1.0 - 0.9 * decay ** layer
            rec.layer_metrics += [(layer, "dirichlet_energy", energy),
                                  (layer, "subspace_distance", math.sqrt(energy)),
                                  (layer, "mean_cosine_similarity", cos),
                                  (layer, "mad", 1.0 - cos),
                                  (layer, "effective_rank", 1.0 + 30.0 * decay ** layer)]
            if grads:
                rec.layer_metrics += [(layer, "grad_norm", 1e-3 * 2.0 ** layer),
                                      (layer, "grad_energy_rel", 0.5 * decay ** layer)]
    return rec


def ten_model_store(path) -> str:
    """Cora, the 10 rows of the literature's table, depths 2-64, accuracy falling with
    depth at a row-specific rate, per-layer metrics decaying geometrically."""
    with Store(path) as store:
        for i, (label, model, options) in enumerate(TEN_MODELS):
            for depth in DEPTHS:
                acc = 0.82 - (0.08 - 0.007 * i) * math.log2(depth / 2)
                store.save(make_record(f"{label}-{depth}", label=label, model=model,
                                       options=options, depth=depth,
                                       test_acc=max(acc, 0.15), decay=0.5 + 0.045 * i))
    return str(path)


#: Facts as a claims run keeps them in its store (after JSON: string keys), small numbers.
CLAIMS_FACTS = {
    "settings": {"deep": 4},
    "spectrum": {"cora": {"operator": "gcn", "smallest": -0.48, "largest": 1.0}},
    "limit": {"graph": "cora", "components": 2, "largest_component_nodes": 5, "rank_gcn_whole": 2,
              "rank_gcn_largest": 1, "identical_rows_gcn_whole": 0.5, "identical_rows_gcn_largest": 0.2,
              "identical_rows_rw_whole": 0.4, "identical_rows_rw_largest": 0.0,
              "spread_norm_over_sqrt_deg_plus_1": 0.0, "spread_norm_over_sqrt_deg": 0.3,
              "rw_vs_degree_weighted_mean": 0.0, "smallest_cosine_between_components": 0.2,
              "rows": {"degree": [1.0, 2.0, 4.0], "gcn_norm": [1.41, 1.73, 2.24], "rw_norm": [1.0, 1.0, 1.0]}},
    "coverage": {"cora": {"1": 0.01, "5": 0.3, "10": 0.8}},
    "rates": {"cora": {"avg_degree": 3.9, "lambda2": 1.0, "rate": 0.996, "fitted_rate": 0.996,
                       "relative_distance": {"1": 0.5, "10": 0.2, "64": 0.1}}},
    "squashing": {
        "influence": {"graph": "cora", "setup": "s", "nodes_per_hop": [1.0, 3.0, 26.0],
                      "per_hop": [1.0, 2.0, 2.1], "per_node": [1.0, 0.8, 0.2]},
        "transfer": {"setup": "s", "distance": 2, "by_distance": {"2": 100.0, "3": 60.0},
                     "by_topology": {"ring": 100.0, "crossed ring": 100.0, "clique path": 70.0},
                     "at_twice_the_depth": {"ring": 90.0, "crossed ring": 95.0, "clique path": 40.0},
                     "resistance": {"ring": 1.0, "crossed ring": 0.8, "clique path": 2.0}},
        "bottleneck": {"graph": "g", "fosr_edges": 50,
                       "original": {"total_resistance": 10.0, "spectral_gap": 0.1, "min_curvature": -1.8,
                                    "rate": 0.99, "relative_distance_10": 0.2},
                       "fosr": {"total_resistance": 9.0, "spectral_gap": 0.2, "min_curvature": -1.8,
                                "rate": 0.98, "relative_distance_10": 0.19}}},
}


def claims_store(path) -> str:
    """A store as a small claims run leaves it: plain GCN at 2 and 4 layers (with their
    training history), GCN+residual at 4 with the relative distance per layer, and
    :data:`CLAIMS_FACTS` in its meta table."""
    import json

    runs = [("GCN", {}, 2, 0.81, 1.0), ("GCN", {}, 4, 0.55, 0.6), ("GCN+residual", {"residual": True}, 4, 0.7, 0.9)]
    with Store(path) as store:
        for label, options, depth, acc, train in runs:
            rec = make_record(f"{label}-{depth}", label=label, options=options, depth=depth, test_acc=acc)
            rec.train_acc = train
            rec.history = [(e, "val_loss", 1.0 + (depth - 2) * 0.3 - 0.05 * e) for e in range(1, 4)]
            rec.layer_metrics += [(k, "subspace_distance_rel", 0.5 + 0.05 * k) for k in range(1, depth + 1)]
            store.save(rec)
        store.set_meta("claims_facts", json.dumps(CLAIMS_FACTS))
    return str(path)
