"""The spurious-stationary-point experiment of Keriven (2025): :func:`stationarity`."""

from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Any, Callable

import torch
from torch import nn

from .._deprecation import renamed
from ._layers import layer_groups
from .diagnose import default_loss, diagnose

__all__ = ["StationarityResult", "stationarity", "initialize", "fit_last_layer", "INITS"]

INITS = ("kaiming", "glorot", "default")


def initialize(model: nn.Module, scheme: str = "kaiming", seed: int = 0) -> nn.Module:
    """Re-draw every weight matrix of ``model`` with ``scheme`` from ``seed``; biases to zero.

    ``"kaiming"``: He normal, std :math:`\\sqrt{2/\\text{fan\\_in}}` (keeps a ReLU MLP's signal
    and gradients at scale with depth); ``"glorot"``: Xavier uniform (GCN's and PyG's own);
    ``"default"``: leave the model's own initialisation. Parameters of dimension < 2 other
    than biases (norm scales) are left alone. Two models whose weight matrices have the same
    shapes in the same order (a GCN and the MLP of the same depth and hidden channels) get identical
    weights.
    """
    if scheme not in INITS:
        raise ValueError(f"unknown init {scheme!r}; known: {', '.join(INITS)}")
    if scheme == "default":
        return model
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                fan_in, fan_out = p.shape[1], p.shape[0]
                if scheme == "kaiming":
                    value = torch.randn(p.shape, generator=generator, dtype=torch.float64) * math.sqrt(2.0 / fan_in)
                else:
                    bound = math.sqrt(6.0 / (fan_in + fan_out))
                    value = (torch.rand(p.shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound
                p.copy_(value.to(p.dtype))
            elif name.endswith("bias"):
                p.zero_()
    return model


def _minimise(model: nn.Module, data, params: list[nn.Parameter], loss_fn: Callable,
              max_steps: int, tol: float) -> tuple[int, list[float]]:
    """L-BFGS (strong Wolfe) on ``params`` only, eval mode, until the loss changes by less than
    ``tol`` (relative) between steps or after ``max_steps`` steps. Returns (steps, losses)."""
    all_params = list(model.parameters())
    flags = [p.requires_grad for p in all_params]
    was_training = model.training
    ids = {id(p) for p in params}
    losses: list[float] = []
    try:
        model.eval()
        for p in all_params:
            p.requires_grad_(id(p) in ids)
        optimizer = torch.optim.LBFGS(params, lr=1.0, max_iter=20, history_size=20,
                                      tolerance_grad=1e-12, tolerance_change=1e-14,
                                      line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(data.x, data.edge_index), data)
            loss.backward()
            return loss

        steps = 0
        previous = float(closure().detach())
        losses.append(previous)
        while steps < max_steps:
            steps += 1
            optimizer.step(closure)
            with torch.no_grad():
                current = float(loss_fn(model(data.x, data.edge_index), data))
            losses.append(current)
            if not math.isfinite(current):
                raise ValueError(f"training the last layer diverged (loss {current}) after {steps} steps")
            if abs(previous - current) <= tol * max(1.0, abs(previous)):
                break
            previous = current
    finally:
        for p, flag in zip(all_params, flags):
            p.requires_grad_(flag)
            p.grad = None
        model.train(was_training)
    return steps, losses


def fit_last_layer(model: nn.Module, data, loss_fn: Callable | None = None, max_steps: int = 50,
                   tol: float = 1e-7) -> tuple[int, list[float]]:
    """Train only the last parameter group of ``model`` (the layer nearest the logits, see
    :func:`~oversmooth.backward._layers.layer_groups`), every other parameter frozen. Each step
    is one L-BFGS call of up to 20 iterations; stops when the training loss changes by less
    than ``tol`` (relative) or after ``max_steps``. Returns (steps, loss after each step)."""
    return _minimise(model, data, layer_groups(model)[-1].params, loss_fn or default_loss,
                     max_steps, tol)


@dataclasses.dataclass
class StationarityResult:
    """Outcome of :func:`stationarity`.

    ``table``: one row per (``model`` in ``gnn, mlp``, parameter ``group``) with ``layer``,
    ``grad_init`` (gradient norm at initialisation), ``grad_after`` (after training the last
    layer), ``rel_after = grad_after / last layer's grad_init`` and ``drop = grad_after /
    grad_init``. ``summary``: per model the training loss at init and after, the reference
    loss, the median ``rel_after`` over inner layers (all groups but the last), the mean output
    error at init and after, steps used. ``gnn_stationary`` / ``mlp_stationary``: at a spurious
    stationary point (near-zero inner gradients while the loss stays clearly above the
    reference). ``verdict``: one paragraph with the numbers. ``settings``: the protocol.
    """

    table: Any
    summary: dict[str, dict[str, float]]
    reference_loss: float
    gnn_stationary: bool
    mlp_stationary: bool
    verdict: str
    settings: dict

    def to_dict(self) -> dict[str, Any]:
        from .diagnose import _records

        return {"gnn_stationary": self.gnn_stationary, "mlp_stationary": self.mlp_stationary,
                "reference_loss": self.reference_loss, "summary": self.summary,
                "verdict": self.verdict, "settings": self.settings, "table": _records(self.table)}


def _build(name, data, hidden_channels, depth, options, init, seed):
    from ..training import build_seeded

    options = {"dropout": 0.0, **(options or {})}
    model = build_seeded(name, data, depth, seed, hidden_channels=hidden_channels, reset=False, **options)
    return initialize(model, init, seed)


def _run(model, data, loss_fn, max_steps, tol) -> tuple[dict, list[dict]]:
    before = diagnose(model, data, loss_fn)
    steps, _ = fit_last_layer(model, data, loss_fn, max_steps, tol)
    after = diagnose(model, data, loss_fn)
    g0 = before.parameters["weight_grad_norm"].tolist()
    g1 = after.parameters["weight_grad_norm"].tolist()
    last0 = g0[-1]
    rows = []
    for i, group in enumerate(after.parameters["group"]):
        layer = after.parameters["layer"].iloc[i]
        rows.append({"group": group, "layer": None if math.isnan(layer) else int(layer),
                     "grad_init": g0[i], "grad_after": g1[i],
                     "rel_after": g1[i] / last0 if last0 > 0 else math.nan,
                     "drop": g1[i] / g0[i] if g0[i] > 0 else math.nan})
    inner = [r["rel_after"] for r in rows[:-1]] or [math.nan]
    summary = {"loss_init": before.loss, "loss_after": after.loss,
               "inner_rel_median": float(statistics.median(inner)),
               "inner_rel_max": float(max(inner)),
               "inner_grad_median": float(statistics.median([r["grad_after"] for r in rows[:-1]] or [math.nan])),
               "last_grad_after": g1[-1],
               "output_error_init": before.output_error_mean_norm,
               "output_error_after": after.output_error_mean_norm, "steps": steps}
    return summary, rows


def stationarity(model: str, data, *, depth: int = 16, hidden_channels: int = 32, control: str = "mlp",
                 reference_depth: int = 2, init: str = "kaiming", seed: int = 0,
                 max_steps: int = 50, tol: float = 1e-7, threshold: float = 1e-3,
                 margin: float = 0.1, loss_fn: Callable | None = None,
                 options: dict | None = None, width: int | None = None) -> StationarityResult:
    r"""Is a deep GNN at a spurious stationary point once its last layer is trained?

    Keriven (2025, arXiv 2505.16736, Sec. "spurious stationary points"): because the
    backward signals :math:`B^{(k)}` oversmooth, the inner-layer gradients
    :math:`(PX^{(k)})^\top B^{(k)}` of a deep GNN are driven by the mean output error
    :math:`\frac1N 1^\top B^{(L)}`, which vanishes as soon as the last layer (with its bias) is
    trained: the whole GNN is then near a stationary point although the loss is high. An MLP
    has no such mechanism.

    Protocol (for ``model`` and for ``control``, the MLP of the same ``depth`` and
    ``hidden_channels``):

    1. build with ``dropout=0`` (plus ``options``), seed ``seed``
       (:func:`oversmooth.training.build_seeded`, the model as built), and re-draw every weight
       matrix with :func:`initialize` (``init``, same seed: the GCN and the MLP get identical
       weight matrices), biases zero;
    2. one full backward pass (:func:`~oversmooth.backward.diagnose`, eval mode): gradient norm of
       every layer's parameters at initialisation;
    3. freeze every parameter but the last layer's and train it with L-BFGS on the training
       loss (``loss_fn``, default cross entropy on ``train_mask``) until the loss changes by less
       than ``tol`` (relative) between steps of 20 iterations or after ``max_steps`` steps;
    4. unfreeze, one more full backward pass: ``grad_after`` per layer, reported absolute,
       relative to the last layer's gradient at initialisation (``rel_after``; the last
       layer's own gradient is ~0 after step 3 by construction) and relative to the same
       layer at initialisation (``drop``), with the training loss and the mean output error.

    Reference: a ``reference_depth``-layer ``model`` trained fully (all parameters, same init
    and optimiser, same stopping rule) gives the loss a shallow network reaches.

    Decision (numbers are reported regardless): *near-zero inner gradients* = median over the
    inner layers (all but the last) of ``rel_after`` below ``threshold`` (1e-3); *loss clearly
    above the reference* = training loss after step 3 above ``reference + margin * log(C)``
    (``C`` classes; ``log C`` is the loss of a uniform prediction, ``margin`` = 0.1). A model is
    at a spurious stationary point when both hold.

    ``width=`` is the deprecated name of ``hidden_channels=`` (warns; kept for one release).
    """
    from ..graph import num_classes as count_classes

    hidden_channels = renamed("width", "hidden_channels", width, hidden_channels, 32, "stationarity")
    if getattr(data, "y", None) is None:
        raise ValueError("data has no labels y")
    for name, value in (("depth", depth), ("hidden_channels", hidden_channels),
                        ("reference_depth", reference_depth), ("max_steps", max_steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if not threshold > 0 or not margin >= 0 or not tol > 0:
        raise ValueError(f"need threshold > 0, margin >= 0, tol > 0; got {threshold}, {margin}, {tol}")
    loss_fn = loss_fn or default_loss
    num_classes = count_classes(data)
    rows: list[dict] = []
    summary: dict[str, dict] = {}
    for role, name in (("gnn", model), ("mlp", control)):
        net = _build(name, data, hidden_channels, depth, options if role == "gnn" else None, init, seed)
        summary[role], role_rows = _run(net, data, loss_fn, max_steps, tol)
        summary[role]["model"] = name
        rows += [{"model": role, **r} for r in role_rows]

    reference = _build(model, data, hidden_channels, reference_depth, options, init, seed)
    _, losses = _minimise(reference, data, list(reference.parameters()), loss_fn, max_steps, tol)
    reference_loss = losses[-1]
    bar = reference_loss + margin * math.log(max(num_classes, 2))

    def stationary(s: dict) -> bool:
        return bool(s["inner_rel_median"] < threshold and s["loss_after"] > bar)

    gnn_stationary, mlp_stationary = stationary(summary["gnn"]), stationary(summary["mlp"])
    import pandas as pd

    table = pd.DataFrame(rows, columns=["model", "group", "layer", "grad_init", "grad_after",
                                        "rel_after", "drop"])
    # "width": the deprecated name of hidden_channels, kept in the settings for one release
    settings = dict(model=model, control=control, depth=depth, hidden_channels=hidden_channels,
                    width=hidden_channels, init=init, seed=seed,
                    reference_depth=reference_depth, max_steps=max_steps, tol=tol,
                    threshold=threshold, margin=margin, options=options or {},
                    optimizer="L-BFGS (strong Wolfe, 20 iterations per step), eval mode")
    verdict = _verdict(summary, reference_loss, bar, gnn_stationary, mlp_stationary, settings)
    return StationarityResult(table=table, summary=summary, reference_loss=reference_loss,
                              gnn_stationary=gnn_stationary, mlp_stationary=mlp_stationary,
                              verdict=verdict, settings=settings)


def _verdict(summary, reference_loss, bar, gnn_stationary, mlp_stationary, s) -> str:
    def part(role: str, stationary: bool) -> str:
        x = summary[role]
        state = "IS at a spurious stationary point" if stationary else "is NOT at a spurious stationary point"
        why = []
        why.append("inner gradients near zero" if x["inner_rel_median"] < s["threshold"]
                   else "inner gradients not near zero")
        why.append("loss clearly above the reference" if x["loss_after"] > bar else "loss not clearly above the reference")
        return (f"The {s['depth']}-layer {x['model']} {state} ({', '.join(why)}): after training only its "
                f"last layer ({x['steps']} L-BFGS steps) the training loss went {x['loss_init']:.4f} -> "
                f"{x['loss_after']:.4f}, the median inner-layer gradient norm relative to the last layer's "
                f"at initialisation is {x['inner_rel_median']:.2e} (max {x['inner_rel_max']:.2e}; "
                f"absolute median {x['inner_grad_median']:.2e}), the mean output error went "
                f"{x['output_error_init']:.2e} -> {x['output_error_after']:.2e}.")

    return (f"{part('gnn', gnn_stationary)} {part('mlp', mlp_stationary)} Reference: a "
            f"{s['reference_depth']}-layer {s['model']} trained fully reaches training loss "
            f"{reference_loss:.4f}; 'clearly above' means above {bar:.4f} (reference + "
            f"{s['margin']} log C), 'near zero' means median relative inner gradient < "
            f"{s['threshold']:g} (hidden_channels {s['hidden_channels']}, init {s['init']}, seed {s['seed']}).")
