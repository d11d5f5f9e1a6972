import pytest
import torch

import oversmooth
from oversmooth import metrics as M
from oversmooth.probe import Capture, capture_layers, default_loss

from ._models import Stack, _loss



# ---------------------------------------------------------------------- capture_layers


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
