"""Overhead of oversmooth.Probe: 100 epochs of a 32-layer GCN on Cora, with and without recording.

Targets: recording every epoch under 1.3x the plain loop, every 10 epochs under 1.05x.
Run: OVERSMOOTH_DATA_MIRROR=../shared/datasets .venv/bin/python bench/probe.py [--threads N] [--repeats R]
(--threads 1 gives stable timings on a shared, oversubscribed machine,
where multi-threaded torch ops wait on descheduled threads.) Times are the process's CPU
seconds (time.process_time), which time spent descheduled by other work does not inflate;
with one torch thread they equal the wall time of an idle machine.
"""

import sys
import time

import torch
import torch.nn.functional as F
from _common import set_threads
from torch_geometric.nn import GCNConv

import oversmooth
from oversmooth.datasets import load
from oversmooth.graph import num_classes
from oversmooth.probe import PROBE_BACKWARD, PROBE_METRICS

EPOCHS, DEPTH, HIDDEN = 100, 32, 64
REPEATS = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 2


class DeepGCN(torch.nn.Module):
    def __init__(self, num_features, num_classes):
        super().__init__()
        dims = [num_features] + [HIDDEN] * (DEPTH - 1) + [num_classes]
        self.convs = torch.nn.ModuleList(GCNConv(a, b, cached=True) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x, edge_index):
        for k, conv in enumerate(self.convs):
            x = conv(F.dropout(x, 0.5, self.training), edge_index)
            if k < len(self.convs) - 1:
                x = F.relu(x)
        return x


def train(data, every, metrics=None, backward=True):
    """CPU seconds for EPOCHS epochs; ``every=None`` trains without a probe."""
    torch.manual_seed(0)
    model = DeepGCN(data.num_features, num_classes(data))
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    probe = oversmooth.Probe(model, data, every=every, metrics=metrics, backward=backward) if every else None

    def step(epoch):
        opt.zero_grad()
        out = model(data.x, data.edge_index)
        F.cross_entropy(out[data.train_mask], data.y[data.train_mask]).backward()
        opt.step()

    model(data.x, data.edge_index)  # fills the GCN caches outside the timing
    start = time.process_time()
    if probe is None:
        for epoch in range(EPOCHS):
            step(epoch)
    else:
        with probe:
            for epoch in range(EPOCHS):
                with probe.epoch(epoch):
                    step(epoch)
    return time.process_time() - start, probe


# (label, every, forward metrics, backward measures, target ratio or None)
CASES = [
    ("no probe", None, None, True, None),
    ("probe every epoch", 1, None, True, 1.3),
    ("probe every 10 epochs", 10, None, True, 1.05),
    ("every epoch, + grad_energy_rel", 1, None, "all", None),
    ("every epoch, + numerical_rank", 1, PROBE_METRICS + ("numerical_rank",), True, None),
]


def main():
    print(f"torch threads: {set_threads()}")
    data = load("cora")
    best, rows = {}, {}
    for _ in range(REPEATS):  # interleaved repeats, best of each: the machine is shared
        for label, every, metrics, backward, _target in CASES:
            seconds, probe = train(data, every, metrics, backward)
            best[label] = min(best.get(label, float("inf")), seconds)
            if probe is not None:
                rows[label] = len(probe.forward_table()), len(probe.backward_table())
    base = best["no probe"]
    print(f"{EPOCHS} epochs, {DEPTH}-layer GCN (hidden {HIDDEN}) on Cora, best of {REPEATS}; "
          f"default forward metrics {', '.join(PROBE_METRICS)}, backward "
          f"{', '.join(PROBE_BACKWARD)}")
    for label, every, _metrics, _backward, target in CASES:
        line = f"  {label:<31}{best[label]:7.2f} s"
        if every is not None:
            ratio = best[label] / base
            line += f"   ratio {ratio:5.2f}x"
            if target is not None:
                line += f"   target {target:.2f}x   {'OK' if ratio < target else 'MISSED'}"
            line += f"   ({rows[label][0]} forward, {rows[label][1]} backward rows)"
        print(line)


if __name__ == "__main__":
    main()
