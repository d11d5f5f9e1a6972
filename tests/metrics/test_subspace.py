"""Invariant projection and subspace distance against the dense projection."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, dense, rel_close, dense_projection


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("operator", ["gcn", "sym", "rw"])
def test_invariant_projection_and_distance(kind, dtype, operator):
    x, ei = make_graph(kind, dtype)
    X, n = dense(x), x.size(0)
    ref = dense_projection(X, ei, n, operator)
    proj = M.invariant_projection(x, ei, operator=operator)
    assert proj.dtype == dtype and proj.shape == x.shape
    scale = np.abs(X).max()
    np.testing.assert_allclose(dense(proj) / scale, ref / scale, rtol=1e-5, atol=1e-6)
    rel_close(M.subspace_distance(x, ei, operator=operator), np.linalg.norm(X - ref), rtol=1e-6,
              atol=1e-12 * np.linalg.norm(X))


def test_gcn_projection_is_limit_of_propagation():
    from oversmooth.graph import normalized_adjacency

    x, ei = make_graph("components", torch.float64)
    P = normalized_adjacency(ei, x.size(0), "gcn", torch.float64).to_dense()
    limit = torch.linalg.matrix_power(P, 2000) @ x
    torch.testing.assert_close(M.invariant_projection(x, ei), limit, rtol=1e-6, atol=1e-8)
    assert M.subspace_distance(P @ x, ei) < M.subspace_distance(x, ei)


def test_relative_distance_is_a_registered_metric():
    """``subspace_distance_rel`` is d_M(X)/||X||_F: the same at any scale of x."""
    x, ei = make_graph("components", torch.float64)
    got = M.compute(x, ei, metrics=["subspace_distance_rel"])["subspace_distance_rel"]
    assert got == pytest.approx(M.subspace_distance(x, ei, relative=True), rel=1e-12)
    assert got == pytest.approx(M.subspace_distance(x, ei) / float(x.norm()), rel=1e-9)
    assert M.compute(1e3 * x, ei, metrics=["subspace_distance_rel"])["subspace_distance_rel"] == pytest.approx(got)
