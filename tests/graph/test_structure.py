"""Graph structure against networkx, PyG and dense references."""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.utils import is_undirected as pyg_is_undirected

from oversmooth.graph import (bipartite_components, components, degree, graph_of, half_edges, invariant_basis,
                              is_undirected, normalized_adjacency, num_classes)
from tests.metrics.test_fast_paths import edge_variants


def _graphs():
    """Several components, isolated nodes, a duplicate edge, self-loops, odd and even cycles."""
    und = [(0, 1), (1, 2), (2, 3), (3, 0),          # even cycle: bipartite
           (4, 5), (5, 6), (6, 4),                  # triangle: not bipartite
           (7, 8), (7, 8), (9, 9)]                  # a duplicate edge, a self-loop on 9
    pairs = und + [(j, i) for i, j in und]
    ei = torch.tensor(pairs).t().contiguous()
    return {"mixed": (ei, 12),                               # 10, 11 isolated
            "empty": (torch.empty(2, 0, dtype=torch.long), 3),
            "directed": (torch.tensor([[0, 1, 2], [1, 2, 0]]), 4)}


def _nx(ei, n):
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(a), int(b)) for a, b in ei.t() if a != b)
    return g


@pytest.mark.parametrize("name", list(_graphs()))
def test_components_match_networkx(name):
    ei, n = _graphs()[name]
    count, labels = components(ei, n)
    expected = list(nx.connected_components(_nx(ei, n)))
    assert count == len(expected)
    for comp in expected:
        assert len({int(labels[i]) for i in comp}) == 1
    assert len({int(labels[next(iter(c))]) for c in expected}) == count


@pytest.mark.parametrize("name", ["mixed", "empty"])
def test_bipartite_components_match_networkx(name):
    ei, n = _graphs()[name]
    g = _nx(ei, n)
    expected = sum(1 for c in nx.connected_components(g)
                   if g.subgraph(c).number_of_edges() and nx.is_bipartite(g.subgraph(c)))
    assert bipartite_components(ei, n) == expected


def test_degree_counts_distinct_neighbours():
    ei, n = _graphs()["mixed"]
    a = torch.zeros(n, n, dtype=torch.float64)
    a[ei[1], ei[0]] = 1.0
    a.fill_diagonal_(0.0)
    torch.testing.assert_close(degree(ei, n), a.sum(1))


@pytest.mark.parametrize("operator", ["gcn", "sym", "rw"])
def test_invariant_basis_spans_the_eigenvalue_one_eigenspace(operator):
    ei, n = _graphs()["mixed"]
    basis = invariant_basis(ei, n, operator)
    p = normalized_adjacency(ei, n, operator, torch.float64).to_dense()
    for m in range(basis.count):
        e = torch.where(basis.labels == m, basis.weights, 0.0)
        torch.testing.assert_close(p @ e, e)  # P e_m = e_m (0 = 0 for sym's isolated nodes)
    eigenvalues = torch.linalg.eigvals(p)
    ones = int((eigenvalues - 1.0).abs().lt(1e-9).sum())
    assert basis.dimension == ones  # the basis spans all of it: one vector per component
    x = torch.randn(n, 3, dtype=torch.float64)
    projected = basis.project(x)
    torch.testing.assert_close(basis.project(projected), projected)  # a projection
    if operator != "rw":  # orthogonal: the residual is orthogonal to every basis vector
        for m in range(basis.count):
            e = torch.where(basis.labels == m, basis.weights, 0.0)
            torch.testing.assert_close(e @ (x - projected), torch.zeros(3, dtype=torch.float64))


def test_invariant_basis_rejects_an_unknown_operator():
    ei, n = _graphs()["mixed"]
    with pytest.raises(ValueError, match="unknown operator 'appnp' for the invariant basis"):
        invariant_basis(ei, n, "appnp")


@pytest.mark.parametrize("name", list(_graphs()))
def test_is_undirected_matches_pyg(name):
    ei, n = _graphs()[name]
    assert is_undirected(ei, n) == pyg_is_undirected(ei, num_nodes=n)


def test_num_classes_and_graph_of():
    data = Data(x=torch.zeros(4, 1), edge_index=torch.tensor([[0], [1]]), y=torch.tensor([0, 3, 1, 1]))
    assert num_classes(data) == num_classes(data.y) == 4
    assert num_classes(Data(x=torch.zeros(2, 1))) == 0
    assert graph_of(data)[1] == 4
    with pytest.raises(ValueError, match="refers to node 5 but the graph has only 4 nodes"):
        graph_of(Data(x=torch.zeros(4, 1), edge_index=torch.tensor([[0], [5]])))


def test_half_edges_only_for_symmetric_lists():
    lists = edge_variants()
    n = 24
    assert half_edges(lists["coalesced"], n, as_given=True) is not None
    assert half_edges(lists["coalesced_with_loops"], n, as_given=True) is not None
    assert half_edges(lists["shuffled"], n, as_given=True) is None  # columns are not the simple list
    assert half_edges(lists["shuffled"], n, as_given=False) is not None
    assert half_edges(lists["directed"], n, as_given=False) is None
    src, dst = half_edges(lists["coalesced"], n, as_given=True)
    assert bool((src < dst).all()) and 2 * src.numel() == lists["coalesced"].size(1)
