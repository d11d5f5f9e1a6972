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
