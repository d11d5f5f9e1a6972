"""Numerical rank, effective rank and feature correlation against numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, dense, rel_close


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ranks(kind, dtype):
    x, _ = make_graph(kind, dtype)
    X = dense(x)
    X = X / np.abs(X).max()  # numpy's SVD itself needs the scaling at 1e30
    s = np.linalg.svd(X, compute_uv=False)
    rel_close(M.numerical_rank(x), (s ** 2).sum() / s[0] ** 2, rtol=1e-6)
    p = s / s.sum()
    p = p[p > 0]
    rel_close(M.effective_rank(x), float(np.exp(-(p * np.log(p)).sum())), rtol=1e-5)


def test_ranks_wide_matrix_and_collapse():
    x = torch.randn(3, 10, dtype=torch.float64)
    s = np.linalg.svd(x.numpy(), compute_uv=False)
    rel_close(M.numerical_rank(x), (s ** 2).sum() / s[0] ** 2)
    collapsed = torch.randn(1, 6).repeat(50, 1)
    assert M.numerical_rank(collapsed) == pytest.approx(1.0)
    assert M.effective_rank(collapsed) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_feature_correlation(kind, dtype):
    x, _ = make_graph(kind, dtype)
    x = torch.cat([x, torch.full((x.size(0), 1), 3.0, dtype=dtype)], 1)  # constant column dropped
    X = dense(x)[:, :-1]
    R = np.corrcoef(X, rowvar=False)
    d = R.shape[0]
    rel_close(M.feature_correlation(x), np.abs(R[~np.eye(d, dtype=bool)]).mean(), rtol=1e-6)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rank_one_residual_against_least_squares(kind, dtype):
    """res(X) = min_v ||X - 1 v^T||_F / ||X||_F, the minimum found by dense least squares."""
    x, _ = make_graph(kind, dtype)
    X = dense(x)
    X = X / np.abs(X).max()
    ones = np.ones((X.shape[0], 1))
    v, *_ = np.linalg.lstsq(ones, X, rcond=None)
    ref = np.linalg.norm(X - ones @ v) / np.linalg.norm(X) if np.linalg.norm(X) > 0 else 0.0
    rel_close(M.rank_one_residual(x), ref, rtol=1e-6, atol=1e-12)
    assert M.compute(x, torch.empty(2, 0, dtype=torch.long), metrics=["rank_one_residual"]) == {
        "rank_one_residual": M.rank_one_residual(x)}


def test_rank_one_residual_ends():
    row = torch.randn(1, 5, dtype=torch.float64)
    assert M.rank_one_residual(row.repeat(7, 1)) == pytest.approx(0.0, abs=1e-12)
    centred = torch.randn(8, 3, dtype=torch.float64)
    centred -= centred.mean(0)
    assert M.rank_one_residual(centred) == pytest.approx(1.0)
    assert M.rank_one_residual(torch.zeros(4, 3)) == 0.0
    # rows proportional to different scales are rank one but not identical
    scaled = torch.tensor([[1.0], [2.0], [3.0]]) @ torch.ones(1, 4)
    assert 0.0 < M.rank_one_residual(scaled) < 1.0
