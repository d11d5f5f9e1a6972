"""Hand-made run records, so store and table tests need no training."""

from oversmooth.experiments.store import RunRecord


def record(key, status="done", dataset="cora", label="GCN", depth=2, seed=0, test_acc=0.8,
           layers=2, error=None):
    rec = RunRecord(run_key=key, status=status, dataset=dataset, model=label.lower(), label=label,
                    depth=depth, seed=seed, options={}, settings={"key": key},
                    error=error if status == "failed" else None)
    if status == "done":
        rec.test_acc, rec.val_acc, rec.train_acc = test_acc, test_acc - 0.01, 1.0
        rec.best_epoch, rec.epochs_run, rec.wall_time, rec.probe_time = 10, 20, 1.5, 0.1
        rec.layer_metrics = [(layer, "dirichlet_energy", 1.0 / layer) for layer in range(1, layers + 1)]
        rec.history = [(e, "train_loss", 1.0 / (e + 1)) for e in range(3)]
        rec.layer_history = [(0, 1, "dirichlet_energy", 0.5)]
    return rec
