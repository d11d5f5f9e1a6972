"""datasets.summary: a homogeneous graph (unchanged keys and values) and a heterogeneous one
(the flattened graph's statistics, per-type counts, homophily among target nodes)."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch_geometric.data import Data

from oversmooth.datasets import bank, load, metapath_homophily, summary
from tests.graph._hetero import shop


def test_homogeneous_summary_keys_and_values():
    # path 0-1-2-3, node 4 isolated, a self-loop at 3
    ei = torch.tensor([[0, 1, 1, 2, 2, 3, 3], [1, 0, 2, 1, 3, 2, 3]])
    data = Data(x=torch.zeros(5, 2), edge_index=ei, y=torch.tensor([0, 0, 1, 1, 0]),
                train_mask=torch.tensor([True, False, False, False, True]))
    assert summary(data) == {
        "name": None, "num_nodes": 5, "num_edges": 3, "num_features": 2, "num_classes": 2,
        "edge_homophily": pytest.approx(4 / 6), "node_homophily": pytest.approx((1 + 0.5 + 0.5 + 1) / 4),
        "isolated_nodes": 1, "connected_components": 2, "avg_degree": pytest.approx(6 / 5), "max_degree": 2,
        "directed": False, "self_loops": 1, "train_nodes": 2,
    }
    assert list(summary(data))[:7] == ["name", "num_nodes", "num_edges", "num_features", "num_classes",
                                       "edge_homophily", "node_homophily"]


def test_hetero_summary_describes_the_flattened_graph_and_each_type():
    data = shop()
    s = summary(data)
    expected = {
        "name": None, "num_nodes": 10, "num_edges": 9, "num_features": 6, "num_classes": 2,
        "isolated_nodes": 1, "connected_components": 3, "avg_degree": pytest.approx(1.8), "max_degree": 3,
        "directed": False, "self_loops": 0, "target_node_type": "customer",
        "train_nodes": 2, "val_nodes": 1, "test_nodes": 2,
    }
    assert {k: s[k] for k in expected} == expected
    assert s["node_types"] == {"customer": {"num_nodes": 5, "num_features": 3},
                               "merchant": {"num_nodes": 4, "num_features": 2},
                               "city": {"num_nodes": 1, "num_features": 1}}
    assert s["edge_types"] == {"customer,pays,merchant": 5, "merchant,paid_by,customer": 5,
                               "customer,rates,merchant": 1, "merchant,rated_by,customer": 1,
                               "customer,knows,customer": 4, "merchant,refers,merchant": 0,
                               "merchant,in,city": 2, "city,hosts,merchant": 2}
    # customer-knows-customer: (1,3) same class, (0,4) not, each listed both ways
    assert s["edge_homophily"] == pytest.approx(0.5) and s["node_homophily"] == pytest.approx(0.5)
    assert s["metapath_homophily"] == {"customer-merchant-customer": pytest.approx(_metapath_loop(data))}


def _metapath_loop(data):
    """Fraction of paths t1 - merchant - t2 (t1 != t2) joining customers of one class."""
    y = data["customer"].y.tolist()
    links = set()
    for (s, r, d) in data.edge_types:
        for i, j in data[s, r, d].edge_index.T.tolist():
            if (s, d) == ("customer", "merchant"):
                links.add((i, j))
            elif (s, d) == ("merchant", "customer"):
                links.add((j, i))
    same = total = 0
    for a in range(data["merchant"].num_nodes):
        linked = sorted(t for t, m in links if m == a)
        for t1, t2 in itertools.permutations(linked, 2):
            total += 1
            same += y[t1] == y[t2]
    return same / total


def test_hetero_summary_without_target_edges_or_labels():
    data = shop()
    del data["customer", "knows", "customer"]
    s = summary(data)
    assert s["edge_homophily"] is None and s["node_homophily"] is None
    assert s["metapath_homophily"]["customer-merchant-customer"] == pytest.approx(0.5)
    data.target_node_type = "merchant"       # named target without labels
    s = summary(data)
    assert s["num_classes"] is None and s["metapath_homophily"] == {} and "train_nodes" not in s


def test_metapath_homophily_degenerate():
    y = torch.tensor([0, 1, 1])
    assert metapath_homophily(torch.tensor([[0, 1], [0, 1]]), y, 2) is None      # no node links two targets
    assert metapath_homophily(torch.tensor([[1, 2, 2], [0, 0, 0]]), y, 1) == 1.0  # duplicates count once
    assert metapath_homophily(torch.zeros(2, 0, dtype=torch.long), y, 3) is None


def test_the_summary_of_the_flattened_bank_is_the_banks():
    params = dict(num_customers=60, num_merchants=10, num_transactions=300, seed=3)
    flat, hetero = summary(load("bank-flat", **params)), summary(bank(**params))
    assert flat.pop("name") == "bank-flat" and hetero.pop("name") == "bank"
    assert flat == hetero  # homophily among customers only, not the placeholder labels of other rows
