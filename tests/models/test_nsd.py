import pytest
import torch
import torch.nn.functional as F

from oversmooth.models.nsd import (NSD, apply_diagonal_sheaf_laplacian, diagonal_sheaf_laplacian,
                                   sheaf_edges)
from tests.models.zoo_helpers import (check_bad_arguments, check_contract, dense_adjacency,
                                      record_taps, tiny_graph, train_accuracy)


def _dense(diag, off, edges, n, d):
    """The Nd x Nd matrix from (diag, off); row v*d + i is stalk dimension i of node v."""
    out = torch.zeros(n * d, n * d, dtype=diag.dtype)
    for v in range(n):
        for i in range(d):
            out[v * d + i, v * d + i] = diag[v, i]
    for e, (v, u) in enumerate(edges.T.tolist()):
        for i in range(d):
            out[v * d + i, u * d + i] = off[e, i]
    return out


def _textbook_laplacian(edges, maps, n, d, normalised):
    """L_F = delta^T delta with the coboundary (delta x)_e = F_v|e x_v - F_u|e x_u."""
    lookup = {tuple(e): k for k, e in enumerate(edges.T.tolist())}
    rows = []
    for (v, u), k in lookup.items():
        if v < u:
            block = torch.zeros(d, n * d, dtype=maps.dtype)
            block[:, v * d:(v + 1) * d] = torch.diag(maps[k])
            block[:, u * d:(u + 1) * d] = -torch.diag(maps[lookup[(u, v)]])
            rows.append(block)
    delta = torch.cat(rows)
    lap = delta.T @ delta
    if normalised:
        scale = (torch.diagonal(lap) + 1).rsqrt()
        lap = scale[:, None] * lap * scale[None, :]
    return lap


def test_contract():
    check_contract(NSD, depth=3, d=2)
    check_contract(NSD, depth=2, d=1, sheaf_per_layer=False, normalised=False)


def test_bad_arguments():
    check_bad_arguments(NSD)
    for kwargs, word in [({"d": 0}, "d must"), ({"d": 3}, "divisible"),
                         ({"input_dropout": 1.0}, "input_dropout")]:
        with pytest.raises(ValueError, match=word):
            NSD(5, 8, 3, 2, **kwargs)


def test_sheaf_edges_symmetrise_and_pair_reverses():
    edge_index = torch.tensor([[0, 1, 2, 2, 3, 3], [1, 0, 0, 2, 1, 1]])  # loop, dups, one-way
    edges, reverse = sheaf_edges(edge_index, 4)
    assert edges.T.tolist() == [[0, 1], [0, 2], [1, 0], [1, 3], [2, 0], [3, 1]]
    assert torch.equal(edges[:, reverse], edges.flip(0))


@pytest.mark.parametrize("normalised", [False, True])
@pytest.mark.parametrize("d", [1, 3])
def test_laplacian_matches_coboundary_and_is_symmetric_psd(normalised, d):
    _, edge_index = tiny_graph()
    edges, reverse = sheaf_edges(edge_index, 7)
    maps = torch.randn(edges.size(1), d, dtype=torch.float64,
                       generator=torch.Generator().manual_seed(d))
    maps[0] = 0.0  # a vanishing map must not divide by zero
    diag, off = diagonal_sheaf_laplacian(edges, reverse, maps, 7, normalised)
    lap = _dense(diag, off, edges, 7, d)
    torch.testing.assert_close(lap, _textbook_laplacian(edges, maps, 7, d, normalised))
    torch.testing.assert_close(lap, lap.T)
    eig = torch.linalg.eigvalsh(lap)
    assert eig.min() > -1e-10
    if normalised:
        assert eig.max() < 2 + 1e-10
    assert torch.equal(lap[6 * d:(6 + 1) * d], torch.zeros(d, 7 * d, dtype=lap.dtype))  # isolated
    x = torch.randn(7, d, 4, dtype=torch.float64)
    applied = apply_diagonal_sheaf_laplacian(diag, off, edges, x)
    torch.testing.assert_close(applied.reshape(7 * d, 4), lap @ x.reshape(7 * d, 4))


@pytest.mark.parametrize("d", [1, 2])
def test_identity_maps_give_the_graph_laplacian(d):
    _, edge_index = tiny_graph()
    edges, reverse = sheaf_edges(edge_index, 7)
    ones = torch.ones(edges.size(1), d, dtype=torch.float64)
    a = dense_adjacency(edge_index, 7)
    deg = a.sum(1)
    graph_lap = torch.diag(deg) - a
    identity = torch.eye(d, dtype=torch.float64)

    diag, off = diagonal_sheaf_laplacian(edges, reverse, ones, 7, normalised=False)
    torch.testing.assert_close(_dense(diag, off, edges, 7, d), torch.kron(graph_lap, identity))
    diag, off = diagonal_sheaf_laplacian(edges, reverse, ones, 7, normalised=True)
    s = (deg + 1).rsqrt()
    torch.testing.assert_close(_dense(diag, off, edges, 7, d),
                               torch.kron(s[:, None] * graph_lap * s[None, :], identity))


def test_layers_follow_the_diffusion_update():
    torch.manual_seed(2)
    x, edge_index = tiny_graph(num_features=5)
    d, f = 2, 3
    model = NSD(5, d * f, 3, depth=2, d=d).double().eval()
    with torch.no_grad():
        model.epsilons.normal_()
        for w1 in model.left:
            w1.normal_()
    _, seen = record_taps(model, x, edge_index)

    edges, reverse = sheaf_edges(edge_index, 7)
    h = F.elu(model.lin1(x))
    torch.testing.assert_close(seen[0], h)
    for t in range(2):
        maps = model.restriction_maps(h, edges, t)
        lap = _textbook_laplacian(edges, maps, 7, d, normalised=True)
        stalks = h.reshape(7 * d, f)
        mixed = torch.kron(torch.eye(7, dtype=h.dtype), model.left[t]) @ stalks @ model.right[t]
        coeff = (1 + torch.tanh(model.epsilons[t])).repeat(7, 1)  # per stalk dimension
        stalks = coeff * stalks - F.elu(lap @ mixed)
        h = stalks.reshape(7, d * f)
        torch.testing.assert_close(seen[t + 1], h)


def test_trains_on_cora(cora):
    torch.manual_seed(0)
    # the authors' defaults have no dropout and overfit the 140 labels (0.53 here)
    model = NSD(cora.num_features, 40, 7, depth=2, d=2, dropout=0.5, input_dropout=0.5)
    acc = train_accuracy(model, cora, epochs=30, lr=0.01, weight_decay=5e-4)
    print(f"NSD cora test acc after 30 epochs: {acc:.3f}")
    assert acc > 0.55  # maps start near zero, so diffusion (and accuracy) builds up slowly
