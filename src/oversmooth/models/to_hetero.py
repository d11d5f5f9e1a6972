r"""Homogeneous zoo models lifted to heterogeneous graphs with PyG's ``to_hetero``:
``hetero-gcn``, ``hetero-sage``, ``hetero-gat``, ``hetero-gin``.

Each layer of the homogeneous model is turned into its heterogeneous equivalent by
``torch_geometric.nn.to_hetero(layer, metadata, aggr="sum")``: one copy of the convolution
per relation :math:`r` (own weights), the results summed per destination type:

.. math:: h_t^{(k)} = \sum_{r = (s, \cdot, t)} f^{(k, r)}\big(h_s^{(k-1)}, h_t^{(k-1)}\big)

(Schlichtkrull et al. 2018's relational scheme, as PyG's ``to_hetero`` documents it). The
lifting is per layer, not of the whole model at once: ``to_hetero`` traces a module with
``torch.fx``, which cannot follow the zoo's forward passes (input checks, cached operators,
options chosen at run time) and would bake ``self.training`` into the graph; lifting one
convolution at a time and running dropout, activation and the layer taps in Python on the
per-type dicts (:class:`~oversmooth.models.hetero.HeteroGNN`) computes what a lifted stack
would, with the per-layer outputs the probe reads. Per-type input projections to
``hidden_channels`` come first (``to_hetero`` shares one layer shape across types) and a
linear head reads the target type.

Which zoo models lift: those that are a stack of one convolution per layer whose PyG layer
takes a (source, destination) pair of feature matrices (bipartite message passing):

* ``gcn`` -> ``hetero-gcn``: :class:`RelationGCNConv`,
  :math:`f^{(k,r)} = \hat A_r H_s W_r + b_r` with :math:`\hat A_r = D_{t,r}^{-1/2} A_r D_{s,r}^{-1/2}`
  and no self-loops. PyG's ``GCNConv`` cannot be used: a self-loop has no meaning between two
  node types (``to_hetero`` refuses ``add_self_loops=True`` as soon as one relation is
  bipartite), and in PyG 2.8 ``GCNConv`` refuses a (source, destination) pair altogether, so
  ``add_self_loops=False`` is not enough. A node's own features reach its next layer only
  through a same-type relation, as in ``GCNConv(add_self_loops=False)``;
* ``sage`` -> ``hetero-sage``: ``SAGEConv`` (``aggr`` option), root weight per relation;
* ``gat`` -> ``hetero-gat``: ``GATConv(add_self_loops=False)``, ``heads`` concatenated in
  every layer (hidden width ``heads * hidden_channels``), ELU;
* ``gin`` -> ``hetero-gin``: ``GINConv`` with a two-layer MLP (``train_eps``).

The others do not lift: decoupled models (``appnp``, ``sgc``, ``dagnn``, ``gprgnn``) and
``gcnii``, ``g2``, ``nsd``, ``incepgcn`` propagate with an operator on one node set, and the
transformers (``gps``, ``transformer``, ``graphormer``) attend over all nodes of one type;
``rgcn`` and ``hgt`` are the heterogeneous models written for this. Training defaults are
the homogeneous model's.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import GATConv, GINConv, MessagePassing, SAGEConv, to_hetero
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.utils import degree

from .backbone import check_probability
from .gat import GAT
from .gcn import GCN
from .gin import GIN
from .hetero import HeteroGNN
from .sage import SAGE

__all__ = ["LiftedGNN", "HeteroGCN", "HeteroSAGE", "HeteroGAT", "HeteroGIN", "RelationGCNConv"]


class RelationGCNConv(MessagePassing):
    r"""GCN on one relation from node type :math:`s` to :math:`t` (bipartite when :math:`s\ne t`):

    .. math:: h_i' = \sum_{j\in\mathcal N_r(i)} \frac{1}{\sqrt{d^{out}_j\, d^{in}_i}}\, W h_j + b

    with :math:`d^{out}_j` the number of relation-:math:`r` edges leaving :math:`j` and
    :math:`d^{in}_i` those entering :math:`i`: :math:`D^{-1/2} A D^{-1/2}` of the graph whose
    edges are the relation's, in both directions. No self-loops (``add_self_loops`` is
    ``False``, which ``to_hetero`` checks). Glorot weight and zero bias, as ``GCNConv``.
    """

    add_self_loops = False

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True) -> None:
        super().__init__(aggr="add")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.lin = Linear(in_channels, out_channels, bias=False, weight_initializer="glorot")
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        self.lin.reset_parameters()
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x, edge_index: Tensor) -> Tensor:
        x_src, x_dst = x if isinstance(x, tuple) else (x, x)
        size = (x_src.size(0), x_dst.size(0))
        src, dst = edge_index[0], edge_index[1]
        # every edge's endpoints have degree >= 1: the inverse square roots are finite
        norm = degree(src, size[0], dtype=x_src.dtype).rsqrt()[src] * \
            degree(dst, size[1], dtype=x_src.dtype).rsqrt()[dst]
        out = self.propagate(edge_index, x=(self.lin(x_src), x_dst), norm=norm, size=size)
        return out if self.bias is None else out + self.bias

    def message(self, x_j: Tensor, norm: Tensor) -> Tensor:
        return norm.view(-1, 1) * x_j


class _OneLayer(nn.Module):
    """One homogeneous layer ``conv(x, edge_index)``: what ``to_hetero`` traces and lifts
    (the argument names tell it which input is node-level and which edge-level)."""

    def __init__(self, conv: MessagePassing) -> None:
        super().__init__()
        self.conv = conv

    def forward(self, x, edge_index):
        return self.conv(x, edge_index)


class LiftedGNN(HeteroGNN):
    """Base class of the lifted models: subclasses give the homogeneous :meth:`make_conv`."""

    def make_conv(self, k: int, in_width: int) -> tuple[MessagePassing, int]:
        """Layer ``k``'s homogeneous, bipartite-capable convolution and its output width."""
        raise NotImplementedError

    def make_layer(self, k, in_width):
        conv, width = self.make_conv(k, in_width)
        return to_hetero(_OneLayer(conv), self.metadata, aggr="sum"), width


class HeteroGCN(LiftedGNN):
    """``gcn`` lifted: :class:`RelationGCNConv` per relation, ReLU."""

    defaults = dict(GCN.defaults)

    def make_conv(self, k, in_width):
        return RelationGCNConv(in_width, self.hidden_channels), self.hidden_channels


class HeteroSAGE(LiftedGNN):
    """``sage`` lifted: ``SAGEConv`` per relation, ReLU."""

    defaults = dict(SAGE.defaults)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, aggr: str = "mean",
                 **options) -> None:
        self.aggr = aggr
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width):
        return SAGEConv((in_width, in_width), self.hidden_channels, aggr=self.aggr), self.hidden_channels


class HeteroGAT(LiftedGNN):
    """``gat`` lifted: ``GATConv(add_self_loops=False)`` per relation, heads concatenated, ELU."""

    defaults = {k: v for k, v in GAT.defaults.items() if k != "out_heads"}  # the head is linear
    act = staticmethod(F.elu)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, heads: int = 8,
                 attention_dropout: float = 0.6, **options) -> None:
        if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
            raise ValueError(f"heads must be an integer >= 1, got {heads!r}")
        self.heads = heads
        self.attention_dropout = check_probability("attention_dropout", attention_dropout)
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width):
        conv = GATConv((in_width, in_width), self.hidden_channels, heads=self.heads,
                       dropout=self.attention_dropout, add_self_loops=False)
        return conv, self.hidden_channels * self.heads


class HeteroGIN(LiftedGNN):
    """``gin`` lifted: ``GINConv`` with a two-layer MLP per relation, ReLU."""

    defaults = dict(GIN.defaults)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, train_eps: bool = False,
                 **options) -> None:
        self.train_eps = bool(train_eps)
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width):
        hidden = self.hidden_channels
        mlp = nn.Sequential(nn.Linear(in_width, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        return GINConv(mlp, train_eps=self.train_eps), hidden
