"""Verdict rules of the "Gradients and training" claims: facts from
:func:`oversmooth.backward.diagnose`, :func:`oversmooth.backward.stationarity` and a deep
linear network."""

from __future__ import annotations

from typing import Mapping

from .core import Measurements, _fact, _not_measured, split_verdict, parts_text
from .mathematics import decays_geometrically

#: Gradients "vanish" when the first layer's weight gradient is at most this fraction of the
#: last layer's.
VANISHED = 0.1
#: Backward smoothing (the thresholds of tests/backward/test_claims.py): the GNN's first
#: layer keeps at most this fraction of its last layer's non-invariant gradient share ...
SMOOTHED_RATIO = 0.6
#: ... while the MLP control keeps at least this share everywhere.
MLP_KEEPS = 0.95


def _need(what):
    return _not_measured(f"no {what} measurement; `oversmooth claims` measures it")


def vs_vanishing(m: Measurements, a: Mapping):
    rates, lin = _fact(m, "rates"), _fact(m, "linear")
    if not rates or not lin:
        return _need("pure-propagation or linear-network")
    decays = [decays_geometrically(r) for r in rates.values()]
    smooth = all(decays)
    numbers = {"graphs where pure propagation decays geometrically": f"{sum(decays)} of {len(rates)}",
               f"linear network ({lin['depth']} layers, {lin['init']}): |dW_1| / |dW_last|": float(f"{lin['ratio']:.3g}")}
    parts = {"oversmoothing without learning": smooth,
             "vanishing gradients without nonlinearities": lin["ratio"] <= VANISHED}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


def backward_linear(m: Measurements, a: Mapping):
    b, st = _fact(m, "backward"), _fact(m, "stationarity")
    if not b or not st:
        return _need("backward")
    numbers = {"GCN: non-invariant gradient share, first / last layer": [round(b["gcn_first"], 3), round(b["gcn_last"], 3)],
               "MLP: smallest non-invariant gradient share": round(b["mlp_min"], 3),
               "GCN: mean output error at init / after training the last layer":
                   [float(f"{st['mean_error_init']:.3g}"), float(f"{st['mean_error_after']:.3g}")],
               "GCN: at a stationary point after the last layer is trained": st["gnn_stationary"]}
    parts = {"backward errors oversmooth with ReLU": b["gcn_first"] < SMOOTHED_RATIO * b["gcn_last"]
             and b["mlp_min"] > MLP_KEEPS,
             "the mean output error plays the key role": st["gnn_stationary"]
             and st["mean_error_after"] < st["mean_error_init"]}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text + f" ({b['setup']})"


def spurious_stationary(m: Measurements, a: Mapping):
    st = _fact(m, "stationarity")
    if not st:
        return _need("stationarity")
    numbers = {k: st[k] for k in ("gnn_stationary", "gnn_inner_rel", "gnn_loss_after", "reference_loss", "setup")}
    verdict = "confirmed" if st["gnn_stationary"] else "contradicted"
    return verdict, numbers, st["verdict"]


def gnn_not_mlp(m: Measurements, a: Mapping):
    st = _fact(m, "stationarity")
    if not st:
        return _need("stationarity")
    numbers = {k: st[k] for k in ("gnn_stationary", "mlp_stationary", "gnn_inner_rel", "mlp_inner_rel", "setup")}
    parts = {"the deep GNN stalls": st["gnn_stationary"], "the MLP of the same depth does not": not st["mlp_stationary"]}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


RULES = {
    "vs-vanishing": (vs_vanishing, f"oversmoothing: fitted decay rate < 1 on every graph; vanishing: "
                                   f"|dW_1|/|dW_last| <= {VANISHED:g}"),
    "backward-linear": (backward_linear, f"GCN first-layer non-invariant share < {SMOOTHED_RATIO:g} x the "
                                         f"last layer's, MLP's >= {MLP_KEEPS:g}; mean error: stationary "
                                         "point reached as the mean output error shrinks"),
    "spurious-stationary": (spurious_stationary, "oversmooth.backward.stationarity's own test: inner "
                                                 "|grad| below its threshold while the loss stays above "
                                                 "the reference by its margin"),
    "gnn-not-mlp": (gnn_not_mlp, "the same stationarity test on the GNN and on the MLP control"),
}
