"""Graphormer on Cora by depth beside a 2-layer GCN, both trained by the one entry point
(``oversmooth.training.train``): test accuracy, the gap to GCN-2 and the time per epoch.

    python bench/graphormer.py [--depths 2,4,8,16] [--epochs 100] [--patience 30]
                               [--seeds 0] [--threads 1] [--row-normalize]

Settings (Graphormer's zoo defaults but the budget): hidden 64, 4 heads, attention dropout
0.5, dropout 0.5, Adam lr 0.01, weight decay 5e-4, shortest-path bias up to 10 hops (zero at
start, as in the paper), degree encoding up to 64; ``--epochs`` full-batch epochs with early
stopping on the validation loss (``--patience``), the weights of the best epoch, Cora's public
split. Graphormer reads Cora's raw binary features: row-normalised (``--row-normalize``, the
GCN recipe) its training loss stayed at ln 7 for 40 epochs in our runs, with the attention
before and after its rewrite alike. GCN-2 gets its own zoo defaults (row-normalised
features) and the same epochs and patience. Per epoch: one training step and one evaluation
pass (the time is the run's wall time over its epochs, the first one's shortest-path matrix
included). The issue's target: Graphormer within 3 points of GCN-2 at depth 2.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import torch  # noqa: E402

from oversmooth.datasets import load  # noqa: E402
from oversmooth.training import train  # noqa: E402

#: The issue's target: Graphormer at depth 2 within this many points of GCN-2.
TARGET_POINTS = 3.0


def run(model: str, data, depth: int, seeds, epochs: int, patience: int,
        normalize: bool = True) -> tuple[float, float, float]:
    """(mean test accuracy %, mean seconds per epoch, mean epochs run) over ``seeds``."""
    acc, per_epoch, ran = [], [], []
    for seed in seeds:
        _, result = train(model, data, depth, seed, epochs=epochs, patience=patience,
                          normalize_features=normalize)
        acc.append(100.0 * result.test_acc)
        per_epoch.append(result.wall_time / max(result.epochs_run, 1))
        ran.append(result.epochs_run)
    return statistics.mean(acc), statistics.mean(per_epoch), statistics.mean(ran)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", default="2,4,8,16")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--patience", type=int, default=30)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--row-normalize", action="store_true", help="Row-normalised features for Graphormer too.")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    depths = [int(d) for d in args.depths.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    data = load("cora")
    print(f"# Cora (public split), {torch.get_num_threads()} thread(s), seeds {', '.join(map(str, seeds))}; "
          f"<= {args.epochs} epochs, patience {args.patience} on the validation loss; Graphormer on "
          f"{'row-normalised' if args.row_normalize else 'raw binary'} features")
    gcn, gcn_time, gcn_epochs = run("gcn", data, 2, seeds, args.epochs, args.patience)
    print("| model | depth | test acc (%) | gap to GCN-2 (points) | epochs run | s/epoch |")
    print("|---|---|---|---|---|---|")
    print(f"| GCN | 2 | {gcn:.1f} | 0.0 | {gcn_epochs:.0f} | {gcn_time:.3f} |", flush=True)
    at_two = None
    for depth in depths:
        acc, per_epoch, ran = run("graphormer", data, depth, seeds, args.epochs, args.patience, args.row_normalize)
        at_two = acc if depth == 2 else at_two
        print(f"| Graphormer | {depth} | {acc:.1f} | {acc - gcn:+.1f} | {ran:.0f} | {per_epoch:.2f} |", flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB")
    if at_two is not None:
        met = at_two >= gcn - TARGET_POINTS
        print(f"target (Graphormer-2 within {TARGET_POINTS:g} points of GCN-2): "
              f"{'met' if met else 'missed'} ({at_two - gcn:+.1f} points)")


if __name__ == "__main__":
    main()
