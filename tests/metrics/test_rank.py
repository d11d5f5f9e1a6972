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
