import torch
import torch.nn.functional as F

from oversmooth.models.dagnn import DAGNN
from tests.models.zoo_helpers import (check_bad_arguments, check_contract, dense_gcn_operator,
                                      record_taps, tiny_graph, train_accuracy)


def test_contract():
    check_contract(DAGNN, depth=4)
    check_contract(DAGNN, depth=1)


def test_bad_arguments():
    check_bad_arguments(DAGNN)


def test_matches_dense_adaptive_sum():
    torch.manual_seed(3)
    x, edge_index = tiny_graph(num_features=5)
    model = DAGNN(5, 6, 3, depth=5).double().eval()
    out, seen = record_taps(model, x, edge_index)

    p = dense_gcn_operator(edge_index, 7)
    z = model.lin2(F.relu(model.lin1(x)))
    hops = [torch.linalg.matrix_power(p, k) @ z for k in range(6)]
    q, b = model.proj.weight[0], model.proj.bias[0]
    expected = sum(torch.sigmoid(h @ q + b)[:, None] * h for h in hops)
    torch.testing.assert_close(out, expected)
    for k in range(6):
        torch.testing.assert_close(seen[k], hops[k])
    # the isolated node 6 only has its self-loop: every hop leaves it unchanged
    torch.testing.assert_close(seen[5][6], z[6])


def test_trains_on_cora(cora):
    torch.manual_seed(0)
    model = DAGNN(cora.num_features, 64, 7, depth=10, dropout=0.8)
    acc = train_accuracy(model, cora, epochs=30, lr=0.01, weight_decay=0.005)
    print(f"DAGNN cora test acc after 30 epochs: {acc:.3f}")
    assert acc > 0.6
