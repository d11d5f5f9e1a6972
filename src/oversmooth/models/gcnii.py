"""GCNII and GCNII* (Chen et al., "Simple and Deep Graph Convolutional Networks", ICML 2020).

.. math::
   H^{(0)} = \\sigma(X W_{in}),\\qquad
   H^{(\\ell)} = \\sigma\\Big(\\big((1-\\alpha)\\hat A H^{(\\ell-1)} + \\alpha H^{(0)}\\big)
   \\big((1-\\beta_\\ell) I + \\beta_\\ell W^{(\\ell)}\\big)\\Big),\\quad
   \\beta_\\ell = \\log(\\theta/\\ell + 1),\\qquad Y = H^{(L)} W_{out}

(initial residual + identity mapping); GCNII* uses separate weights for the two terms.
Dropout before every layer; convolutions decayed with ``conv_weight_decay`` (0.01), the
two dense layers with ``fit``'s ``weight_decay`` (5e-4), as in the authors' code.
The layer is :class:`~oversmooth.models.layers.GCNIILayer` (= PyG's ``GCN2Conv``).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..graph import graph_operator
from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from .layers import GCNIILayer
from .ops import FeatureCache, dropout

__all__ = ["GCNII", "GCNIIStar"]


class GCNII(LayerTaps):
    defaults = dict(hidden_channels=64, dropout=0.6, alpha=0.1, theta=0.5, conv_weight_decay=0.01,
                    lr=0.01, weight_decay=5e-4, epochs=1500, patience=100)
    shared_weights = True

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.6, alpha: float = 0.1, theta: float = 0.5,
                 conv_weight_decay: float = 0.01, dropedge: float = 0.0) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        if not 0.0 <= alpha <= 1.0 or theta <= 0 or conv_weight_decay < 0:
            raise ValueError(f"need 0 <= alpha <= 1, theta (lambda) > 0, conv_weight_decay >= 0; got "
                             f"{alpha}, {theta}, {conv_weight_decay}")
        self.in_channels, self.hidden_channels, self.out_channels, self.depth = \
            in_channels, hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.dropedge = check_probability("dropedge", dropedge)
        self.alpha, self.theta, self.conv_weight_decay = alpha, theta, conv_weight_decay
        self.lin_in = nn.Linear(in_channels, hidden_channels)
        self.convs = nn.ModuleList(GCNIILayer(hidden_channels, alpha, theta, layer=k,
                                              shared_weights=self.shared_weights)
                                   for k in range(1, depth + 1))
        self.lin_out = nn.Linear(hidden_channels, out_channels)
        self._features = FeatureCache()

    def reset_parameters(self) -> None:
        self.lin_in.reset_parameters()
        self.lin_out.reset_parameters()
        for conv in self.convs:
            conv.reset_parameters()

    def parameter_groups(self, weight_decay: float) -> list[dict]:
        return [{"params": list(self.convs.parameters()), "weight_decay": self.conv_weight_decay},
                {"params": list(self.lin_in.parameters()) + list(self.lin_out.parameters()),
                 "weight_decay": weight_decay}]

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        cached = graph_operator(edge_index, x.shape[0], "gcn", x.dtype)
        op = cached.dropped(self.dropedge) if self.training else cached.operator
        sparse = self._features(x)
        if sparse is not None:
            z = sparse.linear(self.lin_in.weight, self.dropout, 0.0, self.training) + self.lin_in.bias
        else:
            z = self.lin_in(dropout(x, self.dropout, self.training))
        h = h0 = F.relu(z)
        self.emit(0, h0)
        h0_scaled = self.alpha * h0
        for k, conv in enumerate(self.convs, start=1):
            z = conv(dropout(h, self.dropout, self.training), h0, op, h0_scaled)
            self.emit(k, z)
            h = F.relu(z)
        return self.lin_out(dropout(h, self.dropout, self.training))


class GCNIIStar(GCNII):
    """GCNII*: separate weights for the propagated and the initial-residual terms."""

    shared_weights = False
