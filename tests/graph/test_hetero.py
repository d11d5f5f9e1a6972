"""graph.hetero: flattening a heterogeneous graph, moving rows between it and per-type
dicts, the heterogeneous operator (the normalized adjacency of the union), and the graph
among one node type's nodes (type_graph)."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import HeteroData

from oversmooth import graph
from oversmooth.graph import (cat_by_type, flat_edge_index, graph_of, invariant_basis, node_slices,
                              propagation_operator, split_by_type, to_homogeneous)
from tests.graph._hetero import dense_union, shop


def test_node_slices_follow_the_node_type_order():
    data = shop()
    assert node_slices(data) == {"customer": slice(0, 5), "merchant": slice(5, 9), "city": slice(9, 10)}
    assert node_slices(to_homogeneous(data)) == node_slices(data)
    assert node_slices({"b": torch.zeros(2, 1), "a": 3}) == {"b": slice(0, 2), "a": slice(2, 5)}
    with pytest.raises(ValueError, match="node type 'a' has no valid node count"):
        node_slices({"a": -1})
    with pytest.raises(ValueError, match="expected a HeteroData"):
        node_slices(torch.zeros(3))


def test_flat_edge_index_shifts_every_edge_type():
    data = shop()
    flat = flat_edge_index(graph.edge_index_dict(data), data.num_nodes_dict)
    start = {"customer": 0, "merchant": 5, "city": 9}
    expected = [(start[s] + i, start[d] + j) for s, r, d in data.edge_types
                for i, j in data[s, r, d].edge_index.T.tolist()]
    assert list(map(tuple, flat.T.tolist())) == expected
    edge_index, n = graph_of(data)
    assert edge_index is flat and n == 10


def test_flat_edge_index_is_cached_with_the_edge_tensors():
    data = shop()
    first, _ = graph_of(data)
    assert graph_of(data)[0] is first                    # one tensor: one cached structure
    data["customer", "pays", "merchant"].edge_index[1, 0] = 3   # an in-place edit is seen
    again, _ = graph_of(data)
    assert again is not first and int(again[1, 0]) == 5 + 3
    again[0, 0] = 7                                       # so is an edit of the flattened tensor
    assert int(graph_of(data)[0][0, 0]) == 0


def test_to_homogeneous_places_features_block_diagonally():
    data = shop()
    flat = to_homogeneous(data)
    assert flat.num_nodes == 10 and flat.x.shape == (10, 3 + 2 + 1)
    assert flat.node_types == ["customer", "merchant", "city"]
    assert flat.node_type_offsets == [0, 5, 9, 10] and flat.feature_offsets == [0, 3, 5, 6]
    assert flat.node_type.tolist() == [0] * 5 + [1] * 4 + [2]
    for k, t in enumerate(flat.node_types):
        rows = slice(flat.node_type_offsets[k], flat.node_type_offsets[k + 1])
        for c in range(6):
            inside = flat.feature_offsets[k] <= c < flat.feature_offsets[k + 1]
            column = flat.x[rows, c]
            if inside:
                assert torch.equal(column, data[t].x[:, c - flat.feature_offsets[k]])
            else:
                assert not column.any()
    assert flat.edge_types == data.edge_types
    sizes = [data[e].edge_index.size(1) for e in data.edge_types]
    assert flat.edge_type.tolist() == [k for k, n in enumerate(sizes) for _ in range(n)]
    assert flat.target_node_type == "customer"
    assert graph.validate(flat) is flat


def test_to_homogeneous_puts_labels_and_masks_on_the_target_rows():
    data = shop()
    flat = to_homogeneous(data)
    assert flat.y.tolist() == data["customer"].y.tolist() + [0] * 5
    for name in ("train_mask", "val_mask", "test_mask"):
        assert flat[name].tolist() == data["customer"][name].tolist() + [False] * 5
    data["customer"].train_mask = torch.ones(5, 3, dtype=torch.bool)   # one column per split
    assert to_homogeneous(data).train_mask.shape == (10, 3)
    assert not to_homogeneous(data).train_mask[5:].any()


def test_to_homogeneous_promotes_dtypes_and_validates():
    data = shop()
    data["merchant"].x = data["merchant"].x.double()
    assert to_homogeneous(data).x.dtype == torch.float64
    data["merchant"].x[0, 0] = float("nan")
    with pytest.raises(ValueError, match="node type 'merchant': x contains NaN"):
        to_homogeneous(data)


def test_split_and_cat_are_inverse():
    data = shop()
    flat = torch.randn(10, 4)
    parts = split_by_type(flat, data)
    assert [p.shape[0] for p in parts.values()] == [5, 4, 1]
    assert torch.equal(cat_by_type(parts, data), flat)
    reordered = {t: parts[t] for t in ("city", "customer", "merchant")}
    assert torch.equal(cat_by_type(reordered, data), flat)     # the graph's order, not the dict's
    assert torch.equal(cat_by_type(reordered), torch.cat([parts["city"], parts["customer"], parts["merchant"]]))


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("city"), "x_dict has no rows for node type 'city'"),
    (lambda p: p.update(city=torch.zeros(2, 4)), r"x_dict\['city'\] has 2 rows but node type 'city' has 1 nodes"),
    (lambda p: p.update(shop=torch.zeros(1, 4)), "x_dict has node type 'shop', which the graph does not have"),
    (lambda p: p.update(city=torch.zeros(1, 3)), r"x_dict\['city'\] has shape \[1, 3\] but x_dict\['customer'\] has \[5, 4\]"),
])
def test_cat_by_type_errors(change, message):
    data = shop()
    parts = split_by_type(torch.randn(10, 4), data)
    change(parts)
    with pytest.raises(ValueError, match=message):
        cat_by_type(parts, data)
    with pytest.raises(ValueError, match="x has 9 rows but the graph has 10 nodes"):
        split_by_type(torch.zeros(9, 2), data)


def _dense_gcn(a):
    a = a + torch.eye(a.size(0), dtype=a.dtype)
    root = a.sum(1).rsqrt()
    return root[:, None] * a * root[None, :]


@pytest.mark.parametrize("operator", ["gcn", "sym", "rw"])
def test_heterogeneous_operator_is_the_normalized_union(operator):
    data = shop()
    a = dense_union(data)
    assert torch.equal(a, a.T)
    if operator == "gcn":
        expected = _dense_gcn(a)
    elif operator == "sym":
        deg = a.sum(1)
        inv = torch.where(deg > 0, deg.rsqrt(), torch.zeros_like(deg))
        expected = inv[:, None] * a * inv[None, :]
    else:
        loops = a + torch.eye(10, dtype=a.dtype)
        expected = loops / loops.sum(1, keepdim=True)
    op = propagation_operator(data, operator)
    assert torch.allclose(op.to_dense(), expected, atol=1e-12)
    # the pair joined by both `pays` and `rates` counts once: customer 0 has 2 neighbours
    assert int((a[0] > 0).sum()) == 2


def test_invariant_basis_of_the_heterogeneous_operator():
    data = shop()
    edge_index, n = graph_of(data)
    count, labels = graph.components(edge_index, n)
    assert count == 3 and int(labels[8]) not in labels[:8].tolist()   # merchant 3 is isolated
    basis = invariant_basis(edge_index, n, "gcn")
    p = _dense_gcn(dense_union(data))
    for m in range(basis.count):
        e = torch.where(basis.labels == m, basis.weights, 0.0)
        assert torch.allclose(p @ e, e, atol=1e-12)


def test_heterogeneous_graph_without_edge_types():
    data = HeteroData()
    data["a"].x = torch.randn(2, 2)
    data["a"].y = torch.tensor([0, 1])
    data["b"].x = torch.randn(3, 1)
    flat = to_homogeneous(data)
    assert flat.edge_index.shape == (2, 0) and flat.edge_type.numel() == 0
    assert graph.components(flat.edge_index, 5)[0] == 5
    assert torch.allclose(propagation_operator(data, "gcn").to_dense(), torch.eye(5, dtype=torch.float64))


def test_the_cache_keys_a_tuple_of_edge_tensors():
    from oversmooth.graph import cached

    a, b, c = (torch.zeros(2, 1, dtype=torch.long) for _ in range(3))
    assert cached((a, b), 3, "k", lambda: 1) == 1
    assert cached((a, b), 3, "k", lambda: 2) == 1           # same tensors, unchanged
    assert cached((a, c), 3, "k", lambda: 3) == 3           # another second tensor
    assert cached((a,), 3, "k", lambda: 4) == 4             # a one-tuple is not a or (a, b)
    assert cached(a, 3, "k", lambda: 5) == 5
    assert cached((), 3, "k", lambda: 6) == 6 and cached((), 3, "k", lambda: 7) == 6
    b.add_(1)                                               # an in-place edit of any of them
    assert cached((a, b), 3, "k", lambda: 8) == 8


# ---------------------------------------------------------------------------- type_graph
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
    got = graph.type_graph(data, "customer")
    assert _pairs(got) == expected and got.shape[1] == len(expected)  # coalesced: no duplicates
    assert _pairs(graph.type_graph(data, "merchant")) == {(0, 1), (1, 0), (1, 2), (2, 1)}


def test_same_type_relations_win_and_lose_self_loops():
    data = _bipartite()
    data["customer", "knows", "customer"].edge_index = torch.tensor([[0, 1, 2, 2], [1, 0, 2, 3]])
    assert _pairs(graph.type_graph(data, "customer")) == {(0, 1), (1, 0), (2, 3)}


def test_type_graph_on_the_shop():
    data = shop()
    assert _pairs(graph.type_graph(data, "customer")) == {(1, 3), (3, 1), (0, 4), (4, 0)}  # knows
    # 'refers' has no edge: through customers (each pays one merchant: only self-pairs, dropped,
    # however many relations join them) and the city hosting merchants 0 and 1
    assert _pairs(graph.type_graph(data, "merchant")) == {(0, 1), (1, 0)}
    assert graph.type_graph(data, "city").shape == (2, 0)


def test_type_graph_errors(monkeypatch):
    data = _bipartite()
    with pytest.raises(ValueError, match="'shop' is not a node type of the graph"):
        graph.type_graph(data, "shop")
    monkeypatch.setattr(graph.hetero, "TYPE_GRAPH_LIMIT", 5)
    with pytest.raises(ValueError, match="two-hop graph of node type 'customer' through 'merchant' would have over 5"):
        graph.type_graph(data, "customer")
