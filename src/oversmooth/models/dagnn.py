r"""DAGNN: Deep Adaptive Graph Neural Network (Liu, Gao & Ji, KDD 2020).

"Towards Deeper Graph Neural Networks", https://arxiv.org/abs/2007.09296,
authors' code https://github.com/mengliu1998/DeeperGNN (``DeeperGNN/dagnn.py``).

Transformation and propagation are decoupled: an MLP maps features to class scores
once, then ``K`` parameter-free propagation steps spread them, and a learned per-node
score decides how much of each hop to keep:

.. math::

    Z &= \mathrm{MLP}(X) \in \mathbb{R}^{N \times c}, \qquad
    H_k = \hat P^{\,k} Z \quad (k = 0, \dots, K),
    \qquad \hat P = \tilde D^{-1/2}(A + I)\tilde D^{-1/2},\\
    S &= \sigma\big(\,[H_0, \dots, H_K]\, q\,\big) \in \mathbb{R}^{N \times (K+1)},
    \qquad \mathrm{out}_i = \sum_{k=0}^{K} S_{ik}\, (H_k)_{i}.

``q`` (with a bias, as in the authors' ``Linear(num_classes, 1)``) is the only
parameter of the propagation part, so depth costs no parameters; the adaptive
scores are what lets DAGNN keep local information when large ``K`` oversmooths
:math:`H_K` towards the stationary distribution.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..graph import graph_operator
from .backbone import check_input, check_probability, check_sizes, mlp_encode
from .base import LayerTaps

__all__ = ["DAGNN"]


class DAGNN(LayerTaps):
    r"""DAGNN with ``depth = K`` propagation steps (see the module docstring).

    Args:
        in_channels, hidden_channels, out_channels: MLP sizes (``in -> hidden -> out``);
            propagation runs on the ``out_channels`` class scores.
        depth: ``K``, the number of propagation steps (>= 1).
        dropout: applied to the input features and to the MLP hidden layer (the
            authors use the same rate at both places).

    Taps: ``emit(0, Z)`` with the MLP output, then ``emit(k, H_k)`` with
    :math:`H_k = \hat P^k Z` for ``k = 1..K`` (the representation after the k-th
    propagation step, before the adaptive combination).

    Returns logits ``[N, out_channels]`` (no softmax). Isolated nodes only keep
    their self-loop, so :math:`H_k = Z` for them.
    """

    # Authors' Cora (public split) setting: DeeperGNN/run.sh
    # ("--dataset=Cora --weight_decay=0.005 --K=10 --dropout=0.8") over the
    # argparse defaults of DeeperGNN/dagnn.py (hidden 64, lr 0.01, 1000 epochs,
    # early stopping 100). They also row-normalise the input features.
    defaults = {"hidden_channels": 64, "depth": 10, "dropout": 0.8, "lr": 0.01,
                "weight_decay": 0.005, "epochs": 1000, "patience": 100}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 depth: int, *, dropout: float = 0.8) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout = check_probability("dropout", dropout)
        self.lin1 = torch.nn.Linear(in_channels, hidden_channels)
        self.lin2 = torch.nn.Linear(hidden_channels, out_channels)
        self.proj = torch.nn.Linear(out_channels, 1)  # retainment scores s_k = sigmoid(H_k q)

    def reset_parameters(self) -> None:
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()
        self.proj.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        h = self.emit(0, mlp_encode(x, self.lin1, self.lin2, self.dropout, self.training))
        adj = graph_operator(edge_index, x.size(0), "gcn", x.dtype).matrix
        hops = [h]
        for k in range(1, self.depth + 1):
            h = self.emit(k, adj @ h)
            hops.append(h)
        stacked = torch.stack(hops, dim=1)                # [N, K+1, c]
        scores = torch.sigmoid(self.proj(stacked))        # [N, K+1, 1]
        return (scores * stacked).sum(dim=1)
