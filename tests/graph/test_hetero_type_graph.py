"""type_graph: the graph among one node type's nodes that its per-type metrics use."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import HeteroData

from oversmooth.graph import hetero, type_graph


def _bipartite() -> HeteroData:
    data = HeteroData()
    data["customer"].x = torch.zeros(4, 1)
    data["merchant"].x = torch.zeros(3, 1)
    buys = torch.tensor([[0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 1, 2]])
    data["customer", "buys", "merchant"].edge_index = buys
    data["merchant", "rev_buys", "customer"].edge_index = buys.flip(0)
    return data


def _pairs(edge_index):
    return {tuple(p) for p in edge_index.T.tolist()}


def test_two_hop_graph_through_the_other_type_matches_dense_matrices():
    data = _bipartite()
    a_in = torch.zeros(3, 4)   # merchant u <- customer j
    a_in[data["customer", "buys", "merchant"].edge_index[1], data["customer", "buys", "merchant"].edge_index[0]] = 1
    reach = (a_in.T @ a_in) > 0  # customers i, j sharing a merchant
    reach.fill_diagonal_(False)
    expected = {(j, i) for i, j in reach.nonzero().tolist()}
    got = type_graph(data, "customer")
    assert _pairs(got) == expected and got.shape[1] == len(expected)  # coalesced: no duplicates
    assert _pairs(type_graph(data, "merchant")) == {(0, 1), (1, 0), (1, 2), (2, 1)}


def test_same_type_relations_win_and_lose_self_loops():
    data = _bipartite()
    data["customer", "knows", "customer"].edge_index = torch.tensor([[0, 1, 2, 2], [1, 0, 2, 3]])
    assert _pairs(type_graph(data, "customer")) == {(0, 1), (1, 0), (2, 3)}


def test_errors(monkeypatch):
    data = _bipartite()
    with pytest.raises(ValueError, match="'shop' is not a node type of the graph"):
        type_graph(data, "shop")
    monkeypatch.setattr(hetero, "TYPE_GRAPH_LIMIT", 5)
    with pytest.raises(ValueError, match="two-hop graph of node type 'customer' through 'merchant' would have over 5"):
        type_graph(data, "customer")
