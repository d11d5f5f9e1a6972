r"""The flattened graph back as a heterogeneous one: :func:`from_homogeneous`, the inverse of
:func:`~oversmooth.graph.to_homogeneous`.

A homogeneous model trained on the flattened graph emits one ``[N, F]`` tensor per layer;
measured per node type, its rows are split by :func:`~oversmooth.graph.split_by_type` and
need the graph of each type (:func:`~oversmooth.graph.type_graph`) and the per-edge-type
structure that :func:`~oversmooth.metrics.compute_hetero` reads. Both come from the
``HeteroData`` this module rebuilds from what ``to_homogeneous`` recorded, so a flattened
graph is measured exactly as the heterogeneous graph it came from.

>>> import torch
>>> from torch_geometric.data import HeteroData
>>> from oversmooth.graph import to_homogeneous
>>> data = HeteroData()
>>> data["customer"].x = torch.ones(2, 1)
>>> data["customer"].y = torch.tensor([1, 0])
>>> data["merchant"].x = torch.full((1, 2), 2.0)
>>> data["customer", "pays", "merchant"].edge_index = torch.tensor([[0, 1], [0, 0]])
>>> data["merchant", "paid_by", "customer"].edge_index = torch.tensor([[0, 0], [0, 1]])
>>> back = from_homogeneous(to_homogeneous(data))
>>> back["merchant"].x, back["merchant", "paid_by", "customer"].edge_index.tolist()
(tensor([[2., 2.]]), [[0, 0], [0, 1]])
>>> back["customer"].y.tolist(), back.target_node_type
([1, 0], 'customer')
"""

from __future__ import annotations

import torch

__all__ = ["from_homogeneous", "is_flattened"]

#: What :func:`~oversmooth.graph.to_homogeneous` records on the flattened graph and
#: :func:`from_homogeneous` reads.
FLAT_ATTRIBUTES = ("node_types", "edge_types", "node_type_offsets", "feature_offsets", "edge_type",
                   "target_node_type")


def is_flattened(data) -> bool:
    """Whether ``data`` is a flattened heterogeneous graph (a ``Data`` from
    :func:`~oversmooth.graph.to_homogeneous`: it records its node types)."""
    from .hetero import is_hetero

    return not is_hetero(data) and all(getattr(data, a, None) is not None for a in FLAT_ATTRIBUTES)


def from_homogeneous(flat):
    """The :class:`~torch_geometric.data.HeteroData` that ``flat`` (a graph from
    :func:`~oversmooth.graph.to_homogeneous`) flattens: per node type its rows and its own
    feature columns as ``x``, per edge type its columns of ``edge_index`` shifted back, the
    target type's labels and masks, and ``target_node_type``. Node and edge types keep their
    order, so ``from_homogeneous(to_homogeneous(data))`` equals ``data`` in ``x``, edges,
    labels and masks. Tensors are views of ``flat``'s where slicing allows.

    Raises:
        ValueError: one line naming what ``to_homogeneous`` records and ``flat`` lacks.
    """
    from torch_geometric.data import HeteroData

    missing = [a for a in FLAT_ATTRIBUTES if getattr(flat, a, None) is None]
    if missing:
        raise ValueError(f"expected a flattened graph from to_homogeneous; {type(flat).__name__} has no "
                         f"{', '.join(missing)}")
    types, offsets, features = list(flat.node_types), list(flat.node_type_offsets), list(flat.feature_offsets)
    if len(offsets) != len(types) + 1 or len(features) != len(types) + 1 or offsets[-1] != flat.num_nodes:
        raise ValueError(f"node_type_offsets {offsets} and feature_offsets {features} do not fit "
                         f"{len(types)} node types and {flat.num_nodes} nodes")
    data = HeteroData()
    start = dict(zip(types, offsets))
    for i, t in enumerate(types):
        data[t].x = flat.x[offsets[i]:offsets[i + 1], features[i]:features[i + 1]]
    for r, edge_type in enumerate(flat.edge_types):
        src, _, dst = edge_type
        columns = flat.edge_index[:, flat.edge_type == r]
        shift = torch.tensor([[start[src]], [start[dst]]], device=columns.device)
        data[tuple(edge_type)].edge_index = columns - shift
    target = flat.target_node_type
    rows = slice(start[target], offsets[types.index(target) + 1])
    for name in ("y", "train_mask", "val_mask", "test_mask"):
        if getattr(flat, name, None) is not None:
            data[target][name] = flat[name][rows]
    data.target_node_type = target
    return data
