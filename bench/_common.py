"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`)."""

import sys

import torch


def set_threads() -> int:
    """Apply ``--threads N`` from the command line (1 gives stable timings on a shared,
    oversubscribed machine) and return torch's thread count."""
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    return torch.get_num_threads()
