"""The lean layers against PyG's, and the fast ops against dense references."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import APPNP, GCN2Conv, GCNConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from oversmooth.models.appnp import APPNPNet
from oversmooth.models.layers import GCNIILayer, GCNLayer, make_norm, pygcn_uniform_
from oversmooth.graph import GraphOperator, SparseOperator, normalized_adjacency, spmm
from oversmooth.models.ops import SparseFeatures, dropout


def _graph(n=12, seed=0):
    """Several components, an isolated node (n-1), a duplicate edge."""
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(0, n - 1, (30,), generator=g)
    dst = torch.randint(0, n - 1, (30,), generator=g)
    ei = torch.stack([torch.cat([src, dst, src[:1]]), torch.cat([dst, src, dst[:1]])])
    return ei[:, ei[0] != ei[1]]


def _dense_gcn(ei, n, dtype):
    a = torch.zeros(n, n, dtype=dtype)
    a[ei[1], ei[0]] = 1.0
    a = a + torch.eye(n, dtype=dtype)
    d = a.sum(1).rsqrt()
    return d[:, None] * a * d[None, :]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gcn_layer_matches_gcnconv(dtype):
    n, ei = 12, _graph()
    x = torch.randn(n, 5, dtype=dtype)
    ref = GCNConv(5, 3, cached=False).to(dtype)
    ours = GCNLayer(5, 3).to(dtype)
    with torch.no_grad():
        ours.lin.weight.copy_(ref.lin.weight)
        ours.bias.copy_(torch.randn(3, dtype=dtype))
        ref.bias.copy_(ours.bias)
    op = GraphOperator(ei, n, dtype).operator
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    # GCNConv counts a duplicate edge twice; graphs entering the package are coalesced
    torch.testing.assert_close(ours(x, op), ref(x, torch.unique(ei, dim=1)), atol=tol, rtol=tol)
    torch.testing.assert_close(ours(x, op), _dense_gcn(ei, n, dtype) @ x @ ours.lin.weight.t() + ours.bias,
                               atol=tol, rtol=tol)


@pytest.mark.parametrize("shared", [True, False])
def test_gcnii_layer_matches_gcn2conv(shared):
    n, ei = 12, _graph(seed=1)
    x, x0 = torch.randn(n, 6, dtype=torch.float64), torch.randn(n, 6, dtype=torch.float64)
    ref = GCN2Conv(6, alpha=0.1, theta=0.5, layer=3, shared_weights=shared).double()
    ours = GCNIILayer(6, alpha=0.1, theta=0.5, layer=3, shared_weights=shared).double()
    ours.load_state_dict({k: v for k, v in ref.state_dict().items()})
    op = GraphOperator(ei, n, torch.float64).operator
    torch.testing.assert_close(ours(x, x0, op), ref(x, x0, torch.unique(ei, dim=1)))


def test_appnp_propagation_matches_pyg():
    n, ei = 12, _graph(seed=2)
    x = torch.randn(n, 4)
    model = APPNPNet(4, 8, 3, depth=7, alpha=0.2, dropout=0.0).eval()
    steps = {}
    model.add_tap(lambda k, h: steps.__setitem__(k, h))
    out = model(x, ei)
    torch.testing.assert_close(out, APPNP(K=7, alpha=0.2)(steps[0], torch.unique(ei, dim=1)), atol=1e-5, rtol=1e-5)


def test_spmm_gradient_uses_the_transpose():
    a = torch.tensor([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    op = SparseOperator(a.to_sparse_csr())
    assert not op.symmetric
    h = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    g = torch.randn(3, 2, dtype=torch.float64)
    (spmm(op, h) * g).sum().backward()
    torch.testing.assert_close(h.grad, a.t() @ g)
    torch.autograd.gradcheck(lambda t: spmm(op, t), (h.detach().requires_grad_(),))


def test_sparse_features_linear_and_dropout():
    torch.manual_seed(0)
    x = (torch.rand(50, 40) < 0.05).float() * torch.rand(50, 40)
    x[3] = 0.0  # a zero row
    assert SparseFeatures.worth_it(x)
    f = SparseFeatures(x)
    w = torch.randn(7, 40, requires_grad=True)
    torch.testing.assert_close(f.linear(w, training=False), x @ w.t())
    g = torch.randn(50, 7)
    (f.linear(w, training=False) * g).sum().backward()
    torch.testing.assert_close(w.grad, (x.t() @ g).t())
    # dropout acts on the non-zeros: the product equals X' @ W for X' = X masked and scaled
    torch.manual_seed(1)
    out = f.linear(w.detach(), p=0.5, training=True)
    torch.manual_seed(1)
    keep = (torch.rand(f.values.shape) >= 0.5).float() * 2.0
    xd = torch.zeros_like(x)
    xd[f.row, f.col] = f.values * keep
    torch.testing.assert_close(out, xd @ w.detach().t())
    assert not SparseFeatures.worth_it(torch.rand(10, 10) + 1)


def test_dropout_rate_and_scale():
    torch.manual_seed(0)
    h = torch.ones(200, 100)
    out = dropout(h, 0.3)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / 0.7))
    assert dropout(h, 0.3, training=False) is h


def test_pygcn_init_is_uniform_in_one_over_sqrt_fan_out():
    torch.manual_seed(0)
    layer = GCNLayer(200, 7, init="pygcn")
    bound = 7 ** -0.5
    assert 0.9 * bound < layer.lin.weight.abs().max() <= bound
    assert 0 < layer.bias.abs().max() <= bound
    # Glorot's bound sqrt(6 / 207) is half of it; the default layer keeps Glorot and a zero bias
    glorot = GCNLayer(200, 7)
    assert glorot.lin.weight.abs().max() <= (6 / 207) ** 0.5 < 0.6 * bound and not glorot.bias.any()
    layer.reset_parameters()
    assert layer.lin.weight.abs().max() > 0.9 * bound and layer.bias.any()
    w = torch.empty(3, 1000)
    pygcn_uniform_(w)  # the bound follows the output width (rows), not the input width
    assert 0.9 * 3 ** -0.5 < w.abs().max() <= 3 ** -0.5
    with pytest.raises(ValueError, match="init must be one of glorot, pygcn"):
        GCNLayer(5, 3, init="xavier")


@pytest.mark.parametrize("name", ["batch", "pair", "pair-si", "pair-scs", "node", "mean", "group", "PN"])
def test_norms_build_and_run(name):
    norm = make_norm(name, 8)
    out = norm(torch.randn(20, 8))
    assert out.shape == (20, 8) and torch.isfinite(out).all()


def test_norm_semantics():
    x = torch.randn(30, 6, dtype=torch.float64) + 3
    torch.testing.assert_close(make_norm("mean", 6)(x).mean(0), torch.zeros(6, dtype=torch.float64))
    pn = make_norm("pair", 6)(x)  # centred, mean squared row norm = scale^2
    torch.testing.assert_close(pn.mean(0), torch.zeros(6, dtype=torch.float64))
    assert abs(pn.pow(2).sum(1).mean().item() - 1.0) < 1e-4
    scs = make_norm("pair-scs", 6)(x)
    torch.testing.assert_close(scs, x / x.norm(dim=1, keepdim=True) - x.mean(0), atol=1e-5, rtol=1e-5)
    node = make_norm("node", 6)(x)
    torch.testing.assert_close(node.mean(1), torch.zeros(30, dtype=torch.float64), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="unknown norm 'foo'"):
        make_norm("foo", 6)
