"""Backward smoothness against its definitions."""

from __future__ import annotations

import pytest
import torch

from oversmooth import metrics as M
from tests.metrics._reference import make_graph


def test_backward_smoothness_matches_definitions():
    x, ei = make_graph("components", torch.float64)
    out = M.backward_smoothness(x, ei)
    norm2 = float((x ** 2).sum())
    assert out["grad_norm"] == pytest.approx(norm2 ** 0.5)
    assert out["grad_energy_rel"] == pytest.approx(M.dirichlet_energy(x, ei, operator="gcn") / norm2)
    assert out["grad_subspace_rel"] == pytest.approx(M.subspace_distance(x, ei) ** 2 / norm2)
    assert out["grad_mean_norm"] == pytest.approx(float(x.mean(0).norm()))
    assert set(M.backward_smoothness(torch.zeros(4, 2), ei[:, :0]).values()) == {0.0}
