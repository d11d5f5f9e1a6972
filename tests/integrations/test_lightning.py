"""The Lightning callback, end to end: a real Trainer on Cora, logged through its loggers."""

from __future__ import annotations

import csv

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
from torch_geometric.nn import GCNConv

from oversmooth import models
from oversmooth.datasets import load
from oversmooth.integrations.lightning import ProbeCallback
from oversmooth.integrations.tensorboard import read_scalars
from oversmooth.probe import PROBE_BACKWARD, PROBE_METRICS


class Module(L.LightningModule):
    """A LightningModule whose forward takes (x, edge_index), wrapping any GNN."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x, edge_index):
        return self.model(x, edge_index)

    def training_step(self, batch, batch_idx):
        out = self(batch.x, batch.edge_index)
        loss = F.cross_entropy(out[batch.train_mask], batch.y[batch.train_mask])
        self.log("train_loss", loss, batch_size=1)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=0.01, weight_decay=5e-4)


class TwoConv(torch.nn.Module):
    """A plain PyG model (no taps): the probe hooks its MessagePassing layers."""

    def __init__(self, f: int, c: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = GCNConv(f, 16), GCNConv(16, c)

    def forward(self, x, edge_index):
        return self.conv2(F.relu(self.conv1(x, edge_index)), edge_index)


@pytest.fixture(scope="module")
def graph():
    return load("cora")  # the shipped copy when no mirror is set: never skipped


def _loader(data):
    return torch.utils.data.DataLoader([data], batch_size=None)  # the whole graph per batch


def _fit(module, callbacks, loggers, epochs=5):
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=loggers,
                        callbacks=callbacks, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False,
                        log_every_n_steps=1, deterministic=True)
    trainer.fit(module, _loader(module.graph))
    return trainer


def test_callback_logs_forward_and_backward_per_layer_through_the_loggers(graph, tmp_path):
    L.seed_everything(0)
    model = models.build("gcn", graph.num_features, 16, 7, depth=4)
    module = Module(model)
    module.graph = graph
    callback = ProbeCallback(every=2)
    tb, csv_logger = TensorBoardLogger(tmp_path, name="tb"), CSVLogger(tmp_path, name="csv")
    _fit(module, [callback], [tb, csv_logger])

    forward, backward = callback.forward_table(), callback.backward_table()
    assert sorted(set(forward["epoch"])) == [0, 2, 4] == sorted(set(backward["epoch"]))
    assert sorted(set(forward["layer"])) == [1, 2, 3, 4] == sorted(set(backward["layer"]))
    assert set(forward["metric"]) == set(PROBE_METRICS)
    assert set(backward["metric"]) == set(PROBE_BACKWARD)
    assert len(forward) == 3 * 4 * len(PROBE_METRICS) and forward["value"].notna().all()
    assert backward["value"].notna().all() and (backward["value"] >= 0).all()
    assert not model._taps  # listeners removed when fit ends

    expected = {(f"{m}/layer_{k}", e): v for e, k, m, v in
                list(forward.itertuples(index=False)) + list(backward.itertuples(index=False))}
    # TensorBoardLogger: event files with the epoch as the step
    scalars = read_scalars(tb.log_dir)
    got = {(t, s): v for t, s, v in scalars[["tag", "step", "value"]].itertuples(index=False)
           if (t, s) in expected}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k], rel=1e-6, abs=1e-30) for k in expected)
    assert "train_loss" in set(scalars["tag"])
    # CSVLogger: the same names as columns, one row per recorded epoch
    with open(f"{csv_logger.log_dir}/metrics.csv") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("dirichlet_energy/layer_1")]
    assert [int(r["step"]) for r in rows] == [0, 2, 4]
    assert float(rows[-1]["grad_norm/layer_4"]) == pytest.approx(expected[("grad_norm/layer_4", 4)])
    assert callback.last_metrics.keys() == {t for t, e in expected if e == 4}


def test_callback_changes_nothing_in_training(graph):
    def weights(callbacks):
        L.seed_everything(0)
        module = Module(models.build("gcn", graph.num_features, 16, 7, depth=2))
        module.graph = graph
        _fit(module, callbacks, False, epochs=3)
        return [p.detach().clone() for p in module.parameters()]

    plain, probed = weights([]), weights([ProbeCallback(every=1)])
    assert all(torch.equal(a, b) for a, b in zip(plain, probed))


def test_plain_pyg_model_explicit_data_and_prefix(graph, tmp_path):
    L.seed_everything(0)
    module = Module(TwoConv(graph.num_features, 7))
    module.graph = graph
    callback = ProbeCallback(every=3, data=graph, metrics=["dirichlet_energy"], backward=False,
                             prefix="probe/")
    _fit(module, [callback], [CSVLogger(tmp_path)], epochs=4)
    forward = callback.forward_table()
    assert sorted(set(forward["epoch"])) == [0, 3] and sorted(set(forward["layer"])) == [1, 2]
    assert callback.backward_table().empty
    assert set(callback.last_metrics) == {"probe/dirichlet_energy/layer_1",
                                          "probe/dirichlet_energy/layer_2"}
    assert callback.probe.layer_names == {1: "model.conv1", 2: "model.conv2"}


def test_bad_arguments_and_batches_without_a_graph():
    with pytest.raises(ValueError, match="every must be a positive integer"):
        ProbeCallback(every=0)
    callback = ProbeCallback(every=1)
    with pytest.raises(ValueError, match="ProbeCallback needs the graph"):
        callback._graph(torch.zeros(3), None)
