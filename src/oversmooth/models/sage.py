"""GraphSAGE (Hamilton et al., NeurIPS 2017) with mean aggregation, PyG's ``SAGEConv``:

.. math:: h_i' = W_1 h_i + W_2 \\operatorname{mean}_{j\\in\\mathcal N(i)} h_j
"""

from __future__ import annotations

from torch_geometric.nn import SAGEConv

from .backbone import StackedGNN

__all__ = ["SAGE"]


class SAGE(StackedGNN):
    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200,
                    patience=None, aggr="mean")

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, aggr: str = "mean",
                 **options) -> None:
        self.aggr = aggr
        super().__init__(in_channels, hidden_channels, out_channels, depth, **options)

    def make_conv(self, k, in_width, out_channels, last):
        return SAGEConv(in_width, out_channels, aggr=self.aggr), out_channels

    def conv(self, k, h, edge_index, state):
        return self.convs[k - 1](self.drop(h, k), edge_index)
