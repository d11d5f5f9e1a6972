"""GCN without rewiring, with SDRF and with FoSR on Cora, Texas, Cornell, Wisconsin and
Chameleon at depths 2, 4 and 8: test accuracy mean +- std, beside the SDRF paper's GCN numbers.

    PYTHONPATH=src python bench/rewiring.py [--datasets cora,texas,cornell,wisconsin,chameleon]
                                            [--depths 2,4,8] [--seeds 2] [--iterations 50] [--threads 1]

Budget for a shared 2-core machine: run ``i`` (``i < --seeds``) uses seed ``i`` and, on the
geom-gcn datasets, split ``i`` (60/20/20); Cora uses its public Planetoid split. GCN with the
zoo's defaults (hidden 16, dropout 0.5, lr 0.01, weight decay 5e-4), at most 200 epochs,
patience 100 on the validation loss; the test accuracy of the best validation epoch. SDRF and
FoSR add ``--iterations`` edges each (SDRF also removes up to that many), through
``train(..., rewire=NAME, rewire_num_iterations=N)``, rewired once per seed.

Published: the SDRF paper's GCN rows (``None`` and ``SDRF``; depth and iterations tuned by the
authors, their own splits on the largest connected component), read from
``oversmooth.literature.published`` (table ``rewiring``, ``checked=false``: recorded from
memory). Ratio: our best depth's mean over the published number. The FoSR paper reports graph
classification, no GCN node-classification number for these datasets, so FoSR has none.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from oversmooth import datasets, training
from oversmooth.literature.published import number

REWIRINGS = ("none", "sdrf", "fosr")
LABEL = {"none": "GCN", "sdrf": "GCN+SDRF", "fosr": "GCN+FoSR"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", default="cora,texas,cornell,wisconsin,chameleon")
    parser.add_argument("--depths", default="2,4,8")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    depths = [int(d) for d in args.depths.split(",")]
    print(f"# GCN test accuracy (%), {torch.get_num_threads()} thread(s), {args.seeds} runs (seed i, split i), "
          f"<= 200 epochs, patience 100, rewiring {args.iterations} iterations")
    print("| dataset | rewiring | " + " | ".join(f"depth {d}" for d in depths)
          + " | published (tuned depth) | ratio best/published | seconds |")
    print("|---|---|" + "---|" * len(depths) + "---|---|---|")
    for name in args.datasets.split(","):
        splits = [datasets.load(name, split=i if name != "cora" else 0) for i in range(args.seeds)]
        for rewiring in REWIRINGS:
            start = time.perf_counter()
            cells, means = [], []
            for depth in depths:
                accs = []
                for seed, data in enumerate(splits):
                    options = {} if rewiring == "none" else dict(
                        rewire=rewiring, rewire_num_iterations=args.iterations)
                    result = training.train("gcn", data, depth, seed, epochs=200, patience=100,
                                            **options).result
                    accs.append(100 * result.test_acc)
                mean = statistics.mean(accs)
                std = statistics.stdev(accs) if len(accs) > 1 else 0.0
                cells.append(f"{mean:.1f} ± {std:.1f}")
                means.append(mean)
            ref = number(name, LABEL[rewiring], 0, table="rewiring")
            pub = "-" if ref is None else f"{ref.value:.2f}"
            ratio = "-" if ref is None else f"{max(means) / ref.value:.2f}x"
            print(f"| {name} | {rewiring} | " + " | ".join(cells)
                  + f" | {pub} | {ratio} | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
