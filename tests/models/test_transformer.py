import pytest
import torch

from oversmooth.models.transformer import GraphTransformer
from tests.models.zoo_helpers import (check_bad_arguments, check_contract, record_taps,
                                      small_csbm, tiny_graph, train_accuracy)


def test_contract():
    check_contract(GraphTransformer, depth=3, heads=2)
    check_contract(GraphTransformer, depth=1, heads=1, ffn_ratio=1)


def test_bad_arguments():
    check_bad_arguments(GraphTransformer, heads=1)
    for kwargs, word in [({"heads": 3}, "divisible"), ({"ffn_ratio": 0}, "ffn_ratio"),
                         ({"attn_dropout": -0.1}, "attn_dropout")]:
        with pytest.raises(ValueError, match=word):
            GraphTransformer(5, 8, 3, 2, **kwargs)


def test_permutation_equivariant_and_ignores_edges():
    torch.manual_seed(0)
    x, edge_index = tiny_graph(num_features=5)
    model = GraphTransformer(5, 8, 3, depth=2, heads=2).double().eval()
    perm = torch.tensor([4, 6, 0, 2, 5, 1, 3])
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(7)
    out, seen = record_taps(model, x, edge_index)
    out_p, seen_p = record_taps(model, x[perm], inverse[edge_index])
    torch.testing.assert_close(out_p, out[perm])
    torch.testing.assert_close(seen_p[1], seen[1][perm])
    full = torch.combinations(torch.arange(7)).T
    for other in (torch.empty(2, 0, dtype=torch.long), full, None):
        torch.testing.assert_close(model(x, other), out)


def test_layer_is_softmax_attention_over_all_nodes():
    """One layer against the transformer formula written out densely."""
    torch.manual_seed(1)
    x, edge_index = tiny_graph(num_features=5)
    model = GraphTransformer(5, 4, 3, depth=1, heads=1).double().eval()
    _, seen = record_taps(model, x, edge_index)
    layer, h = model.layers[0], seen[0]
    wq, wk, wv = layer.self_attn.in_proj_weight.chunk(3)
    bq, bk, bv = layer.self_attn.in_proj_bias.chunk(3)
    q, k, v = h @ wq.T + bq, h @ wk.T + bk, h @ wv.T + bv
    attn = torch.softmax(q @ k.T / 2.0, dim=1)  # sqrt(head dim 4) = 2
    y = layer.norm1(h + layer.self_attn.out_proj(attn @ v))
    expected = layer.norm2(y + layer.linear2(torch.relu(layer.linear1(y))))
    torch.testing.assert_close(seen[1], expected)


def test_trains_on_a_small_csbm():
    data = small_csbm()
    torch.manual_seed(0)
    model = GraphTransformer(data.num_features, 32, 4, depth=2, heads=2)
    acc = train_accuracy(model, data, epochs=30, lr=0.01, weight_decay=5e-4)
    print(f"GraphTransformer csbm(400) test acc after 30 epochs: {acc:.3f}")
    assert acc > 0.45  # chance 0.25; structure-blind, so only the weak features help
