"""oversmooth.diagnose: verdicts on both sides of every threshold, any PyG model, state left
alone, the output forms; Probe.plot / Probe.save into a store and a report."""

from __future__ import annotations

import json
import math

import pytest
import torch

import oversmooth
from oversmooth import Probe, datasets
from oversmooth import diagnose as diagnose_module
from oversmooth.diagnose import (ONSET_COSINE, ONSET_DISTANCE, SMALL_GRADIENT, SMOOTH_GRADIENT,
                                 diagnose, model_from_file)
from oversmooth.graph import normalized_adjacency
from oversmooth.metrics import mean_cosine_similarity, subspace_distance
from tests._own_models import Dense, InitialResidual, Propagation


@pytest.fixture(scope="module")
def karate():
    return datasets.load("karate")


def test_onset_is_the_first_layer_past_both_thresholds(karate):
    """Propagation: H_k = P^k X, so the onset layer follows from P alone (computed here
    independently with a dense P)."""
    d = karate.num_features
    result = diagnose(Propagation(d, 24), karate, graph="karate")
    p = normalized_adjacency(karate.edge_index, karate.num_nodes, "gcn", torch.float64).to_dense()
    h, x0 = karate.x.double(), subspace_distance(karate.x, karate.edge_index, relative=True)
    ratios, cosines = [], []
    for _ in range(24):
        h = p @ h
        ratios.append(subspace_distance(h, karate.edge_index, relative=True) / x0)
        cosines.append(mean_cosine_similarity(h))
    expected_d = next(k for k, r in enumerate(ratios, 1) if r < ONSET_DISTANCE)
    expected_c = next(k for k, c in enumerate(cosines, 1) if c >= ONSET_COSINE)
    assert 2 < expected_d < 24 and 2 < expected_c < 24            # both sides inside the model
    assert ratios[expected_d - 2] >= ONSET_DISTANCE and cosines[expected_c - 2] < ONSET_COSINE
    assert (result.distance_onset, result.cosine_onset) == (expected_d, expected_c)
    assert result.onset == min(expected_d, expected_c)
    assert result.table["distance_rel"].tolist() == pytest.approx(ratios, rel=1e-5)
    assert "forward oversmoothing sets in at layer" in result.verdicts[0]
    assert any("gcn,gcnii" in m.command for m in result.mitigations)


def test_initial_residual_does_not_oversmooth(karate):
    result = diagnose(InitialResidual(karate.num_features, 24), karate, graph="karate")
    assert result.onset is None and result.distance_onset is None and result.cosine_onset is None
    assert result.table["distance_rel"].min() > ONSET_DISTANCE
    assert result.table["mean_cosine_similarity"].max() < ONSET_COSINE
    assert result.verdicts[0].startswith("no forward oversmoothing within 24 layers")


def test_small_gradients_smooth_or_not(karate):
    """A last layer scaled by 1e-4 makes every inner weight gradient 1e-4 of the last one:
    through propagation the backward signal is smooth near the input (backward
    oversmoothing) and rough near the output (vanishing); through dense layers it is
    rough everywhere; without the scaling every gradient is large."""
    d = karate.num_features
    damped = diagnose(Propagation(d, 24, last=1e-4), karate).table.set_index("layer")
    assert damped.loc[1, "gradient_rel"] < SMALL_GRADIENT and damped.loc[1, "grad_subspace_rel"] < SMOOTH_GRADIENT
    assert damped.loc[1, "gradient"] == "backward oversmoothing"
    assert damped.loc[23, "grad_subspace_rel"] > SMOOTH_GRADIENT and damped.loc[23, "gradient"] == "vanishing gradient"
    assert damped.loc[24, "gradient"] == "ok"
    dense = diagnose(Dense(d, 6, last=1e-4), karate, layers=[f"lins.{i}" for i in range(6)])
    assert set(dense.table["gradient"][:5]) == {"vanishing gradient"}
    assert any(v.startswith("plain vanishing gradients at layers 1, 2, 3, 4, 5") for v in dense.verdicts)
    assert any("--init kaiming" in m.command for m in dense.mitigations)
    plain = diagnose(Propagation(d, 24), karate)
    assert set(plain.table["gradient"]) == {"ok"}


def test_spectral_prediction_beside_the_measurement(karate):
    result = diagnose(Propagation(karate.num_features, 24), karate)
    rate = oversmooth.spectral.analyze(karate).rate
    assert result.rate == pytest.approx(rate)
    assert result.predicted_steps == oversmooth.spectral.analyze(karate).steps_to(1e-3)
    assert result.measured_steps is None                   # 1e-3 not reached in 24 layers
    assert result.table["predicted_rel"].tolist() == pytest.approx([rate ** k for k in range(1, 25)])
    assert result.pace == "slower"  # scale-free distance of pure propagation stays above rate^k here
    assert diagnose(Propagation(karate.num_features, 24), karate, spectral=False).rate is None


@pytest.mark.parametrize("name", ["GCN", "GAT", "GraphSAGE"])
def test_pyg_models_are_hooked_on_their_convs(karate, name):
    from torch_geometric.nn import models

    torch.manual_seed(0)
    model = getattr(models, name)(karate.num_features, 16, num_layers=6, out_channels=4)
    model.train()
    for p in model.parameters():
        p.grad = torch.full_like(p, 0.5)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    result = diagnose(model, karate)
    assert list(result.table["layer"]) == [1, 2, 3, 4, 5, 6]
    assert list(result.backward.parameters["group"]) == [f"convs.{i}" for i in range(6)]
    assert model.training                                   # mode untouched
    for n, p in model.named_parameters():                   # weights and .grad untouched
        assert torch.equal(p.detach(), before[n]) and torch.equal(p.grad, torch.full_like(p, 0.5))
    assert result.table["grad_norm"].gt(0).all()


def test_zoo_gcn_oversmooths_where_gcnii_does_not():
    data = datasets.csbm(num_nodes=300, seed=0)
    gcn = oversmooth.training.build_seeded("gcn", data, 32, 0, hidden_channels=16, reset=False)
    gcnii = oversmooth.training.build_seeded("gcnii", data, 32, 0, hidden_channels=16, reset=False)
    a, b = diagnose(gcn, data), diagnose(gcnii, data)
    assert a.onset is not None and b.onset is None


def test_outputs(karate):
    result = diagnose(Propagation(karate.num_features, 24), karate, graph="karate")
    text = result.render()
    assert "verdict:" in text and "forward oversmoothing sets in" in text and "oversmooth sweep" in text
    data = json.loads(json.dumps(result.to_dict()))
    assert data["num_layers"] == 24 and len(data["layers"]) == 24 and data["thresholds"]["onset_cosine"] == ONSET_COSINE
    html = result._repr_html_()
    assert html.startswith("<pre") and "verdict:" in html
    fig = result.plot()
    assert len(fig.axes) == 4 and fig.axes[0].get_yscale() in ("log", "linear")


def test_the_package_attribute_is_callable_in_any_import_order(karate):
    """``oversmooth.diagnose`` is the function (lazy attribute) or, once the submodule has
    been imported, the module, which calls the function."""
    model = Propagation(karate.num_features, 3)
    assert oversmooth.diagnose(model, karate, spectral=False).num_layers == 3
    assert diagnose_module(model, karate, spectral=False).num_layers == 3


def test_bad_input(karate):
    with pytest.raises(ValueError, match="no MessagePassing"):
        diagnose(torch.nn.Linear(3, 2), karate)
    data = karate.clone()
    del data.y
    with pytest.raises(ValueError, match="labels"):
        diagnose(Propagation(karate.num_features, 2), data)


def test_model_from_file(tmp_path, karate):
    path = tmp_path / "mine.py"
    path.write_text("import torch\nfrom torch_geometric.nn.models import GCN\n"
                    "def build(data):\n    return GCN(data.num_features, 8, 3, out_channels=4)\n"
                    "def plain():\n    return GCN(34, 8, 2, out_channels=4)\n"
                    "def nothing():\n    return 3\nVALUE = 1\n")
    assert model_from_file(f"{path}:build", karate).num_layers == 3
    assert model_from_file(f"{path}:plain", karate).num_layers == 2
    for spec, message in [(f"{path}", "PATH.py:FACTORY"), (f"{tmp_path}/no.py:build", "not found"),
                          (f"{path}:missing", "defines no"), (f"{path}:VALUE", "not callable"),
                          (f"{path}:nothing", "not a torch.nn.Module"), (f"{tmp_path}:x", "not a .py")]:
        with pytest.raises(ValueError, match=message):
            model_from_file(spec, karate)


def _trained_probe(data, epochs=12, every=4):
    import torch.nn.functional as F
    from torch_geometric.nn.models import GCN

    torch.manual_seed(0)
    model = GCN(data.num_features, 8, num_layers=6, out_channels=4)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    with Probe(model, data, every=every) as probe:
        for epoch in range(epochs):
            with probe.epoch(epoch):
                loss = F.cross_entropy(model(data.x, data.edge_index)[data.train_mask],
                                       data.y[data.train_mask])
                loss.backward()
            opt.step()
            opt.zero_grad()
    return probe


def test_probe_plot(karate, tmp_path):
    probe = _trained_probe(karate)
    heat = probe.plot(tmp_path / "heat.png")                   # 3 epochs: a heatmap
    assert (tmp_path / "heat.png").stat().st_size > 0 and heat.axes[0].get_ylabel() == "epoch"
    lines = probe.plot(kind="layers", metrics=["subspace_distance", "grad_norm"])
    assert [ax.get_visible() for ax in lines.axes] == [True, True]
    assert len(lines.axes[0].get_lines()) == 3                 # one line per recorded epoch
    with pytest.raises(ValueError, match="kind"):
        probe.plot(kind="bars")


def test_probe_saved_to_a_store_shows_in_the_report(karate, tmp_path):
    from oversmooth.experiments import Store, read_store, report_inputs
    from oversmooth.report import build_report

    probe = _trained_probe(karate)
    store = tmp_path / "own.db"
    record = probe.save(store, label="my GCN", dataset="karate")
    again = probe.save(store, label="my GCN", dataset="karate")
    assert again.run_key == record.run_key
    contents = read_store(store)
    assert len(contents.runs) == 1 and contents.runs.iloc[0]["depth"] == 6
    assert set(contents.layer_history["epoch"]) == {0, 4, 8}
    assert {"subspace_distance", "grad_norm"} <= set(contents.layers["metric"])
    inputs = report_inputs(store, spectral=False)
    out = build_report(inputs, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    layers = html[html.index('id="layers"'):]
    layers = layers[:layers.index("</section>")]
    assert "Per-layer metrics on karate" in layers and "<img" in layers
    assert "my GCN" in html and out.html.name == "report.html"
    with Store(store) as opened, pytest.raises(ValueError, match="label"):
        probe.save(opened, label=" ")
