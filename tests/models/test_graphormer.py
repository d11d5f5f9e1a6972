"""Graphormer (spatial and centrality encodings) and the positional-encoding options of the
attention models."""

from __future__ import annotations

import pytest
import torch

from oversmooth import datasets
from oversmooth.models import build
from oversmooth.models.encodings import positional_encoding, shortest_paths
from oversmooth.probe import capture_layers


@pytest.fixture(scope="module")
def graph():
    return datasets.csbm(num_nodes=60, seed=0)


def test_shortest_paths_on_a_path_and_unreachable_pairs():
    path = datasets.load("path", num_nodes=6)
    spd = shortest_paths(path.edge_index, 6, max_distance=3)
    ref = torch.tensor([[min(abs(i - j), 4) for j in range(6)] for i in range(6)])
    assert torch.equal(spd, ref)  # 4 = max_distance + 1 for distances beyond 3
    two = torch.tensor([[0, 1], [1, 0]])
    spd = shortest_paths(two, 3, max_distance=5)
    assert spd[0, 2] == 6 and spd[0, 1] == 1  # node 2 is unreachable


@pytest.mark.parametrize("depth", [1, 3])
def test_graphormer_shapes_taps_and_equivariance(graph, depth):
    torch.manual_seed(0)
    model = build("graphormer", graph.x.size(1), 16, 2, depth).eval()
    out = model(graph.x, graph.edge_index)
    assert out.shape == (60, 2)
    assert sorted(capture_layers(model, graph).outputs) == list(range(depth + 1))  # same taps as the zoo
    perm = torch.randperm(60)
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(60)
    ei = inv[graph.edge_index]
    assert torch.allclose(model(graph.x[perm], ei), out[perm], atol=1e-5)


def test_graphormer_uses_the_structure(graph):
    torch.manual_seed(0)
    model = build("graphormer", graph.x.size(1), 16, 2, 2).eval()
    torch.nn.init.normal_(model.spatial.weight)
    a = model(graph.x, graph.edge_index)
    b = model(graph.x, datasets.load("ring", num_nodes=60).edge_index)
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="max_distance"):
        build("graphormer", 4, 16, 2, 2, max_distance=0)


@pytest.mark.parametrize("name", ["gps", "transformer"])
@pytest.mark.parametrize("pe", ["laplacian", "random_walk"])
def test_positional_encoding_options(graph, name, pe):
    torch.manual_seed(0)
    plain = build(name, graph.x.size(1), 16, 2, 2).eval()
    torch.manual_seed(0)
    model = build(name, graph.x.size(1), 16, 2, 2, pe=pe, pe_dim=4).eval()
    enc = positional_encoding(pe, graph.edge_index, 60, 4)
    assert enc.shape == (60, 4) and torch.isfinite(enc).all()
    assert model(graph.x, graph.edge_index).shape == (60, 2)
    if name == "transformer":  # structure-blind without pe: a different graph changes nothing
        ring = datasets.load("ring", num_nodes=60).edge_index
        assert torch.allclose(plain(graph.x, graph.edge_index), plain(graph.x, ring))
        assert not torch.allclose(model(graph.x, graph.edge_index), model(graph.x, ring))


def test_pe_is_validated_by_name():
    with pytest.raises(ValueError, match="unknown pe 'lap'"):
        build("gps", 4, 16, 2, 2, pe="lap")
    with pytest.raises(ValueError, match="pe_dim"):
        build("transformer", 4, 16, 2, 2, pe="random_walk", pe_dim=0)


def _reference(q, k, v, table, index, keep=None, rescale=1.0):
    """The attention of _SpatialAttention by plain autograd."""
    h, n, _ = q.shape
    bias = table.t()[:, index].view(h, n, n)
    w = torch.softmax(q @ k.transpose(1, 2) / q.size(-1) ** 0.5 + bias, dim=-1)
    if keep is not None:
        w = w * keep * rescale
    return w @ v


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_spatial_attention_matches_plain_autograd(p):
    """Values and every gradient (the bias table's summed per bucket) as plain autograd
    computes them, with the same dropout mask; double precision, gradcheck included."""
    from oversmooth.models.graphormer import DROP_LEVELS, _random_bytes, _SpatialAttention, _Workspace

    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 9, 4, dtype=torch.float64, generator=gen, requires_grad=True) for _ in range(3))
    table = torch.randn(5, 2, dtype=torch.float64, generator=gen, requires_grad=True)
    index = torch.randint(0, 5, (81,), generator=gen)

    def ours(q, k, v, table):
        torch.manual_seed(1)  # the same mask on every call
        bias = table.detach().t().index_select(1, index).view(2, 9, 9)
        return _SpatialAttention.apply(q, k, v, table, bias, index, p, _Workspace())

    keep, rescale = None, 1.0
    if p:
        torch.manual_seed(1)
        drop = round(p * DROP_LEVELS)
        keep, rescale = _random_bytes((2, 9, 9), "cpu") >= drop, DROP_LEVELS / (DROP_LEVELS - drop)
        assert 0 < keep.sum() < keep.numel()
    got, ref = ours(q, k, v, table), _reference(q, k, v, table, index, keep, rescale)
    torch.testing.assert_close(got, ref)
    g = torch.randn_like(ref)
    torch.testing.assert_close(torch.autograd.grad(got, (q, k, v, table), g),
                               torch.autograd.grad(ref, (q, k, v, table), g))
    assert torch.autograd.gradcheck(ours, (q, k, v, table))


def test_dropout_keeps_half_the_weights_and_the_mean():
    from oversmooth.models.graphormer import _random_bytes

    torch.manual_seed(0)
    bytes_ = _random_bytes((1000, 1000), "cpu")
    assert bytes_.dtype == torch.uint8 and abs((bytes_ >= 128).float().mean().item() - 0.5) < 0.002
    assert abs(bytes_.float().mean().item() - 127.5) < 0.2


def test_graphormer_training_and_fused_paths_agree(graph):
    """With gradients (our kernel) and without (PyTorch's fused attention), eval mode: the
    same outputs; a training step moves the spatial bias table."""
    torch.manual_seed(0)
    model = build("graphormer", graph.x.size(1), 16, 2, 2).eval()
    torch.nn.init.normal_(model.spatial.weight)
    with torch.no_grad():
        fused = model(graph.x, graph.edge_index)
    ours = model(graph.x, graph.edge_index)
    torch.testing.assert_close(ours, fused, rtol=1e-5, atol=1e-5)
    model.train()
    before = model.spatial.weight.detach().clone()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    torch.nn.functional.cross_entropy(model(graph.x, graph.edge_index), graph.y).backward()
    assert model.spatial.weight.grad.abs().sum() > 0
    opt.step()
    assert not torch.equal(before, model.spatial.weight)
