"""Grounded Laplacian solves: L^+ b for many columns at once, against a dense pseudo-inverse."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from oversmooth.oversquashing._solve import block_cg, grounded_laplacian

from ._graphs import to_pyg, zoo


def zero_sum_per_component(g: nx.Graph, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    b = rng.standard_normal((g.number_of_nodes(), k))
    for nodes in nx.connected_components(g):
        nodes = sorted(nodes)
        b[nodes] -= b[nodes].mean(0)
    return b


@pytest.mark.parametrize("name", ["components", "barbell", "grid", "tree", "dense"])
def test_solve_is_the_pseudo_inverse(name):
    g = zoo()[name]
    edge_index, n = to_pyg(g)
    b = zero_sum_per_component(g, 7)
    pinv = np.linalg.pinv(nx.laplacian_matrix(g, nodelist=range(n)).toarray().astype(float))
    got = grounded_laplacian(edge_index, n).solve(b, tol=1e-12)
    np.testing.assert_allclose(got, pinv @ b, atol=1e-9)


def test_built_once_per_graph_and_no_nan_without_edges():
    edge_index, n = to_pyg(zoo()["C7"])
    assert grounded_laplacian(edge_index, n) is grounded_laplacian(edge_index, n)
    lonely = grounded_laplacian(torch.zeros(2, 0, dtype=torch.long), 3)
    out = lonely.solve(np.zeros((3, 2)), tol=1e-8)
    assert np.array_equal(out, np.zeros((3, 2)))


def test_block_cg_columns_are_independent_and_a_zero_column_stays_zero():
    edge_index, n = to_pyg(zoo()["grid"])
    a = grounded_laplacian(edge_index, n).matrix
    b = np.random.default_rng(1).standard_normal((a.shape[0], 3))
    b[:, 1] = 0.0
    x = block_cg(a, b, tol=1e-12)
    np.testing.assert_allclose(a @ x, b, atol=1e-10)
    assert np.array_equal(x[:, 1], np.zeros(a.shape[0]))
    alone = block_cg(a, b[:, [2]], tol=1e-12)
    np.testing.assert_allclose(alone[:, 0], x[:, 2], atol=1e-10)


def test_not_converging_says_so():
    edge_index, n = to_pyg(zoo()["grid"])
    a = grounded_laplacian(edge_index, n).matrix
    with pytest.raises(RuntimeError, match="did not reach tol"):
        block_cg(a, np.ones((a.shape[0], 1)), tol=1e-12, maxiter=2)
