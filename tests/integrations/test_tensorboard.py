"""TensorBoard event files from the probe and from a sweep, read back from disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import oversmooth
from oversmooth import Probe, models
from oversmooth.datasets import load
from oversmooth.integrations.tensorboard import layer_tag, read_scalars, write_sweep


def test_probe_writes_per_layer_scalars_per_epoch(tmp_path):
    data = load("cora")
    torch.manual_seed(0)
    model = models.build("gcn", data.num_features, 16, 7, depth=3)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    with Probe(model, data, every=2) as probe:
        for epoch in range(5):
            with probe.epoch(epoch):
                out = model(data.x, data.edge_index)
                F.cross_entropy(out[data.train_mask], data.y[data.train_mask]).backward()
            opt.step()
            opt.zero_grad()
    assert probe.write_tensorboard(tmp_path / "tb") == tmp_path / "tb"

    scalars = read_scalars(tmp_path / "tb")
    tables = [probe.forward_table(), probe.backward_table()]
    expected = {(layer_tag(m, k), e): v for t in tables for e, k, m, v in t.itertuples(index=False)}
    got = {(t, s): v for t, s, v in scalars[["tag", "step", "value"]].itertuples(index=False)}
    assert got.keys() == expected.keys() and len(got) == len(scalars)
    assert {s for _, s in got} == {0, 2, 4}
    assert {t for t, _ in got} >= {"dirichlet_energy/layer_1", "grad_norm/layer_3"}
    assert all(got[k] == pytest.approx(expected[k], rel=1e-6, abs=1e-30) for k in expected)
    assert set(scalars["run"]) == {"."}


def test_sweep_cli_writes_figure_accuracy_and_per_run_history(run_cli, tmp_path):
    store, tb = tmp_path / "r.db", tmp_path / "tb"
    code, _, err = run_cli("sweep", "--datasets", "csbm", "-p", "num_nodes=100", "-p",
                           "num_features=8", "--models", "gcn", "--depths", "1,2", "--seeds", "1",
                           "--epochs", "4", "--hidden", "8", "--metrics", "dirichlet_energy",
                           "--track", "dirichlet_energy", "--track-every", "2", "--jobs", "1",
                           "--store", str(store), "--quiet", "--tensorboard", str(tb))
    assert code == 0, err
    assert f"TensorBoard event files -> {tb}" in err

    top = EventAccumulator(str(tb))
    top.Reload()
    assert top.Tags()["images"] == ["accuracy_vs_depth"]
    image = top.Images("accuracy_vs_depth")[0]
    assert image.width > 300 and image.height > 200
    scalars = read_scalars(tb)
    acc = scalars[(scalars["run"] == ".") & (scalars["tag"] == "test_acc/csbm/gcn")]
    assert sorted(acc["step"]) == [1, 2] and acc["value"].between(0, 100).all()

    runs = scalars[scalars["run"] != "."]
    assert set(runs["run"]) == {"csbm/gcn/depth1-seed0", "csbm/gcn/depth2-seed0"}
    deep = runs[runs["run"] == "csbm/gcn/depth2-seed0"]
    tags = set(deep["tag"])
    assert {"train_loss", "val_acc", "final/dirichlet_energy"} <= tags
    assert {"dirichlet_energy/layer_1", "dirichlet_energy/layer_2"} <= tags  # --track, per epoch
    assert sorted(deep.loc[deep["tag"] == "train_loss", "step"]) == [1, 2, 3, 4]  # as stored
    assert sorted(deep.loc[deep["tag"] == "final/dirichlet_energy", "step"]) == [1, 2]


def test_empty_store_is_refused(tmp_path):
    from oversmooth.experiments import Store

    with Store(tmp_path / "r.db"):
        pass
    with pytest.raises(ValueError, match="holds no finished run"):
        write_sweep(tmp_path / "r.db", tmp_path / "tb")
    assert not (tmp_path / "tb").exists()


def test_import_oversmooth_loads_neither_lightning_nor_tensorboard():
    code = ("import sys, oversmooth, oversmooth.datasets, oversmooth.integrations; oversmooth.Probe; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('lightning', 'tensorboard', "
            "'pytorch_lightning')]; assert not bad, bad")
    src = str(Path(oversmooth.__file__).resolve().parents[1])  # this checkout, not an install
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**os.environ, "PYTHONPATH": src})
