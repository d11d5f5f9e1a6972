"""Time every metric against the commonly posted dense implementation, and at 1M nodes.

Dense reference: normalise rows, ``x_n @ x_n.T``, mean (O(N^2) time and memory).
Scale target: all O(N d) and O(E d) metrics on 1,000,000 nodes, ~10,000,000 directed
edges, d = 64 under 30 s in total and under 6 GB peak memory.
Run: .venv/bin/python bench/metrics.py [--skip-small] [--skip-large] [--skip-sampled] [--threads N]
(--threads 1 gives stable timings on a shared, oversubscribed machine,
where multi-threaded torch ops wait on descheduled threads.)
"""

import resource
import sys
import time

import torch
from _common import set_threads

from oversmooth import metrics as M
from oversmooth.datasets import csbm

LINEAR = ["dirichlet_energy", "dirichlet_energy_sym", "mean_cosine_similarity", "mad",
          "subspace_distance", "numerical_rank", "effective_rank", "feature_correlation"]
EXTRA = {"mean_pairwise_distance (squared)": lambda x, ei, y: M.mean_pairwise_distance(x, squared=True)}
SAMPLED = ["mean_pairwise_distance", "smv", "group_distance_ratio", "mad_gap"]


def dense_cosine(x):
    xn = torch.nn.functional.normalize(x, dim=1)
    return float((xn @ xn.T).mean())


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run(fn, data):
    return fn(data.x, data.edge_index, data.y)


def metric_fns(names):
    fns = {n: (lambda n: lambda x, ei, y: M.compute(x, ei, y, [n]))(n) for n in names}
    return fns


def peak_rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20  # Linux: KiB



def main():
    print(f"torch threads: {set_threads()}")
    if "--skip-small" not in sys.argv:
        small()
    if "--skip-large" not in sys.argv:
        large()


def small():
    print("metric times (s) vs the dense x_n @ x_n.T cosine mean; ratio = dense / ours")
    sizes = [2_000, 5_000, 10_000, 20_000]
    fns = {**metric_fns(LINEAR), **EXTRA, **metric_fns(SAMPLED)}
    graphs = {n: csbm(num_nodes=n, avg_degree=10, num_features=64, seed=0) for n in sizes}
    dense = {n: timed(dense_cosine, graphs[n].x) for n in sizes}
    print(f"{'metric':34s}" + "".join(f"{'N=' + str(n):>22s}" for n in sizes))
    print(f"{'dense cosine (reference)':34s}" + "".join(f"{dense[n]:>13.4f}        " for n in sizes))
    for name, fn in fns.items():
        cells = []
        for n in sizes:
            t = timed(run, fn, graphs[n])
            cells.append(f"{t:>10.4f} {dense[n] / t:>8.1f}x  ")
        label = name + (" *" if name in SAMPLED else "")
        print(f"{label:34s}" + "".join(cells))
    print("* O(N^2) exact up to 4096 nodes, sampled above (200,000 pairs, 64 sources for mad_gap)")
    x = graphs[20_000].x
    ours = M.mean_cosine_similarity(x, exclude_self=False)
    print(f"check: mean cosine (all pairs) ours {ours:.8f} dense {dense_cosine(x):.8f}")


def large():
    start = time.perf_counter()
    data = csbm(num_nodes=1_000_000, avg_degree=10, num_features=64, seed=0)
    gen = time.perf_counter() - start
    rss_before = peak_rss_gb()
    print(f"\n1M nodes, {data.edge_index.size(1):,} directed edges, d=64 "
          f"(generated in {gen:.1f} s, not counted)")
    total = 0.0
    for name, fn in {**metric_fns(LINEAR), **EXTRA}.items():
        t = timed(run, fn, data)
        total += t
        print(f"  {name:34s} {t:7.2f} s")
    print(f"  {'total O(N d)/O(E d)':34s} {total:7.2f} s   target 30 s   ratio {total / 30:.2f}x")
    # the same metrics in one compute() call (statistics shared), on a fresh edge_index
    # so that the cached graph structure is rebuilt inside the timing
    edge_index = data.edge_index.clone()
    start = time.perf_counter()
    M.compute(data.x, edge_index, metrics=LINEAR)
    M.mean_pairwise_distance(data.x, squared=True)
    once = time.perf_counter() - start
    print(f"  {'same, one compute() call':34s} {once:7.2f} s   target 30 s   ratio {once / 30:.2f}x")
    print(f"  peak RSS of the process {peak_rss_gb():.2f} GB (already {rss_before:.2f} GB after generating "
          f"the graph; target 6 GB)")
    if "--skip-sampled" in sys.argv:
        return
    for name, fn in metric_fns(SAMPLED).items():
        t = timed(run, fn, data)
        print(f"  {name + ' (sampled)':34s} {t:7.2f} s")
    print(f"  peak RSS after the sampled ones {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
