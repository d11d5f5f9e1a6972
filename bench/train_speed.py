"""Per-epoch training time on Cora: ours (``oversmooth.training.train``) vs a straightforward
PyG loop of the same model (stacked ``GCNConv(cached=True)`` / ``GCN2Conv(cached=True)``,
``F.dropout``, Adam).

An epoch is, for both: one training step (forward, cross-entropy on the training
nodes, backward, Adam step) and one evaluation forward pass with train/val/test
accuracy, validation loss and a copy of the weights when validation improves.
Runs alternate ours/reference and the median per-epoch time of ``--repeats`` runs is
reported. ``--accuracy`` also trains both to convergence (authors' settings) on a few
seeds and prints the test accuracies, to show the fast path changes nothing.

    python bench/train_speed.py [--epochs 30] [--repeats 3] [--accuracy]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch_geometric.nn import GCN2Conv, GCNConv  # noqa: E402

from oversmooth.datasets import load  # noqa: E402
from oversmooth.graph import num_classes  # noqa: E402
from oversmooth.models import defaults  # noqa: E402
from oversmooth.training import row_normalize, seed_everything, train  # noqa: E402


class RefGCN(nn.Module):
    def __init__(self, cin, hidden, cout, depth, dropout):
        super().__init__()
        sizes = [cin] + [hidden] * (depth - 1) + [cout]
        self.convs = nn.ModuleList(GCNConv(a, b, cached=True) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = dropout

    def forward(self, x, edge_index):
        for i, conv in enumerate(self.convs):
            x = conv(F.dropout(x, self.dropout, self.training), edge_index)
            if i < len(self.convs) - 1:
                x = F.relu(x)
        return x


class RefGCNII(nn.Module):
    """PyG's examples/gcn2_cora.py model."""

    def __init__(self, cin, hidden, cout, depth, dropout, alpha, theta):
        super().__init__()
        self.lin_in, self.lin_out = nn.Linear(cin, hidden), nn.Linear(hidden, cout)
        self.convs = nn.ModuleList(GCN2Conv(hidden, alpha, theta, layer=k + 1, cached=True)
                                   for k in range(depth))
        self.dropout = dropout

    def forward(self, x, edge_index):
        x = F.dropout(x, self.dropout, self.training)
        x = x0 = F.relu(self.lin_in(x))
        for conv in self.convs:
            x = F.relu(conv(F.dropout(x, self.dropout, self.training), x0, edge_index))
        return self.lin_out(F.dropout(x, self.dropout, self.training))

    def groups(self, conv_wd, wd):
        return [{"params": self.convs.parameters(), "weight_decay": conv_wd},
                {"params": list(self.lin_in.parameters()) + list(self.lin_out.parameters()),
                 "weight_decay": wd}]


def reference_fit(model, data, epochs, lr, groups, patience=None):
    """The textbook PyG loop, with the same per-epoch bookkeeping as ``fit``."""
    optimizer = torch.optim.Adam(groups, lr=lr)
    best, best_state, since, t0 = None, None, 0, time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        optimizer.zero_grad()
        out = model(data.x, data.edge_index)
        loss = F.cross_entropy(out[data.train_mask], data.y[data.train_mask])
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            out = model(data.x, data.edge_index)
            pred = out.argmax(-1)
            accs = [float((pred[m] == data.y[m]).float().mean())
                    for m in (data.train_mask, data.val_mask, data.test_mask)]
            val_loss = float(F.cross_entropy(out[data.val_mask], data.y[data.val_mask]))
        if best is None or val_loss < best[0]:
            best, since = (val_loss, accs[2], epoch), 0
            best_state = copy.deepcopy(model.state_dict())  # noqa: F841 -- the copy fit makes, timed alike
        else:
            since += 1
            if patience is not None and since >= patience:
                break
    return best[1], (time.perf_counter() - t0) / epoch


CASES = [("gcn", 2), ("gcn", 16), ("gcn", 64), ("gcnii", 64)]


def make_reference(name, depth, data):
    """The plain PyG model of ``name`` with the authors' settings (ours is built by ``train``)."""
    d = defaults(name)
    hidden, classes = d["hidden_channels"], num_classes(data)
    if name == "gcn":
        ref = RefGCN(data.num_features, hidden, classes, depth, d["dropout"])
        ref_groups = [{"params": ref.parameters(), "weight_decay": d["weight_decay"]}]
    else:
        ref = RefGCNII(data.num_features, hidden, classes, depth, d["dropout"], d["alpha"], d["theta"])
        ref_groups = ref.groups(d["conv_weight_decay"], d["weight_decay"])
    return ref, ref_groups, d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--only", nargs="*", help="e.g. gcnii-64 gcn-2")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's; 1 is much faster on an oversubscribed machine)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = row_normalize(load("cora"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, Cora {tuple(data.x.shape)}, "
          f"{args.epochs} epochs x {args.repeats} alternating runs (median ms/epoch)")
    print(f"{'model':<10}{'depth':>6}{'hidden':>7}{'ours ms':>10}{'PyG ms':>10}{'ratio':>8}")
    for name, depth in CASES:
        if args.only and f"{name}-{depth}" not in args.only:
            continue
        ours_t, ref_t = [], []
        for r in range(args.repeats):
            res = train(name, data, depth, r, normalize_features=False, epochs=args.epochs).result
            ours_t.append(res.wall_time / res.epochs_run * 1e3)
            seed_everything(r)
            ref, ref_groups, d = make_reference(name, depth, data)
            _, per_epoch = reference_fit(ref, data, args.epochs, d["lr"], ref_groups)
            ref_t.append(per_epoch * 1e3)
        o, p = statistics.median(ours_t), statistics.median(ref_t)
        print(f"{name:<10}{depth:>6}{d['hidden_channels']:>7}{o:>10.2f}{p:>10.2f}{o / p:>7.2f}x", flush=True)
    if args.accuracy:
        print(f"\ntest accuracy at the best validation loss, {args.seeds} seeds (authors' settings)")
        for name, depth in [("gcn", 2), ("gcnii", 64)]:
            ours_acc, ref_acc = [], []
            for s in range(args.seeds):
                ours_acc.append(train(name, data, depth, s, normalize_features=False).result.test_acc * 100)
                seed_everything(s)
                ref, ref_groups, d = make_reference(name, depth, data)
                acc, _ = reference_fit(ref, data, d["epochs"], d["lr"], ref_groups, d["patience"])
                ref_acc.append(acc * 100)
            print(f"{name}-{depth}: ours {statistics.mean(ours_acc):.1f} ± {statistics.pstdev(ours_acc):.1f}"
                  f"  PyG loop {statistics.mean(ref_acc):.1f} ± {statistics.pstdev(ref_acc):.1f}"
                  f"  ({', '.join(f'{a:.1f}' for a in ours_acc)} vs {', '.join(f'{a:.1f}' for a in ref_acc)})",
                  flush=True)


if __name__ == "__main__":
    main()
