"""The stacked message-passing backbone shared by ``gcn``, ``resgcn``, ``densegcn``,
``jknet``, ``gat``, ``sage`` and ``gin``, with the depth-independent mitigations as options.

Layer ``k`` (``k = 1 .. depth``) computes, from its input ``h`` (the raw features for
``k = 1``; with ``dense=True`` the concatenation of all earlier layer outputs)::

    z_k = conv_k(dropnode(dropout(h)))          # emitted as layer k (input_dropout for k = 1)
    h_k = act(norm(z_k)) [+ h_{k-1} if residual]  # not for the output layer

The last convolution maps to the classes unless ``jk`` or ``dense`` is set: then every
convolution is hidden-sized and a linear head reads ``JumpingKnowledge(h_1 .. h_depth)``
(``dense`` alone: the concatenation, as in DenseGCN).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import JumpingKnowledge
from torch_geometric.utils import dropout_edge

from ..graph.validate import check_edge_index
from .base import LayerTaps
from .layers import make_norm
from .ops import FeatureCache, dropout

__all__ = ["StackedGNN", "check_sizes", "check_probability", "check_input"]

JK_MODES = ("cat", "max", "lstm")


def check_sizes(in_channels: int, hidden_channels: int, out_channels: int, depth: int,
                **more: int) -> None:
    """Every size (and every extra named one, e.g. ``heads=4``) is an integer >= 1."""
    sizes = dict(in_channels=in_channels, hidden_channels=hidden_channels,
                 out_channels=out_channels, depth=depth, **more)
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def check_divisible(hidden_channels: int, name: str, value: int, what: str | None = None) -> None:
    """``hidden_channels`` splits evenly into ``value`` parts (attention heads, sheaf stalks)."""
    if hidden_channels % value:
        raise ValueError(f"hidden_channels ({hidden_channels}) must be divisible by "
                         f"{what or name} ({value})")


def mlp_encode(x: Tensor, lin1: nn.Module, lin2: nn.Module, p: float, training: bool) -> Tensor:
    """The two-layer MLP that decoupled models (DAGNN, GPR-GNN) apply before propagating:
    ``lin2(dropout(relu(lin1(dropout(x)))))``."""
    x = F.dropout(x, p=p, training=training)
    x = F.dropout(F.relu(lin1(x)), p=p, training=training)
    return lin2(x)


def check_probability(name: str, p: float) -> float:
    """``p`` as a float in [0, 1) (a dropout-like rate)."""
    if not 0.0 <= float(p) < 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1), got {p!r}")
    return float(p)


def check_input(model, x: Tensor, edge_index: Tensor | None, edges_optional: bool = False) -> None:
    """``x`` is ``[num_nodes, model.in_channels]`` and ``edge_index`` an integer ``[2, E]``
    tensor of node indices in ``[0, num_nodes)``: a ValueError instead of torch's IndexError,
    or a silently wrong gather, deep inside a layer. ``edges_optional``: the model ignores
    the graph (MLP, Transformer), so ``edge_index=None`` is fine; a given one is still checked."""
    if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != model.in_channels:
        shape = list(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"{type(model).__name__} expects features of shape [num_nodes, "
                         f"{model.in_channels}], got {shape}")
    if edge_index is None and not edges_optional:
        raise ValueError(f"{type(model).__name__} needs an edge_index of shape [2, num_edges], got None")
    if edge_index is not None:
        check_edge_index(edge_index, x.shape[0])


class StackedGNN(LayerTaps):
    """Base class: subclasses provide :meth:`make_conv` and :meth:`conv`."""

    defaults: dict = {}
    #: activation between layers (GAT uses ELU)
    act = staticmethod(F.relu)

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, depth: int, *,
                 dropout: float = 0.5, residual: bool = False, dense: bool = False,
                 jk: str | None = None, dropedge: float = 0.0, dropnode: float = 0.0,
                 norm: str | None = None, norm_options: dict | None = None,
                 input_dropout: float | None = None) -> None:
        super().__init__()
        check_sizes(in_channels, hidden_channels, out_channels, depth)
        if jk is not None and jk not in JK_MODES:
            raise ValueError(f"jk must be one of {', '.join(JK_MODES)}, got {jk!r}")
        self.in_channels, self.hidden_channels, self.out_channels = in_channels, hidden_channels, out_channels
        self.depth, self.residual, self.dense, self.jk = depth, bool(residual), bool(dense), jk
        self.dropout = check_probability("dropout", dropout)
        # dropout on the input features, layer 1's input (None: the same as ``dropout``)
        self.input_dropout = self.dropout if input_dropout is None else \
            check_probability("input_dropout", input_dropout)
        self.dropedge = check_probability("dropedge", dropedge)
        self.dropnode = check_probability("dropnode", dropnode)
        self.has_head = jk is not None or self.dense
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        widths = [in_channels]
        for k in range(1, depth + 1):
            last = k == depth and not self.has_head
            width_in = sum(widths[1:]) if (self.dense and k > 1) else widths[-1]
            conv, width = self.make_conv(k, width_in, out_channels if last else hidden_channels, last)
            self.convs.append(conv)
            widths.append(width)
            norm_layer = None if last else make_norm(norm, width, **(norm_options or {}))
            self.norms.append(norm_layer if norm_layer is not None else nn.Identity())
        self.norm = norm
        self.head = None
        if self.has_head:
            width = widths[-1]
            if jk is not None:
                self.jk_layer = JumpingKnowledge(jk, channels=width, num_layers=depth)
                head_in = width * depth if jk == "cat" else width
            else:
                self.jk_layer, head_in = None, sum(widths[1:])
            self.head = nn.Linear(head_in, out_channels)
        self._features = FeatureCache()

    # -- to override ---------------------------------------------------------------------------
    def make_conv(self, k: int, in_width: int, out_channels: int, last: bool) -> tuple[nn.Module, int]:
        """The ``k``-th convolution and the width of its output."""
        raise NotImplementedError

    def graph(self, x: Tensor, edge_index: Tensor):
        """Per-forward graph context handed to :meth:`conv` (default: the edge index,
        DropEdge-resampled in training with PyG's ``dropout_edge``)."""
        if self.training and self.dropedge > 0.0:
            edge_index, _ = dropout_edge(edge_index, p=self.dropedge, force_undirected=True)
        return edge_index

    def conv(self, k: int, h: Tensor, graph, state: dict) -> Tensor:
        raise NotImplementedError

    def first_input(self, x: Tensor):
        """What layer 1 receives before dropout (dense ``x`` by default)."""
        return x

    # ------------------------------------------------------------------------------------------
    def reset_parameters(self) -> None:
        for module in list(self.convs) + list(self.norms) + [self.head, getattr(self, "jk_layer", None)]:
            if module is not None and hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def drop(self, h: Tensor, k: int | None = None) -> Tensor:
        """Dropout and DropNode on the input of layer ``k`` (``input_dropout`` for ``k = 1``)."""
        h = dropout(h, self.input_dropout if k == 1 else self.dropout, self.training)
        if self.training and self.dropnode > 0.0:
            keep = torch.rand(h.shape[0], 1, device=h.device, dtype=h.dtype) >= self.dropnode
            h = h * keep / (1.0 - self.dropnode)
        return h

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        check_input(self, x, edge_index)
        graph = self.graph(x, edge_index)
        outputs: list[Tensor] = []
        state: dict = {}
        h = self.first_input(x)
        for k in range(1, self.depth + 1):
            z = self.conv(k, h, graph, state)
            self.emit(k, z)
            if k == self.depth and not self.has_head:
                return z
            out = self.act(self.norms[k - 1](z))
            if self.residual and k > 1 and not self.dense and out.shape == h.shape:
                out = out + h
            if k == 1:
                state["h0"] = out
            outputs.append(out)
            h = torch.cat(outputs, dim=-1) if self.dense else out
        if self.jk_layer is not None:
            h = self.jk_layer(outputs)
        else:
            h = torch.cat(outputs, dim=-1)
        return self.head(dropout(h, self.dropout, self.training))
