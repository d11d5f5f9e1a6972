"""Smoothness of backward signals (gradients with respect to layer outputs)."""

from __future__ import annotations

import torch
from torch import Tensor

from ._utils import check_graph, column_sums, scale_exponent, sharing, sq_norm, stage, unscale
from .defaults import BACKWARD_KEYS
from .energy import _energy
from .subspace import _distance

__all__ = ["backward_smoothness", "BACKWARD_KEYS"]


def _backward(grad: Tensor, edge_index: Tensor, keys=BACKWARD_KEYS) -> dict[str, float]:
    """The ``keys`` of :func:`backward_smoothness` (validated input)."""
    k = scale_exponent(grad)
    if k:  # the norms scale with the gradient, the relative measures not at all
        scaled = _backward(torch.ldexp(grad, torch.tensor(-k, device=grad.device)), edge_index, keys)
        return {key: unscale(v, k if key in ("grad_norm", "grad_mean_norm") else 0, key)
                for key, v in scaled.items()}
    with sharing():  # ||B||^2 and B in float64 once for every measure
        stage(grad)
        norm2 = float(sq_norm(grad))
        if norm2 == 0.0:
            return dict.fromkeys(keys, 0.0)
        measures = {
            "grad_norm": lambda: norm2 ** 0.5,
            "grad_energy_rel": lambda: _energy(grad, edge_index, "gcn", scale_free=True),
            "grad_subspace_rel": lambda: _distance(grad, edge_index, "gcn", relative=True) ** 2,
            "grad_mean_norm": lambda: float(torch.linalg.vector_norm(column_sums(grad) / grad.size(0))),
        }
        return {key: measures[key]() for key in keys}


def backward_smoothness(grad: Tensor, edge_index: Tensor) -> dict[str, float]:
    r"""How smooth a backward signal :math:`B = \partial L / \partial H` is over the graph.

    Keriven (2025, "Backward Oversmoothing: why is it hard to train deep Graph Neural
    Networks?", arXiv 2505.16736) shows that the errors :math:`B^{(k)}` oversmooth from the
    output back to the input. Returned keys (all floats):

    * ``grad_norm``: :math:`\|B\|_F`;
    * ``grad_energy_rel``: :math:`\operatorname{tr}(B^\top(I-P)B)/\|B\|_F^2`, the Rayleigh
      quotient of the GCN Laplacian (``dirichlet_energy(..., operator="gcn", scale_free=True)``), in
      [0, 2); 0 = perfectly smooth;
    * ``grad_subspace_rel``: :math:`d_{\mathcal M}(B)^2/\|B\|_F^2` (``"gcn"`` invariant subspace),
      the fraction of the gradient's energy outside :math:`\mathcal M`, in [0, 1]; 0 = smooth;
    * ``grad_mean_norm``: :math:`\|\frac1N 1^\top B\|_2`, the norm of the mean row (at the
      output layer, the mean output error that drives backward oversmoothing).

    Degenerate input: a zero gradient gives 0.0 for every key.
    """
    grad, edge_index = check_graph(grad, edge_index)
    return _backward(grad, edge_index)
