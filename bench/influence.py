"""Per-hop Jacobian influence: ours vs torch_geometric.utils.total_influence (timing, agreement).

    PYTHONPATH=src python bench/influence.py --threads 1 [--samples 100] [--depth 2] [--hops 3]

One CPU thread by default; each timing is the fastest of --repeats runs after a warm-up run. The GCN is untrained (the influence profile of a trained one costs the same).
"""

from __future__ import annotations

import argparse
import time

import torch
from torch_geometric.utils import total_influence

from oversmooth import datasets, models
from oversmooth.oversquashing import influence_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="cora")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--hops", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each; the fastest counts")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = datasets.load(args.dataset)
    torch.manual_seed(0)
    model = models.build("gcn", data.num_features, 64, int(data.y.max()) + 1, args.depth).eval()
    targets = torch.randperm(data.num_nodes)[:args.samples]
    from torch_geometric.utils.influence import jacobian_l1_agg_per_hop

    def ours_run():
        return influence_profile(model, data, args.hops, targets=targets, normalize=False)

    def pyg_run():
        return torch.stack([jacobian_l1_agg_per_hop(model, data, args.hops, int(v), "cpu") for v in targets])

    def best(fn):
        """(result, fastest wall seconds, CPU seconds of that run) after one untimed warm-up."""
        out = fn()
        times = []
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            out = fn()
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
        return (out, *min(times))

    prof, ours, ours_cpu = best(ours_run)
    ref, pyg, pyg_cpu = best(pyg_run)
    start = time.perf_counter()
    _, r = total_influence(model, data, args.hops, num_samples=args.samples)
    pyg_total = time.perf_counter() - start
    err = float(((prof.per_node - ref.double()).abs() / ref.double().abs().clamp(min=1e-12)).max())
    print(f"{args.dataset}: GCN depth {args.depth}, max_hops {args.hops}, {args.samples} targets, "
          f"{args.threads} thread(s), best of {args.repeats} after a warm-up")
    print(f"  ours influence_profile        {ours:7.2f} s (CPU {ours_cpu:.2f} s)")
    print(f"  PyG per-target (same targets) {pyg:7.2f} s (CPU {pyg_cpu:.2f} s)   speed-up x{pyg / ours:.1f}, "
          f"max rel. diff {err:.1e}")
    print(f"  PyG total_influence           {pyg_total:7.2f} s   (its own random targets)")
    print(f"  I_h/I_0 ours = {[round(float(v), 4) for v in prof.per_node.mean(0) / prof.per_node.mean(0)[0]]}, "
          f"R = {prof.receptive_field:.4f}; PyG total_influence R = {r:.4f}")


if __name__ == "__main__":
    main()
