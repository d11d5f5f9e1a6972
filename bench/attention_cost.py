"""What one training epoch of the attention models costs on Cora, by depth, and what the
claims run's full budget spends on them (its attention rows: 2 and ``deep_attention``
layers, ``transformer_epochs`` epochs, every seed).

    python bench/attention_cost.py [--models transformer,gps,graphormer] [--depths 2,8]
                                   [--epochs 2] [--threads 1]

Per epoch: one full-batch training step (forward, cross entropy on the training nodes,
backward, Adam) of the zoo model with its defaults, built by ``training.build_seeded``; CPU
seconds of this process (``time.process_time``, which other work on the machine does not
inflate) and wall seconds, averaged over ``--epochs`` steps after one warm-up step. N x N
attention per layer: the cost grows with depth x N^2.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from oversmooth.datasets import load  # noqa: E402
from oversmooth.experiments.claims import budget  # noqa: E402
from oversmooth.models import defaults  # noqa: E402
from oversmooth.training import build_seeded, row_normalize  # noqa: E402


def epoch_cost(name: str, data, depth: int, epochs: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one training epoch, mean over ``epochs`` after a warm-up."""
    model = build_seeded(name, data, depth, 0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()

    def step() -> None:
        optimizer.zero_grad()
        out = model(data.x, data.edge_index)
        F.cross_entropy(out[data.train_mask], data.y[data.train_mask]).backward()
        optimizer.step()

    step()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(epochs):
        step()
    return (time.process_time() - cpu) / epochs, (time.perf_counter() - wall) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="transformer,gps,graphormer")
    parser.add_argument("--depths", default="2,8")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    raw = load("cora")
    full = budget("full")
    print(f"# Cora, {torch.get_num_threads()} thread(s), mean of {args.epochs} training epochs after one")
    print("| model | depth | CPU s/epoch | wall s/epoch | full budget's runs at this depth (CPU min) |")
    print("|---|---|---|---|---|")
    total = 0.0
    for name in args.models.split(","):
        data = raw if defaults(name).get("normalize_features", True) is False else row_normalize(raw)
        for depth in (int(d) for d in args.depths.split(",")):
            cpu, wall = epoch_cost(name, data, depth, args.epochs)
            in_full = depth in (2, full.deep_attention)
            spend = cpu * full.transformer_epochs * len(full.seeds) if in_full else 0.0
            total += spend
            print(f"| {name} | {depth} | {cpu:.2f} | {wall:.2f} | "
                  f"{f'{spend / 60:.1f}' if in_full else '-'} |", flush=True)
    print(f"full budget ({full.transformer_epochs} epochs x {len(full.seeds)} seeds at 2 and "
          f"{full.deep_attention} layers), the rows measured above: {total / 60:.1f} CPU minutes at most "
          f"(early stopping ends runs sooner)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB")


if __name__ == "__main__":
    main()
