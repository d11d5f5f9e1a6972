r"""Conventions for heterogeneous graphs (:class:`~torch_geometric.data.HeteroData`).

A heterogeneous graph in oversmooth is a ``HeteroData`` in which

* every node type has a feature matrix ``x`` (widths may differ between types);
* exactly one node type, the *target*, carries labels ``y`` and the split masks
  (``train_mask``/``val_mask``/``test_mask``); ``data.target_node_type`` may name it
  explicitly, which is required when several node types carry ``y``;
* every relation is present in both directions (as after
  :class:`torch_geometric.transforms.ToUndirected`), so messages reach every type.

>>> import torch
>>> from torch_geometric.data import HeteroData
>>> data = HeteroData()
>>> data["customer"].x = torch.zeros(3, 2)
>>> data["customer"].y = torch.tensor([0, 1, 0])
>>> data["merchant"].x = torch.zeros(2, 4)
>>> is_hetero(data), target_node_type(data)
(True, 'customer')
"""

from __future__ import annotations

__all__ = ["is_hetero", "target_node_type"]


def is_hetero(data) -> bool:
    """Whether ``data`` is a :class:`~torch_geometric.data.HeteroData`."""
    from torch_geometric.data import HeteroData

    return isinstance(data, HeteroData)


def target_node_type(data) -> str:
    """The node type whose labels a model predicts.

    ``data.target_node_type`` when set (it must name a node type), else the one node type
    that carries ``y``.

    Raises:
        ValueError: naming the node types when none or several carry ``y`` and
            ``target_node_type`` is not set, or when it names an unknown type.
    """
    node_types = list(data.node_types)
    named = getattr(data, "target_node_type", None)
    if named is not None:
        if named not in node_types:
            raise ValueError(f"target_node_type {named!r} is not a node type of the graph; "
                             f"node types: {', '.join(node_types)}")
        return named
    labelled = [t for t in node_types if "y" in data[t]]
    if len(labelled) == 1:
        return labelled[0]
    if not labelled:
        raise ValueError(f"no node type carries labels y (node types: {', '.join(node_types)}); "
                         "set data[<type>].y on the type to predict")
    raise ValueError(f"several node types carry labels y ({', '.join(labelled)}); "
                     "set data.target_node_type to the one to predict")
