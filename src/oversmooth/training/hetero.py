"""What :func:`~oversmooth.training.fit` and :func:`~oversmooth.training.train` need to train
on a :class:`~torch_geometric.data.HeteroData` (conventions: :mod:`oversmooth.graph.hetero`).

The model takes ``(data.x_dict, data.edge_index_dict)`` and returns the logits of the target
node type; labels, masks, loss and accuracy are the target type's. Everything else in the
training loop is the homogeneous one.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["is_hetero", "check_kind", "check_hetero_data", "hetero_tensors", "materialize"]


def is_hetero(data) -> bool:
    """:func:`oversmooth.graph.is_hetero`, imported when called (``training`` imports the
    graph kernel lazily)."""
    from ..graph import is_hetero as hetero

    return hetero(data)


def _hetero_names() -> str:
    from ..models import available, is_hetero_model

    return ", ".join(n for n in available() if is_hetero_model(n))


def check_kind(model: nn.Module | str, data) -> bool:
    """Whether ``data`` is heterogeneous, after checking that the model (a zoo name or a
    module) is of the same kind: a one-line ``ValueError`` for a homogeneous zoo model on a
    HeteroData or a heterogeneous one on a Data. A module that is not a zoo model is taken
    at its word (it must accept what ``data`` holds)."""
    from ..models import LayerTaps, is_hetero_model

    hetero = is_hetero(data)
    if isinstance(model, str):
        model_hetero, label, zoo = is_hetero_model(model), repr(model), True
    else:
        model_hetero, label = bool(getattr(model, "hetero", False)), type(model).__name__
        zoo = isinstance(model, LayerTaps)
    if hetero and zoo and not model_hetero:
        raise ValueError(f"model {label} is homogeneous but data is a HeteroData; heterogeneous models: "
                         f"{_hetero_names()}; or train it on the flattened graph "
                         "(oversmooth.graph.to_homogeneous; dataset bank-flat for bank)")
    if not hetero and model_hetero:
        raise ValueError(f"model {label} is heterogeneous: data must be a HeteroData, got "
                         f"{type(data).__name__}")
    return hetero


def check_hetero_data(model: nn.Module, data) -> None:
    """The checks of ``fit``'s ``_check_data`` for a HeteroData: the graph's conventions
    (:func:`oversmooth.graph.validate`), labels and one split of masks on the target type,
    and a model built for this target, these widths and classes."""
    from ..graph import num_classes, target_node_type, validate

    target = target_node_type(data)
    model_target = getattr(model, "target_node_type", target)
    if model_target != target:
        raise ValueError(f"model predicts node type {model_target!r} but the data's target is {target!r}")
    store = data[target]
    for attr in ("y", "train_mask", "val_mask", "test_mask"):
        if getattr(store, attr, None) is None:
            raise ValueError(f"target node type {target!r} has no {attr}; fit needs y and "
                             f"train/val/test masks on it")
    validate(data)
    n = store.num_nodes
    for name in ("train_mask", "val_mask", "test_mask"):
        if store[name].dim() != 1:
            raise ValueError(f"{name} of {target!r} must be a boolean vector of length {n} (one split); "
                             f"got shape {list(store[name].shape)}")
    widths = getattr(model, "in_channels", None)
    if isinstance(widths, dict):
        for t, width in widths.items():
            if t in data.node_types and width != -1 and data[t].x.shape[1] != width:
                raise ValueError(f"model expects {width} input features for node type {t!r}, "
                                 f"data has {data[t].x.shape[1]}")
    out_channels = getattr(model, "out_channels", None)
    classes = num_classes(store.y)
    if out_channels is not None and classes > out_channels:
        raise ValueError(f"data has {classes} classes but the model outputs {out_channels}")
    if not bool(store.train_mask.any()):
        raise ValueError("train_mask selects no node")


def hetero_tensors(data, device) -> tuple[tuple, torch.Tensor, dict]:
    """``(inputs, y, masks)`` on ``device``: ``model(*inputs)`` is the forward pass, ``y`` and
    the ``{train, val, test}`` masks are the target type's."""
    from ..graph import target_node_type

    store = data[target_node_type(data)]
    inputs = ({t: x.to(device) for t, x in data.x_dict.items()},
              {e: ei.to(device) for e, ei in data.edge_index_dict.items()})
    masks = {name: store[f"{name}_mask"].to(device) for name in ("train", "val", "test")}
    return inputs, store.y.to(device), masks


def materialize(model: nn.Module, inputs: tuple) -> None:
    """Run one forward pass (no gradient) when the model has lazy parameters (``in_channels=-1``),
    so that they exist before the optimizer is built; ``fit`` re-initialises them after."""
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
        was_training = model.training
        with torch.no_grad():
            model.eval()(*inputs)
        model.train(was_training)
