"""Effective resistance, Kirchhoff index and commute times against a dense pseudo-inverse and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from oversmooth import oversquashing as osq
from oversmooth.datasets import load

from ._graphs import to_pyg, zoo

GRAPHS = zoo()


def naive_resistance(g: nx.Graph) -> np.ndarray:
    """Dense pseudo-inverse of the whole Laplacian; inf across components."""
    n = g.number_of_nodes()
    lap = nx.laplacian_matrix(g, nodelist=range(n)).toarray().astype(float)
    pinv = np.linalg.pinv(lap)
    d = np.diag(pinv)
    r = d[:, None] + d[None, :] - 2 * pinv
    comp = np.empty(n, int)
    for c, nodes in enumerate(nx.connected_components(g)):
        comp[list(nodes)] = c
    r[comp[:, None] != comp[None, :]] = np.inf
    np.fill_diagonal(r, 0)
    return r


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_matrix_matches_pseudo_inverse(name):
    g = GRAPHS[name]
    edge_index, n = to_pyg(g)
    r = osq.resistance_matrix(edge_index, n).numpy()
    ref = naive_resistance(g)
    assert np.array_equal(np.isinf(r), np.isinf(ref))
    finite = np.isfinite(ref)
    np.testing.assert_allclose(r[finite], ref[finite], atol=1e-9)


@pytest.mark.parametrize("name", ["K5", "grid", "barbell", "random", "tree"])
def test_against_networkx(name):
    g = GRAPHS[name]
    edge_index, n = to_pyg(g)
    pairs = np.array([[0, 1, 2, 3], [n - 1, n - 2, 4, 0]])
    expected = [nx.resistance_distance(g, int(a), int(b)) for a, b in pairs.T]
    for method in ("exact", "solve"):
        got = osq.effective_resistance(edge_index, pairs, n, method=method)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-7)
    assert osq.total_resistance(edge_index, n) == pytest.approx(nx.effective_graph_resistance(g), rel=1e-9)
    assert osq.total_resistance(edge_index, n, method="solve") == pytest.approx(
        nx.effective_graph_resistance(g), rel=1e-6)


def test_components_and_isolated_nodes():
    g = GRAPHS["components"]
    edge_index, n = to_pyg(g)
    ref = naive_resistance(g)
    within = 0.0
    for nodes in nx.connected_components(g):
        nodes = sorted(nodes)
        within += ref[np.ix_(nodes, nodes)].sum() / 2
    for method in ("exact", "solve"):
        assert osq.total_resistance(edge_index, n, method=method) == pytest.approx(within, rel=1e-7)
    pairs = [[0, 5, 9, 0], [2, 8, 9, 6]]      # within C5, within K4, isolated to itself, across
    with pytest.raises(ValueError, match="different connected components"):
        osq.effective_resistance(edge_index, pairs, n)
    for method in ("exact", "solve", "sketch"):
        got = osq.effective_resistance(edge_index, pairs, n, method=method, disconnected="inf",
                                       num_projections=4000).numpy()
        assert np.isinf(got[3]) and got[2] == 0
        np.testing.assert_allclose(got[:2], [ref[0, 2], ref[5, 8]], rtol=0.1 if method == "sketch" else 1e-7)
    with pytest.raises(ValueError, match="out of range"):
        osq.effective_resistance(edge_index, [[0], [n]], n)


def test_commute_time_is_volume_times_resistance():
    g = GRAPHS["components"]
    edge_index, n = to_pyg(g)
    ct = osq.commute_time(edge_index, [[0, 5], [2, 8]], n)
    ref = naive_resistance(g)
    np.testing.assert_allclose(ct.numpy(), [2 * 5 * ref[0, 2], 2 * 6 * ref[5, 8]])
    # random-walk identity on a connected graph: hitting times from the fundamental matrix
    h = GRAPHS["lollipop"]
    ei, m = to_pyg(h)
    p = nx.to_numpy_array(h, nodelist=range(m))
    p = p / p.sum(1, keepdims=True)
    hit = np.zeros((m, m))
    for t in range(m):
        others = [i for i in range(m) if i != t]
        q = p[np.ix_(others, others)]
        hit[others, t] = np.linalg.solve(np.eye(m - 1) - q, np.ones(m - 1))
    got = osq.commute_time(ei, [[0, 1], [m - 1, 6]], m).numpy()
    np.testing.assert_allclose(got, [hit[0, m - 1] + hit[m - 1, 0], hit[1, 6] + hit[6, 1]], rtol=1e-8)


def test_sketch_error_within_its_bound():
    data = load("erdos-renyi", num_nodes=400, avg_degree=6.0, seed=0)
    exact = osq.resistance_matrix(data).numpy()
    sketch = osq.resistance_sketch(data, num_projections=400, seed=1)
    pairs = np.array(np.triu_indices(400, 1))
    finite = np.isfinite(exact[pairs[0], pairs[1]])
    pairs = pairs[:, finite]
    ratio = sketch.resistance(pairs).numpy() / exact[pairs[0], pairs[1]]
    assert sketch.eps is not None and np.abs(ratio - 1).max() <= sketch.eps
    assert np.std(ratio) == pytest.approx(sketch.relative_stderr, rel=0.25)
    total = osq.total_resistance(data, method="exact")
    assert abs(sketch.total() / total - 1) < 4 * sketch.relative_stderr


def test_bad_input():
    edge_index, n = to_pyg(GRAPHS["C4"])
    with pytest.raises(ValueError, match="unknown method"):
        osq.effective_resistance(edge_index, [[0], [1]], n, method="magic")
    with pytest.raises(ValueError, match="shape"):
        osq.effective_resistance(edge_index, torch.zeros(3, 3, dtype=torch.long), n)
    with pytest.raises(ValueError, match="num_projections"):
        osq.resistance_sketch(edge_index, n, num_projections=0)
