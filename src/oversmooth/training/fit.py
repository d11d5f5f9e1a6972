"""Full-batch training with early stopping: :func:`fit`, :func:`seed_everything`, :func:`row_normalize`.

The one entry point from a model name is :func:`oversmooth.training.train` (``entry.py``).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import random
import time
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._params import check_value
from .hetero import check_hetero_data, check_kind, hetero_tensors, is_hetero, materialize

__all__ = ["FitResult", "TrainingDiverged", "fit", "seed_everything", "row_normalize"]

MONITORS = ("val_loss", "val_acc")


class TrainingDiverged(ValueError):
    """The training loss became NaN or infinite; ``epoch`` says when (1-based)."""

    def __init__(self, epoch: int, loss: float) -> None:
        super().__init__(f"training diverged at epoch {epoch}: loss is {loss}; lower the learning "
                         f"rate or check the input features")
        self.epoch, self.loss = epoch, loss


@dataclasses.dataclass
class FitResult:
    """Outcome of :func:`fit`. Accuracies are fractions in [0, 1], taken at ``best_epoch``
    (the epoch with the best monitored validation value); ``wall_time`` in seconds."""

    test_acc: float
    val_acc: float
    train_acc: float
    best_epoch: int
    epochs_run: int
    wall_time: float
    history: list[dict] = dataclasses.field(default_factory=list)
    val_loss: float = math.nan
    settings: dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def seed_everything(seed: int) -> torch.Generator:
    """Seed python, numpy and torch (the global generator draws every dropout mask); ``seed``
    is an integer from 0 to 2^63 - 1 (a one-line ``ValueError`` otherwise)."""
    seed = check_value("seed", seed, int)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    return torch.manual_seed(seed)


def _initialize(model: nn.Module, seed: int) -> None:
    """The state every fit starts from: seed everything, then ``reset_parameters()`` when the
    model has it (on the model's current device)."""
    seed_everything(seed)
    if hasattr(model, "reset_parameters"):
        model.reset_parameters()


def row_normalize(data):
    """A shallow copy of ``data`` whose feature rows sum to 1 (all-zero rows stay zero):
    the preprocessing of GCN, GAT, APPNP, SGC and GCNII on the Planetoid datasets.

    Only meaningful for non-negative (count-like) features: when any feature is negative
    (e.g. the Gaussian features of the synthetic graphs) a row sum can be near zero or
    negative, so ``data`` is returned unchanged. A HeteroData is normalised per node type
    by the same rule (a type with a negative feature keeps its features).
    """
    if is_hetero(data):
        out = copy.copy(data)  # copies every node store: the original keeps its features
        for t in data.node_types:
            x = data[t].x
            if not bool((x < 0).any()):
                out[t].x = _normalized_rows(x)
        return out
    x = data.x
    if bool((x < 0).any()):
        return data
    out = copy.copy(data)
    out.x = _normalized_rows(x)
    return out


def _normalized_rows(x: torch.Tensor) -> torch.Tensor:
    s = x.sum(dim=1, keepdim=True)
    return torch.where(s != 0, x / torch.where(s != 0, s, torch.ones_like(s)), torch.zeros_like(x))


def _resolve(model: nn.Module, **given) -> dict:
    values = dict(getattr(model, "defaults", {}))
    fallback = dict(lr=0.01, weight_decay=5e-4, epochs=200, patience=None)
    out = {}
    for key, value in given.items():
        out[key] = value if value is not None else values.get(key, fallback[key])
    return out


def _check_data(model: nn.Module, data) -> None:
    from ..graph import check_edge_index, num_classes

    if check_kind(model, data):
        check_hetero_data(model, data)
        return
    for attr in ("x", "edge_index", "y", "train_mask", "val_mask", "test_mask"):
        if getattr(data, attr, None) is None:
            raise ValueError(f"data has no {attr}; fit needs x, edge_index, y and train/val/test masks")
    n = data.x.shape[0]
    check_edge_index(data.edge_index, n)
    in_channels = getattr(model, "in_channels", None)
    if in_channels is not None and data.x.shape[1] != in_channels:
        raise ValueError(f"model expects {in_channels} input features, data has {data.x.shape[1]}")
    out_channels = getattr(model, "out_channels", None)
    classes = num_classes(data.y)
    if out_channels is not None and classes > out_channels:
        raise ValueError(f"data has {classes} classes but the model outputs {out_channels}")
    for name in ("train_mask", "val_mask", "test_mask"):
        mask = getattr(data, name)
        if mask.dim() != 1 or mask.shape[0] != n:
            raise ValueError(f"{name} must be a boolean vector of length {n} (one split); got "
                             f"shape {list(mask.shape)} -- pick a split with datasets.load(..., split=i)")
    if not bool(data.train_mask.any()):
        raise ValueError("train_mask selects no node")


def fit(model: nn.Module, data, *, epochs: int | None = None, lr: float | None = None,
        weight_decay: float | None = None, patience: int | None = None, seed: int = 0,
        monitor: str = "val_loss", callback: Callable | None = None, progress: bool = False,
        device: str | torch.device | None = None) -> FitResult:
    """Train ``model`` full-batch on ``data`` with Adam and cross-entropy on ``train_mask``.

    ``data`` may be a HeteroData (see :mod:`oversmooth.graph.hetero`) for a heterogeneous
    model (``rgcn``, ``hgt``, ``hetero-*``): the model runs on ``(data.x_dict,
    data.edge_index_dict)``, labels, masks, loss and accuracies are the target node type's,
    and lazy input widths (``in_channels=-1``) are read by one forward pass before training.

    Every epoch: one training step, then one evaluation pass (``model.eval()``, no
    gradient) giving train/val/test loss and accuracy. The *best epoch* is the one with
    the lowest validation loss (``monitor="val_loss"``) or the highest validation accuracy
    (``"val_acc"``; ties broken by lower validation loss); its accuracies are returned,
    and the model's weights are restored to it at the end. Training stops after
    ``epochs`` or when the monitored value has not improved for ``patience`` epochs
    (``None``: never early).

    Hyperparameters left ``None`` come from ``model.defaults`` (the authors' settings,
    see :func:`oversmooth.models.defaults`). Weight decay is applied per parameter group
    when the model defines ``parameter_groups(weight_decay)`` (GCNII decays its
    convolutions with 0.01 and its dense layers with ``weight_decay``).

    ``seed`` seeds python, numpy and torch first (and the parameters are re-initialised
    with ``reset_parameters()`` when the model has it), so a seed gives the same result
    on CPU. ``callback(epoch, model, result_so_far)`` runs after each epoch's evaluation
    (``result_so_far`` is a :class:`FitResult` for the epochs so far); returning ``True``
    stops training. A NaN or infinite training loss raises :class:`TrainingDiverged`
    naming the epoch. ``device`` moves model and data there (default: the model's device).
    """
    if monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {', '.join(MONITORS)}, got {monitor!r}")
    hp = _resolve(model, epochs=epochs, lr=lr, weight_decay=weight_decay, patience=patience)
    epochs = check_value("epochs", hp["epochs"], int)
    patience = check_value("patience", hp["patience"], int | None)
    lr = check_value("lr", hp["lr"], float)
    weight_decay = check_value("weight_decay", hp["weight_decay"], float)
    if lr <= 0 or weight_decay < 0:
        raise ValueError(f"need lr > 0 and weight_decay >= 0, got lr={lr}, weight_decay={weight_decay}")
    _check_data(model, data)
    if device is not None:
        model = model.to(device)
    dev = next(iter(model.parameters())).device
    if is_hetero(data):
        inputs, y, masks = hetero_tensors(data, dev)
        materialize(model, inputs)
    else:
        inputs, y = (data.x.to(dev), data.edge_index.to(dev)), data.y.to(dev)
        masks = {name: getattr(data, f"{name}_mask").to(dev) for name in ("train", "val", "test")}
    idx = {name: mask.nonzero().view(-1) for name, mask in masks.items()}
    y_split = {name: y[i] for name, i in idx.items()}

    _initialize(model, seed)
    groups = model.parameter_groups(weight_decay) if hasattr(model, "parameter_groups") else \
        [{"params": [p for p in model.parameters() if p.requires_grad], "weight_decay": weight_decay}]
    optimizer = torch.optim.Adam(groups, lr=lr)
    settings = dict(epochs=int(epochs), lr=lr, weight_decay=weight_decay, patience=patience,
                    seed=seed, monitor=monitor)

    bar = _progress(progress, int(epochs))
    history: list[dict] = []
    best: dict | None = None
    best_state = None
    since_best = 0
    start = time.perf_counter()
    try:
        for epoch in range(1, int(epochs) + 1):
            model.train()
            optimizer.zero_grad(set_to_none=True)
            out = model(*inputs)
            loss = F.cross_entropy(out[idx["train"]], y_split["train"])
            loss_value = float(loss.detach())
            if not math.isfinite(loss_value):
                raise TrainingDiverged(epoch, loss_value)
            loss.backward()
            optimizer.step()

            model.eval()
            with torch.no_grad():
                out = model(*inputs)
                pred = out.argmax(dim=-1)
                row = {"epoch": epoch, "train_loss": loss_value}
                for name, i in idx.items():
                    row[f"{name}_acc"] = float((pred[i] == y_split[name]).float().mean()) if i.numel() else math.nan
                row["val_loss"] = float(F.cross_entropy(out[idx["val"]], y_split["val"])) if idx["val"].numel() else math.nan
            history.append(row)
            if _better(row, best, monitor):
                best, since_best = row, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since_best += 1
            result = _result(best, history, start, settings)
            if bar is not None:
                bar[0].update(bar[1], advance=1, description=(
                    f"epoch {epoch} loss {loss_value:.3f} val {row['val_acc']:.3f} best@{best['epoch']}"))
            if callback is not None and callback(epoch, model, result) is True:
                break
            if patience is not None and since_best >= int(patience):
                break
    finally:
        if bar is not None:
            bar[0].stop()
    if best_state is not None:
        model.load_state_dict(best_state)
    return _result(best, history, start, settings)


def _better(row: dict, best: dict | None, monitor: str) -> bool:
    if best is None:
        return True
    val_loss = row["val_loss"] if math.isfinite(row["val_loss"]) else math.inf
    best_loss = best["val_loss"] if math.isfinite(best["val_loss"]) else math.inf
    if monitor == "val_loss":
        return val_loss < best_loss
    return row["val_acc"] > best["val_acc"] or (row["val_acc"] == best["val_acc"] and val_loss < best_loss)


def _result(best: dict, history: list[dict], start: float, settings: dict) -> FitResult:
    return FitResult(test_acc=best["test_acc"], val_acc=best["val_acc"], train_acc=best["train_acc"],
                     best_epoch=best["epoch"], epochs_run=len(history),
                     wall_time=time.perf_counter() - start, history=history,
                     val_loss=best["val_loss"], settings=settings)


def _progress(enabled: bool, total: int):
    if not enabled:
        return None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(), transient=True)
    task = bar.add_task("training", total=total)
    bar.start()
    return bar, task
