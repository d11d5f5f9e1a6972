import math

import pytest
import torch

import oversmooth
from oversmooth import metrics as M
from oversmooth.probe import PROBE_BACKWARD


from ._models import Stack, TinyTaps, _loss


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
