r"""Conventions for heterogeneous graphs (:class:`~torch_geometric.data.HeteroData`).

A heterogeneous graph in oversmooth is a ``HeteroData`` in which

* every node type has a feature matrix ``x`` (widths may differ between types);
* exactly one node type, the *target*, carries labels ``y`` and the split masks
  (``train_mask``/``val_mask``/``test_mask``); ``data.target_node_type`` may name it
  explicitly, which is required when several node types carry ``y``;
* every relation is present in both directions (as after
  :class:`torch_geometric.transforms.ToUndirected`), so messages reach every type.

:func:`~oversmooth.graph.validate` checks all three. The *flattened graph* puts every
type's nodes in one index space, consecutive blocks in ``data.node_types`` order
(:func:`node_slices`), and every edge type's edges in one ``edge_index``
(:func:`flat_edge_index`); :func:`to_homogeneous` builds it as a ``Data``, and
:func:`split_by_type` / :func:`cat_by_type` move rows between it and per-type dicts.

The *heterogeneous operator* is the normalized adjacency of the union of all edge types:
what a relational GCN sums over, without its relation weights. Every function of this
package that takes a graph reads a ``HeteroData`` as that union
(:func:`~oversmooth.graph.graph_of` flattens it), so ``propagation_operator(data, "gcn")``
is the heterogeneous operator and ``invariant_basis(*graph_of(data))`` its invariant
subspace: the node indices are those of the flattened graph.

>>> import torch
>>> from torch_geometric.data import HeteroData
>>> data = HeteroData()
>>> data["customer"].x = torch.zeros(3, 2)
>>> data["customer"].y = torch.tensor([0, 1, 0])
>>> data["merchant"].x = torch.zeros(2, 4)
>>> is_hetero(data), target_node_type(data)
(True, 'customer')
>>> data["customer", "pays", "merchant"].edge_index = torch.tensor([[0, 2], [1, 1]])
>>> data["merchant", "paid_by", "customer"].edge_index = torch.tensor([[1, 1], [0, 2]])
>>> from oversmooth.graph import graph_of, propagation_operator
>>> graph_of(data)
(tensor([[0, 2, 4, 4],
        [4, 4, 0, 2]]), 5)
>>> propagation_operator(data, "gcn").to_dense()[4, 4].item()   # merchant 1: 2 neighbours
0.3333333333333333
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from .cache import cached
from .validate import check_edge_type

if TYPE_CHECKING:  # the annotation only: torch_geometric.data is imported where a graph is built
    from torch_geometric.data import Data

__all__ = ["is_hetero", "target_node_type", "edge_index_dict", "node_slices", "flat_edge_index",
           "split_by_type", "cat_by_type", "to_homogeneous", "type_graph", "TYPE_GRAPH_LIMIT"]

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


def edge_index_dict(data) -> dict[tuple[str, str, str], Tensor]:
    """``{edge type: edge_index}`` of a ``HeteroData`` in ``data.edge_types`` order.

    Unlike ``data.edge_index_dict`` it is an empty dict (not a ``KeyError``) for a graph
    without edge types; an edge type without ``edge_index`` is left out.
    """
    return {e: data[e].edge_index for e in data.edge_types if "edge_index" in data[e]}


def _counts(data) -> dict[str, int]:
    if is_hetero(data):
        return {t: _count(t, n) for t, n in data.num_nodes_dict.items()}
    types, offsets = getattr(data, "node_types", None), getattr(data, "node_type_offsets", None)
    if types is not None and offsets is not None:  # a flattened graph (a Data is a Mapping too)
        return {t: offsets[i + 1] - offsets[i] for i, t in enumerate(types)}
    if isinstance(data, Mapping):
        return {t: _count(t, v.size(0) if isinstance(v, Tensor) else v) for t, v in data.items()}
    raise ValueError(f"expected a HeteroData, a flattened graph from to_homogeneous or a mapping "
                     f"node type -> count, got {type(data).__name__}")


def _count(node_type: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"node type {node_type!r} has no valid node count (got {n!r}); give it x")
    return n


def node_slices(data) -> dict[str, slice]:
    """Rows of each node type in the flattened graph: consecutive blocks in node-type order.

    ``data`` is a ``HeteroData`` (``data.node_types`` order), a flattened graph from
    :func:`to_homogeneous`, or a mapping node type -> node count or -> tensor (its rows),
    taken in the mapping's order.

    >>> node_slices({"customer": 3, "merchant": 2})
    {'customer': slice(0, 3, None), 'merchant': slice(3, 5, None)}
    """
    out, start = {}, 0
    for t, n in _counts(data).items():
        out[t] = slice(start, start + n)
        start += n
    return out


def flat_edge_index(edges: Mapping[tuple[str, str, str], Tensor], num_nodes_dict: Mapping[str, int]) -> Tensor:
    """The ``edge_index`` of the flattened graph: every edge type's columns, in ``edges``'
    order, with node indices shifted to the rows :func:`node_slices` gives their types
    (``num_nodes_dict`` order). Columns are kept as given, so a pair joined by two relations
    appears twice; the operators drop such duplicates (their graph is the union).

    Cached with the edge tensors (:mod:`oversmooth.graph.cache`): every layer measured on one
    heterogeneous graph gets the same flattened tensor, hence the same cached structure.
    """
    counts = {t: _count(t, n) for t, n in num_nodes_dict.items()}
    slices = node_slices(counts)
    types = tuple(edges)
    tensors = tuple(edges[e] for e in types)

    def compute():
        parts = []
        for edge_type, ei in zip(types, tensors):
            check_edge_type(edge_type, ei, counts)
            if ei.device != tensors[0].device:
                raise ValueError(f"edge type {edge_type!r} is on {ei.device} but {types[0]!r} is on "
                                 f"{tensors[0].device}; move the graph to one device")
            shift = torch.tensor([[slices[edge_type[0]].start], [slices[edge_type[2]].start]], device=ei.device)
            parts.append(ei.long() + shift)
        return torch.cat(parts, 1) if parts else torch.zeros(2, 0, dtype=torch.long)

    total = sum(counts.values())
    held = cached(tensors, total, ("flat_edge_index", tuple(counts.items()), types), lambda: [None, -1])
    if held[0] is None or held[0]._version != held[1]:  # built, or rebuilt after an in-place edit
        held[0] = compute()
        held[1] = held[0]._version
    return held[0]


def split_by_type(x: Tensor, data) -> dict[str, Tensor]:
    """Rows of a flattened ``[N, ...]`` tensor per node type (views), the inverse of :func:`cat_by_type`.

    ``data`` as for :func:`node_slices`.

    >>> split_by_type(torch.arange(5.0), {"customer": 3, "merchant": 2})["merchant"]
    tensor([3., 4.])
    """
    slices = node_slices(data)
    total = sum(s.stop - s.start for s in slices.values())
    if x.size(0) != total:
        raise ValueError(f"x has {x.size(0)} rows but the graph has {total} nodes")
    return {t: x[s] for t, s in slices.items()}


def cat_by_type(x_dict: Mapping[str, Tensor], data=None) -> Tensor:
    """One ``[N, F]`` tensor of per-type rows (same width), in the node order of the
    flattened graph: ``data``'s node types (:func:`node_slices`), or ``x_dict``'s order."""
    slices = node_slices(x_dict if data is None else data)
    parts = []
    for t, s in slices.items():
        if t not in x_dict:
            raise ValueError(f"x_dict has no rows for node type {t!r}")
        if x_dict[t].size(0) != s.stop - s.start:
            raise ValueError(f"x_dict[{t!r}] has {x_dict[t].size(0)} rows but node type {t!r} has "
                             f"{s.stop - s.start} nodes")
        parts.append(x_dict[t])
    extra = [t for t in x_dict if t not in slices]
    if extra:
        raise ValueError(f"x_dict has node type {extra[0]!r}, which the graph does not have")
    names = list(slices)
    for t, x in zip(names[1:], parts[1:]):
        if x.shape[1:] != parts[0].shape[1:]:
            raise ValueError(f"x_dict[{t!r}] has shape {list(x.shape)} but x_dict[{names[0]!r}] has "
                             f"{list(parts[0].shape)}; per-type rows must share one width (as after a "
                             "heterogeneous layer)")
    return torch.cat(parts)


def to_homogeneous(data) -> Data:
    r"""The heterogeneous graph as one :class:`~torch_geometric.data.Data` (validated first).

    * nodes: the types' nodes in ``data.node_types`` order, consecutive blocks
      (:func:`node_slices`); ``node_type`` (int64, index into ``node_types``) and
      ``node_type_offsets`` (``[0, n_0, n_0 + n_1, ..., N]``) record them;
    * ``x``: *block-diagonal*: type ``t``'s features sit in its own columns
      ``feature_offsets[t] : feature_offsets[t+1]`` and are 0 elsewhere, so types never share
      a feature column. A linear layer on this ``x`` is then one separate input projection
      per type (the rows of its weight in each block), as in a heterogeneous GNN; padding
      every type into shared columns would instead tie unrelated features together. Dtype:
      the types' dtypes promoted;
    * ``edge_index``: :func:`flat_edge_index` (every edge type's columns, shifted), with
      ``edge_type`` (int64, index into ``edge_types``) per column, as a relational GCN needs;
    * labels: ``y`` has one entry per node: the target type's labels on its rows and 0 on
      every other row, a placeholder that no split reads since ``train_mask``/``val_mask``/
      ``test_mask`` are the target's masks there and False elsewhere (a validated ``Data``
      must hold labels in range, so -1 is not used). Label statistics over all of ``y``
      (homophily, group distance ratio) mix in the placeholders: select the target rows
      (``node_type == node_types.index(target_node_type)``) first;
    * ``target_node_type``, ``node_types`` and ``edge_types`` are kept as attributes.

    Edge attributes and other node attributes are not carried. :func:`~oversmooth.graph.from_homogeneous`
    rebuilds the ``HeteroData`` from what is recorded here.

    >>> import torch
    >>> from torch_geometric.data import HeteroData
    >>> data = HeteroData()
    >>> data["customer"].x = torch.ones(2, 1)
    >>> data["customer"].y = torch.tensor([1, 0])
    >>> data["merchant"].x = torch.ones(1, 2)
    >>> data["customer", "pays", "merchant"].edge_index = torch.tensor([[0, 1], [0, 0]])
    >>> data["merchant", "paid_by", "customer"].edge_index = torch.tensor([[0, 0], [0, 1]])
    >>> flat = to_homogeneous(data)
    >>> flat.x
    tensor([[1., 0., 0.],
            [1., 0., 0.],
            [0., 1., 1.]])
    >>> flat.edge_index.tolist(), flat.node_type.tolist(), flat.y.tolist()
    ([[0, 1, 2, 2], [2, 2, 0, 1]], [0, 0, 1], [1, 0, 0])
    """
    from torch_geometric.data import Data

    from .validate import validate

    validate(data)
    target = target_node_type(data)
    types = list(data.node_types)
    counts = {t: int(data[t].num_nodes) for t in types}
    slices = node_slices(counts)
    xs = [data[t].x for t in types]
    device = xs[0].device
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = torch.promote_types(dtype, x.dtype)
    n = sum(counts.values())
    feature_offsets = [0]
    for x in xs:
        feature_offsets.append(feature_offsets[-1] + x.size(1))
    flat_x = torch.zeros(n, feature_offsets[-1], dtype=dtype, device=device)
    for i, (t, x) in enumerate(zip(types, xs)):
        flat_x[slices[t], feature_offsets[i]:feature_offsets[i + 1]] = x.to(device, dtype)
    edges = edge_index_dict(data)
    edge_index = flat_edge_index(edges, counts)
    sizes = torch.tensor([e.size(1) for e in edges.values()], dtype=torch.long)
    out = Data(x=flat_x, edge_index=edge_index, num_nodes=n)
    out.edge_type = torch.repeat_interleave(torch.arange(len(edges)), sizes).to(edge_index.device)
    out.node_type = torch.repeat_interleave(torch.arange(len(types)), torch.tensor(list(counts.values())))
    out.node_type = out.node_type.to(device)
    rows = slices[target]
    store = data[target]
    if "y" in store:
        out.y = torch.zeros(n, dtype=store.y.dtype, device=store.y.device)
        out.y[rows] = store.y
    for name in ("train_mask", "val_mask", "test_mask"):
        if name in store:
            mask = store[name]
            flat_mask = torch.zeros((n, *mask.shape[1:]), dtype=torch.bool, device=mask.device)
            flat_mask[rows] = mask
            out[name] = flat_mask
    out.node_types, out.edge_types = types, list(edges)
    out.node_type_offsets = [0] + [s.stop for s in slices.values()]
    out.feature_offsets = feature_offsets
    out.target_node_type = target
    return out


def type_graph(data, node_type: str) -> Tensor:
    """The graph among the nodes of ``node_type``: what a per-type metric (Dirichlet energy,
    subspace distance, ...) of that type's representations is measured on.

    The union of the relations from ``node_type`` to itself when they have edges; else its
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
    same = [ei for (src, _, dst), ei in edge_index_dict(data).items() if src == dst == node_type and ei.numel()]
    if same:
        edge_index = torch.cat(same, dim=1)
    else:
        edge_index = _two_hop(data, node_type, n)
    edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    if edge_index.numel():
        edge_index = torch.unique(edge_index, dim=1)  # sorted by (source, destination), coalesced
    return edge_index


def _two_hop(data, node_type: str, n: int) -> Tensor:
    """Pairs ``(j, i)`` joined at a node of another type: for each edge ``j -> u``, every
    edge ``u -> i`` (the edges into ``node_type`` grouped by ``u``, CSR-style)."""
    pairs, total = [], 0
    edges = edge_index_dict(data)
    for (src, _, mid), out_edges in edges.items():
        if src != node_type or mid == node_type:
            continue
        for (mid2, _, dst), in_edges in edges.items():
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
        device = next(iter(edges.values())).device if edges else None
        return torch.empty(2, 0, dtype=torch.long, device=device)
    return torch.cat(pairs, dim=1)
