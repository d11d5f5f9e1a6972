"""Sweep overhead per run: per-layer metrics (probe) and store writes vs training time.

    PYTHONPATH=src python bench/sweep_overhead.py [--dataset cora] [--epochs 200]

Runs a handful of runs through the sweep's own code path (:func:`execute`, then
:meth:`Store.save` into a fresh store) and prints, per run, the training time, the time
spent measuring the trained model's layers with the default metrics, the time to write
the run with all its rows, and overhead = (probe + store) / training. The reference is
training itself: the overhead is what the sweep adds to a bare ``fit``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from oversmooth.experiments import config_from_dict, execute, expand
from oversmooth.experiments.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mirror = os.environ.get("OVERSMOOTH_DATA_MIRROR")
    default = "cora" if mirror and Path(mirror).is_dir() else "cora-like"
    parser.add_argument("--dataset", default=default)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    config = config_from_dict({
        "datasets": [args.dataset], "seeds": 1,
        "training": {"epochs": args.epochs, "patience": args.epochs, "hidden_channels": 64},
        "variants": [{"model": "gcn", "label": "GCN", "depths": [2, 8, 32]},
                     {"model": "jknet", "label": "JKNet", "depths": [16]},
                     {"model": "resgcn", "label": "ResGCN", "depths": [16, 64]}],
    })
    print(f"dataset {args.dataset}, {args.epochs} epochs, metrics {', '.join(config.metrics)}")
    print(f"{'run':<34}{'train s':>9}{'probe s':>9}{'store s':>9}{'overhead':>10}")
    totals = [0.0, 0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        for spec in expand(config):
            record = execute(spec)
            if record.status != "done":
                print(f"{spec.describe():<34} failed: {record.error}")
                continue
            start = time.perf_counter()
            store.save(record)
            write = time.perf_counter() - start
            fraction = (record.probe_time + write) / record.wall_time
            print(f"{spec.describe():<34}{record.wall_time:>9.2f}{record.probe_time:>9.3f}"
                  f"{write:>9.4f}{100 * fraction:>9.1f}%")
            for i, value in enumerate((record.wall_time, record.probe_time, write)):
                totals[i] += value
    print(f"{'total':<34}{totals[0]:>9.2f}{totals[1]:>9.3f}{totals[2]:>9.4f}"
          f"{100 * (totals[1] + totals[2]) / totals[0]:>9.1f}%")


if __name__ == "__main__":
    main()
