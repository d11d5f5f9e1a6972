"""Reproduce the published accuracies of the issue: ours (mean ± std over seeds) beside the
published number, the threshold, the settings used, PASS/FAIL.

    python bench/reproduce.py            # every target
    python bench/reproduce.py --fast     # the quick ones (shallow models)
    python bench/reproduce.py --only gcnii-64 --seeds 3

Hyperparameters are the model defaults (``oversmooth.models.defaults``: the authors'
settings) plus the overrides listed per target; features are row-normalised as in the
authors' code; test accuracy is taken at the epoch of lowest validation loss. Nothing is
tuned on the test set. The published numbers and their sources come from the table of
``oversmooth.literature.published``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import torch  # noqa: E402

from oversmooth.datasets import load  # noqa: E402
from oversmooth.literature.published import number  # noqa: E402
from oversmooth.models import defaults  # noqa: E402
from oversmooth.training import train  # noqa: E402


@dataclass
class Target:
    key: str
    model: str
    depth: int
    threshold: float
    label: str  # the row of the table of published numbers (oversmooth.literature.published)
    table: str = "best"  # its table: "best" (each paper's headline result) or "table3"
    dataset: str = "cora"
    overrides: dict = field(default_factory=dict)
    at_most: bool = False  # the target is a collapse: ours must be <= threshold
    fast: bool = False
    settings_from: str = ""  # where the overrides come from, when not the model defaults
    per_split: bool = False  # seed i runs on split i

    @property
    def reference(self):
        """The published number (value, source, checked) this target reproduces."""
        found = number(self.dataset, self.label, self.depth, self.table)
        if found is None:
            raise LookupError(f"{self.key}: no published number for {self.label} at depth "
                              f"{self.depth} on {self.dataset} in table {self.table!r}")
        return found

    @property
    def published(self) -> float:
        return self.reference.value

    @property
    def source(self) -> str:
        ref = self.reference
        text = ref.source_short + ("" if ref.checked else " (not checked against the source)")
        return f"{text}; settings of {self.settings_from}" if self.settings_from else text


TARGETS = [
    Target("gcn-2", "gcn", 2, 80.5, "GCN", fast=True),
    Target("sgc-2", "sgc", 2, 80.0, "SGC", fast=True),
    Target("appnp-10", "appnp", 10, 82.5, "APPNP", fast=True),
    Target("gat-2", "gat", 2, 81.5, "GAT"),
    Target("gcn-64", "gcn", 64, 40.0, "GCN", table="table3", at_most=True, fast=True,
           overrides=dict(epochs=200)),
    # Settings of DropEdge/DropEdge script/semi-supervised/cora_JKNet_nodrop.sh: hidden 128,
    # dropout 0.8, lr 0.001, weight decay 5e-4, 400 epochs, early_stopping 400 (so it never
    # stops early; the checkpoint of lowest validation loss is tested), --normalization
    # AugRWalk (operator="rw": D~^-1 (A + I)). Their model (src/models.py GCNModel) drops
    # nothing on the input features (input_dropout=0) and initialises every graph
    # convolution as src/layers.py GraphConvolutionBS does: weight and bias ~ U(+-1/sqrt(fan_out))
    # (init="pygcn"). The init is what matters: with our defaults (Glorot convolutions, an
    # nn.Linear head starting within +-1/sqrt(2048) instead of +-1/sqrt(7)) the mean is 75.2.
    # The repository has only this 4-layer script (nbaseblocklayer 2), no per-depth one.
    # What the options do not express: their 16 layers are input GC + 14 GC (DenseGCNBlock:
    # each reads only the previous output, dropped once) + an output *graph convolution* over
    # the concatenation of the 15 hidden outputs (ours: 16 GC, JumpingKnowledge cat, dropout,
    # linear head); their checkpoint's validation loss comes from the training-mode forward
    # pass before the step (ours: eval mode, after it).
    Target("jknet-16", "jknet", 16, 79.0, "JKNet", table="table3",
           overrides=dict(hidden_channels=128, dropout=0.8, lr=0.001, weight_decay=5e-4, epochs=400,
                          patience=400, operator="rw", input_dropout=0.0, init="pygcn"),
           settings_from="script/semi-supervised/cora_JKNet_nodrop.sh"),
    Target("gcnii-64", "gcnii", 64, 84.5, "GCNII", table="table3"),
    Target("gcnii-texas", "gcnii", 32, 70.0, "GCNII", dataset="texas", per_split=True,
           overrides=dict(alpha=0.5, theta=1.5, dropout=0.5, weight_decay=1e-4, conv_weight_decay=1e-4),
           settings_from="the GCNII repository's full-supervised.py, geom-gcn splits"),
]


def run(target: Target, seeds: int) -> dict:
    accs, epochs, start = [], [], time.perf_counter()
    data = None if target.per_split else load(target.dataset)
    for seed in range(seeds):
        graph = load(target.dataset, split=seed) if target.per_split else data
        result = train(target.model, graph, target.depth, seed=seed, **dict(target.overrides)).result
        accs.append(100 * result.test_acc)
        epochs.append(result.epochs_run)
    mean, std = statistics.mean(accs), statistics.pstdev(accs)
    ok = mean <= target.threshold if target.at_most else mean >= target.threshold
    settings = {k: v for k, v in defaults(target.model).items()}
    settings.update(target.overrides)
    settings.update(depth=target.depth, seeds=list(range(seeds)), epochs_run=epochs)
    if target.per_split:
        settings["splits"] = list(range(seeds))
    return dict(mean=mean, std=std, accs=accs, ok=ok, settings=settings,
                seconds=time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fast", action="store_true", help="only the quick targets")
    parser.add_argument("--only", nargs="*", help="target keys: " + ", ".join(t.key for t in TARGETS))
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's; 1 is much faster on an oversubscribed machine)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    chosen = [t for t in TARGETS if (not args.fast or t.fast) and (not args.only or t.key in args.only)]
    print(f"{'target':<13}{'dataset':<8}{'ours':>14}{'published':>11}{'threshold':>12}  result")
    for t in chosen:
        r = run(t, args.seeds)
        sign = "<=" if t.at_most else ">="
        print(f"{t.key:<13}{t.dataset:<8}{r['mean']:>8.1f} ± {r['std']:.1f}{t.published:>11.1f}"
              f"{sign:>6} {t.threshold:<5.1f}  {'PASS' if r['ok'] else 'FAIL'}  ({r['seconds']:.0f} s)")
        print(f"    seeds: {', '.join(f'{a:.1f}' for a in r['accs'])}; source: {t.source}")
        print("    settings: " + ", ".join(f"{k}={v}" for k, v in r["settings"].items()), flush=True)


if __name__ == "__main__":
    main()
