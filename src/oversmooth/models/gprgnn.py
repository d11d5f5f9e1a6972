r"""GPR-GNN: Generalized PageRank GNN (Chien, Peng, Li & Milenkovic, ICLR 2021).

"Adaptive Universal Generalized PageRank Graph Neural Network",
https://openreview.net/forum?id=n6jl7fLxrP, authors' code
https://github.com/jianhao2016/GPRGNN (``src/GNN_models.py``, ``src/train_model.py``).

An MLP produces class scores once; a polynomial filter with *learnable* coefficients
(the generalized PageRank weights :math:`\gamma`) propagates them:

.. math::

    Z = \mathrm{MLP}(X), \qquad H_k = \hat P^{\,k} Z, \qquad
    \mathrm{out} = \sum_{k=0}^{K} \gamma_k H_k,
    \qquad \hat P = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}.

Initialisation ``"ppr"`` (the authors' default) sets
:math:`\gamma_k = \alpha(1-\alpha)^k` for ``k < K`` and :math:`\gamma_K = (1-\alpha)^K`,
i.e. APPNP's truncated personalised PageRank; ``"random"`` draws
:math:`\gamma_k \sim U(-\sqrt{3/(K+1)}, \sqrt{3/(K+1)})` and rescales to
:math:`\sum_k |\gamma_k| = 1`. Because :math:`\gamma` is learned, the filter can
down-weight the oversmoothed high-order terms (or even turn high-pass with negative
weights on heterophilous graphs).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ..graph import graph_operator
from .backbone import check_input, check_probability, check_sizes, mlp_encode
from .base import LayerTaps

__all__ = ["GPRGNN"]

_INITS = ("ppr", "random")


class GPRGNN(LayerTaps):
    r"""GPR-GNN with ``depth = K`` propagation steps (see the module docstring).

    Args:
        in_channels, hidden_channels, out_channels: MLP sizes (``in -> hidden -> out``).
        depth: ``K``, the number of propagation steps (>= 1); there are ``K + 1``
            coefficients :math:`\gamma_0..\gamma_K`.
        dropout: on the input features and the MLP hidden layer.
        dprate: dropout on the MLP output right before propagation.
        alpha: teleport probability of the PPR initialisation, in (0, 1].
        init: ``"ppr"`` or ``"random"`` initialisation of :math:`\gamma`.

    Taps: ``emit(0, Z)``, then ``emit(k, H_k)`` with :math:`H_k = \hat P^k Z` for
    ``k = 1..K`` (before the weighted sum).

    The authors train :math:`\gamma` without weight decay; :meth:`parameter_groups`
    says so to the trainer.
    """

    # Authors' defaults in src/train_model.py (README runs Cora with them): hidden 64,
    # dropout 0.5, dprate 0.5, K 10, alpha 0.1, Init PPR, lr 0.002, weight decay 5e-4
    # (0 on gamma), 1000 epochs, early stopping 200. Their paper uses random
    # 60/20/20 (dense) and 2.5%/2.5% (sparse) splits, not the public Planetoid split.
    defaults = {"hidden_channels": 64, "depth": 10, "dropout": 0.5, "dprate": 0.5,
                "alpha": 0.1, "init": "ppr", "lr": 0.002, "weight_decay": 0.0005,
                "epochs": 1000, "patience": 200}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 depth: int, *, dropout: float = 0.5, dprate: float = 0.5,
                 alpha: float = 0.1, init: str = "ppr") -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        dropout, dprate = check_probability("dropout", dropout), check_probability("dprate", dprate)
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
        if init not in _INITS:
            raise ValueError(f"unknown init {init!r}; known: {', '.join(_INITS)}")
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout, self.dprate, self.alpha, self.init = dropout, dprate, alpha, init
        self.lin1 = torch.nn.Linear(in_channels, hidden_channels)
        self.lin2 = torch.nn.Linear(hidden_channels, out_channels)
        self.gamma = torch.nn.Parameter(torch.empty(depth + 1))
        self._reset_gamma()

    def _reset_gamma(self) -> None:
        k = torch.arange(self.depth + 1, dtype=torch.float64)
        if self.init == "ppr":
            gamma = self.alpha * (1 - self.alpha) ** k
            gamma[-1] = (1 - self.alpha) ** self.depth
        else:
            bound = math.sqrt(3.0 / (self.depth + 1))
            gamma = torch.rand(self.depth + 1, dtype=torch.float64) * 2 * bound - bound
            gamma = gamma / gamma.abs().sum()
        with torch.no_grad():
            self.gamma.copy_(gamma.to(self.gamma.dtype))

    def parameter_groups(self, weight_decay: float) -> list[dict]:
        """Optimizer groups as in the authors' code: weight decay on the MLP, none on gamma."""
        mlp = [*self.lin1.parameters(), *self.lin2.parameters()]
        return [{"params": mlp, "weight_decay": weight_decay},
                {"params": [self.gamma], "weight_decay": 0.0}]

    def reset_parameters(self) -> None:
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()
        self._reset_gamma()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        h = self.emit(0, mlp_encode(x, self.lin1, self.lin2, self.dropout, self.training))
        h = F.dropout(h, p=self.dprate, training=self.training)
        adj = graph_operator(edge_index, x.size(0), "gcn", x.dtype).matrix
        out = self.gamma[0] * h
        for k in range(1, self.depth + 1):
            h = self.emit(k, adj @ h)
            out = out + self.gamma[k] * h
        return out
