"""Mean pairwise distance, SMV and group distance ratio against dense references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, dense, cosine_matrix, rel_close, gdr_reference


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_pairwise_distance(kind, dtype):
    x, _ = make_graph(kind, dtype)
    X = dense(x)
    n = X.shape[0]
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    rel_close(M.mean_pairwise_distance(x, squared=True), D2.sum() / (n * (n - 1)))
    rel_close(M.mean_pairwise_distance(x), np.sqrt(D2).sum() / (n * (n - 1)), rtol=1e-7)


def test_mean_pairwise_distance_sampled_is_unbiased_within_stderr():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3000, 4, generator=g)
    exact = M.mean_pairwise_distance(x)
    est, se = M.mean_pairwise_distance_estimate(x, max_exact=100, num_samples=200_000)
    assert 0 < se < 0.01 and abs(est - exact) < 5 * se


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_smv(kind, dtype):
    U, _ = cosine_matrix(make_graph(kind, dtype)[0])
    n = U.shape[0]
    D = 0.5 * np.sqrt(((U[:, None, :] - U[None, :, :]) ** 2).sum(-1))
    rel_close(M.smv(make_graph(kind, dtype)[0]), D.sum() / (n * (n - 1)), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["components", "scaled_small", "scaled_large"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_group_distance_ratio(kind, dtype):
    x, _ = make_graph(kind, dtype)
    y = torch.arange(x.size(0)) % 3 + 2 * (torch.arange(x.size(0)) % 3 == 1)  # labels 0, 3, 2
    rel_close(M.group_distance_ratio(x, y), gdr_reference(x, y.numpy()), rtol=1e-6)


def test_group_distance_ratio_sampled():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 4, (2000,), generator=g)
    x = torch.randn(2000, 3, generator=g) + y.unsqueeze(1).float()
    exact = M.group_distance_ratio(x, y)
    est, se = M.group_distance_ratio_estimate(x, y, max_exact=100, num_samples=200_000)
    assert 0 < se and abs(est - exact) < 5 * se


def test_group_distance_ratio_degenerate():
    x = torch.randn(6, 2)
    assert M.group_distance_ratio(x, torch.zeros(6, dtype=torch.long)) == 0.0
    assert M.group_distance_ratio(torch.zeros(6, 2), torch.arange(6) % 2) == 0.0
    points = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    assert M.group_distance_ratio(points, torch.tensor([0, 0, 1, 1])) == math.inf
