"""train / build_seeded: the one entry point equals the manual seed -> build -> fit sequence."""

from __future__ import annotations

import copy

import pytest
import torch

from oversmooth.datasets import csbm
from oversmooth.graph import num_classes
from oversmooth.models import build
from oversmooth.training import FitResult, Trained, build_seeded, fit, row_normalize, seed_everything, train
from oversmooth.training.fit import _initialize


@pytest.fixture(scope="module")
def graph():
    return csbm(num_nodes=160, num_classes=3, avg_degree=5, homophily=0.8, seed=2)


def _same_state(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("name, options", [("gcn", {}), ("gcnii", {"alpha": 0.2}), ("appnp", {}),
                                           ("gcn", {"dropedge": 0.3, "norm": "pair"})])
def test_train_is_bitwise_the_manual_sequence(graph, name, options):
    """The sequence the callers wrote out before: seed, build, row-normalise, fit."""
    seed_everything(5)
    manual = build(name, graph.x.shape[1], 16, num_classes(graph), 3, **options)
    expected = fit(manual, row_normalize(graph), seed=5, epochs=6)

    model, result = train(name, graph, 3, seed=5, hidden_channels=16, epochs=6, **options)
    assert result.history == expected.history
    assert (result.test_acc, result.best_epoch) == (expected.test_acc, expected.best_epoch)
    assert _same_state(model, manual)  # both restored to the best epoch
    assert result.settings["model"] == name and result.settings["hidden_channels"] == 16


def test_trained_model_is_at_the_best_epoch(graph):
    trained = train("gcn", graph, 2, epochs=15)
    assert isinstance(trained, Trained) and isinstance(trained.result, FitResult)
    data = row_normalize(graph)
    trained.model.eval()
    pred = trained.model(data.x, data.edge_index).argmax(-1)
    acc = (pred[data.test_mask] == data.y[data.test_mask]).float().mean().item()
    assert acc == pytest.approx(trained.result.test_acc)


@pytest.mark.parametrize("name", ["gcn", "gcnii", "mlp", "gat"])
def test_build_seeded_is_the_state_fit_starts_from(graph, name):
    model = build_seeded(name, graph, 3, seed=4, hidden_channels=8)
    assert model.out_channels == num_classes(graph) and model.in_channels == graph.num_features
    started = copy.deepcopy(model)
    _initialize(started, 4)  # what fit(seed=4) does before its first epoch
    assert _same_state(model, started)
    # so fitting it is training from the entry point
    expected = train(name, graph, 3, seed=4, hidden_channels=8, epochs=3, normalize_features=False)
    assert fit(model, graph, seed=4, epochs=3).history == expected.result.history


def test_build_seeded_without_reset_is_the_model_as_built(graph):
    seed_everything(1)
    manual = build("gcn", graph.x.shape[1], 8, num_classes(graph), 3, dropout=0.0)
    assert _same_state(build_seeded("gcn", graph, 3, 1, hidden_channels=8, reset=False, dropout=0.0), manual)
    # GCN's construction draws more random numbers than its reset: the two states differ
    assert not _same_state(build_seeded("gcn", graph, 3, 1, hidden_channels=8, dropout=0.0), manual)


def test_result_attributes_on_trained_are_deprecated(graph):
    trained = train("gcn", graph, 2, epochs=3)
    with pytest.warns(DeprecationWarning, match=r"train\(\.\.\.\)\.test_acc is deprecated"):
        assert trained.test_acc == trained.result.test_acc
    with pytest.warns(DeprecationWarning, match="to_dict"):
        assert trained.to_dict() == trained.result.to_dict()
    with pytest.raises(AttributeError, match="no attribute 'bogus'"):
        trained.bogus  # noqa: B018
    model, result = trained
    assert model is trained.model and result is trained.result


@pytest.mark.parametrize("name", ["nsd", "gcn", "graphormer", "appnp"])
def test_train_records_settings_for_models_whose_defaults_name_a_depth(name):
    from oversmooth import datasets

    data = datasets.load("karate")
    model, result = train(name, data, 2, seed=0, epochs=1)
    assert result.settings["depth"] == 2 and result.settings["model"] == name


def test_feature_normalisation_follows_the_model_default(graph):
    """Graphormer's recipe reads raw features (its default); every other model row-normalises."""
    from oversmooth.experiments.grid import resolve_training

    counts = graph.clone()
    counts.x = graph.x.abs()  # non-negative rows, which row-normalising changes
    small = dict(hidden_channels=8, epochs=3)
    default = train("graphormer", counts, 2, seed=1, **small).result
    assert default.settings["normalize_features"] is False
    assert default.history == train("graphormer", counts, 2, seed=1, normalize_features=False, **small).result.history
    assert default.history != train("graphormer", counts, 2, seed=1, normalize_features=True, **small).result.history
    gcn = train("gcn", counts, 2, seed=1, **small).result
    assert gcn.settings["normalize_features"] is True
    assert gcn.history == train("gcn", counts, 2, seed=1, normalize_features=True, **small).result.history
    assert resolve_training("graphormer")[1]["normalize_features"] is False
    assert resolve_training("gcn")[1]["normalize_features"] is True
