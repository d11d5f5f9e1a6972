r"""Graphormer (Ying et al., "Do Transformers Really Perform Bad for Graph
Representation?", NeurIPS 2021) on the nodes of one graph.

Global softmax attention over all ``N`` nodes with two structural encodings:

* **centrality encoding**: :math:`h_i^{(0)} = W_{\text{in}} x_i + z_{\deg(v_i)}`, a
  learnable vector per degree (undirected graphs: in-degree = out-degree; degrees above
  ``max_degree`` share the last vector);
* **spatial encoding**: the attention logits get a learnable bias per head indexed by
  the shortest-path distance :math:`\phi(v_i, v_j)` (clipped at ``max_distance``, one
  more index for unreachable pairs), shared by all layers:

.. math::

    A_{ij} = \frac{(h_i W_Q)(h_j W_K)^\top}{\sqrt{d}} + b_{\phi(v_i, v_j)}, \qquad
    h' = h + \mathrm{MHA}(\mathrm{LN}(h)), \qquad
    h'' = h' + \mathrm{FFN}(\mathrm{LN}(h')),

the pre-LN layer of the paper (FFN: two linear maps with GELU). Edge encodings of the
paper (edge features along shortest paths) are left out: the zoo's graphs carry none.

Cost: the ``N x N`` distance matrix (computed once per graph with scipy, cached) and
:math:`O(N^2\cdot\text{hidden})` attention per layer: Cora (N = 2708) fits; graphs with
tens of thousands of nodes do not.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..graph.structure import degree
from .backbone import check_divisible, check_input, check_probability, check_sizes
from .base import LayerTaps
from .encodings import shortest_paths

__all__ = ["Graphormer"]


class _Layer(torch.nn.Module):
    def __init__(self, channels: int, heads: int, dropout: float, attn_dropout: float, ffn_ratio: int) -> None:
        super().__init__()
        self.heads, self.dropout, self.attn_dropout = heads, dropout, attn_dropout
        self.norm1, self.norm2 = torch.nn.LayerNorm(channels), torch.nn.LayerNorm(channels)
        self.qkv = torch.nn.Linear(channels, 3 * channels)
        self.out = torch.nn.Linear(channels, channels)
        self.ffn = torch.nn.Sequential(torch.nn.Linear(channels, ffn_ratio * channels), torch.nn.GELU(),
                                       torch.nn.Linear(ffn_ratio * channels, channels))

    def reset_parameters(self) -> None:
        for m in (self.norm1, self.norm2, self.qkv, self.out, self.ffn[0], self.ffn[2]):
            m.reset_parameters()

    def forward(self, h: Tensor, bias: Tensor) -> Tensor:
        n, c = h.shape
        q, k, v = self.qkv(self.norm1(h)).view(n, 3, self.heads, c // self.heads).permute(1, 2, 0, 3)
        att = F.scaled_dot_product_attention(q[None], k[None], v[None], attn_mask=bias[None],
                                             dropout_p=self.attn_dropout if self.training else 0.0)
        h = h + F.dropout(self.out(att[0].transpose(0, 1).reshape(n, c)), self.dropout, self.training)
        return h + F.dropout(self.ffn(self.norm2(h)), self.dropout, self.training)


class Graphormer(LayerTaps):
    r"""Linear encoder + degree (centrality) embedding, ``depth`` Graphormer layers with
    shortest-path attention bias, final LayerNorm, linear decoder.

    Args:
        in_channels, hidden_channels, out_channels: encoder / model width / decoder.
            ``hidden_channels`` must be divisible by ``heads``.
        depth: number of Graphormer layers (>= 1).
        dropout: on the input features and on each residual branch.
        heads: attention heads.
        attn_dropout: dropout on the attention weights.
        max_distance: shortest-path distances above it share one bias (unreachable: one more).
        max_degree: degrees above it share one centrality vector.
        ffn_ratio: width of the feed-forward block as a multiple of ``hidden_channels``.

    Taps: ``emit(0, encoder output with centrality encoding)``, then ``emit(l, X^l)`` with
    each layer's output (the residual stream).
    """

    # No published Graphormer setting for Cora exists (the paper benchmarks graph-level
    # tasks). Ours mirrors the zoo's GPS and transformer: the Planetoid recipe (lr 0.01,
    # weight decay 5e-4, dropout 0.5), 4 heads, attention dropout 0.5, 2 layers, 64 channels.
    defaults = {"hidden_channels": 64, "depth": 2, "dropout": 0.5, "heads": 4, "attn_dropout": 0.5,
                "lr": 0.01, "weight_decay": 0.0005, "epochs": 500, "patience": 100}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, heads: int = 4, attn_dropout: float = 0.5, max_distance: int = 10,
                 max_degree: int = 64, ffn_ratio: int = 2) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth, heads=heads, ffn_ratio=ffn_ratio,
                    max_distance=max_distance, max_degree=max_degree)
        dropout = check_probability("dropout", dropout)
        attn_dropout = check_probability("attn_dropout", attn_dropout)
        check_divisible(hidden_channels, "heads", heads)
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout, self.heads = dropout, heads
        self.max_distance, self.max_degree = max_distance, max_degree
        self.enc = torch.nn.Linear(in_channels, hidden_channels)
        self.centrality = torch.nn.Embedding(max_degree + 1, hidden_channels)
        self.spatial = torch.nn.Embedding(max_distance + 2, heads)
        self.layers = torch.nn.ModuleList(_Layer(hidden_channels, heads, dropout, attn_dropout, ffn_ratio)
                                          for _ in range(depth))
        self.norm = torch.nn.LayerNorm(hidden_channels)
        self.dec = torch.nn.Linear(hidden_channels, out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.enc.reset_parameters()
        self.dec.reset_parameters()
        self.norm.reset_parameters()
        torch.nn.init.normal_(self.centrality.weight, std=0.02)
        torch.nn.init.zeros_(self.spatial.weight)
        for layer in self.layers:
            layer.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        n = x.size(0)
        deg = degree(edge_index, n).round().long().clamp(max=self.max_degree).to(x.device)
        spd = shortest_paths(edge_index, n, self.max_distance).to(x.device)
        bias = self.spatial(spd).permute(2, 0, 1).to(x.dtype)  # [heads, N, N], shared by the layers
        x = F.dropout(x, p=self.dropout, training=self.training)
        h = self.emit(0, self.enc(x) + self.centrality(deg).to(x.dtype))
        for k, layer in enumerate(self.layers, start=1):
            h = self.emit(k, layer(h, bias))
        return self.dec(self.norm(h))
