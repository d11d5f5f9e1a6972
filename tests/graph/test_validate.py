import pytest
import torch
from torch_geometric.data import Data

from oversmooth import validate


def graph(**changes):
    base = dict(x=torch.randn(4, 3), edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]]),
                y=torch.tensor([0, 1, 0, 1]), train_mask=torch.ones(4, dtype=torch.bool))
    base.update(changes)
    return Data(**base)


@pytest.mark.parametrize("changes, message", [
    ({"edge_index": torch.tensor([0, 1, 2])}, r"edge_index must have shape \[2, num_edges\], got \[3\]"),
    ({"edge_index": torch.tensor([[0.0, 1.0], [1.0, 2.0]])}, "edge_index must have dtype torch.long"),
    ({"edge_index": torch.tensor([[0, -1], [1, 2]])}, "negative node index"),
    ({"edge_index": torch.tensor([[0, 9], [1, 2]])}, "refers to node 9 but the graph has only 4 nodes"),
    ({"x": torch.tensor([[1.0, float("nan"), 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])},
     r"x contains NaN values \(first at row 0, column 1\)"),
    ({"x": torch.full((4, 3), float("inf"))}, "x contains Inf values"),
    ({"y": torch.tensor([0, 1, 0, 7])}, "y contains class 7 but num_classes is 2"),
    ({"y": torch.tensor([0, 1, -1, 0])}, "negative class label"),
    ({"train_mask": torch.ones(3, dtype=torch.bool)}, "train_mask has shape"),
    ({"train_mask": torch.ones(4)}, "train_mask must be a boolean tensor"),
])
def test_bad_graphs_get_one_line_errors(changes, message):
    with pytest.raises(ValueError, match=message) as info:
        validate(graph(**changes), num_classes=2)
    assert "\n" not in str(info.value)


def test_empty_graph_and_missing_edge_index():
    with pytest.raises(ValueError, match="the graph is empty"):
        validate(Data(x=torch.empty(0, 3), edge_index=torch.empty(2, 0, dtype=torch.long)))
    with pytest.raises(ValueError, match="no edge_index"):
        validate(Data(x=torch.randn(3, 2)))


def test_valid_graph_passes_unchanged():
    data = graph()
    assert validate(data) is data
    no_edges = Data(x=torch.randn(3, 2), edge_index=torch.empty(2, 0, dtype=torch.long))
    assert validate(no_edges) is no_edges


# --------------------------------------------------------------------------- HeteroData
def _edit(data, key, attr, value):
    data[key][attr] = value


def _drop(data, key, attr):
    del data[key][attr]


HETERO_ERRORS = [
    (lambda d: _edit(d, ("customer", "pays", "merchant"), "edge_index", torch.tensor([[0, 1], [7, 0]])),
     r"edge type \('customer', 'pays', 'merchant'\): edge_index\[1\] has index 7 but 'merchant' has 4 nodes"),
    (lambda d: _edit(d, ("customer", "pays", "merchant"), "edge_index", torch.tensor([[5, 1], [0, 0]])),
     r"edge type \('customer', 'pays', 'merchant'\): edge_index\[0\] has index 5 but 'customer' has 5 nodes"),
    (lambda d: _edit(d, ("customer", "pays", "merchant"), "edge_index", torch.tensor([[0.0], [1.0]])),
     r"edge type \('customer', 'pays', 'merchant'\): edge_index must have dtype torch.long"),
    (lambda d: _edit(d, ("customer", "pays", "merchant"), "edge_index", torch.tensor([0, 1])),
     r"edge type \('customer', 'pays', 'merchant'\): edge_index must have shape \[2, num_edges\]"),
    (lambda d: _edit(d, ("merchant", "refers", "merchant"), "edge_index", torch.tensor([[0], [-1]])),
     r"edge type \('merchant', 'refers', 'merchant'\): edge_index contains a negative node index \(-1\)"),
    (lambda d: _edit(d, ("customer", "pays", "shop"), "edge_index", torch.tensor([[0], [0]])),
     r"edge type \('customer', 'pays', 'shop'\): 'shop' is not a node type of the graph"),
    (lambda d: _drop(d, ("merchant", "paid_by", "customer"), "edge_index"),
     r"edge type \('merchant', 'paid_by', 'customer'\) has no edge_index"),
    (lambda d: d.__delitem__(("merchant", "paid_by", "customer")),
     r"edge type \('customer', 'pays', 'merchant'\): edge customer 1 -> merchant 0 has no reverse "
     r"merchant 0 -> customer 1 in any edge type"),
    (lambda d: _edit(d, ("customer", "knows", "customer"), "edge_index", torch.tensor([[1], [3]])),
     r"edge type \('customer', 'knows', 'customer'\): edge customer 1 -> customer 3 has no reverse"),
    (lambda d: _edit(d, "merchant", "x", torch.full((4, 2), float("inf"))),
     r"node type 'merchant': x contains Inf values \(first at row 0, column 0\)"),
    (lambda d: _edit(d, "merchant", "x", torch.zeros(4, 2, dtype=torch.long)),
     r"node type 'merchant': x must be a floating-point tensor"),
    (lambda d: _edit(d, "merchant", "num_nodes", 6),
     r"node type 'merchant': x has 4 rows but the type has 6 nodes"),
    (lambda d: _drop(d, "city", "x"), r"node type 'city' has no features x"),
    (lambda d: _edit(d, "city", "x", torch.zeros(0, 1)), r"node type 'city' has no nodes"),
    (lambda d: _edit(d, "customer", "y", torch.tensor([0, 1, 0, 1, 7])),
     r"node type 'customer': y contains class 7 but num_classes is 2"),
    (lambda d: _edit(d, "customer", "y", torch.tensor([0, 1, 0])),
     r"node type 'customer': y must have shape \[5\], got \[3\]"),
    (lambda d: _edit(d, "customer", "train_mask", torch.ones(4, dtype=torch.bool)),
     r"node type 'customer': train_mask has shape \[4\] but the graph has 5 nodes"),
    (lambda d: _edit(d, "merchant", "test_mask", torch.ones(4)),
     r"node type 'merchant': test_mask must be a boolean tensor"),
    (lambda d: _edit(d, "merchant", "y", torch.zeros(4, dtype=torch.long)),
     r"several node types carry labels y \(customer, merchant\); set data.target_node_type"),
    (lambda d: _drop(d, "customer", "y"), r"no node type carries labels y"),
    (lambda d: setattr(d, "target_node_type", "shop"), r"target_node_type 'shop' is not a node type"),
]


@pytest.mark.parametrize("change, message", HETERO_ERRORS, ids=range(len(HETERO_ERRORS)))
def test_bad_hetero_graphs_get_one_line_errors_naming_the_type(change, message):
    from tests.graph._hetero import shop

    data = shop()
    change(data)
    with pytest.raises(ValueError, match=message) as info:
        validate(data, num_classes=2)
    assert "\n" not in str(info.value)


def test_valid_hetero_graph_passes_unchanged():
    from torch_geometric.data import HeteroData

    from tests.graph._hetero import shop

    data = shop()
    assert validate(data, num_classes=2) is data
    data["merchant"].y = torch.zeros(4, dtype=torch.long)   # a second labelled type, target named
    data.target_node_type = "customer"
    assert validate(data, num_classes=2) is data
    lone = HeteroData()
    lone["a"].x = torch.randn(3, 2)
    lone["a"].y = torch.tensor([0, 0, 1])
    assert validate(lone) is lone                            # no edge types at all
    with pytest.raises(ValueError, match="the heterogeneous graph has no node types"):
        validate(HeteroData())
