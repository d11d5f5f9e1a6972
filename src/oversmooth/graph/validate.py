"""Validation at the package boundary.

Every graph entering ``oversmooth`` goes through :func:`validate`; the metric
functions use the finer-grained checks below. Each failure raises a
:class:`ValueError` whose one-line message names the exact problem, so the CLI
can print it as is.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["validate", "check_edge_index", "check_features", "check_labels", "check_mask"]


def check_edge_index(edge_index: Tensor, num_nodes: int | None = None) -> None:
    """Check that ``edge_index`` is an integer ``[2, E]`` tensor of indices in ``[0, num_nodes)``."""
    if not isinstance(edge_index, Tensor):
        raise ValueError(f"edge_index must be a torch.Tensor, got {type(edge_index).__name__}")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index must have shape [2, num_edges], got {list(edge_index.shape)}")
    if edge_index.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"edge_index must have dtype torch.long, got {edge_index.dtype}")
    if edge_index.numel() == 0:
        return
    low, high = int(edge_index.min()), int(edge_index.max())
    if low < 0:
        raise ValueError(f"edge_index contains a negative node index ({low})")
    if num_nodes is not None and high >= num_nodes:
        raise ValueError(
            f"edge_index refers to node {high} but the graph has only {num_nodes} nodes"
        )


def check_features(x: Tensor, name: str = "x") -> None:
    """Check that ``x`` is a 2-D floating tensor with finite entries."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 2:
        raise ValueError(f"{name} must have shape [num_nodes, num_features], got {list(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got {x.dtype}")
    finite = torch.isfinite(x.detach())
    if not bool(finite.all()):
        bad = (~finite).nonzero()[0].tolist()
        kind = "NaN" if bool(torch.isnan(x.detach()).any()) else "Inf"
        raise ValueError(f"{name} contains {kind} values (first at row {bad[0]}, column {bad[1]})")


def check_labels(y: Tensor, num_nodes: int, num_classes: int | None = None) -> None:
    """Check that ``y`` holds one integer class in ``[0, num_classes)`` per node."""
    if not isinstance(y, Tensor):
        raise ValueError(f"y must be a torch.Tensor, got {type(y).__name__}")
    if y.dim() != 1 or y.size(0) != num_nodes:
        raise ValueError(f"y must have shape [{num_nodes}], got {list(y.shape)}")
    if y.is_floating_point() or y.dtype == torch.bool:
        raise ValueError(f"y must hold integer class labels, got {y.dtype}")
    if y.numel() == 0:
        return
    low, high = int(y.min()), int(y.max())
    if low < 0:
        raise ValueError(f"y contains a negative class label ({low})")
    if num_classes is not None and high >= num_classes:
        raise ValueError(f"y contains class {high} but num_classes is {num_classes}")


def check_mask(mask: Tensor, num_nodes: int, name: str) -> None:
    """Check that a node mask is boolean with one entry (or one column of splits) per node."""
    if not isinstance(mask, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise ValueError(f"{name} must be a boolean tensor, got {mask.dtype}")
    if mask.dim() not in (1, 2) or mask.size(0) != num_nodes:
        raise ValueError(
            f"{name} has shape {list(mask.shape)} but the graph has {num_nodes} nodes"
        )


def validate(data, num_classes: int | None = None):
    """Check a :class:`torch_geometric.data.Data` graph and return it unchanged.

    Checked: a positive node count, ``edge_index`` shape, dtype and index range,
    finite floating-point features with one row per node, integer labels in range,
    and boolean masks with one entry per node.

    Raises:
        ValueError: naming the first problem found.
    """
    from torch_geometric.data import Data

    if not isinstance(data, Data):
        raise ValueError(f"expected a torch_geometric.data.Data graph, got {type(data).__name__}")
    num_nodes = data.num_nodes
    if not num_nodes:
        raise ValueError("the graph is empty (0 nodes)")
    edge_index = getattr(data, "edge_index", None)
    if edge_index is None:
        raise ValueError("the graph has no edge_index (use an empty [2, 0] tensor for no edges)")
    check_edge_index(edge_index, num_nodes)
    x = getattr(data, "x", None)
    if x is not None:
        check_features(x)
        if x.size(0) != num_nodes:
            raise ValueError(f"x has {x.size(0)} rows but the graph has {num_nodes} nodes")
    y = getattr(data, "y", None)
    if y is not None:
        check_labels(y, num_nodes, num_classes)
    for name in ("train_mask", "val_mask", "test_mask"):
        mask = getattr(data, name, None)
        if mask is not None:
            check_mask(mask, num_nodes, name)
    return data
