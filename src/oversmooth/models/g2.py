r"""G²: Gradient Gating (Rusch, Chamberlain, Mahoney, Bronstein & Mishra, ICLR 2023).

"Gradient Gating for Deep Multi-Rate Learning on Graphs", https://arxiv.org/abs/2210.00513,
authors' code https://github.com/tk-rusch/gradientgating (``synthetic_cora/models.py``).

Each node and channel gets its own update rate, driven by how much the channel still
varies across the node's neighbourhood (its "graph gradient"):

.. math::

    \hat X^{n} &= \sigma\big(F_\theta(X^{n-1}, \mathcal G)\big), \\
    \tau^{n}_{ik} &= \tanh\Big(\operatorname*{agg}_{j \in \mathcal N(i)}
        \big|\hat X^{n}_{jk} - \hat X^{n}_{ik}\big|^{p}\Big), \\
    X^{n} &= (1 - \tau^{n}) \odot X^{n-1} + \tau^{n} \odot \hat X^{n},

with :math:`F_\theta` a GCN layer (:math:`\hat P X W + b`, PyG ``GCNConv``),
:math:`\sigma` = ReLU, encoder ``Linear + ReLU`` before and a linear decoder after.
The paper writes the aggregation as a sum; the authors' code uses the mean over
neighbours (``scatter(..., reduce='mean')``), which is the default here
(``gate_aggr="sum"`` gives the paper's formula). When a neighbourhood has become
constant (oversmoothed) :math:`\tau \to 0` and the node stops updating, which is how
G² keeps the Dirichlet energy from collapsing with depth. Isolated nodes have an
empty neighbourhood, so :math:`\tau = 0` and they keep their encoding.

As in the authors' code, the ``depth`` layers share one ``GCNConv`` (weight tying);
``separate_gate_conv=True`` computes the gate from a second GCN (their
``use_G2_conv``), ``share_weights=False`` gives every layer its own GCN.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GCNConv

from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from ..graph import graph_operator

__all__ = ["G2"]

_AGGRS = ("mean", "sum")


class G2(LayerTaps):
    r"""Gradient-gated GCN with ``depth`` gated layers (see the module docstring).

    Args:
        in_channels, hidden_channels, out_channels: encoder / hidden / decoder sizes.
        depth: number of gated GCN layers (>= 1).
        dropout: on the hidden representation before the decoder (authors' ``drop``).
        input_dropout: on the input features (authors' ``drop_in``).
        p: exponent of the graph gradient, >= 1.
        gate_aggr: ``"mean"`` (authors' code) or ``"sum"`` (paper) over neighbours.
        separate_gate_conv: compute :math:`\tau` from its own GCN instead of
            :math:`\hat X` of the update.
        share_weights: one GCN for all layers (authors) or one per layer.

    Taps: ``emit(0, X^0)`` (encoder output), then ``emit(n, X^n)`` for ``n = 1..depth``.
    """

    # Authors' Cora setting (the graph of Cora with synthetic labels of controlled
    # homophily, synthetic_cora/train_GNN.py defaults): hidden 128, 13 layers,
    # lr 0.008, weight decay 1e-3, drop_in 0.7, drop 0.2, p = 2, 500 epochs,
    # patience 200, gate from the update GCN (use_G2_conv False). The paper has no
    # Planetoid-Cora table for G².
    defaults = {"hidden_channels": 128, "depth": 13, "dropout": 0.2, "input_dropout": 0.7,
                "p": 2.0, "lr": 0.008, "weight_decay": 0.001, "epochs": 500,
                "patience": 200}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 depth: int, *, dropout: float = 0.2, input_dropout: float = 0.7,
                 p: float = 2.0, gate_aggr: str = "mean", separate_gate_conv: bool = False,
                 share_weights: bool = True) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        dropout = check_probability("dropout", dropout)
        input_dropout = check_probability("input_dropout", input_dropout)
        if not p >= 1:  # |.|^p has an infinite slope at 0 for p < 1: NaN gradients
            raise ValueError(f"p must be >= 1, got {p!r}")
        if gate_aggr not in _AGGRS:
            raise ValueError(f"unknown gate_aggr {gate_aggr!r}; known: {', '.join(_AGGRS)}")
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout, self.input_dropout, self.p, self.gate_aggr = dropout, input_dropout, p, gate_aggr
        self.enc = torch.nn.Linear(in_channels, hidden_channels)
        self.dec = torch.nn.Linear(hidden_channels, out_channels)

        def gcn():  # normalisation comes from the cached operator passed as edge_index
            return GCNConv(hidden_channels, hidden_channels, normalize=False)

        self.convs = torch.nn.ModuleList([gcn() for _ in range(1 if share_weights else depth)])
        self.gate_convs = torch.nn.ModuleList(
            [gcn() for _ in range(len(self.convs))] if separate_gate_conv else [])
        self._edges_key = None
        self._edges: tuple[Tensor, Tensor] | None = None

    def reset_parameters(self) -> None:
        self.enc.reset_parameters()
        self.dec.reset_parameters()
        for conv in [*self.convs, *self.gate_convs]:
            conv.reset_parameters()

    def _gate_edges(self, edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
        """Edges ``j -> i`` without self-loops and duplicates (as in the GCN operator)."""
        key = (edge_index.data_ptr(), tuple(edge_index.shape), num_nodes, edge_index.device)
        if key != self._edges_key:
            src, dst = edge_index[0], edge_index[1]
            keep = src != dst  # a self-loop has zero gradient but would dilute the mean
            keys = torch.unique(dst[keep] * num_nodes + src[keep])
            self._edges = (keys % num_nodes, keys // num_nodes)
            self._edges_key = key
        return self._edges

    def gate(self, x_hat: Tensor, edge_index: Tensor) -> Tensor:
        r""":math:`\tau = \tanh(\operatorname{agg}_{j \in N(i)} |\hat X_j - \hat X_i|^p)`, per channel.

        Row ``i`` aggregates over the sources ``j`` of the edges ``j -> i``; nodes
        without neighbours get :math:`\tau = 0`.
        """
        src, dst = self._gate_edges(edge_index, x_hat.size(0))
        grad = (x_hat[src] - x_hat[dst]).abs().pow(self.p)
        total = torch.zeros_like(x_hat).index_add_(0, dst, grad)
        if self.gate_aggr == "mean":
            count = torch.zeros(x_hat.size(0), dtype=x_hat.dtype, device=x_hat.device)
            count.index_add_(0, dst, torch.ones_like(dst, dtype=x_hat.dtype))
            total = total / count.clamp(min=1).unsqueeze(1)
        return torch.tanh(total)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        adj = graph_operator(edge_index, x.size(0), "gcn", x.dtype).matrix
        x = F.dropout(x, p=self.input_dropout, training=self.training)
        h = self.emit(0, F.relu(self.enc(x)))
        for n in range(self.depth):
            i = n % len(self.convs)
            h_hat = F.relu(self.convs[i](h, adj))
            gate_input = F.relu(self.gate_convs[i](h, adj)) if self.gate_convs else h_hat
            tau = self.gate(gate_input, edge_index)
            h = self.emit(n + 1, (1 - tau) * h + tau * h_hat)
        h = F.dropout(h, p=self.dropout, training=self.training)
        return self.dec(h)
