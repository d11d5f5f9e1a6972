"""Propagation operators and the one cache: against PyG's gcn_norm and dense references."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from oversmooth.graph import GraphOperator, graph_operator, normalized_adjacency
from tests.models.test_layers import _graph


def _dense(ei, n, operator):
    """The textbook operator from a dense adjacency (duplicates and self-loops dropped)."""
    a = torch.zeros(n, n, dtype=torch.float64)
    a[ei[1], ei[0]] = 1.0
    a.fill_diagonal_(0.0)
    if operator in ("gcn", "rw"):
        a = a + torch.eye(n, dtype=torch.float64)
    deg = a.sum(1)
    inv = torch.where(deg > 0, 1.0 / deg, torch.zeros_like(deg))
    if operator in ("gcn", "sym"):
        return inv.sqrt()[:, None] * a * inv.sqrt()[None, :]
    if operator in ("rw", "mean"):
        return inv[:, None] * a
    return a


@pytest.mark.parametrize("operator", ["gcn", "sym", "rw", "adj", "mean"])
def test_normalized_adjacency_matches_dense_formula(operator):
    n, ei = 12, _graph(seed=7)  # several components, an isolated node, a duplicate edge
    ei = torch.cat([ei, torch.tensor([[2, 5], [2, 5]])], 1)  # and self-loops
    torch.testing.assert_close(normalized_adjacency(ei, n, operator, torch.float64).to_dense(),
                               _dense(ei, n, operator))


@pytest.mark.parametrize("operator", ["sym", "adj", "mean"])
def test_dropedge_on_every_operator_renormalises_the_kept_edges(operator):
    n, ei = 12, _graph(seed=8)
    cached = GraphOperator(ei, n, torch.float64, operator)
    torch.manual_seed(1)
    op = cached.dropped(0.5).matrix.to_dense()
    kept = (op != 0) & ~torch.eye(n, dtype=torch.bool)
    assert torch.equal(kept, kept.t()) and 0 < kept.sum()
    dst, src = kept.nonzero().t()
    torch.testing.assert_close(op, _dense(torch.stack([src, dst]), n, operator))


def test_cache_follows_the_tensor_not_its_address():
    first = torch.tensor([[0, 1], [1, 0]])
    a = graph_operator(first, 3, "gcn", torch.float32)
    assert graph_operator(first, 3, "gcn", torch.float32) is a  # same tensor: cached
    assert graph_operator(first, 3, "rw", torch.float32) is not a  # another operator
    first[1, 0] = 2  # edited in place: rebuilt
    assert not torch.equal(graph_operator(first, 3, "gcn", torch.float32).matrix.to_dense(), a.matrix.to_dense())
    other = torch.tensor([[1, 2], [2, 1]])
    expected = normalized_adjacency(other, 3, "gcn").to_dense()
    assert torch.equal(graph_operator(other, 3, "gcn", torch.float32).matrix.to_dense(), expected)


def test_dropedge_operator_is_gcn_norm_of_kept_undirected_edges():
    n, ei = 12, _graph(seed=3)
    cached = GraphOperator(ei, n, torch.float64)
    torch.manual_seed(0)
    op = cached.dropped(0.5).matrix.to_dense()
    kept = (op != 0) & ~torch.eye(n, dtype=torch.bool)
    assert torch.equal(kept, kept.t())  # both directions go together
    assert 0 < kept.sum() < (cached.operator.matrix.to_dense() != 0).sum() - n
    dst, src = kept.nonzero().t()
    expected = normalized_adjacency(torch.stack([src, dst]), n, "gcn", torch.float64).to_dense()
    torch.testing.assert_close(op, expected)
    assert torch.all(torch.diagonal(op) > 0)  # every node keeps its self-loop
    assert cached.dropped(0.0) is cached.operator


def test_gcn_operator_matches_gcn_norm():
    n, ei = 12, _graph(seed=4)
    ew_ei, ew = gcn_norm(torch.unique(ei, dim=1), num_nodes=n, add_self_loops=True)
    dense = torch.zeros(n, n)
    dense[ew_ei[1], ew_ei[0]] = ew
    torch.testing.assert_close(GraphOperator(ei, n, torch.float32).operator.matrix.to_dense(), dense)


def test_random_walk_operator_and_its_dropedge_resample():
    n, ei = 12, _graph(seed=5)
    cached = GraphOperator(ei, n, torch.float64, "rw")
    a = torch.zeros(n, n, dtype=torch.float64)
    a[ei[1], ei[0]] = 1.0
    a = a + torch.eye(n, dtype=torch.float64)
    torch.testing.assert_close(cached.operator.matrix.to_dense(), a / a.sum(1, keepdim=True))
    assert not cached.operator.symmetric
    torch.manual_seed(0)
    dropped = cached.dropped(0.5)
    op = dropped.matrix.to_dense()
    kept = (op != 0) & ~torch.eye(n, dtype=torch.bool)
    assert torch.equal(kept, kept.t()) and 0 < kept.sum() < (a != 0).sum() - n
    dst, src = kept.nonzero().t()
    expected = normalized_adjacency(torch.stack([src, dst]), n, "rw", torch.float64).to_dense()
    torch.testing.assert_close(op, expected)  # rows renormalised to sum 1 over the kept edges
    torch.testing.assert_close(dropped.transposed.to_dense(), op.t())  # what the backward uses
    with pytest.raises(ValueError, match="unknown operator 'sgc'; known: gcn, sym, rw, adj, mean"):
        GraphOperator(ei, n, torch.float64, "sgc")
