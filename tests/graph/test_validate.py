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
