"""The quick published targets (bench/reproduce.py runs all of them, with their settings)."""

from __future__ import annotations

import statistics

import pytest

from oversmooth.training import train
from tests.conftest import needs_mirror


def _mean(name, data, depth, seeds=3, **overrides):
    return statistics.mean(100 * train(name, data, depth, seed=s, **overrides).result.test_acc for s in range(seeds))


@needs_mirror
def test_gcn_2_layers_reaches_published(cora):
    assert _mean("gcn", cora, 2) >= 80.5  # Kipf & Welling: 81.5


@needs_mirror
def test_sgc_k2_reaches_published(cora):
    assert _mean("sgc", cora, 2) >= 80.0  # Wu et al.: 81.0


@needs_mirror
def test_plain_gcn_64_layers_collapses(cora):
    assert _mean("gcn", cora, 64, seeds=2, epochs=30) <= 40.0  # DropEdge README: 28.7
