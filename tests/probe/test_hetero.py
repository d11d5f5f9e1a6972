"""The probe on heterogeneous models: rows per layer and node type (forward and backward)
equal to the per-type metrics of the captured tensors, the target type's loss and labels,
hooked layers that output dicts, and save/plot/TensorBoard with node types as metric[node type]."""

import pytest
import torch
import torch.nn.functional as F

import oversmooth
from oversmooth import metrics as M
from oversmooth.graph import type_graph
from oversmooth.probe import PROBE_METRICS, capture_layers, default_loss
from oversmooth.training import build_seeded
from tests.models.hetero_helpers import tiny_hetero as _hetero


@pytest.mark.parametrize("name", ["rgcn", "hgt", "hetero-gcn"])
def test_rows_per_layer_and_node_type_match_per_type_metrics(name):
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


def test_training_loop_target_labels_and_guards(tmp_path):
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
    forward, _ = probe.scoped_tables()
    assert set(forward.columns) == {"epoch", "layer", "metric", "value"}
    assert "group_distance_ratio[customer]" in set(forward.metric)
    assert "mean_cosine_similarity[merchant]" in set(forward.metric)


def test_save_plot_and_tensorboard_show_node_types_as_scoped_metrics(tmp_path):
    from oversmooth.experiments import Store

    data = _hetero()
    model = build_seeded("rgcn", data, 2, hidden_channels=8)
    with oversmooth.Probe(model, data) as probe:
        probe.measure(0)
    record = probe.save(tmp_path / "s.db", "R-GCN", dataset="shop")
    names = {m for _, m, _ in record.layer_metrics}
    assert {"mean_cosine_similarity[customer]", "grad_norm[customer]", "dirichlet_energy[merchant]"} <= names
    with Store(tmp_path / "s.db", readonly=True) as store:
        assert set(store.read("layer_metrics")["metric"]) == names
    fig = probe.plot(tmp_path / "probe.png")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert titles and all("[customer]" in t for t in titles)  # the target type's panels by default
    assert (tmp_path / "probe.png").stat().st_size > 0
    chosen = probe.plot(metrics=["mean_cosine_similarity[merchant]"])
    assert [ax.get_title() for ax in chosen.axes if ax.get_visible() and ax.get_title()] == \
        ["probe: mean cosine similarity [merchant]"]
    pytest.importorskip("tensorboard")
    probe.write_tensorboard(tmp_path / "tb")
    assert any((tmp_path / "tb").iterdir())


def test_hooked_model_of_dict_layers():
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
