"""HGT: the contract of the heterogeneous zoo at several depths, heads, the layer being
PyG's HGTConv on the projected inputs, and the errors."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import HGTConv

from oversmooth.models import build, defaults
from tests.models.hetero_helpers import check_hetero_contract, record, tiny_hetero


@pytest.mark.parametrize("depth,heads", [(1, 1), (2, 2), (4, 4)])
def test_contract_at_several_depths(depth, heads):
    model = check_hetero_contract("hgt", depth, heads=heads)
    convs = [m for m in model.modules() if isinstance(m, HGTConv)]
    assert len(convs) == depth and all(c.heads == heads for c in convs)


def test_layers_are_hgtconv_on_the_projected_inputs():
    data = tiny_hetero()
    model = build("hgt", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer", heads=2).eval()
    out, seen = record(model, data)
    h = {t: torch.relu(v) for t, v in model.lin_in(data.x_dict).items()}
    z1 = model.layers[0](h, data.edge_index_dict)
    for t in z1:
        torch.testing.assert_close(seen[1][t], z1[t])
    z2 = model.layers[1](z1, data.edge_index_dict)  # GELU inside the layer: no activation between
    torch.testing.assert_close(out, model.head(z2["customer"]))


def test_defaults_and_errors():
    assert defaults("hgt")["heads"] == 2
    data = tiny_hetero()
    with pytest.raises(ValueError, match=r"hidden_channels \(8\) must be divisible by heads \(3\)"):
        build("hgt", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer", heads=3)
    with pytest.raises(ValueError, match="heads must be"):
        build("hgt", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer", heads=0)
    model = build("hgt", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer")
    with pytest.raises(ValueError, match="HGT is a heterogeneous model"):
        model(torch.randn(5, 3), torch.tensor([[0, 1], [1, 0]]))
    with pytest.raises(ValueError, match="was built for node types customer, merchant; got features of customer"):
        model({"customer": data["customer"].x}, data.edge_index_dict)
