r"""Graph Transformer with global attention only (Vaswani et al., NeurIPS 2017, on nodes).

The nodes are one set of tokens and a standard post-norm transformer encoder runs over
them; ``edge_index`` is accepted for the common interface and ignored. Each layer is
PyTorch's ``TransformerEncoderLayer``:

.. math::

    Y = \mathrm{LN}\big(X + \mathrm{Dropout}(\mathrm{MHA}(X, X, X))\big), \qquad
    X' = \mathrm{LN}\big(Y + \mathrm{Dropout}(W_2\, \mathrm{ReLU}(W_1 Y))\big),

with :math:`\mathrm{MHA}` softmax attention over *all* ``N`` nodes. This is the
no-graph baseline of the zoo: every layer mixes all nodes with data-dependent
weights, which is exactly the setting where attention-based oversmoothing (rank
collapse, Dong et al. 2021) can be measured without a graph.

Cost: :math:`O(N^2 \cdot \text{hidden})` time per layer. PyTorch's fused attention keeps
memory :math:`O(N \cdot \text{hidden})` when it applies; otherwise a
``heads x N x N`` attention matrix is materialised per layer (Cora, N = 2708, 4 heads,
float32: about 117 MB per layer, kept for the backward pass). Graphs beyond a few
tens of thousands of nodes do not fit. Without ``pe`` the model is permutation-equivariant and structure-blind by
construction; ``pe`` adds Laplacian or random-walk positional encodings (structure).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .backbone import check_divisible, check_input, check_probability, check_sizes
from .base import LayerTaps
from .encodings import PositionalEncoding

__all__ = ["GraphTransformer"]


class GraphTransformer(LayerTaps):
    r"""Linear encoder, ``depth`` transformer encoder layers over all nodes, linear decoder.

    Args:
        in_channels, hidden_channels, out_channels: encoder / model width / decoder.
            ``hidden_channels`` must be divisible by ``heads``.
        depth: number of encoder layers (>= 1).
        dropout: on the input features and inside each layer (residual branches).
        heads: attention heads.
        attn_dropout: dropout on the attention weights.
        ffn_ratio: width of the feed-forward block as a multiple of ``hidden_channels``.

        pe, pe_dim: positional encoding added to the encoder output (``None``,
            ``"laplacian"``: Laplacian eigenvectors, ``"random_walk"``: random-walk
            return probabilities; :mod:`oversmooth.models.encodings`) and its dimension.

    Taps: ``emit(0, encoder output)``, then ``emit(l, X^l)`` with each encoder layer's
    output (its LayerNorms are internal to the layer).
    """

    # No published setting for a plain transformer on Cora exists; ours mirrors GPS
    # (Planetoid recipe: lr 0.01, weight decay 5e-4, dropout 0.5; 4 heads, attention
    # dropout 0.5), 2 layers, 64 channels.
    defaults = {"hidden_channels": 64, "depth": 2, "dropout": 0.5, "heads": 4,
                "attn_dropout": 0.5, "lr": 0.01, "weight_decay": 0.0005, "epochs": 500,
                "patience": 100}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 depth: int, *, dropout: float = 0.5, heads: int = 4,
                 attn_dropout: float = 0.5, ffn_ratio: int = 2,
                 pe: str | None = None, pe_dim: int = 8) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth, heads=heads, ffn_ratio=ffn_ratio)
        dropout = check_probability("dropout", dropout)
        attn_dropout = check_probability("attn_dropout", attn_dropout)
        check_divisible(hidden_channels, "heads", heads)
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout = dropout
        self.enc = torch.nn.Linear(in_channels, hidden_channels)
        self.pe = PositionalEncoding(pe, pe_dim, hidden_channels)
        self.layers = torch.nn.ModuleList()
        for _ in range(depth):
            layer = torch.nn.TransformerEncoderLayer(
                hidden_channels, heads, dim_feedforward=ffn_ratio * hidden_channels,
                dropout=dropout, batch_first=True)
            layer.self_attn.dropout = attn_dropout  # attention-weight dropout on its own
            self.layers.append(layer)
        self.dec = torch.nn.Linear(hidden_channels, out_channels)

    def reset_parameters(self) -> None:
        self.enc.reset_parameters()
        self.dec.reset_parameters()
        self.pe.reset_parameters()
        for layer in self.layers:
            layer.self_attn.out_proj.reset_parameters()
            layer.self_attn._reset_parameters()  # in-projection; zeroes the biases as at construction
            for module in (layer.linear1, layer.linear2, layer.norm1, layer.norm2):
                module.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor | None = None) -> Tensor:
        check_input(self, x, edge_index, edges_optional=True)
        x = F.dropout(x, p=self.dropout, training=self.training)
        h = self.emit(0, self.pe(self.enc(x), edge_index))
        for k, layer in enumerate(self.layers, start=1):
            h = self.emit(k, layer(h.unsqueeze(0)).squeeze(0))  # one "sequence" of N nodes
        return self.dec(h)
