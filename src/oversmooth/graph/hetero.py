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

import torch

__all__ = ["is_hetero", "target_node_type", "type_graph", "TYPE_GRAPH_LIMIT"]

#: Most (source, destination) pairs :func:`type_graph` builds through other node types
#: (two int64 rows: 160 MB); a hub shared by more nodes is refused, not allocated.
TYPE_GRAPH_LIMIT = 10_000_000


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


def type_graph(data, node_type: str) -> "torch.Tensor":
    """The graph among the nodes of ``node_type``: what a per-type metric (Dirichlet energy,
    subspace distance, ...) of that type's representations is measured on.

    The union of the relations from ``node_type`` to itself when there are any; else its
    two-hop (meta-path) graph through every other type ``u``: ``j -> i`` when some ``u`` node
    is reached from ``j`` by a relation ``(node_type, ., u)`` and reaches ``i`` by one
    ``(u, ., node_type)`` (customers sharing a merchant). Self-loops and duplicates are
    dropped; ``[2, E]``, on the device of the relations.

    Raises:
        ValueError: when the two-hop graph would exceed :data:`TYPE_GRAPH_LIMIT` pairs.
    """
    if node_type not in data.node_types:
        raise ValueError(f"{node_type!r} is not a node type of the graph; node types: "
                         f"{', '.join(data.node_types)}")
    n = data[node_type].num_nodes
    same = [ei for (src, _, dst), ei in data.edge_index_dict.items() if src == dst == node_type]
    if same:
        edge_index = torch.cat(same, dim=1)
    else:
        edge_index = _two_hop(data, node_type, n)
    edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    if edge_index.numel():
        edge_index = torch.unique(edge_index, dim=1)  # sorted by (source, destination), coalesced
    return edge_index


def _two_hop(data, node_type: str, n: int) -> "torch.Tensor":
    """Pairs ``(j, i)`` joined at a node of another type: for each edge ``j -> u``, every
    edge ``u -> i`` (the edges into ``node_type`` grouped by ``u``, CSR-style)."""
    pairs = []
    total = 0
    for (src, _, mid), out_edges in data.edge_index_dict.items():
        if src != node_type or mid == node_type:
            continue
        for (mid2, _, dst), in_edges in data.edge_index_dict.items():
            if mid2 != mid or dst != node_type:
                continue
            order = torch.argsort(in_edges[0], stable=True)
            ends = in_edges[1][order]                                   # grouped by their u
            per_mid = torch.bincount(in_edges[0], minlength=data[mid].num_nodes)
            ptr = torch.cumsum(per_mid, 0) - per_mid                    # first edge of each u
            counts = per_mid[out_edges[1]]                              # pairs per edge j -> u
            total += int(counts.sum())
            if total > TYPE_GRAPH_LIMIT:
                raise ValueError(f"the two-hop graph of node type {node_type!r} through {mid!r} would have "
                                 f"over {TYPE_GRAPH_LIMIT:,} pairs; measure that type on a same-type relation")
            starts = torch.repeat_interleave(ptr[out_edges[1]] - (torch.cumsum(counts, 0) - counts), counts)
            position = starts + torch.arange(int(counts.sum()), device=counts.device)
            pairs.append(torch.stack([torch.repeat_interleave(out_edges[0], counts), ends[position]]))
    if not pairs:
        device = next(iter(data.edge_index_dict.values())).device if data.edge_types else None
        return torch.empty(2, 0, dtype=torch.long, device=device)
    return torch.cat(pairs, dim=1)
