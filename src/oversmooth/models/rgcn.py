r"""R-GCN (Schlichtkrull et al., ESWC 2018, "Modeling Relational Data with Graph Convolutional
Networks"), PyG's ``RGCNConv`` on the flattened heterogeneous graph:

.. math:: h_i^{(k)} = W_0^{(k)} h_i^{(k-1)} + \sum_{r\in\mathcal R}\sum_{j\in\mathcal N_r(i)}
   \frac{1}{c_{i,r}} W_r^{(k)} h_j^{(k-1)} + b^{(k)},\qquad c_{i,r} = |\mathcal N_r(i)|

with ReLU between layers (:class:`~oversmooth.models.hetero.HeteroGNN`: per-type input
projections to ``hidden_channels`` first, since node types have features of different
widths; a linear head on the target type). ``num_bases=B`` is the paper's basis
decomposition :math:`W_r = \sum_b a_{rb} V_b`, ``num_blocks`` its block-diagonal one.

Why ``RGCNConv`` on the flattened graph rather than a ``HeteroConv`` of per-relation convs:
it *is* the formula above, one self-connection :math:`W_0` shared by all nodes and the
normalisation :math:`1/c_{i,r}` per relation, with both regularisations; a ``HeteroConv``
would sum one root weight per relation into each node type and has no basis decomposition.
After the projection every type has width ``hidden_channels``, so stacking the types'
rows into the flattened graph (:mod:`oversmooth.graph.hetero`, node types in ``metadata``
order) costs one concatenation; the relation of an edge is its edge type's position in
``metadata``.
"""

from __future__ import annotations

import contextlib

import torch
import torch_geometric
from torch import Tensor
from torch_geometric.nn import RGCNConv

from ..graph.hetero import cat_by_type, flat_edge_index, split_by_type
from .backbone import check_divisible
from .hetero import HeteroGNN

__all__ = ["RGCN"]


@contextlib.contextmanager
def _per_relation_mean():
    """RGCNConv's pyg-lib ``segment_matmul`` path (taken when pyg-lib is installed) averages
    the messages of all relations together, not per relation (a TODO in PyG 2.8): keep the
    per-relation loop, which computes :math:`1/c_{i,r}`, for the duration of a call."""
    saved = torch_geometric.backend.use_segment_matmul
    torch_geometric.backend.use_segment_matmul = False
    try:
        yield
    finally:
        torch_geometric.backend.use_segment_matmul = saved


class RGCN(HeteroGNN):
    """Relational GCN; see the module docstring."""

    #: the paper's entity-classification experiments: 16 hidden units, Adam with
    #: lr 0.01, 50 epochs, L2 5e-4 (no dropout is reported)
    defaults = dict(hidden_channels=16, dropout=0.0, lr=0.01, weight_decay=5e-4, epochs=50, patience=None)

    def __init__(self, in_channels, hidden_channels: int, out_channels: int, depth: int, *,
                 metadata=None, target_node_type: str | None = None, dropout: float = 0.0,
                 num_bases: int | None = None, num_blocks: int | None = None) -> None:
        if num_bases is not None and num_blocks is not None:
            raise ValueError("num_bases and num_blocks are two alternative decompositions: give one")
        for name, value in (("num_bases", num_bases), ("num_blocks", num_blocks)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if num_blocks is not None:
            check_divisible(hidden_channels, "num_blocks", num_blocks)
        self.num_bases, self.num_blocks = num_bases, num_blocks
        super().__init__(in_channels, hidden_channels, out_channels, depth, metadata=metadata,
                         target_node_type=target_node_type, dropout=dropout)

    def make_layer(self, k, in_width):
        conv = RGCNConv(in_width, self.hidden_channels, len(self.edge_types), num_bases=self.num_bases,
                        num_blocks=self.num_blocks, aggr="mean")
        return conv, self.hidden_channels

    def graph(self, x_dict, edge_index_dict):
        """The flattened graph (:func:`oversmooth.graph.flat_edge_index`, cached with the edge
        tensors), node types in ``metadata`` order, and each edge's relation: the index of its
        edge type in ``metadata``."""
        counts = {t: x_dict[t].shape[0] for t in self.node_types}
        edges = {e: edge_index_dict[e] for e in self.edge_types}
        flat = flat_edge_index(edges, counts)
        sizes = torch.tensor([ei.shape[1] for ei in edges.values()], device=flat.device)
        edge_type = torch.repeat_interleave(torch.arange(len(edges), device=flat.device), sizes)
        return flat, edge_type, counts

    def propagate(self, k: int, h: dict[str, Tensor], graph) -> dict[str, Tensor]:
        edge_index, edge_type, counts = graph
        with _per_relation_mean():
            out = self.layers[k - 1](cat_by_type(h, counts), edge_index, edge_type)
        return split_by_type(out, counts)
