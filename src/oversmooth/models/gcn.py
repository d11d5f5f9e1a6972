"""GCN (Kipf & Welling, ICLR 2017) and its deep variants: ResGCN, DenseGCN (Li et al.,
ICCV 2019, as benchmarked by DropEdge), JKNet (Xu et al., ICML 2018).

.. math:: H^{(k)} = \\sigma\\big(\\hat A H^{(k-1)} W^{(k)}\\big),\\qquad
   \\hat A = \\tilde D^{-1/2}(A+I)\\tilde D^{-1/2}

All share :class:`~oversmooth.models.backbone.StackedGNN`; the GCN-only mitigations are
``initial_residual=alpha`` and ``identity_mapping=lambda`` (GCNII's two ingredients on a
plain GCN: :math:`\\hat A H \\to (1-\\alpha)\\hat A H + \\alpha H^{(1)}` and
:math:`W^{(k)} \\to (1-\\beta_k)I + \\beta_k W^{(k)}`, :math:`\\beta_k = \\log(\\lambda/k+1)`,
on the hidden-to-hidden layers) and ``dropmessage=p``. DropEdge is resampled on the
cached CSR operator (:class:`~oversmooth.graph.GraphOperator`).

Options that follow other published code: ``operator="rw"`` propagates with
:math:`\\tilde D^{-1}(A+I)` instead (DropEdge's ``--normalization AugRWalk``);
``init="pygcn"`` initialises every graph convolution and the linear head uniformly in
:math:`\\pm 1/\\sqrt{\\text{fan\\_out}}` (Kipf's pygcn, DropEdge's ``GraphConvolutionBS``)
instead of Glorot (``GCNConv``); ``input_dropout`` sets the dropout on the input features
apart from ``dropout`` (DropEdge's models drop none there: ``input_dropout=0``).
"""

from __future__ import annotations

import math
import warnings

from torch import Tensor

from ..graph import graph_operator
from .backbone import StackedGNN, check_probability
from .layers import GCNLayer, check_init, pygcn_uniform_

#: Propagation operators a GCN stack can use (DropEdge resamples either).
OPERATORS = ("gcn", "rw")

__all__ = ["GCN", "ResGCN", "DenseGCN", "JKNet"]


class GCN(StackedGNN):
    """Stacked graph convolutions; see the module docstring for the options."""

    defaults = dict(hidden_channels=16, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200,
                    patience=None)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, residual: bool = False, dense: bool = False,
                 jk: str | None = None, dropedge: float = 0.0, dropnode: float = 0.0,
                 dropmessage: float = 0.0, norm: str | None = None, norm_options: dict | None = None,
                 initial_residual: float = 0.0, identity_mapping: float | None = None,
                 input_dropout: float | None = None, operator: str = "gcn", init: str = "glorot",
                 adjacency: str | None = None) -> None:
        if adjacency is not None:
            warnings.warn("GCN(adjacency=...) is deprecated; use operator=...", DeprecationWarning, stacklevel=2)
            operator = adjacency
        if operator not in OPERATORS:
            raise ValueError(f"operator must be one of {', '.join(OPERATORS)}, got {operator!r}")
        self.operator, self.init = operator, check_init(init)
        self.initial_residual = check_probability("initial_residual", initial_residual) \
            if initial_residual is not True else 0.1
        if identity_mapping is True:
            identity_mapping = 0.5
        if identity_mapping is not None and identity_mapping is not False and identity_mapping <= 0:
            raise ValueError(f"identity_mapping is GCNII's lambda > 0, got {identity_mapping!r}")
        self.identity_mapping = identity_mapping or None
        self.dropmessage = check_probability("dropmessage", dropmessage)
        super().__init__(in_channels, hidden_channels, out_channels, depth, dropout=dropout,
                         residual=residual, dense=dense, jk=jk, dropedge=dropedge,
                         dropnode=dropnode, norm=norm, norm_options=norm_options,
                         input_dropout=input_dropout)
        if self.head is not None and self.init == "pygcn":
            pygcn_uniform_(self.head.weight, self.head.bias)

    def make_conv(self, k, in_width, out_channels, last):
        return GCNLayer(in_width, out_channels, init=self.init), out_channels

    def reset_parameters(self) -> None:
        super().reset_parameters()
        if self.head is not None and self.init == "pygcn":
            pygcn_uniform_(self.head.weight, self.head.bias)

    def graph(self, x: Tensor, edge_index: Tensor):
        cached = graph_operator(edge_index, x.shape[0], self.operator, x.dtype)
        return cached.dropped(self.dropedge) if self.training else cached.operator

    def first_input(self, x: Tensor):
        sparse = self._features(x)
        return x if sparse is None else sparse

    def conv(self, k: int, h, op, state: dict) -> Tensor:
        layer: GCNLayer = self.convs[k - 1]
        if k == 1 and not isinstance(h, Tensor):  # sparse features: dropout fused into X @ W
            hw = layer.transform(h, p=self.input_dropout, node_p=self.dropnode, training=self.training)
            return layer.aggregate(hw, op, self.dropmessage, self.training)
        h = self.drop(h, k)
        square = layer.in_channels == layer.out_channels and k > 1
        beta = math.log(self.identity_mapping / k + 1.0) if (self.identity_mapping and square) else None
        h0 = state.get("h0") if (self.initial_residual > 0 and k > 1 and not self.dense) else None
        if h0 is not None and h0.shape[1] != h.shape[1]:
            h0 = None
        return layer(h, op, h0=h0, alpha=self.initial_residual, beta=beta, message_p=self.dropmessage)


class ResGCN(GCN):
    """GCN with residual connections between hidden layers (``gcn`` with ``residual=True``)."""

    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=400,
                    patience=100)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, residual: bool = True,
                 **options) -> None:
        super().__init__(in_channels, hidden_channels, out_channels, depth, residual=residual, **options)


class DenseGCN(GCN):
    """GCN whose every layer reads all earlier layers' outputs (``gcn`` with ``dense=True``)."""

    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=400,
                    patience=100)

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, dense: bool = True,
                 **options) -> None:
        super().__init__(in_channels, hidden_channels, out_channels, depth, dense=dense, **options)


class JKNet(GCN):
    """Jumping-knowledge network: GCN layers whose outputs are aggregated by
    ``JumpingKnowledge(jk)`` (``cat``, ``max`` or ``lstm``) before a linear classifier."""

    defaults = dict(hidden_channels=64, dropout=0.5, lr=0.005, weight_decay=5e-4, epochs=400,
                    patience=100, jk="cat")

    def __init__(self, in_channels, hidden_channels, out_channels, depth, *, jk: str = "cat",
                 **options) -> None:
        if jk is None:
            raise ValueError("jknet needs jk in cat, max, lstm (use gcn for no aggregation)")
        super().__init__(in_channels, hidden_channels, out_channels, depth, jk=jk, **options)
