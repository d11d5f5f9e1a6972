r"""The shared shape of the heterogeneous zoo (``rgcn``, ``hgt``, ``hetero-gcn`` ...).

A heterogeneous model is built for the node and edge types of one graph
(``metadata=data.metadata()``) and predicts the classes of one node type
(``target_node_type``, see :func:`oversmooth.graph.target_node_type`). Its
``forward(x_dict, edge_index_dict)`` (``data.x_dict, data.edge_index_dict``) computes::

    h_t^(0) = relu(P_t dropout(x_t))             # per-type input projection to hidden_channels
    z^(k)   = layer_k(dropout(h^(k-1)))           # emitted as layer k, a dict {node type: tensor}
    h^(k)   = act(z^(k))                          # k = 1 .. depth
    logits  = W_out dropout(h_target^(depth))     # the target type only

The projection exists because node types have feature matrices of different widths
(``in_channels`` a dict, or ``-1`` for lazy widths); after it every type has width
``hidden_channels``, so layer ``k``'s outputs of different types are comparable. ``depth`` is
the number of message-passing layers, as in the homogeneous zoo. A node type that receives
no message in a layer (no relation points to it) keeps its representation and is absent
from that layer's emitted dict.

Subclasses provide :meth:`HeteroGNN.make_layer` (and may set ``act``).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import HeteroDictLinear

from ..graph.validate import check_edge_type
from .backbone import check_probability, check_sizes
from .base import LayerTaps
from .ops import dropout as drop

__all__ = ["HeteroGNN", "check_metadata", "reset_all"]


def check_metadata(metadata) -> tuple[list[str], list[tuple[str, str, str]]]:
    """``(node_types, edge_types)`` of ``HeteroData.metadata()`` as lists, or a one-line
    ``ValueError`` naming what is wrong."""
    if metadata is None:
        raise ValueError("a heterogeneous model needs metadata=data.metadata() (the node and edge "
                         "types of the HeteroData)")
    try:
        node_types, edge_types = metadata
        node_types = [str(t) for t in node_types]
        edge_types = [tuple(str(p) for p in e) for e in edge_types]
    except (TypeError, ValueError):
        raise ValueError(f"metadata must be (node_types, edge_types) as HeteroData.metadata() "
                         f"returns, got {metadata!r}") from None
    if not node_types or not edge_types:
        raise ValueError("metadata names no node type or no edge type")
    for edge_type in edge_types:
        if len(edge_type) != 3 or edge_type[0] not in node_types or edge_type[2] not in node_types:
            raise ValueError(f"edge type {edge_type!r} must be (source, relation, destination) "
                             f"of the node types {', '.join(node_types)}")
    return node_types, edge_types


def _check_in_channels(in_channels, node_types: list[str]) -> dict[str, int]:
    """``{node type: width}``; ``-1`` leaves a width to the first forward pass (lazy)."""
    widths = in_channels if isinstance(in_channels, Mapping) else dict.fromkeys(node_types, in_channels)
    missing = [t for t in node_types if t not in widths]
    extra = [t for t in widths if t not in node_types]
    if missing or extra:
        raise ValueError(f"in_channels must give a width for each node type ({', '.join(node_types)}); "
                         f"missing {missing}, unknown {extra}")
    for t, w in widths.items():
        if isinstance(w, bool) or not isinstance(w, int) or (w < 1 and w != -1):
            raise ValueError(f"in_channels of node type {t!r} must be an integer >= 1 (or -1: lazy), got {w!r}")
    return {t: widths[t] for t in node_types}


def reset_all(module: nn.Module) -> None:
    """``reset_parameters()`` of ``module`` if it has one, else of each child, recursively:
    an ``fx.GraphModule`` (what ``to_hetero`` returns) has none of its own."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
        return
    for child in module.children():
        reset_all(child)


class HeteroGNN(LayerTaps):
    """Base class: input projections, ``depth`` message-passing layers, a head on the target type."""

    #: tells :func:`oversmooth.models.build` and the training entry point that the model
    #: takes a HeteroData (``in_channels`` may be a dict)
    hetero = True
    #: activation after each layer (HGT has its own inside the layer: identity there)
    act = staticmethod(F.relu)

    def __init__(self, in_channels, hidden_channels: int, out_channels: int, depth: int, *,
                 metadata=None, target_node_type: str | None = None, dropout: float = 0.5) -> None:
        super().__init__()
        check_sizes(1, hidden_channels, out_channels, depth)  # in_channels: per type, below
        self.node_types, self.edge_types = check_metadata(metadata)
        if target_node_type not in self.node_types:
            raise ValueError(f"target_node_type must be one of the node types {', '.join(self.node_types)}, "
                             f"got {target_node_type!r}")
        self.target_node_type = target_node_type
        self.metadata = (list(self.node_types), list(self.edge_types))
        self.in_channels = _check_in_channels(in_channels, self.node_types)
        self.hidden_channels, self.out_channels, self.depth = hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.lin_in = HeteroDictLinear(self.in_channels, hidden_channels)
        self.layers = nn.ModuleList()
        width = hidden_channels
        for k in range(1, depth + 1):
            layer, width = self.make_layer(k, width)
            self.layers.append(layer)
        self.head = nn.Linear(width, out_channels)

    # -- to override ---------------------------------------------------------------------------
    def make_layer(self, k: int, in_width: int) -> tuple[nn.Module, int]:
        """The ``k``-th message-passing layer (hidden width ``in_width`` for every node type) and
        the width of its output."""
        raise NotImplementedError

    def graph(self, x_dict: dict[str, Tensor], edge_index_dict: dict):
        """Per-forward graph context handed to every :meth:`propagate` (default: the relations)."""
        return edge_index_dict

    def propagate(self, k: int, h: dict[str, Tensor], graph) -> dict[str, Tensor]:
        """Layer ``k`` on the representations ``h`` of every node type (default: the layer
        takes and returns dicts, as ``HGTConv`` and ``to_hetero`` modules do)."""
        return self.layers[k - 1](h, graph)

    # ------------------------------------------------------------------------------------------
    def reset_parameters(self) -> None:
        for module in [self.lin_in, *self.layers, self.head]:
            reset_all(module)

    def check_input(self, x_dict, edge_index_dict) -> None:
        """The features and relations of a HeteroData with this model's types and widths."""
        name = type(self).__name__
        if not isinstance(x_dict, Mapping) or not isinstance(edge_index_dict, Mapping):
            got = type(x_dict if not isinstance(x_dict, Mapping) else edge_index_dict).__name__
            raise ValueError(f"{name} is a heterogeneous model: it takes data.x_dict and "
                             f"data.edge_index_dict of a HeteroData, got a {got}")
        if set(x_dict) != set(self.node_types):
            raise ValueError(f"{name} was built for node types {', '.join(self.node_types)}; "
                             f"got features of {', '.join(map(str, x_dict)) or 'none'}")
        for t, x in x_dict.items():
            width = self.in_channels[t]
            if not isinstance(x, Tensor) or x.dim() != 2 or not x.is_floating_point() or \
                    (width != -1 and x.shape[1] != width):
                shape = list(x.shape) if isinstance(x, Tensor) else type(x).__name__
                raise ValueError(f"{name} expects float features of node type {t!r} of shape "
                                 f"[num_nodes, {width if width != -1 else 'any'}], got {shape}")
        given = {tuple(e) for e in edge_index_dict}
        if given != set(self.edge_types):
            raise ValueError(f"{name} was built for edge types {self.edge_types}; got {sorted(given)}")
        counts = {t: x.shape[0] for t, x in x_dict.items()}
        for edge_type, edge_index in edge_index_dict.items():
            check_edge_type(tuple(edge_type), edge_index, counts)

    def forward(self, x_dict: dict[str, Tensor], edge_index_dict: dict) -> Tensor:
        """Logits of the ``target_node_type`` nodes, ``[num_target_nodes, out_channels]``."""
        self.check_input(x_dict, edge_index_dict)
        x_dict = {t: x_dict[t] for t in self.node_types}  # one order, whatever the caller's
        graph = self.graph(x_dict, edge_index_dict)
        h = self.lin_in({t: drop(x, self.dropout, self.training) for t, x in x_dict.items()})
        h = {t: F.relu(v) for t, v in h.items()}
        for k in range(1, self.depth + 1):
            z = self.propagate(k, {t: drop(v, self.dropout, self.training) for t, v in h.items()}, graph)
            z = {t: v for t, v in z.items() if v is not None}
            self.emit(k, z)
            h = {t: self.act(z[t]) if t in z else h[t] for t in self.node_types}
        return self.head(drop(h[self.target_node_type], self.dropout, self.training))
