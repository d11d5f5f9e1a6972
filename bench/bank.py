"""Time the bank generator at the size of the claim (10,000 customers, 5,000 merchants,
500,000 transactions; "in seconds": reference 10 s), and beside it the SQLite round trip
(bank_to_sqlite, then from_sqlite), which the claim does not time.

Run: PYTHONPATH=src .venv/bin/python bench/bank.py [--threads N] [--no-sqlite]
(--threads 1 gives stable timings on a shared, oversubscribed machine.) Generation is NumPy;
torch only wraps the arrays, so the thread count barely matters.
"""

import sys
import tempfile
import time
from pathlib import Path

from _common import set_threads

from oversmooth.datasets import bank, bank_to_sqlite, from_sqlite

REFERENCE_S = 10.0
SIZE = dict(num_customers=10_000, num_merchants=5_000, num_transactions=500_000)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    print(f"torch threads: {set_threads()}")
    data, elapsed = timed(bank, **SIZE, seed=0)
    nodes = sum(data[t].num_nodes for t in data.node_types)
    print(f"bank 10k customers, 5k merchants, 500k transactions ({nodes:,} nodes): "
          f"{elapsed:6.2f} s   reference {REFERENCE_S:.0f} s   ratio {elapsed / REFERENCE_S:.2f}x")
    if "--no-sqlite" in sys.argv:
        return
    with tempfile.TemporaryDirectory() as folder:
        path, written = timed(bank_to_sqlite, Path(folder) / "bank.db", **SIZE, seed=0)
        size_mb = path.stat().st_size / 2**20
        _, read = timed(from_sqlite, path, target="customer.fraud")
    print(f"  bank_to_sqlite (generate + write, {size_mb:.0f} MiB): {written:6.2f} s; "
          f"from_sqlite: {read:6.2f} s (no reference)")


if __name__ == "__main__":
    main()
