"""Dirichlet energy against the dense trace formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, dense, rel_close


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_energy_survey(kind, dtype):
    x, ei = make_graph(kind, dtype)
    X = dense(x)
    ref = sum(np.sum((X[i] - X[j]) ** 2) for i, j in ei.T.tolist()) / X.shape[0]
    rel_close(M.dirichlet_energy(x, ei), ref)
    scaled = ref / np.sum(X ** 2)
    rel_close(M.dirichlet_energy(x, ei, scale_free=True), scaled)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_energy_sym_is_trace_with_gcn_operator(kind, dtype):
    x, ei = make_graph(kind, dtype)
    X, n = dense(x), x.size(0)
    A = np.zeros((n, n))
    A[ei[0].numpy(), ei[1].numpy()] = 1.0
    At = A + np.eye(n)
    dinv = 1.0 / np.sqrt(At.sum(1))
    P = dinv[:, None] * At * dinv[None, :]
    ref = np.trace(X.T @ (np.eye(n) - P) @ X)
    rel_close(M.dirichlet_energy(x, ei, operator="gcn"), ref, rtol=1e-5, atol=1e-9 * np.sum(X ** 2))


def test_dirichlet_energy_counts_columns_as_given():
    x = torch.tensor([[0.0], [2.0]])
    one_way = torch.tensor([[0], [1]])
    assert M.dirichlet_energy(x, one_way) == pytest.approx(4.0 / 2)
    assert M.dirichlet_energy(x, torch.cat([one_way, one_way.flip(0)], 1)) == pytest.approx(8.0 / 2)


def test_sym_energy_vanishes_on_invariant_subspace_not_only_constants():
    x, ei = make_graph("components", torch.float64)
    proj = M.invariant_projection(x, ei)
    assert M.dirichlet_energy(proj, ei, operator="gcn") < 1e-20 * float((x ** 2).sum())
    assert M.dirichlet_energy(proj, ei) > 1e-3  # survey form does not vanish there
