import math

import pytest
import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

import oversmooth
from oversmooth import metrics as M
from oversmooth.datasets import csbm
from oversmooth.models import LayerTaps
from oversmooth.probe import PROBE_BACKWARD


@pytest.fixture(scope="module")
def data():
    return csbm(num_nodes=120, num_classes=3, avg_degree=5, num_features=8, seed=0)


class Stack(torch.nn.Module):
    def __init__(self, d_in, hidden, d_out, depth=3):
        super().__init__()
        dims = [d_in] + [hidden] * (depth - 1) + [d_out]
        self.convs = torch.nn.ModuleList(GCNConv(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x, edge_index):
        for k, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if k < len(self.convs) - 1:
                x = torch.relu(x)
        return x


class TinyTaps(LayerTaps):
    """A LayerTaps model: emits the input (k = 0) and each propagation output."""

    def __init__(self, d_in, d_out, depth=3):
        super().__init__()
        self.lin = torch.nn.Linear(d_in, d_out)
        self.depth = depth

    def forward(self, x, edge_index):
        from oversmooth.graph import normalized_adjacency

        P = normalized_adjacency(edge_index, x.size(0))
        h = self.emit(0, self.lin(x))
        for k in range(1, self.depth + 1):
            h = self.emit(k, P @ h)
        return h


def _loss(out, data):
    return F.cross_entropy(out[data.train_mask], data.y[data.train_mask])


def test_pyg_stack_forward_values_and_gradients_match_autograd(data):
    torch.manual_seed(0)
    model = Stack(8, 16, 3)
    outputs = []
    handles = [c.register_forward_hook(lambda m, i, o: outputs.append(o)) for c in model.convs]
    with oversmooth.Probe(model, data, metrics=["dirichlet_energy", "subspace_distance"], backward="all") as probe:
        out = model(data.x, data.edge_index)
        loss = _loss(out, data)
        grads = torch.autograd.grad(loss, outputs)  # the probe's gradient hooks fire here too
    for h in handles:
        h.remove()
    fwd, bwd = probe.forward_table(), probe.backward_table()
    assert list(fwd.columns) == ["epoch", "layer", "metric", "value"]
    assert sorted(fwd.layer.unique()) == [1, 2, 3] and set(fwd.epoch) == {0}
    for k, h in enumerate(outputs, start=1):
        row = fwd[(fwd.layer == k) & (fwd.metric == "dirichlet_energy")].value.item()
        assert row == pytest.approx(M.dirichlet_energy(h, data.edge_index))
        expected = M.backward_smoothness(grads[k - 1], data.edge_index)
        for key, value in expected.items():
            got = bwd[(bwd.layer == k) & (bwd.metric == key)].value.item()
            assert got == pytest.approx(value, rel=1e-9, abs=1e-15)
    assert probe.layer_names == {1: "convs.0", 2: "convs.1", 3: "convs.2"}


def test_hooks_removed_on_exit(data):
    model = Stack(8, 16, 3)
    with oversmooth.Probe(model, data) as probe:
        assert all(len(c._forward_hooks) == 1 for c in model.convs)
    assert all(len(c._forward_hooks) == 0 for c in model.convs)
    model(data.x, data.edge_index)
    assert len(probe.forward_table()) == 0
    taps = TinyTaps(8, 3)
    with oversmooth.Probe(taps, data):
        assert len(taps._taps) == 1
    assert taps._taps == []


def test_layer_taps_model_and_measure_leaves_param_grads(data):
    model = TinyTaps(8, 3)
    with oversmooth.Probe(model, data, metrics="all") as probe:
        probe.measure(epoch=5)
    fwd, bwd = probe.forward_table(), probe.backward_table()
    assert sorted(fwd.layer.unique()) == [0, 1, 2, 3] and set(fwd.epoch) == {5}
    assert set(fwd.metric) == set(M.available()) | {f"{m}_stderr" for m in
                                                    ("mad_gap", "mean_pairwise_distance", "smv",
                                                     "group_distance_ratio")}
    assert sorted(bwd.layer.unique()) == [0, 1, 2, 3]
    assert model.lin.weight.grad is None
    # deeper propagation is smoother
    d = fwd[fwd.metric == "subspace_distance"].set_index("layer").value
    assert d[3] < d[1]


def test_every_skips_work(data, monkeypatch):
    model = Stack(8, 16, 3)
    calls = []
    probe = oversmooth.Probe(model, data, every=10)
    original = probe._forward_metrics
    monkeypatch.setattr(probe, "_forward_metrics", lambda h: calls.append(1) or original(h))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with probe:
        for epoch in range(25):
            with probe.epoch(epoch):
                opt.zero_grad()
                _loss(model(data.x, data.edge_index), data).backward()
                opt.step()
            model(data.x, data.edge_index)  # an unwrapped (eval) pass: not recorded
    assert len(calls) == 3 * 3  # epochs 0, 10, 20; three layers each
    assert sorted(probe.forward_table().epoch.unique()) == [0, 10, 20]
    assert sorted(probe.backward_table().epoch.unique()) == [0, 10, 20]


def test_named_layers_and_errors(data):
    model = Stack(8, 16, 3)
    with oversmooth.Probe(model, data, layers=["convs.2", model.convs[0]]) as probe:
        model(data.x, data.edge_index)
    assert probe.layer_names == {1: "convs.2", 2: "convs.0"}
    with pytest.raises(ValueError, match="no module named"):
        oversmooth.Probe(model, data, layers=["nope"])
    with pytest.raises(ValueError, match="no MessagePassing"):
        oversmooth.Probe(torch.nn.Linear(2, 2), data)
    with pytest.raises(ValueError, match="unknown metric"):
        oversmooth.Probe(model, data, metrics=["bogus"])
    with pytest.raises(ValueError, match="every"):
        oversmooth.Probe(model, data, every=0)
    for bad in ("some", ["grad_norm", "grad_bogus"], []):
        with pytest.raises(ValueError, match="backward must be"):
            oversmooth.Probe(model, data, backward=bad)


@pytest.mark.parametrize("backward, keys", [
    (True, PROBE_BACKWARD), ("all", M.BACKWARD_KEYS), (["grad_energy_rel"], ("grad_energy_rel",)), (False, ())])
def test_backward_selects_the_gradient_measures(data, backward, keys):
    model = Stack(8, 16, 3)
    with oversmooth.Probe(model, data, backward=backward) as probe:
        _loss(model(data.x, data.edge_index), data).backward()
    table = probe.backward_table()
    assert set(table.metric) == set(keys) and len(table) == 3 * len(keys)
    assert probe.backward is bool(keys)


def test_diverged_layer_recorded_as_nan(data):
    model = TinyTaps(8, 3)
    with torch.no_grad():
        model.lin.weight.fill_(math.inf)
    with oversmooth.Probe(model, data) as probe:
        model(data.x, data.edge_index)
    assert probe.forward_table().value.isna().all()


class Emit(torch.nn.Module):
    """Returns a fixed tensor (times a parameter, so that it has a gradient)."""

    def __init__(self, value):
        super().__init__()
        self.value = value
        self.scale = torch.nn.Parameter(torch.ones((), dtype=value.dtype))

    def forward(self, x, edge_index):
        return self.value * self.scale


@pytest.mark.parametrize("fill, finite", [(1e200, True), (math.inf, False), (math.nan, False)])
def test_finite_check_on_huge_float64_and_non_finite_outputs(data, fill, finite):
    """||H||^2 of 1e200 entries overflows, yet every entry is finite: measured, not NaN."""
    value = torch.randn(data.num_nodes, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    value[5, 1] = fill
    model = Emit(value)
    with oversmooth.Probe(model, data, layers=[model], metrics=["mean_cosine_similarity"]) as probe:
        model(data.x, data.edge_index).sum().backward()
    forward = probe.forward_table().value
    assert forward.notna().all() if finite else forward.isna().all()
    if finite:
        assert forward.iloc[0] == M.mean_cosine_similarity(value)


# ---------------------------------------------------------------------- capture_layers
from oversmooth.probe import Capture, capture_layers, default_loss  # noqa: E402


def _taps_by_hand(model, data):
    """The tensors as a hand-written tap and autograd give them (eval mode)."""
    outputs = {}
    handle = model.add_tap(lambda k, h: outputs.setdefault(int(k), h))
    model.eval()
    out = model(data.x, data.edge_index)
    handle.remove()
    loss = _loss(out, data)
    layers = sorted(k for k in outputs if outputs[k].requires_grad)
    params = list(model.parameters())
    grads = torch.autograd.grad(loss, [outputs[k] for k in layers] + params, allow_unused=True)
    return outputs, dict(zip(layers, grads)), grads[len(layers):], loss


@pytest.mark.parametrize("name", ["gcn", "gcnii", "appnp"])
def test_capture_matches_taps_and_autograd(data, name):
    from oversmooth.training import build_seeded

    model = build_seeded(name, data, 3, 0, hidden_channels=8)
    outputs, grads, param_grads, loss = _taps_by_hand(model, data)
    model.train()
    params = list(model.parameters())
    cap = capture_layers(model, data, grad=True, wrt=params)
    assert isinstance(cap, Capture) and model.training and model._taps == []
    assert all(p.grad is None for p in params)
    assert sorted(cap.outputs) == sorted(outputs) and sorted(cap.grads) == sorted(grads)
    for k in outputs:
        assert torch.equal(cap.outputs[k], outputs[k].detach()) and not cap.outputs[k].requires_grad
    for k in grads:
        assert torch.equal(cap.grads[k], grads[k])
    for got, expected in zip(cap.wrt_grads, param_grads):
        assert (got is None and expected is None) or torch.equal(got, expected)
    assert torch.equal(cap.loss, loss.detach())
    out = model.eval()(data.x, data.edge_index)
    expected_out_grad = torch.autograd.grad(default_loss(out, data), out)[0]
    assert torch.equal(cap.output_grad, expected_out_grad)


def test_capture_without_grad_and_on_hooked_models(data):
    torch.manual_seed(0)
    model = Stack(8, 16, 3).train()
    outputs = []
    handles = [c.register_forward_hook(lambda m, i, o: outputs.append(o.detach())) for c in model.convs]
    model.eval()
    model(data.x, data.edge_index)
    for h in handles:
        h.remove()
    model.train()
    cap = capture_layers(model, data)
    assert model.training and all(len(c._forward_hooks) == 0 for c in model.convs)
    assert cap.layer_names == {1: "convs.0", 2: "convs.1", 3: "convs.2"}
    assert cap.grads == {} and cap.loss is None and cap.output_grad is None
    for k, h in enumerate(outputs, start=1):
        assert torch.equal(cap.outputs[k], h)
    named = capture_layers(model, data, layers=["convs.2"], grad=True, train=None)
    assert list(named.outputs) == [1] and torch.equal(named.outputs[1], outputs[2])
    assert list(named.grads) == [1]
    with pytest.raises(ValueError, match="finite scalar"):
        capture_layers(model, data, grad=True, loss_fn=lambda out, d: out.sum(0))
    assert all(len(c._forward_hooks) == 0 for c in model.convs)


def test_runner_backward_and_probe_capture_the_same_tensors(data):
    """The sweep, the backward diagnosis and the probe see one set of per-layer tensors."""
    from oversmooth.backward import diagnose
    from oversmooth.experiments.runner import layer_outputs
    from oversmooth.training import build_seeded

    model = build_seeded("gcnii", data, 3, 1, hidden_channels=8, dropout=0.0)
    reference = capture_layers(model, data, grad=True)
    runner = layer_outputs(model, data)
    assert runner.keys() == reference.outputs.keys()
    assert all(torch.equal(runner[k], reference.outputs[k]) for k in runner)
    signals = diagnose(model, data).signals
    assert signals.keys() == reference.grads.keys()
    assert all(torch.equal(signals[k], reference.grads[k]) for k in signals)
    with oversmooth.Probe(model.eval(), data, metrics=["dirichlet_energy"], backward="all") as probe:
        measured = probe.measure(epoch=2)
    assert all(torch.equal(measured.outputs[k], reference.outputs[k]) for k in runner)
    assert all(torch.equal(measured.grads[k], reference.grads[k]) for k in signals)
    fwd, bwd = probe.forward_table(), probe.backward_table()
    for k, h in reference.outputs.items():
        row = fwd[(fwd.layer == k) & (fwd.metric == "dirichlet_energy")].value.item()
        assert row == pytest.approx(M.dirichlet_energy(h, data.edge_index))
    for k, g in reference.grads.items():
        for key, value in M.backward_smoothness(g, data.edge_index).items():
            got = bwd[(bwd.layer == k) & (bwd.metric == key)].value.item()
            assert got == pytest.approx(value, rel=1e-9, abs=1e-15)


# ---------------------------------------------------------------------------- heterogeneous
def _hetero():
    from tests.models.hetero_helpers import tiny_hetero

    return tiny_hetero()


@pytest.mark.parametrize("name", ["rgcn", "hgt", "hetero-gcn"])
def test_hetero_rows_per_layer_and_node_type_match_per_type_metrics(name):
    from oversmooth.graph import type_graph
    from oversmooth.probe import PROBE_METRICS, capture_layers
    from oversmooth.training import build_seeded

    data = _hetero()
    model = build_seeded(name, data, 3, hidden_channels=8)
    with oversmooth.Probe(model, data, backward="all") as probe:
        probe.measure(train=False)  # no dropout: the same pass as capture_layers below
    fwd, bwd = probe.forward_table(), probe.backward_table()
    assert list(fwd.columns) == ["epoch", "layer", "node_type", "metric", "value"]
    assert set(zip(fwd.layer, fwd.node_type)) == {(k, t) for k in (1, 2, 3) for t in ("customer", "merchant")}
    assert set(fwd.metric) == set(PROBE_METRICS) and fwd.value.notna().all()
    # the loss reads the customers of the last layer only: no merchant gradient there
    assert set(zip(bwd.layer, bwd.node_type)) == {(1, "customer"), (1, "merchant"), (2, "customer"),
                                                  (2, "merchant"), (3, "customer")}
    assert bwd.value.notna().all() and set(bwd.metric) == set(M.BACKWARD_KEYS)

    capture = capture_layers(model, data, grad=True)
    for (k, t), rows in fwd.groupby(["layer", "node_type"]):
        expected = M.compute(capture.outputs[k][t], type_graph(data, t), metrics=list(PROBE_METRICS))
        assert dict(zip(rows.metric, rows.value)) == pytest.approx(expected, rel=1e-9)
    for (k, t), rows in bwd.groupby(["layer", "node_type"]):
        expected = M.backward_smoothness(capture.grads[k][t], type_graph(data, t))
        assert dict(zip(rows.metric, rows.value)) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_hetero_training_loop_labels_and_guards(tmp_path):
    from oversmooth.probe import default_loss
    from oversmooth.training import build_seeded

    data = _hetero()
    model = build_seeded("rgcn", data, 2, hidden_channels=8)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    with oversmooth.Probe(model, data, metrics="all", every=2) as probe:
        for epoch in range(4):
            with probe.epoch(epoch):
                out = model(data.x_dict, data.edge_index_dict)
                loss = default_loss(out, data)
                loss.backward()
            opt.step()
            opt.zero_grad()
    mask = data["customer"].train_mask
    assert float(loss.detach()) == pytest.approx(float(F.cross_entropy(out.detach()[mask], data["customer"].y[mask])))
    fwd, bwd = probe.forward_table(), probe.backward_table()
    assert set(fwd.epoch) == {0, 2} and set(bwd.epoch) == {0, 2}
    gdr = fwd[fwd.metric == "group_distance_ratio"]
    assert set(gdr.node_type) == {"customer"}  # only the target type has labels
    for call in (lambda: probe.plot(), lambda: probe.save(tmp_path / "s", "x"),
                 lambda: probe.write_tensorboard(tmp_path)):
        with pytest.raises(ValueError, match="does not show node types yet"):
            call()


def test_hetero_hooked_model_of_dict_layers():
    """A user's model of HGTConv layers (dict in, dict out): hooked like any MessagePassing."""
    from torch_geometric.nn import HeteroDictLinear, HGTConv

    data = _hetero()

    class Own(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = HeteroDictLinear({"customer": 3, "merchant": 2}, 8)
            self.conv1 = HGTConv(8, 8, data.metadata())
            self.conv2 = HGTConv(8, 8, data.metadata())
            self.head = torch.nn.Linear(8, 2)

        def forward(self, x_dict, edge_index_dict):
            h = self.conv2(self.conv1(self.lin(x_dict), edge_index_dict), edge_index_dict)
            return self.head(h["customer"])

    with oversmooth.Probe(Own(), data) as probe:
        probe.measure()
    fwd = probe.forward_table()
    assert probe.layer_names == {1: "conv1", 2: "conv2"}
    assert set(zip(fwd.layer, fwd.node_type)) == {(k, t) for k in (1, 2) for t in ("customer", "merchant")}
    assert not probe.backward_table().empty
