"""Effective resistance at scale: sketch and CG solves vs the exact pseudo-inverse and networkx.

    PYTHONPATH=src python bench/resistance.py --threads 1 [--nodes 100000] [--k 64]

Prints seconds (wall, and CPU seconds of this process: on a shared machine the wall time
also counts the time other processes held the core) and estimate/exact ratios.
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from _common import set_threads
from oversmooth import datasets
from oversmooth.oversquashing import effective_resistance, resistance_sketch, total_resistance


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (numpy: OMP_NUM_THREADS)")
    args = parser.parse_args()
    print(f"{set_threads()} torch thread(s)")
    # small graph: exact vs networkx vs solve vs sketch
    small = datasets.load("erdos-renyi", num_nodes=300, avg_degree=6.0, seed=0)
    g = nx.Graph(small.edge_index.T.tolist())
    g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    pairs = np.array([[u for u, _ in list(g.edges())[:20]], [v for _, v in list(g.edges())[:20]]])
    ref, t_nx, _ = timed(lambda: [nx.resistance_distance(g, int(a), int(b)) for a, b in pairs.T])
    ex, t_ex, _ = timed(lambda: effective_resistance(small, pairs, method="exact").numpy())
    so, t_so, _ = timed(lambda: effective_resistance(small, pairs, method="solve").numpy())
    kf_nx, t_kfnx, _ = timed(lambda: nx.effective_graph_resistance(g))
    kf, t_kf, _ = timed(lambda: total_resistance(small.edge_index, small.num_nodes))
    print(f"ER n=300: 20 pairs  networkx {t_nx:.2f}s | exact {t_ex:.3f}s ratio {np.mean(ex / ref):.6f} | "
          f"solve {t_so:.3f}s ratio {np.mean(so / ref):.6f}")
    print(f"ER n=300: Kirchhoff networkx {t_kfnx:.2f}s {kf_nx:.2f} | ours exact {t_kf:.3f}s ratio {kf / kf_nx:.6f}")
    mid = datasets.load("erdos-renyi", num_nodes=2000, avg_degree=6.0, seed=1)
    exact_total, t_exact, _ = timed(lambda: total_resistance(mid, method="exact"))
    sk, t_sk, _ = timed(lambda: resistance_sketch(mid, num_projections=args.k, seed=0))
    print(f"ER n=2000: total resistance exact {t_exact:.2f}s | sketch k={args.k} {t_sk:.2f}s ratio "
          f"{sk.total() / exact_total:.4f} (rel. stderr {sk.relative_stderr:.3f}, all-pairs JL eps "
          f"{sk.eps if sk.eps is None else round(sk.eps, 3)})")
    big = datasets.load("erdos-renyi", num_nodes=args.nodes, avg_degree=6.0, seed=2)
    sk, t_big, c_big = timed(lambda: resistance_sketch(big, num_projections=args.k, seed=0))
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, args.nodes, size=(2, 50))
    solved, t_solve, c_solve = timed(lambda: effective_resistance(big, pairs, method="solve", disconnected="inf",
                                                                  tol=1e-8))
    est = sk.resistance(pairs).numpy()
    fin = np.isfinite(solved.numpy()) & (solved.numpy() > 0)
    ratio = est[fin] / solved.numpy()[fin]
    print(f"ER n={args.nodes} ({int(big.edge_index.shape[1] // 2)} edges): sketch k={args.k} {t_big:.2f}s "
          f"(CPU {c_big:.2f}s), total {sk.total():.4g}; 50 pairs by CG solves {t_solve:.2f}s (CPU "
          f"{c_solve:.2f}s); sketch/solve ratio mean {ratio.mean():.4f}, range {ratio.min():.3f}..{ratio.max():.3f}")


if __name__ == "__main__":
    main()
