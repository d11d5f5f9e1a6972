"""R-GCN: the contract of the heterogeneous zoo, the paper's formula against a dense
reference with weights set by hand, the decompositions and the errors."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import RGCNConv

from oversmooth.models import build, is_hetero_model
from tests.models.hetero_helpers import check_hetero_contract, dense_relation, record, tiny_hetero


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_contract_at_several_depths(depth):
    model = check_hetero_contract("rgcn", depth)
    assert sum(isinstance(m, RGCNConv) for m in model.modules()) == depth
    assert is_hetero_model("rgcn") and not is_hetero_model("gcn")


def _reference_layer(conv, h, data, edge_types):
    """h_i' = W_0 h_i + sum_r sum_{j in N_r(i)} 1/c_{i,r} W_r h_j + b, from dense matrices."""
    out = {t: h[t] @ conv.root + conv.bias for t in h}
    for r, (src, rel, dst) in enumerate(edge_types):
        a = dense_relation(data[src, rel, dst].edge_index, h[src].shape[0], h[dst].shape[0])
        c = a.sum(1, keepdim=True)
        mean = torch.where(c > 0, a / c.clamp(min=1), torch.zeros_like(a))  # 1 / c_{i,r}
        out[dst] = out[dst] + mean @ h[src] @ conv.weight[r]
    return out


def test_forward_matches_the_formula_with_hand_set_weights():
    data = tiny_hetero(torch.float64)
    edge_types = data.metadata()[1]
    model = build("rgcn", {"customer": 3, "merchant": 2}, 4, 2, 2, metadata=data.metadata(),
                  target_node_type="customer").double().eval()
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    out, seen = record(model, data)

    x = data.x_dict
    h = {t: torch.relu(x[t] @ model.lin_in.lins[t].weight.T + model.lin_in.lins[t].bias) for t in x}
    for k, conv in enumerate(model.layers, start=1):
        z = _reference_layer(conv, h, data, edge_types)
        for t in z:
            torch.testing.assert_close(seen[k][t], z[t], rtol=1e-12, atol=1e-12)
        h = {t: torch.relu(v) for t, v in z.items()}
    torch.testing.assert_close(out, h["customer"] @ model.head.weight.T + model.head.bias)


def test_node_order_and_key_order_of_the_inputs_do_not_matter():
    data = tiny_hetero()
    model = build("rgcn", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer").eval()
    out = model(data.x_dict, data.edge_index_dict)
    shuffled_x = dict(reversed(list(data.x_dict.items())))
    shuffled_e = dict(reversed(list(data.edge_index_dict.items())))
    assert torch.equal(out, model(shuffled_x, shuffled_e))


def test_decompositions():
    data = tiny_hetero()
    options = dict(metadata=data.metadata(), target_node_type="customer")
    bases = build("rgcn", -1, 8, 2, 2, num_bases=2, **options)
    assert bases.layers[0].comp.shape == (3, 2)  # W_r = sum_b a_rb V_b, 3 relations
    blocks = build("rgcn", -1, 8, 2, 2, num_blocks=4, **options)
    assert blocks.layers[0].weight.shape == (3, 4, 2, 2)
    for model in (bases, blocks):
        assert model(data.x_dict, data.edge_index_dict).shape == (5, 2)
    with pytest.raises(ValueError, match="num_bases and num_blocks are two alternative"):
        build("rgcn", -1, 8, 2, 2, num_bases=2, num_blocks=2, **options)
    with pytest.raises(ValueError, match=r"hidden_channels \(8\) must be divisible by num_blocks \(3\)"):
        build("rgcn", -1, 8, 2, 2, num_blocks=3, **options)


def test_errors_name_the_problem():
    data = tiny_hetero()
    meta = data.metadata()
    with pytest.raises(ValueError, match=r"needs metadata=data.metadata\(\)"):
        build("rgcn", -1, 8, 2, 2, target_node_type="customer")
    with pytest.raises(ValueError, match="target_node_type must be one of the node types customer, merchant"):
        build("rgcn", -1, 8, 2, 2, metadata=meta, target_node_type="shop")
    with pytest.raises(ValueError, match=r"in_channels must give a width for each node type .*missing \['merchant'\]"):
        build("rgcn", {"customer": 3}, 8, 2, 2, metadata=meta, target_node_type="customer")
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        build("rgcn", -1, 8, 2, 0, metadata=meta, target_node_type="customer")
    model = build("rgcn", {"customer": 3, "merchant": 2}, 8, 2, 2, metadata=meta, target_node_type="customer")
    with pytest.raises(ValueError, match="RGCN is a heterogeneous model: it takes data.x_dict"):
        model(torch.randn(5, 3), torch.tensor([[0, 1], [1, 0]]))
    with pytest.raises(ValueError, match=r"features of node type 'merchant' of shape \[num_nodes, 2\], got \[3, 4\]"):
        model({**data.x_dict, "merchant": torch.randn(3, 4)}, data.edge_index_dict)
    edges = dict(data.edge_index_dict)
    edges[("customer", "buys", "merchant")] = torch.tensor([[0], [7]])
    with pytest.raises(ValueError, match=r"edge_index\[1\] has index 7 but .merchant. has 3 nodes"):
        model(data.x_dict, edges)
    del edges[("customer", "buys", "merchant")]
    with pytest.raises(ValueError, match="was built for edge types"):
        model(data.x_dict, edges)
