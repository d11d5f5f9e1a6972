"""Time the CSBM generator at 1,000,000 nodes, average degree 10 (target: under 30 s).

Run: .venv/bin/python bench/generators.py
"""

import time

from oversmooth.datasets import csbm, summary

TARGET_S = 30.0

start = time.perf_counter()
data = csbm(num_nodes=1_000_000, num_classes=5, avg_degree=10.0, homophily=0.7,
            num_features=64, feature_snr=1.0, seed=0)
elapsed = time.perf_counter() - start
s = summary(data)
print(f"csbm 1M nodes, avg degree 10, d=64: {elapsed:6.2f} s   target {TARGET_S:.0f} s   "
      f"ratio {elapsed / TARGET_S:.2f}x")
print(f"  measured avg degree {s['avg_degree']:.3f}, edge homophily {s['edge_homophily']:.4f}, "
      f"{s['num_edges']} undirected edges")
