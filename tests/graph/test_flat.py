"""graph.flat: the flattened graph back as the heterogeneous graph it flattens."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Data

from oversmooth.graph import from_homogeneous, is_flattened, to_homogeneous
from oversmooth.graph.hetero import edge_index_dict
from tests.graph._hetero import shop


def test_from_homogeneous_inverts_to_homogeneous():
    data = shop()
    back = from_homogeneous(to_homogeneous(data))
    assert back.node_types == data.node_types and back.edge_types == data.edge_types
    for t in data.node_types:
        assert torch.equal(back[t].x, data[t].x)
    for edge_type, edge_index in edge_index_dict(data).items():
        assert torch.equal(back[edge_type].edge_index, edge_index)
    for name in ("y", "train_mask", "val_mask", "test_mask"):
        assert torch.equal(back["customer"][name], data["customer"][name])
        assert name not in back["merchant"]
    assert back.target_node_type == "customer"


def test_is_flattened_tells_a_flattened_graph_from_others():
    data = shop()
    assert is_flattened(to_homogeneous(data))
    assert not is_flattened(data)
    assert not is_flattened(Data(x=torch.zeros(2, 1), edge_index=torch.zeros(2, 0, dtype=torch.long)))


def test_from_homogeneous_refuses_a_graph_that_was_not_flattened():
    plain = Data(x=torch.zeros(2, 1), edge_index=torch.zeros(2, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="expected a flattened graph from to_homogeneous; Data has no "
                                         "node_types") as caught:
        from_homogeneous(plain)
    assert "\n" not in str(caught.value)
    flat = to_homogeneous(shop())
    flat.node_type_offsets = [0, 5, 10]
    with pytest.raises(ValueError, match="do not fit 3 node types"):
        from_homogeneous(flat)
