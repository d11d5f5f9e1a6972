"""IncepGCN (the inception-style deep GCN benchmarked by DropEdge, Rong et al. ICLR 2020):
an input graph convolution, parallel branches of graph convolutions of different
depths, and an output graph convolution on the concatenation,

.. math:: H^{(1)} = \\sigma(\\hat A X W_{in}),\\quad
   B_b = \\mathrm{GCN}^{(L_b)}\\big(H^{(1)}\\big),\\quad
   Y = \\hat A\\,[H^{(1)} \\Vert B_1 \\Vert \\dots \\Vert B_m]\\, W_{out}.

``depth`` counts the graph convolutions on the longest path (input + longest branch +
output), so the longest branch has ``depth - 2`` layers and branch ``b`` of
``branches`` has ``round((depth-2) b / branches)``. Emitted layers: ``1`` the input
convolution, ``2 .. depth-1`` the longest branch, ``depth`` the output.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..graph import graph_operator
from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from .layers import GCNLayer, make_norm
from .ops import FeatureCache, dropout

__all__ = ["IncepGCN"]


class IncepGCN(LayerTaps):
    defaults = dict(hidden_channels=64, dropout=0.5, branches=3, lr=0.01, weight_decay=5e-4,
                    epochs=400, patience=100)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, branches: int = 3, dropedge: float = 0.0,
                 norm: str | None = None) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        if branches < 1:
            raise ValueError(f"branches must be >= 1, got {branches}")
        self.in_channels, self.hidden_channels, self.out_channels, self.depth = \
            in_channels, hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.dropedge = check_probability("dropedge", dropedge)
        inner = max(depth - 2, 0)
        lengths = sorted({round(inner * b / branches) for b in range(1, branches + 1)} - {0})
        self.lengths = lengths
        if depth == 1:
            self.lin_in, self.branches = None, nn.ModuleList()
            self.out = GCNLayer(in_channels, out_channels)
        else:
            self.lin_in = GCNLayer(in_channels, hidden_channels)
            self.branches = nn.ModuleList(
                nn.ModuleList(GCNLayer(hidden_channels, hidden_channels) for _ in range(n)) for n in lengths)
            self.out = GCNLayer(hidden_channels * (1 + len(lengths)), out_channels)
        n_norms = 1 + sum(lengths) if depth > 1 else 0
        self.norms = nn.ModuleList(make_norm(norm, hidden_channels) or nn.Identity() for _ in range(n_norms))
        self._features = FeatureCache()

    def reset_parameters(self) -> None:
        for module in self.modules():
            if module is not self and hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def _layer(self, layer: GCNLayer, h, op, k: int | None) -> Tensor:
        if not isinstance(h, Tensor):
            z = layer.aggregate(layer.transform(h, p=self.dropout, training=self.training), op)
        else:
            z = layer(dropout(h, self.dropout, self.training), op)
        if k is not None:
            self.emit(k, z)
        return z

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        cached = graph_operator(edge_index, x.shape[0], "gcn", x.dtype)
        op = cached.dropped(self.dropedge) if self.training else cached.operator
        sparse = self._features(x)
        h = x if sparse is None else sparse
        if self.lin_in is None:
            return self._layer(self.out, h, op, 1)
        norms = iter(self.norms)
        h1 = F.relu(next(norms)(self._layer(self.lin_in, h, op, 1)))
        outputs = [h1]
        longest = len(self.branches) - 1
        for b, branch in enumerate(self.branches):
            h = h1
            for i, layer in enumerate(branch):
                h = F.relu(next(norms)(self._layer(layer, h, op, i + 2 if b == longest else None)))
            outputs.append(h)
        return self._layer(self.out, torch.cat(outputs, dim=-1), op, self.depth)
