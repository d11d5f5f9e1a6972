"""Multi-layer perceptron: the graph-free control of every depth experiment.

.. math:: H^{(k)} = \\sigma\\big(H^{(k-1)} W^{(k)} + b^{(k)}\\big)

``depth`` linear layers; ``edge_index`` is accepted and ignored, so the MLP runs wherever
a GNN does. Layer ``k``'s pre-activation output is emitted as layer ``k``.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from .layers import make_norm
from .ops import FeatureCache, SparseFeatures, dropout

__all__ = ["MLP"]


class MLP(LayerTaps):
    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200,
                    patience=None)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, norm: str | None = None) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        self.in_channels, self.hidden_channels, self.out_channels, self.depth = \
            in_channels, hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        sizes = [in_channels] + [hidden_channels] * (depth - 1) + [out_channels]
        self.lins = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = nn.ModuleList(make_norm(norm, c) or nn.Identity() for c in sizes[1:-1])
        self._features = FeatureCache()

    def reset_parameters(self) -> None:
        for module in list(self.lins) + list(self.norms):
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor | None = None) -> Tensor:
        check_input(self, x, edge_index, edges_optional=True)
        sparse: SparseFeatures | None = self._features(x)
        h = x
        for k, lin in enumerate(self.lins, start=1):
            if k == 1 and sparse is not None:
                z = sparse.linear(lin.weight, self.dropout, 0.0, self.training) + lin.bias
            else:
                z = lin(dropout(h, self.dropout, self.training))
            self.emit(k, z)
            if k == self.depth:
                return z
            h = F.relu(self.norms[k - 1](z))
