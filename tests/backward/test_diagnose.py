"""diagnose / layer_table: exact against autograd, state left alone, every zoo model."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from oversmooth import datasets
from oversmooth.backward import diagnose, layer_table, plot
from oversmooth.backward._layers import layer_groups
from oversmooth.graph import num_classes
from oversmooth.metrics import backward_smoothness
from oversmooth.models import build


@pytest.fixture(scope="module")
def graph():
    return datasets.csbm(num_nodes=200, seed=1)


def _model(name, data, depth=4, width=8, **options):
    torch.manual_seed(0)
    return build(name, data.x.shape[1], width, num_classes(data), depth, dropout=0.0, **options)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_signals_and_weight_gradients_match_autograd(graph, dtype):
    model = _model("gcn", graph).to(dtype)
    data = graph.clone()
    data.x = data.x.to(dtype)
    result = diagnose(model, data)

    model.eval()
    outputs = {}
    handle = model.add_tap(lambda k, h: outputs.setdefault(k, h))
    out = model(data.x, data.edge_index)
    handle.remove()
    loss = F.cross_entropy(out[data.train_mask], data.y[data.train_mask])
    layers = sorted(outputs)
    manual = torch.autograd.grad(loss, [outputs[k] for k in layers], retain_graph=True)
    loss.backward()
    assert sorted(result.signals) == layers == list(result.table["layer"])
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    for k, g in zip(layers, manual):
        torch.testing.assert_close(result.signals[k], g, rtol=tol, atol=tol * float(g.abs().max()))
        row = result.table.set_index("layer").loc[k]
        expected = backward_smoothness(g, data.edge_index)
        for key, value in expected.items():
            assert math.isclose(row[key], value, rel_tol=1e-4, abs_tol=1e-12)
    norms = [math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in group.params))
             for group in layer_groups(model)]
    assert result.parameters["weight_grad_norm"].tolist() == pytest.approx(norms, rel=1e-4)
    assert result.parameters["weight_grad_rel"].tolist() == pytest.approx([n / norms[-1] for n in norms], rel=1e-4)
    assert result.loss == pytest.approx(float(loss), rel=1e-6)
    # mean output error: norm of the mean row of dL/d(logits)
    y_grad = torch.autograd.grad(F.cross_entropy(out[data.train_mask], data.y[data.train_mask]), out)[0] \
        if out.requires_grad else None
    assert result.output_error_mean_norm == pytest.approx(float(y_grad.double().mean(0).norm()), rel=1e-5)


def test_state_is_left_alone(graph):
    model = _model("gcn", graph)
    model.train()
    model.convs[0].lin.weight.requires_grad_(False)
    sentinel = {id(p): torch.full_like(p, 3.0) for p in model.parameters()}
    for p in model.parameters():
        p.grad = sentinel[id(p)].clone()
    diagnose(model, graph)
    assert model.training
    assert not model.convs[0].lin.weight.requires_grad
    assert all(torch.equal(p.grad, sentinel[id(p)]) for p in model.parameters())
    assert not model._taps


@pytest.mark.parametrize("name", ["gcn", "mlp", "gcnii", "appnp", "resgcn", "jknet", "gat", "gprgnn"])
def test_every_model(graph, name):
    model = _model(name, graph, depth=3)
    result = diagnose(model, graph)
    table = result.table
    assert len(table) >= 3 and table["grad_norm"].gt(0).all()
    assert table[["grad_energy_rel", "grad_subspace_rel"]].apply(lambda c: c.between(0, 2)).all().all()
    assert result.parameters["weight_grad_rel"].iloc[-1] == pytest.approx(1.0)
    assert {"dirichlet_energy_sym", "subspace_distance"} <= set(table.columns)
    json.dumps(result.to_dict())


def test_sgc_has_no_backward_signal(graph):
    # SGC propagates the raw features before its only weight: no layer output carries a gradient
    result = diagnose(_model("sgc", graph), graph)
    assert len(result.table) == 0 and "grad_norm" in result.table.columns
    assert result.parameters["weight_grad_norm"].iloc[-1] > 0


def test_appnp_propagation_has_no_weights(graph):
    result = diagnose(_model("appnp", graph), graph)
    assert result.table["weight_grad_norm"].isna().all()
    assert result.parameters["group"].tolist() == ["lin1", "lin2"]


def test_layer_groups_order():
    data = datasets.csbm(num_nodes=50, seed=0)
    names = [g.name for g in layer_groups(_model("gcnii", data, depth=3))]
    assert names == ["lin_in", "convs.0", "convs.1", "convs.2", "lin_out"]
    groups = layer_groups(_model("gcn", data, depth=3, norm="batch"))
    assert [g.layer for g in groups] == [1, 2, 3] and len(groups[0].params) == 4  # conv W, b + BN


def test_layer_table_is_tidy(graph):
    frame = layer_table(_model("gcn", graph), graph)
    assert list(frame.columns) == ["layer", "metric", "value"]
    assert {"grad_norm", "grad_subspace_rel", "weight_grad_rel", "dirichlet_energy_sym"} <= set(frame["metric"])
    assert len(frame) == 4 * frame["metric"].nunique()


def test_bad_input(graph):
    with pytest.raises(ValueError, match="no MessagePassing layer"):
        diagnose(torch.nn.Linear(3, 2), graph)
    with pytest.raises(ValueError, match="torch.nn.Module"):
        diagnose(lambda x, edge_index: x, graph)
    data = graph.clone()
    del data.y
    with pytest.raises(ValueError, match="labels"):
        diagnose(_model("gcn", graph), data)
    with pytest.raises(ValueError, match="finite scalar"):
        diagnose(_model("gcn", graph), graph, loss_fn=lambda out, d: out.sum() * float("nan"))


def test_custom_loss(graph):
    result = diagnose(_model("gcn", graph), graph, loss_fn=lambda out, d: (out ** 2).mean())
    assert result.loss > 0 and result.table["grad_norm"].gt(0).all()


def test_plot(graph, tmp_path):
    results = {"gcn": diagnose(_model("gcn", graph), graph), "appnp": diagnose(_model("appnp", graph), graph)}
    with pytest.warns(DeprecationWarning, match="report.plots.backward_diagnosis"):
        path = plot(results, tmp_path / "b.png")  # deprecated alias of the report's figure
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["b.png"]
    with pytest.raises(ValueError), pytest.warns(DeprecationWarning):
        plot({}, tmp_path / "c.png")
    with pytest.raises(ValueError, match="does not exist"), pytest.warns(DeprecationWarning):
        plot(results, tmp_path / "missing" / "c.png")


def test_signal_table_and_the_report_alias(graph):
    from oversmooth.backward import signal_table
    from oversmooth.report import backward_table

    model = _model("gcn", graph)
    table = signal_table(model, graph, "GCN")
    assert list(table.columns) == ["series", "layer", "metric", "value"] and set(table.series) == {"GCN"}
    assert set(table.metric) == {"grad_norm", "grad_energy_rel", "grad_subspace_rel", "grad_mean_norm"}
    full = layer_table(model, graph)
    expected = full[full.metric.str.startswith("grad_")]
    assert table[["layer", "metric", "value"]].equals(expected[["layer", "metric", "value"]])
    assert list(signal_table(model, graph).columns) == ["layer", "metric", "value"]
    with pytest.warns(DeprecationWarning, match="oversmooth.report.backward_table is deprecated; "
                                                "use oversmooth.backward.signal_table"):
        old = backward_table(model, graph, "GCN")
    assert old.equals(table)


def test_any_pyg_model_through_hooks(graph):
    """A model without taps (PyG's GCN): layers are its convs, weight gradients those of
    each conv's parameters, exactly as autograd gives them."""
    from torch_geometric.nn.models import GCN

    torch.manual_seed(0)
    model = GCN(graph.x.shape[1], 8, 3, out_channels=num_classes(graph))
    result = diagnose(model, graph)
    assert list(result.table["layer"]) == [1, 2, 3]
    assert list(result.parameters["group"]) == ["convs.0", "convs.1", "convs.2"]
    assert sorted(result.outputs) == [1, 2, 3] and result.outputs[3].shape[1] == num_classes(graph)
    model.eval()
    loss = F.cross_entropy(model(graph.x, graph.edge_index)[graph.train_mask], graph.y[graph.train_mask])
    loss.backward()
    norms = [math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in conv.parameters()))
             for conv in model.convs]
    assert result.table["weight_grad_norm"].tolist() == pytest.approx(norms, rel=1e-4)
    assert result.table["weight_grad_rel"].iloc[-1] == pytest.approx(1.0)
