"""Every model of ours: shapes, taps for 1..depth, gradients, mitigations."""

from __future__ import annotations

import pytest
import torch

from oversmooth.graph import graph_operator

from oversmooth.models import build
from oversmooth.training import seed_everything

OURS = ["mlp", "gcn", "gat", "sage", "gin", "resgcn", "densegcn", "jknet", "incepgcn", "gcnii",
        "gcnii*", "appnp", "sgc"]


def _graph(n=30, f=12, seed=0, sparse=False):
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(0, n - 2, (60,), generator=g)  # nodes n-2, n-1 isolated
    dst = torch.randint(0, n - 2, (60,), generator=g)
    ei = torch.stack([torch.cat([src, dst]), torch.cat([dst, src])])
    ei = torch.unique(ei[:, ei[0] != ei[1]], dim=1)
    x = torch.randn(n, f, generator=g)
    if sparse:  # mostly zeros: takes the CSR input path
        x = x * (torch.rand(n, f, generator=g) < 0.1)
    return x, ei


def _run(model, x, ei):
    seen = {}
    handle = model.add_tap(lambda k, h: seen.__setitem__(k, h))
    model.train()
    out = model(x, ei)
    out.sum().backward()
    handle.remove()
    return out, seen


@pytest.mark.parametrize("name", OURS)
@pytest.mark.parametrize("depth", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_forward_taps_backward(name, depth, sparse):
    x, ei = _graph(sparse=sparse)
    seed_everything(0)
    model = build(name, 12, 8, 4, depth)
    out, seen = _run(model, x, ei)
    assert out.shape == (30, 4) and torch.isfinite(out).all()
    assert set(range(1, depth + 1)) <= set(seen)
    assert all(seen[k].shape[0] == 30 for k in seen)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in trainable)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x, ei), model(x, ei))


@pytest.mark.parametrize("name", ["gcn", "gcnii", "mlp", "appnp", "incepgcn"])
def test_sparse_and_dense_input_paths_agree(name):
    x, ei = _graph(sparse=True)
    model = build(name, 12, 8, 4, 3).eval()
    with torch.no_grad():
        fast = model(x, ei)
        x_grad = x.clone().requires_grad_()  # requires_grad disables the sparse path
        torch.testing.assert_close(model(x_grad, ei), fast, atol=1e-5, rtol=1e-5)


def test_gcn_taps_are_preactivations_of_the_layers():
    x, ei = _graph()
    model = build("gcn", 12, 8, 4, 3, dropout=0.0).eval()
    seen = {}
    model.add_tap(lambda k, h: seen.__setitem__(k, h))
    out = model(x, ei)
    op = graph_operator(ei, 30, "gcn", x.dtype).matrix.to_dense()
    h = x
    for k, layer in enumerate(model.convs, start=1):
        z = op @ h @ layer.lin.weight.t() + layer.bias
        torch.testing.assert_close(seen[k], z, atol=1e-5, rtol=1e-5)
        h = torch.relu(z)
    torch.testing.assert_close(out, seen[3])


MITIGATIONS = [dict(residual=True), dict(initial_residual=0.2), dict(identity_mapping=0.5),
               dict(initial_residual=0.1, identity_mapping=0.5), dict(dense=True), dict(jk="cat"),
               dict(jk="max"), dict(jk="lstm"), dict(dropedge=0.5), dict(dropnode=0.3),
               dict(dropmessage=0.3), dict(operator="rw"), dict(operator="rw", dropedge=0.5),
               dict(init="pygcn", jk="cat"), dict(input_dropout=0.0)] + [dict(norm=n) for n in
                                         ("batch", "pair", "pair-si", "pair-scs", "node", "mean", "group")]


@pytest.mark.parametrize("options", MITIGATIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("sparse", [False, True])
def test_gcn_mitigations(options, sparse):
    x, ei = _graph(sparse=sparse)
    seed_everything(0)
    model = build("gcn", 12, 8, 4, 4, **options)
    out, seen = _run(model, x, ei)
    assert out.shape == (30, 4) and torch.isfinite(out).all()
    assert sorted(seen) == [1, 2, 3, 4]
    model.eval()
    with torch.no_grad():  # stochastic mitigations act in training only
        torch.testing.assert_close(model(x, ei), model(x, ei))


@pytest.mark.parametrize("name", ["gat", "sage", "gin"])
@pytest.mark.parametrize("options", [dict(residual=True), dict(jk="cat"), dict(dense=True),
                                     dict(dropedge=0.3, dropnode=0.2), dict(norm="pair"),
                                     dict(input_dropout=0.0)])
def test_other_backbones_take_the_generic_mitigations(name, options):
    x, ei = _graph()
    out, seen = _run(build(name, 12, 8, 4, 3, **options), x, ei)
    assert out.shape == (30, 4) and sorted(seen) == [1, 2, 3]


def test_dropedge_resamples_every_training_forward():
    x, ei = _graph()
    model = build("gcn", 12, 8, 4, 2, dropout=0.0, dropedge=0.5)
    model.train()
    a, b = model(x, ei), model(x, ei)
    assert not torch.allclose(a, b)
    model.eval()
    plain = build("gcn", 12, 8, 4, 2, dropout=0.0).eval()
    plain.load_state_dict(model.state_dict())
    torch.testing.assert_close(model(x, ei), plain(x, ei))


@pytest.mark.parametrize("name", ["gcn", "gat", "sage", "gin"])
@pytest.mark.parametrize("sparse", [False, True])
def test_input_dropout_acts_on_the_features_only(name, sparse):
    """A 1-layer model's only dropout is on the features: ``input_dropout=0`` makes it
    deterministic in training, the default (``None``: same as ``dropout``) does not."""
    x, ei = _graph(sparse=sparse)
    options = dict(attention_dropout=0.0) if name == "gat" else {}
    for input_dropout, rate, same in ((0.0, 0.0, True), (None, 0.5, False)):
        model = build(name, 12, 8, 4, 1, dropout=0.5, input_dropout=input_dropout, **options).train()
        assert model.input_dropout == rate
        assert torch.allclose(model(x, ei), model(x, ei)) == same
    with pytest.raises(ValueError, match="input_dropout must be a probability"):
        build(name, 12, 8, 4, 2, input_dropout=1.0, **options)


@pytest.mark.parametrize("sparse", [False, True])
def test_input_dropout_without_hidden_dropout(sparse):
    x, ei = _graph(sparse=sparse)
    model = build("jknet", 12, 8, 4, 3, dropout=0.0, input_dropout=0.5).train()
    assert not torch.allclose(model(x, ei), model(x, ei))
    model = build("jknet", 12, 8, 4, 3, dropout=0.0, input_dropout=0.0).train()
    torch.testing.assert_close(model(x, ei), model(x, ei))


def test_random_walk_operator_propagates_with_row_stochastic_operator():
    x, ei = _graph()
    model = build("gcn", 12, 8, 4, 1, dropout=0.0, operator="rw").eval()
    op = graph_operator(ei, 30, "rw", x.dtype).matrix.to_dense()
    torch.testing.assert_close(op.sum(1), torch.ones(30))
    layer = model.convs[0]
    torch.testing.assert_close(model(x, ei), op @ x @ layer.lin.weight.t() + layer.bias, atol=1e-5, rtol=1e-5)
    plain = build("gcn", 12, 8, 4, 1, dropout=0.0).eval()
    plain.load_state_dict(model.state_dict())
    assert not torch.allclose(plain(x, ei), model(x, ei))
    with pytest.raises(ValueError, match="operator must be one of gcn, rw"):
        build("gcn", 12, 8, 4, 2, operator="sym")
    with pytest.warns(DeprecationWarning, match="use operator="):
        assert build("gcn", 12, 8, 4, 1, adjacency="rw").operator == "rw"


def test_pygcn_init_covers_every_convolution_and_the_head():
    seed_everything(0)
    model = build("jknet", 12, 64, 4, 3, init="pygcn")
    for _ in range(2):  # as built, and after reset_parameters (which fit calls)
        assert 0.9 * 0.5 < model.head.weight.abs().max() <= 0.5  # 1/sqrt(4 classes)
        assert 0 < model.head.bias.abs().max() <= 0.5
        for conv in model.convs:
            assert 0.9 * 64 ** -0.5 < conv.lin.weight.abs().max() <= 64 ** -0.5 and conv.bias.any()
        model.reset_parameters()
    default = build("jknet", 12, 64, 4, 3)
    assert default.head.weight.abs().max() <= (64 * 3) ** -0.5  # nn.Linear's own bound
    assert not default.convs[0].bias.any()
    with pytest.raises(ValueError, match="init must be one of glorot, pygcn"):
        build("jknet", 12, 8, 4, 2, init="uniform")


def test_initial_residual_and_identity_mapping_change_the_output():
    x, ei = _graph()
    seed_everything(0)
    base = build("gcn", 12, 8, 4, 4, dropout=0.0).eval()
    for options in (dict(initial_residual=0.3), dict(identity_mapping=0.5)):
        other = build("gcn", 12, 8, 4, 4, dropout=0.0, **options).eval()
        other.load_state_dict(base.state_dict())
        assert not torch.allclose(other(x, ei), base(x, ei))


def test_identity_mapping_formula():
    """Hidden layer k uses (1-b) I + b W with b = log(lambda/k + 1)."""
    import math
    x, ei = _graph()
    model = build("gcn", 12, 8, 4, 3, dropout=0.0, identity_mapping=0.5).eval()
    seen = {}
    model.add_tap(lambda k, h: seen.__setitem__(k, h))
    model(x, ei)
    op = graph_operator(ei, 30, "gcn", x.dtype).matrix.to_dense()
    layer, b = model.convs[1], math.log(0.5 / 2 + 1)
    ah = op @ torch.relu(seen[1])
    expected = (1 - b) * ah + b * ah @ layer.lin.weight.t() + layer.bias
    torch.testing.assert_close(seen[2], expected, atol=1e-5, rtol=1e-5)


def test_gcnii_parameter_groups_cover_every_parameter_once():
    model = build("gcnii", 12, 8, 4, 3)
    groups = model.parameter_groups(5e-4)
    ids = [id(p) for g in groups for p in g["params"]]
    assert sorted(ids) == sorted(id(p) for p in model.parameters())
    assert [g["weight_decay"] for g in groups] == [0.01, 5e-4]


def test_gcnii_star_has_two_weights_per_layer():
    assert build("gcnii*", 12, 8, 4, 3).convs[0].weight2 is not None
    assert build("gcnii", 12, 8, 4, 3).convs[0].weight2 is None


def test_sgc_cache_follows_the_input():
    x, ei = _graph()
    model = build("sgc", 12, 1, 4, 2).eval()
    model(x, ei)
    first = model._cache
    model(x * 2, ei)  # a new input tensor: A^K X recomputed, linear in X
    torch.testing.assert_close(model._cache, 2 * first)
