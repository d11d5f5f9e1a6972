r"""GraphGPS (Rampášek, Galkin, Dwivedi, Luu, Wolf & Beaini, NeurIPS 2022).

"Recipe for a General, Powerful, Scalable Graph Transformer",
https://arxiv.org/abs/2205.12505; built from PyG's ``GPSConv``.

Every layer runs a local message-passing layer and global multi-head self-attention
over all nodes in parallel, sums them and applies a feed-forward block:

.. math::

    X_M &= \mathrm{Norm}\big(X^{\ell} + \mathrm{Dropout}(\mathrm{MPNN}(X^{\ell}, A))\big), \qquad
    X_T = \mathrm{Norm}\big(X^{\ell} + \mathrm{Dropout}(\mathrm{MHA}(X^{\ell}))\big),\\
    X^{\ell+1} &= \mathrm{Norm}\big(X_M + X_T + \mathrm{MLP}(X_M + X_T)\big).

The MPNN is a GCN layer (``local="gcn"``, on the cached
:math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}`) or a GIN layer (``local="gin"``, sum
aggregation with a 2-layer MLP). The attention sees every pair of nodes, so each layer
costs :math:`O(N^2 \cdot \text{hidden})` time; PyTorch's fused attention kernels keep
memory :math:`O(N \cdot \text{hidden})` where they apply and fall back to the
:math:`O(\text{heads} \cdot N^2)` attention matrix otherwise (about 117 MB per layer
for Cora with 4 heads in float32). Positional/structural encodings of the paper are
not included: features enter through a linear encoder only.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GCNConv, GINConv, GPSConv

from ..graph import graph_operator
from .backbone import check_divisible, check_input, check_probability, check_sizes
from .base import LayerTaps
from .encodings import PositionalEncoding

__all__ = ["GPS"]

_LOCALS = ("gcn", "gin")
_NORMS = ("batch_norm", "layer_norm", None)


class GPS(LayerTaps):
    r"""Linear encoder, ``depth`` ``GPSConv`` layers, linear decoder.

    Args:
        in_channels, hidden_channels, out_channels: encoder / layer width / decoder.
            ``hidden_channels`` must be divisible by ``heads``.
        depth: number of GPS layers (>= 1).
        dropout: on the input features and inside each layer (after MPNN, attention
            and MLP, as in ``GPSConv``).
        heads: attention heads.
        attn_dropout: dropout on the attention weights.
        local: ``"gcn"`` or ``"gin"`` message-passing layer.
        norm: ``"batch_norm"`` (GPSConv's default), ``"layer_norm"`` or ``None``.

        pe, pe_dim: positional encoding added to the encoder output (``None``,
            ``"laplacian"``: Laplacian eigenvectors, ``"random_walk"``: random-walk
            return probabilities; :mod:`oversmooth.models.encodings`) and its dimension.

    Taps: ``emit(0, encoder output)``, then ``emit(l, X^l)`` with each ``GPSConv``
    output; its normalisations are internal to the layer, so the emitted tensor is
    the layer's output as the next layer sees it.
    """

    # No published GPS setting for Cora exists (the paper benchmarks graph-level and
    # large node-level tasks). Ours: the Planetoid recipe of Kipf & Welling (lr 0.01,
    # weight decay 5e-4, dropout 0.5) with PyG's examples/graph_gps.py attention
    # settings (4 heads, attention dropout 0.5), 2 layers, 64 channels.
    defaults = {"hidden_channels": 64, "depth": 2, "dropout": 0.5, "heads": 4,
                "attn_dropout": 0.5, "local": "gcn", "lr": 0.01, "weight_decay": 0.0005,
                "epochs": 500, "patience": 100}

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 depth: int, *, dropout: float = 0.5, heads: int = 4,
                 attn_dropout: float = 0.5, local: str = "gcn",
                 norm: str | None = "batch_norm",
                 pe: str | None = None, pe_dim: int = 8) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth, heads=heads)
        dropout = check_probability("dropout", dropout)
        attn_dropout = check_probability("attn_dropout", attn_dropout)
        check_divisible(hidden_channels, "heads", heads)
        if local not in _LOCALS:
            raise ValueError(f"unknown local {local!r}; known: {', '.join(_LOCALS)}")
        if norm not in _NORMS:
            raise ValueError(f"unknown norm {norm!r}; known: batch_norm, layer_norm, None")
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        self.dropout, self.local = dropout, local
        self.enc = torch.nn.Linear(in_channels, hidden_channels)
        self.pe = PositionalEncoding(pe, pe_dim, hidden_channels)
        self.layers = torch.nn.ModuleList(
            GPSConv(hidden_channels, self._local_layer(hidden_channels), heads=heads,
                    dropout=dropout, norm=norm, attn_kwargs={"dropout": attn_dropout})
            for _ in range(depth))
        self.dec = torch.nn.Linear(hidden_channels, out_channels)

    def _local_layer(self, channels: int):
        if self.local == "gcn":  # normalisation comes from the cached operator
            return GCNConv(channels, channels, normalize=False)
        mlp = torch.nn.Sequential(torch.nn.Linear(channels, channels), torch.nn.ReLU(),
                                  torch.nn.Linear(channels, channels))
        return GINConv(mlp)

    def reset_parameters(self) -> None:
        self.enc.reset_parameters()
        self.dec.reset_parameters()
        self.pe.reset_parameters()
        for layer in self.layers:
            layer.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        graph = (graph_operator(edge_index, x.size(0), "gcn", x.dtype).matrix if self.local == "gcn"
                 else edge_index)
        x = F.dropout(x, p=self.dropout, training=self.training)
        h = self.emit(0, self.pe(self.enc(x), edge_index))
        for k, layer in enumerate(self.layers, start=1):
            h = self.emit(k, layer(h, graph))
        return self.dec(h)
