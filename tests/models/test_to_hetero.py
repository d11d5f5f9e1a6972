"""Zoo models lifted by to_hetero: the contract, one conv per relation and layer, the sum over
relations, the bipartite GCN layer (and why PyG's GCNConv cannot be lifted), no self-loops."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import GCNConv, MessagePassing, to_hetero

from oversmooth.models import build, defaults
from oversmooth.models.to_hetero import RelationGCNConv, _OneLayer
from tests.models.hetero_helpers import check_hetero_contract, dense_relation, record, tiny_hetero

LIFTED = ["hetero-gcn", "hetero-sage", "hetero-gat", "hetero-gin"]


@pytest.mark.parametrize("name", LIFTED)
@pytest.mark.parametrize("depth", [1, 3])
def test_contract_and_one_conv_per_relation_and_layer(name, depth):
    options = {"heads": 2} if name == "hetero-gat" else {}
    model = check_hetero_contract(name, depth, **options)
    convs = [m for m in model.modules() if isinstance(m, MessagePassing)]
    assert len(convs) == depth * 3  # three relations in tiny_hetero


def test_training_defaults_are_the_homogeneous_models():
    assert defaults("hetero-gcn") == defaults("gcn")
    assert defaults("hetero-gat")["heads"] == defaults("gat")["heads"] and "out_heads" not in defaults("hetero-gat")
    data = tiny_hetero()
    model = build("hetero-gat", -1, 4, 2, 2, metadata=data.metadata(), target_node_type="customer", heads=3)
    _, seen = record(model.eval(), data)
    assert seen[2]["merchant"].shape == (3, 12)  # heads concatenated in every layer


def _gcn_relation(conv, h_src, edge_index, num_dst):
    a = dense_relation(edge_index, h_src.shape[0], num_dst, h_src.dtype)
    d_in, d_out = a.sum(1), a.sum(0)  # edges entering each destination / leaving each source
    norm = torch.where(a > 0, a / (d_in[:, None] * d_out[None, :]).clamp(min=1).sqrt(), torch.zeros_like(a))
    return norm @ h_src @ conv.lin.weight.T + conv.bias


def test_relation_gcn_conv_is_the_bipartite_formula_and_gcnconv_without_self_loops():
    g = torch.Generator().manual_seed(0)
    conv = RelationGCNConv(3, 4).double()
    with torch.no_grad():
        conv.bias.copy_(torch.randn(4, generator=g, dtype=torch.float64))
    x_src, x_dst = torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(2, 3, dtype=torch.float64)
    edge_index = torch.tensor([[0, 1, 1, 4], [0, 0, 1, 1]])
    torch.testing.assert_close(conv((x_src, x_dst), edge_index), _gcn_relation(conv, x_src, edge_index, 2))
    # one node type, symmetric relation: GCNConv(add_self_loops=False) with the same weights
    sym = torch.tensor([[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]])
    gcn = GCNConv(3, 4, add_self_loops=False).double()
    with torch.no_grad():
        gcn.lin.weight.copy_(conv.lin.weight)
        gcn.bias.copy_(conv.bias)
    torch.testing.assert_close(conv(x_src, sym), gcn(x_src, sym))


def test_a_lifted_layer_sums_its_relations():
    data = tiny_hetero(torch.float64)
    model = build("hetero-gcn", {"customer": 3, "merchant": 2}, 4, 2, 1, metadata=data.metadata(),
                  target_node_type="customer").double().eval()
    _, seen = record(model, data)
    h = {t: torch.relu(v) for t, v in model.lin_in(data.x_dict).items()}
    convs = model.layers[0].conv  # to_hetero's ModuleDict: one RelationGCNConv per relation
    expected = {t: 0 for t in h}
    for (src, rel, dst) in data.edge_types:
        conv = convs[f"{src}__{rel}__{dst}"]
        expected[dst] = expected[dst] + _gcn_relation(conv, h[src], data[src, rel, dst].edge_index,
                                                      h[dst].shape[0])
    for t in h:
        torch.testing.assert_close(seen[1][t], expected[t])


def test_no_self_loops_a_bipartite_graph_alternates_types():
    """Without a same-type relation a customer at layer 2 sees customers only (two hops),
    never the merchants' input features: what GCNConv(add_self_loops=False) lifts to."""
    data = tiny_hetero()
    del data["customer", "knows", "customer"]
    model = build("hetero-gcn", -1, 8, 2, 2, metadata=data.metadata(), target_node_type="customer").eval()
    _, seen = record(model, data)
    data["merchant"].x = data["merchant"].x + 1.0
    _, moved = record(model, data)
    assert torch.equal(seen[2]["customer"], moved[2]["customer"])
    assert not torch.equal(seen[1]["customer"], moved[1]["customer"])


def test_pyg_gcnconv_cannot_be_lifted_to_bipartite_relations():
    data = tiny_hetero()
    with pytest.raises(ValueError, match="add_self_loops"):
        to_hetero(_OneLayer(GCNConv(4, 4)), data.metadata())
    lifted = to_hetero(_OneLayer(GCNConv(4, 4, add_self_loops=False)), data.metadata())
    with pytest.raises(ValueError, match="does not support bipartite message passing"):
        lifted({t: torch.randn(x.shape[0], 4) for t, x in data.x_dict.items()}, data.edge_index_dict)


def test_options_and_errors():
    data = tiny_hetero()
    options = dict(metadata=data.metadata(), target_node_type="customer")
    assert build("hetero-sage", -1, 8, 2, 2, aggr="max", **options).layers[0].conv[
        "customer__buys__merchant"].aggr == "max"
    gin = build("hetero-gin", -1, 8, 2, 2, train_eps=True, **options).layers[0].conv["customer__buys__merchant"]
    assert isinstance(gin.eps, torch.nn.Parameter)  # learned epsilon
    with pytest.raises(ValueError, match="heads must be an integer >= 1"):
        build("hetero-gat", -1, 8, 2, 2, heads=0, **options)
    with pytest.raises(ValueError, match="option 'heads' does not apply to model 'hetero-gcn'"):
        build("hetero-gcn", -1, 8, 2, 2, heads=2, **options)
    model = build("hetero-gcn", -1, 8, 2, 2, **options)
    with pytest.raises(ValueError, match="HeteroGCN is a heterogeneous model"):
        model(torch.randn(5, 3), torch.tensor([[0, 1], [1, 0]]))
