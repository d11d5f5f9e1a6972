"""Lean layers on the cached CSR operator, and the normalisation layers of the zoo.

:class:`GCNLayer` is mathematically ``torch_geometric.nn.GCNConv`` and :class:`GCNIILayer`
is ``torch_geometric.nn.GCN2Conv`` (same parameters, same initialisation, same output up
to float rounding: ``tests/models/test_layers.py`` checks both numerically). They exist
because PyG's layers re-enter the message-passing machinery on every call and, with a
sparse adjacency, let autograd transpose it in every backward pass: a 64-layer GCN epoch
on Cora spends most of its time there (see ``bench/train_speed.py``). Everything else
(PairNorm, DiffGroupNorm, BatchNorm, LayerNorm, JumpingKnowledge, GATConv, SAGEConv,
GINConv, the initialisers) is PyG's.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.nn import BatchNorm, DiffGroupNorm, LayerNorm, PairNorm
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.nn.inits import glorot

from ..graph import SparseOperator, spmm
from .ops import SparseFeatures, dropout

__all__ = ["GCNLayer", "GCNIILayer", "make_norm", "NORMS", "PairNormSCS", "MeanNorm", "INITS",
           "check_init", "pygcn_uniform_"]


class GCNLayer(nn.Module):
    r"""Graph convolution (Kipf & Welling, ICLR 2017), as ``GCNConv(cached=True)``:

    .. math:: H' = \hat A\, H W + b,\qquad \hat A = \tilde D^{-1/2}(A+I)\tilde D^{-1/2}.

    Options used by the mitigations of :class:`~oversmooth.models.gcn.GCN`:
    ``h0, alpha`` (initial residual, GCNII): :math:`((1-\alpha)\hat A H + \alpha H_0) W + b`;
    ``beta`` (identity mapping, GCNII): :math:`W` becomes :math:`(1-\beta) I + \beta W`;
    ``message_p`` (DropMessage, Fang et al. AAAI 2023): every entry of every message
    :math:`\hat A_{ij}(HW)_{j}` is dropped with probability ``p`` and the kept ones scaled by
    :math:`1/(1-p)`, during training.

    ``init``: ``"glorot"`` (``GCNConv``'s: Glorot-uniform weight, zero bias) or ``"pygcn"``
    (Kipf's pygcn and the DropEdge code: weight and bias uniform in
    :math:`\pm 1/\sqrt{\text{out\_channels}}`, see :func:`pygcn_uniform_`).
    """

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True, init: str = "glorot") -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.init = check_init(init)
        self.lin = Linear(in_channels, out_channels, bias=False, weight_initializer="glorot")
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.init == "pygcn":
            pygcn_uniform_(self.lin.weight, self.bias)
            return
        self.lin.reset_parameters()
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def transform(self, h, beta: float | None = None, p: float = 0.0, node_p: float = 0.0,
                  training: bool = False) -> Tensor:
        """``dropout(h) @ W`` (``h`` dense or :class:`SparseFeatures`, whose dropout is fused)."""
        if isinstance(h, SparseFeatures):
            return h.linear(self.lin.weight, p, node_p, training)
        if beta is not None:
            return (1.0 - beta) * h + beta * (h @ self.lin.weight.t())
        return h @ self.lin.weight.t()

    def aggregate(self, hw: Tensor, op: SparseOperator, message_p: float = 0.0,
                  training: bool = False) -> Tensor:
        if message_p > 0.0 and training:
            a = op.matrix
            row = torch.repeat_interleave(torch.arange(a.shape[0], device=hw.device),
                                          a.crow_indices().diff())
            messages = dropout(hw[a.col_indices()] * a.values().unsqueeze(-1), message_p)
            out = hw.new_zeros(a.shape[0], hw.shape[1]).index_add_(0, row, messages)
        else:
            out = spmm(op, hw)
        return out if self.bias is None else out + self.bias

    def forward(self, h: Tensor, op: SparseOperator, h0: Tensor | None = None, alpha: float = 0.0,
                beta: float | None = None, message_p: float = 0.0) -> Tensor:
        if h0 is not None and alpha > 0.0:
            # propagate first: the initial residual mixes before the weight
            mixed = (1.0 - alpha) * spmm(op, h) + alpha * h0
            out = self.transform(mixed, beta)
            return out if self.bias is None else out + self.bias
        return self.aggregate(self.transform(h, beta), op, message_p, self.training)


#: ``init=`` values of :class:`GCNLayer` (and of the GCN family's options).
INITS = ("glorot", "pygcn")


def check_init(init: str) -> str:
    """``init`` if it is one of :data:`INITS`, else a ValueError listing them."""
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    return init


@torch.no_grad()
def pygcn_uniform_(weight: Tensor, bias: Tensor | None = None) -> None:
    r"""In place: ``weight`` (``[out, in]``, as in ``nn.Linear``) and ``bias`` uniform in
    :math:`\pm 1/\sqrt{\text{out}}`, the initialisation of Kipf's pygcn ``GraphConvolution``
    and of DropEdge's ``GraphConvolutionBS`` (``src/layers.py``). Unlike Glorot's, the bound
    depends on the output width only: a classifier layer with few outputs starts large."""
    bound = 1.0 / math.sqrt(weight.shape[0])
    weight.uniform_(-bound, bound)
    if bias is not None:
        bias.uniform_(-bound, bound)


class GCNIILayer(nn.Module):
    r"""GCNII layer (Chen et al., ICML 2020), as ``GCN2Conv(alpha, theta, layer)``:

    .. math:: H' = \big((1-\alpha)\hat A H + \alpha H_0\big)\big((1-\beta_\ell) I + \beta_\ell W\big),
       \qquad \beta_\ell = \log(\theta/\ell + 1).

    ``shared_weights=False`` is GCNII*: :math:`(1-\alpha)\hat A H((1-\beta)I+\beta W_1) +
    \alpha H_0((1-\beta)I+\beta W_2)`. No bias, Glorot-initialised weights, like PyG.
    """

    def __init__(self, channels: int, alpha: float, theta: float, layer: int,
                 shared_weights: bool = True) -> None:
        super().__init__()
        self.channels, self.alpha = channels, alpha
        self.beta = math.log(theta / layer + 1.0)
        self.weight1 = nn.Parameter(torch.empty(channels, channels))
        self.weight2 = None if shared_weights else nn.Parameter(torch.empty(channels, channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        glorot(self.weight1)
        if self.weight2 is not None:
            glorot(self.weight2)

    def forward(self, h: Tensor, h0: Tensor, op: SparseOperator, h0_scaled: Tensor | None = None) -> Tensor:
        """``h0_scaled`` may pass ``alpha * h0`` computed once for all layers (saves one op each)."""
        b = self.beta
        x0 = self.alpha * h0 if h0_scaled is None else h0_scaled
        if self.weight2 is None:
            s = torch.add(x0, spmm(op, h), alpha=1.0 - self.alpha)
            return torch.addmm(s, s, self.weight1, beta=1.0 - b, alpha=b)
        x = (1.0 - self.alpha) * spmm(op, h)
        return (torch.addmm(x, x, self.weight1, beta=1.0 - b, alpha=b)
                + torch.addmm(x0, x0, self.weight2, beta=1.0 - b, alpha=b))


class PairNormSCS(nn.Module):
    r"""PairNorm's PN-SCS variant (Zhao & Akoglu, ICLR 2020):
    :math:`x_i \leftarrow s\, x_i / \lVert x_i \rVert - \frac1n\sum_j x_j` (scale each row, then
    centre by the mean of the *input* rows, as in the authors' code). PyG has PN and PN-SI only.
    """

    def __init__(self, scale: float = 1.0, eps: float = 1e-6) -> None:
        super().__init__()
        self.scale, self.eps = scale, eps

    def forward(self, x: Tensor) -> Tensor:
        mean = x.mean(dim=0, keepdim=True)
        norm = (self.eps + x.pow(2).sum(dim=1, keepdim=True)).sqrt()
        return self.scale * x / norm - mean


class MeanNorm(nn.Module):
    r"""MeanNorm (Zhou et al., "Understanding and Resolving Performance Degradation in Deep
    GNNs", CIKM 2021): subtract the mean over nodes of every feature, :math:`x_i - \frac1n\sum_j x_j`."""

    def forward(self, x: Tensor) -> Tensor:
        return x - x.mean(dim=0, keepdim=True)


class _Unbatched(nn.Module):
    """Call a PyG norm that takes ``(x, batch)`` with one graph."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def reset_parameters(self) -> None:
        if hasattr(self.module, "reset_parameters"):
            self.module.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        return self.module(x)


#: ``norm=`` values and what they build for a layer of width ``c``.
NORMS = {
    "batch": lambda c, o: BatchNorm(c),
    "pair": lambda c, o: _Unbatched(PairNorm(scale=o.get("pair_scale", 1.0))),           # PN
    "pair-si": lambda c, o: _Unbatched(PairNorm(scale=o.get("pair_scale", 1.0), scale_individually=True)),
    "pair-scs": lambda c, o: PairNormSCS(scale=o.get("pair_scale", 1.0)),
    # NodeNorm (Zhou et al. 2021): each node's features standardised over its own channels
    "node": lambda c, o: _Unbatched(LayerNorm(c, affine=False, mode="node")),
    "mean": lambda c, o: MeanNorm(),
    "group": lambda c, o: DiffGroupNorm(c, groups=o.get("groups", 10), lamda=o.get("group_lambda", 0.01)),
}
_ALIASES = {"pn": "pair", "pn-si": "pair-si", "pn-scs": "pair-scs", "bn": "batch", "nodenorm": "node",
            "diffgroup": "group", "diffgroupnorm": "group"}


def make_norm(name: str | None, channels: int, **options) -> nn.Module | None:
    """A normalisation layer by name (see :data:`NORMS`), or ``None`` for ``name=None``."""
    if name is None or name == "none":
        return None
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in NORMS:
        raise ValueError(f"unknown norm {name!r}; known: {', '.join(NORMS)} (PN = pair)")
    return NORMS[key](channels, options)
