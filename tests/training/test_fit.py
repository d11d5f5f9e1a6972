"""fit / train: determinism, best-epoch bookkeeping, early stopping, divergence, CLI."""

from __future__ import annotations

import json
import math

import pytest
import torch

from oversmooth.datasets import csbm
from oversmooth.models import LayerTaps, build
from oversmooth.training import FitResult, TrainingDiverged, fit, row_normalize, seed_everything, train


@pytest.fixture(scope="module")
def graph():
    return csbm(num_nodes=200, num_classes=3, avg_degree=6, homophily=0.8, seed=0)


def test_same_seed_same_result(graph):
    a = train("gcn", graph, 2, seed=3, epochs=15).result
    b = train("gcn", graph, 2, seed=3, epochs=15).result
    assert a.history == b.history and a.test_acc == b.test_acc
    c = train("gcn", graph, 2, seed=4, epochs=15).result
    assert c.history != a.history


def test_result_fields_and_best_epoch(graph):
    r = train("gcn", graph, 2, epochs=20).result
    assert isinstance(r, FitResult) and r.epochs_run == 20 and len(r.history) == 20
    assert set(r.history[0]) == {"epoch", "train_loss", "val_loss", "train_acc", "val_acc", "test_acc"}
    best = min(r.history, key=lambda row: row["val_loss"])
    assert r.best_epoch == best["epoch"] and r.test_acc == best["test_acc"]
    assert 0.0 <= r.test_acc <= 1.0 and r.wall_time > 0
    d = r.to_dict()
    assert d["settings"]["model"] == "gcn" and d["settings"]["lr"] == 0.01
    json.dumps(d)


def test_monitor_val_acc_and_patience(graph):
    r = train("gcn", graph, 2, epochs=200, patience=5, monitor="val_acc", lr=0.05).result
    assert r.epochs_run < 200 and r.epochs_run - r.best_epoch == 5
    assert r.val_acc == max(row["val_acc"] for row in r.history)


def test_callback_sees_every_epoch_and_can_stop(graph):
    seen = []

    def cb(epoch, model, so_far):
        seen.append((epoch, so_far.epochs_run))
        return epoch == 4

    r = train("gcn", graph, 2, epochs=50, callback=cb).result
    assert seen == [(e, e) for e in range(1, 5)] and r.epochs_run == 4


def test_weights_restored_to_best_epoch(graph):
    data = row_normalize(graph)
    model = build("gcn", data.num_features, 16, 3, 2)
    r = fit(model, data, epochs=30)
    model.eval()
    pred = model(data.x, data.edge_index).argmax(-1)
    acc = (pred[data.test_mask] == data.y[data.test_mask]).float().mean().item()
    assert acc == pytest.approx(r.test_acc)


class _Exploding(LayerTaps):
    defaults = {}

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.lin = torch.nn.Linear(in_channels, out_channels)
        self.calls = 0

    def forward(self, x, edge_index):
        self.calls += 1
        out = self.lin(x)
        return out * math.nan if self.calls >= 5 else out  # 3rd training step (train+eval per epoch)


def test_nan_loss_raises_naming_the_epoch(graph):
    with pytest.raises(TrainingDiverged, match="diverged at epoch 3"):
        fit(_Exploding(graph.num_features, 3), graph, epochs=10)


def test_bad_input(graph):
    model = build("gcn", graph.num_features + 1, 8, 3, 2)
    with pytest.raises(ValueError, match="model expects 6 input features|input features"):
        fit(model, graph, epochs=2)
    with pytest.raises(ValueError, match="monitor must be one of"):
        fit(build("gcn", graph.num_features, 8, 3, 2), graph, monitor="loss")
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        fit(build("gcn", graph.num_features, 8, 3, 2), graph, epochs=0)
    with pytest.raises(ValueError, match="classes but the model outputs 2"):
        fit(build("gcn", graph.num_features, 8, 2, 2), graph, epochs=2)


def test_gcnii_uses_its_parameter_groups(graph, monkeypatch):
    captured = {}
    original = torch.optim.Adam

    def spy(groups, lr):
        captured["groups"] = groups
        return original(groups, lr=lr)

    monkeypatch.setattr(torch.optim, "Adam", spy)
    train("gcnii", graph, 2, epochs=2)
    assert [g["weight_decay"] for g in captured["groups"]] == [0.01, 5e-4]


def test_seed_everything_makes_dropout_reproducible():
    seed_everything(7)
    a = torch.nn.functional.dropout(torch.ones(100), 0.5)
    seed_everything(7)
    assert torch.equal(a, torch.nn.functional.dropout(torch.ones(100), 0.5))


def test_row_normalize_keeps_zero_rows(graph):
    g = graph.clone()
    g.x = g.x.abs()
    g.x[0] = 0
    x = row_normalize(g).x
    assert torch.all(x[0] == 0)
    torch.testing.assert_close(x[1:].sum(1), torch.ones(g.num_nodes - 1))


def test_cli_train_json(run_cli):
    code, out, err = run_cli("train", "csbm", "-p", "num_nodes=150", "--model", "gcn", "--depth", "2",
                             "--epochs", "5", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["epochs_run"] == 5 and 0 <= result["test_acc"] <= 1


def test_cli_train_table_and_errors(run_cli):
    code, out, _ = run_cli("train", "csbm", "-p", "num_nodes=150", "--model", "sgc", "--depth", "2",
                           "--epochs", "3", "--seed", "1")
    assert code == 0 and "test acc" in out and "%" in out
    code, _, err = run_cli("train", "csbm", "-p", "num_nodes=150", "--model", "gnc")
    assert code == 2 and "unknown model 'gnc'; known:" in err and "Traceback" not in err
    code, _, err = run_cli("train", "csbm", "-p", "num_nodes=150", "--model", "gcn", "-o", "alpha=0.1")
    assert code == 2 and "option 'alpha' does not apply to model 'gcn'" in err
    code, _, err = run_cli("train", "csbm", "-p", "num_nodes=150", "--model", "gcn", "--depth", "0")
    assert code == 2 and "depth must be an integer >= 1" in err
