"""Measure the claims of issue 7 (Keriven 2025) on a CSBM graph or Cora; prints the numbers.

    OMP_NUM_THREADS=1 PYTHONPATH=src python bench/backward_claims.py [csbm|cora] [depth] [hidden]
"""

from __future__ import annotations

import statistics
import sys
import time

from oversmooth import datasets
from oversmooth.backward import diagnose, initialize, stationarity
from oversmooth.training import build_seeded


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "csbm"
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    hidden = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    data = datasets.csbm(num_nodes=500, seed=0) if name == "csbm" else datasets.load(name)
    print(f"{name}: depth {depth}, hidden_channels {hidden}, init kaiming, seed 0, eval mode")
    for model in ("gcn", "mlp", "gcnii", "appnp"):
        net = initialize(build_seeded(model, data, depth, 0, hidden_channels=hidden, reset=False, dropout=0.0),
                         "kaiming", 0)
        r = diagnose(net, data)
        t, p = r.table, r.parameters
        inner = p["weight_grad_rel"].iloc[:-1]
        print(f"  diagnose {model:6s} loss {r.loss:.3f}  dM(B)^2/|B|^2 first/min/last "
              f"{t.grad_subspace_rel.iloc[0]:.3f}/{t.grad_subspace_rel.min():.3f}/{t.grad_subspace_rel.iloc[-1]:.3f}"
              f"  median inner |dW|/last {statistics.median(inner):.3e} (min {inner.min():.3e})")
    for model in ("gcn", "gcnii", "appnp"):
        start = time.perf_counter()
        r = stationarity(model, data, depth=depth, hidden_channels=hidden)
        print(f"  stationarity {model} ({time.perf_counter() - start:.0f}s): gnn_stationary={r.gnn_stationary} "
              f"mlp_stationary={r.mlp_stationary}\n    {r.verdict}")


if __name__ == "__main__":
    main()
