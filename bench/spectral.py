"""Time ``oversmooth.spectral.analyze`` (gcn operator, Lanczos) on Cora and on a 1,000,000-node
CSBM with average degree 10 (targets: 2 s and 60 s; graph loading/generation not timed).

Run: OVERSMOOTH_DATA_MIRROR=../shared/datasets .venv/bin/python bench/spectral.py
"""

import os
import time

from oversmooth import datasets, spectral

TARGETS = {"cora": 2.0, "csbm 1M": 60.0}


def row(name: str, data) -> None:
    start = time.perf_counter()
    report = spectral.analyze(data, "gcn")
    elapsed = time.perf_counter() - start
    target = TARGETS[name]
    print(f"analyze {name:8s} N={report.num_nodes:>9,d} components={report.num_components:>4d} "
          f"rate={report.rate:.6f} smallest={report.smallest_eigenvalue:+.4f} ({report.method}): "
          f"{elapsed:6.2f} s   target {target:.0f} s   ratio {elapsed / target:.3f}x   "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


row("cora", datasets.load("cora"))
row("csbm 1M", datasets.csbm(num_nodes=1_000_000, avg_degree=10, num_features=8))
