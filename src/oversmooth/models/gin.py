"""Graph isomorphism network (Xu et al., ICLR 2019), PyG's ``GINConv``:

.. math:: h_i' = \\mathrm{MLP}\\Big((1+\\epsilon)\\, h_i + \\sum_{j\\in\\mathcal N(i)} h_j\\Big)

with a two-layer MLP per layer (``train_eps`` learns :math:`\\epsilon`).
"""

from __future__ import annotations

from torch import nn
from torch_geometric.nn import GINConv

from .backbone import StackedGNN

__all__ = ["GIN"]


class GIN(StackedGNN):
    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200,
                    patience=None, train_eps=False)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, train_eps: bool = False,
                 **options) -> None:
        self.train_eps = bool(train_eps)
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width, out_channels, last):
        hidden = self.hidden_channels
        mlp = nn.Sequential(nn.Linear(in_width, hidden), nn.ReLU(), nn.Linear(hidden, out_channels))
        return GINConv(mlp, train_eps=self.train_eps), out_channels

    def conv(self, k, h, edge_index, state):
        return self.convs[k - 1](self.drop(h, k), edge_index)
