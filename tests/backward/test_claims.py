"""The claims of Keriven (2025) as tests on a CSBM graph (fixed seeds, depth 16, width 16,
Kaiming init shared by every model, eval mode). A claim that does not hold on this setup is
an expected failure carrying the measured numbers; the setup was not tuned to make it hold."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
import torch

from oversmooth import datasets
from oversmooth.backward import diagnose, initialize, stationarity
from oversmooth.models import build

DEPTH, WIDTH = 16, 16


@pytest.fixture(scope="module")
def graph():
    return datasets.csbm(num_nodes=500, seed=0)


@pytest.fixture(scope="module")
def diagnoses(graph):
    out = {}
    for name in ("gcn", "mlp", "gcnii", "appnp"):
        torch.manual_seed(0)
        model = build(name, graph.x.shape[1], WIDTH, 2, DEPTH, dropout=0.0)
        out[name] = diagnose(initialize(model, "kaiming", 0), graph)
    return out


def _inner_rel(result) -> float:
    return statistics.median(result.parameters["weight_grad_rel"].iloc[:-1])


def _spearman(a, b) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def test_gcn_backward_smoothness_grows_towards_the_input(diagnoses):
    t = diagnoses["gcn"].table
    smooth = t["grad_subspace_rel"].to_numpy()  # fraction outside the invariant subspace
    assert smooth[-1] > 0.99
    assert smooth[0] < 0.6 * smooth[-1]
    assert _spearman(t["layer"], smooth) > 0.8
    # the MLP control has no graph smoothing of its errors
    assert diagnoses["mlp"].table["grad_subspace_rel"].min() > 0.95


@pytest.mark.xfail(strict=True, reason=(
    "measured (CSBM 500, depth 16, width 16, kaiming, seed 0): median inner |dW_k|/|dW_last| "
    "GCN 1.48e-01 vs MLP 4.40e-01, about 3x smaller, not the order of magnitude asked "
    "(with glorot for both: GCN 8.5 vs MLP 3.3)"))
def test_gcn_inner_gradients_far_smaller_than_mlp(diagnoses):
    assert _inner_rel(diagnoses["gcn"]) < 0.1 * _inner_rel(diagnoses["mlp"])


def test_report_shows_size_and_smoothness_per_layer(diagnoses):
    for result in diagnoses.values():
        assert {"weight_grad_norm", "weight_grad_rel", "grad_norm", "grad_subspace_rel",
                "grad_energy_rel", "grad_mean_norm"} <= set(result.table.columns)


@pytest.mark.xfail(strict=True, reason=(
    "measured (CSBM 500, depth 16, width 16, kaiming, seed 0): the backward signals of GCNII and "
    "APPNP are SMOOTHER than GCN's in the inner layers: min dM(B)^2/|B|^2 GCN 0.29, GCNII 0.01, "
    "APPNP 0.00"))
def test_gcnii_appnp_backward_smoothing_weaker(diagnoses):
    gcn = diagnoses["gcn"].table["grad_subspace_rel"].min()
    for name in ("gcnii", "appnp"):
        assert diagnoses[name].table["grad_subspace_rel"].min() > gcn


@pytest.fixture(scope="module")
def gcn_stationarity():
    data = datasets.csbm(num_nodes=200, seed=0)
    return stationarity("gcn", data, depth=DEPTH, hidden_channels=WIDTH, max_steps=5)


@pytest.mark.xfail(strict=True, reason=(
    "measured (CSBM 200, depth 16, width 16, kaiming, seed 0, <= 5 L-BFGS steps): the loss stays "
    "high (0.694 -> 0.692; 2-layer GCN 0.000) and the mean output error vanishes (1.1e-04 -> 1.3e-08) "
    "but the inner gradients are not near zero: median relative to the last layer's at init 3.9e-01 "
    "(threshold 1e-3). On CSBM 500 they even grow (1.9e+02) while the loss falls to 0.176"))
def test_gcn_spurious_stationary_point(gcn_stationarity):
    assert gcn_stationarity.gnn_stationary


def test_mlp_is_not_stationary(gcn_stationarity):
    r = gcn_stationarity
    assert not r.mlp_stationary
    assert r.summary["mlp"]["inner_rel_median"] > 1e-3
    # the experiment did what it says: the last layer is trained, the mean output error vanishes
    for role in ("gnn", "mlp"):
        s = r.summary[role]
        assert s["loss_after"] < s["loss_init"]
        assert s["output_error_after"] < 1e-2 * s["output_error_init"]
    assert str(round(r.reference_loss, 4)) in r.verdict or f"{r.reference_loss:.4f}" in r.verdict
    assert set(r.table["model"]) == {"gnn", "mlp"}
