import pytest
import torch

from oversmooth.models.gps import GPS
from tests.models.zoo_helpers import (check_bad_arguments, check_contract, record_taps,
                                      small_csbm, tiny_graph, train_accuracy)


@pytest.mark.parametrize("options", [{"heads": 2}, {"heads": 2, "local": "gin", "norm": None},
                                     {"heads": 1, "norm": "layer_norm"}])
def test_contract(options):
    check_contract(GPS, depth=3, **options)


def test_bad_arguments():
    check_bad_arguments(GPS, heads=1)
    for kwargs, word in [({"heads": 3}, "divisible"), ({"local": "gat"}, "local"),
                         ({"norm": "graph_norm"}, "norm"), ({"attn_dropout": 1.0}, "attn_dropout"),
                         ({"heads": 0}, "heads")]:
        with pytest.raises(ValueError, match=word):
            GPS(5, 8, 3, 2, **kwargs)


def _permuted(x, edge_index, perm):
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    return x[perm], inverse[edge_index]


@pytest.mark.parametrize("local", ["gcn", "gin"])
def test_permutation_equivariant(local):
    torch.manual_seed(0)
    x, edge_index = tiny_graph(num_features=5)
    model = GPS(5, 8, 3, depth=2, heads=2, local=local).double().eval()
    perm = torch.tensor([4, 6, 0, 2, 5, 1, 3])
    out, seen = record_taps(model, x, edge_index)
    out_p, seen_p = record_taps(model, *_permuted(x, edge_index, perm))
    torch.testing.assert_close(out_p, out[perm])
    torch.testing.assert_close(seen_p[2], seen[2][perm])


def test_uses_the_graph():
    torch.manual_seed(0)
    x, edge_index = tiny_graph(num_features=5)
    model = GPS(5, 8, 3, depth=2, heads=2).double().eval()
    no_edges = torch.empty(2, 0, dtype=torch.long)
    assert not torch.allclose(model(x, edge_index), model(x, no_edges))


def test_trains_on_a_small_csbm():
    data = small_csbm()
    torch.manual_seed(0)
    model = GPS(data.num_features, 32, 4, depth=2, heads=2, dropout=0.5, attn_dropout=0.5)
    acc = train_accuracy(model, data, epochs=30, lr=0.01, weight_decay=5e-4)
    print(f"GPS csbm(400) test acc after 30 epochs: {acc:.3f}")
    assert acc > 0.75  # chance 0.25; features alone give ~0.55 (see the transformer test)
