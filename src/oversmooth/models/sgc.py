"""Simplifying graph convolution (Wu et al., ICML 2019): ``K`` propagations without
nonlinearity, then logistic regression,

.. math:: Y = \\hat A^{K} X W + b.

``depth`` is ``K``. :math:`\\hat A^K X` is a constant of the graph, computed once and
cached (like ``SGConv(cached=True)``, but re-computed when ``x`` or ``edge_index``
change); each step :math:`\\hat A^k X` is emitted only when a tap listens (it is
then recomputed, so caching costs no memory per step). ``hidden_channels`` is
accepted for the common signature and unused.
"""

from __future__ import annotations

from torch import Tensor, nn

from ..graph import graph_operator
from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from .ops import dropout

__all__ = ["SGC"]


class SGC(LayerTaps):
    defaults = dict(hidden_channels=1, dropout=0.0, lr=0.2, weight_decay=5e-5, epochs=100,
                    patience=None)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.0) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        self.in_channels, self.hidden_channels, self.out_channels, self.depth = \
            in_channels, hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.lin = nn.Linear(in_channels, out_channels)
        self._key, self._cache = None, None

    def reset_parameters(self) -> None:
        self.lin.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        op = graph_operator(edge_index, x.shape[0], "gcn", x.dtype).operator
        key = (x.data_ptr(), x._version, tuple(x.shape), edge_index.data_ptr(), edge_index._version)
        if self._taps or key != self._key:
            h = x.detach()
            for k in range(1, self.depth + 1):
                h = op.matrix @ h
                self.emit(k, h)
            self._key, self._cache, self._refs = key, h, (x, edge_index)
        return self.lin(dropout(self._cache, self.dropout, self.training))
