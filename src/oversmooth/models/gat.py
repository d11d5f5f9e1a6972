"""Graph attention network (Veličković et al., ICLR 2018), PyG's ``GATConv``:

.. math:: h_i' = \\Big\\Vert_{m=1}^{M} \\sigma\\Big(\\sum_{j\\in\\mathcal N(i)\\cup\\{i\\}}
   \\alpha^{m}_{ij} W^{m} h_j\\Big),\\quad \\alpha^m_{ij} = \\mathrm{softmax}_j\\,
   \\mathrm{LeakyReLU}\\big(a^{m\\top}[W^m h_i \\Vert W^m h_j]\\big)

Hidden layers concatenate ``heads`` heads of ``hidden_channels``; the output layer
averages ``out_heads`` heads. ELU between layers; the backbone's mitigations
(residual, dense, jk, dropedge, dropnode, norm) apply.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch_geometric.nn import GATConv

from .backbone import StackedGNN, check_probability

__all__ = ["GAT"]


class GAT(StackedGNN):
    defaults = dict(hidden_channels=8, heads=8, out_heads=1, dropout=0.6, attention_dropout=0.6,
                    lr=0.005, weight_decay=5e-4, epochs=1000, patience=100)
    act = staticmethod(F.elu)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, heads: int = 8,
                 out_heads: int = 1, attention_dropout: float = 0.6, **options) -> None:
        if heads < 1 or out_heads < 1:
            raise ValueError(f"heads and out_heads must be >= 1, got {heads}, {out_heads}")
        self.heads, self.out_heads = heads, out_heads
        self.attention_dropout = check_probability("attention_dropout", attention_dropout)
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width, out_channels, last):
        if last:
            return GATConv(in_width, out_channels, heads=self.out_heads, concat=False,
                           dropout=self.attention_dropout), out_channels
        return (GATConv(in_width, out_channels, heads=self.heads, dropout=self.attention_dropout),
                out_channels * self.heads)

    def conv(self, k, h, edge_index, state):
        return self.convs[k - 1](self.drop(h, k), edge_index)
