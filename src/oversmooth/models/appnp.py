"""APPNP (Klicpera et al., "Predict then Propagate", ICLR 2019): an MLP's predictions
propagated by personalised PageRank,

.. math:: Z^{(0)} = H = f_\\theta(X),\\qquad
   Z^{(k)} = (1-\\alpha)\\hat A Z^{(k-1)} + \\alpha H,\\quad k = 1..K,\\qquad Y = Z^{(K)}.

``depth`` is ``K`` (the number of propagation steps; each step's ``Z^{(k)}`` is emitted).
The iteration is exactly PyG's ``APPNP`` (checked in the tests) run on the cached CSR
operator so every step can be tapped; ``edge_dropout`` drops entries of :math:`\\hat A` at
every step during training, like ``APPNP(dropout=p)``. The MLP has two layers; weight decay
applies to its first layer only, as in the paper.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..graph import SparseOperator, as_csr, graph_operator, spmm
from .backbone import check_input, check_probability, check_sizes
from .base import LayerTaps
from .ops import FeatureCache, dropout

__all__ = ["APPNPNet"]


class APPNPNet(LayerTaps):
    defaults = dict(hidden_channels=64, dropout=0.5, alpha=0.1, edge_dropout=0.0, lr=0.01,
                    weight_decay=5e-3, epochs=1000, patience=100)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, alpha: float = 0.1, edge_dropout: float = 0.0) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha (teleport probability) must be in [0, 1], got {alpha}")
        self.in_channels, self.hidden_channels, self.out_channels, self.depth = \
            in_channels, hidden_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.edge_dropout = check_probability("edge_dropout", edge_dropout)
        self.alpha = alpha
        self.lin1, self.lin2 = nn.Linear(in_channels, hidden_channels), nn.Linear(hidden_channels, out_channels)
        self._features = FeatureCache()

    def reset_parameters(self) -> None:
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()

    def parameter_groups(self, weight_decay: float) -> list[dict]:
        return [{"params": list(self.lin1.parameters()), "weight_decay": weight_decay},
                {"params": list(self.lin2.parameters()), "weight_decay": 0.0}]

    def _step_operator(self, op: SparseOperator) -> SparseOperator:
        if not (self.training and self.edge_dropout > 0.0):
            return op
        a = op.matrix
        values = dropout(a.values(), self.edge_dropout)
        return SparseOperator(as_csr(a.crow_indices(), a.col_indices(), values, tuple(a.shape)),
                              symmetric=False)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        op = graph_operator(edge_index, x.shape[0], "gcn", x.dtype).operator
        sparse = self._features(x)
        if sparse is not None:
            h = sparse.linear(self.lin1.weight, self.dropout, 0.0, self.training) + self.lin1.bias
        else:
            h = self.lin1(dropout(x, self.dropout, self.training))
        h = self.lin2(dropout(F.relu(h), self.dropout, self.training))
        self.emit(0, h)
        z = h
        for k in range(1, self.depth + 1):
            z = (1.0 - self.alpha) * spmm(self._step_operator(op), z) + self.alpha * h
            self.emit(k, z)
        return z
