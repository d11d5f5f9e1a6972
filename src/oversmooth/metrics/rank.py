"""Rank collapse and over-correlation of the feature matrix."""

from __future__ import annotations

import torch
from torch import Tensor

from ._utils import CHUNK_ELEMENTS, check_x, float64

__all__ = ["numerical_rank", "effective_rank", "feature_correlation"]


def _scaled_gram(x: Tensor) -> Tensor:
    """Gram matrix of ``x / max|x|`` in float64: d x d (X^T X) or N x N when N < d.

    Scaling first keeps the squares representable for any input magnitude; the ranks
    are scale invariant.
    """
    top = float(x.detach().abs().max()) if x.numel() else 0.0
    if top == 0.0:
        return torch.zeros(0, 0, dtype=torch.float64, device=x.device)
    if x.size(0) < x.size(1):
        u = float64(x) / top
        return u @ u.T
    gram = torch.zeros(x.size(1), x.size(1), dtype=torch.float64, device=x.device)
    step = max(1, CHUNK_ELEMENTS // max(1, x.size(1)))
    for start in range(0, x.size(0), step):
        u = float64(x[start:start + step]) / top
        gram += u.T @ u
    return gram


def _eigenvalues(x: Tensor) -> Tensor:
    """Squared singular values of ``x / max|x|`` (clamped at 0), via the Gram matrix."""
    gram = _scaled_gram(x)
    if gram.numel() == 0:
        return torch.zeros(0, dtype=torch.float64, device=x.device)
    return torch.linalg.eigvalsh(gram).clamp_(min=0)


def numerical_rank(x: Tensor) -> float:
    r"""Numerical (stable) rank :math:`\|X\|_F^2 / \|X\|_2^2` (Rudelson & Vershynin 2007).

    Between 1 and :math:`\operatorname{rank}(X)`; not centred first (centring would hide
    a collapse to a single point). Oversmoothed (rank collapse, Roth & Liebig 2023):
    close to 1. Computed from the eigenvalues of the float64 Gram matrix of
    :math:`X/\max|X|` (d x d, O(N d^2)). Degenerate input: all-zero ``x`` gives 0.0.
    """
    return _numerical_rank(check_x(x))


def _numerical_rank(x: Tensor) -> float:
    ev = _eigenvalues(x)
    if ev.numel() == 0 or not bool(ev[-1] > 0):
        return 0.0
    return float(ev.sum() / ev[-1])


def effective_rank(x: Tensor) -> float:
    r"""Effective rank (Roy & Vetterli 2007): :math:`\exp(-\sum_k p_k \log p_k)`,
    :math:`p_k = \sigma_k / \sum_l \sigma_l`, with :math:`0 \log 0 = 0`.

    Between 1 and :math:`\operatorname{rank}(X)`; not centred first. Oversmoothed: close
    to 1. Singular values come from the eigenvalues of the float64 Gram matrix (d x d),
    so singular values below about :math:`10^{-8}\sigma_1` are not resolved (their weight
    in the entropy is below :math:`10^{-6}`). Degenerate input: all-zero ``x`` gives 0.0.
    """
    ev = _eigenvalues(check_x(x))
    sigma = ev.sqrt()
    total = sigma.sum()
    if not bool(total > 0):
        return 0.0
    p = sigma / total
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def feature_correlation(x: Tensor) -> float:
    r"""Over-correlation (Jin et al., KDD 2022, "Feature Overcorrelation in Deep Graph Neural
    Networks", DeCorr): mean absolute Pearson correlation over pairs of distinct columns.

    .. math:: \frac{2}{d'(d'-1)} \sum_{k < l} |\rho(X_{:k}, X_{:l})|

    over the :math:`d'` columns that are not constant (a constant column has no
    correlation and is dropped; decided exactly, max = min). Values in [0, 1]; high means
    redundant, over-correlated features. Note that full oversmoothing (every row equal)
    makes every column constant, which gives 0.0. Computed from the float64 d x d
    covariance of :math:`X/\max|X|`. Degenerate input: fewer than two non-constant
    columns give 0.0.
    """
    x = check_x(x)
    if x.size(0) < 2:
        return 0.0
    varying = (x.max(0).values != x.min(0).values).nonzero().squeeze(1)
    if varying.numel() < 2:
        return 0.0
    x = x.index_select(1, varying)
    top = float(x.abs().max())
    mean = torch.zeros(x.size(1), dtype=torch.float64, device=x.device)
    step = max(1, CHUNK_ELEMENTS // max(1, x.size(1)))
    for start in range(0, x.size(0), step):
        mean += (float64(x[start:start + step]) / top).sum(0)
    mean /= x.size(0)
    cov = torch.zeros(x.size(1), x.size(1), dtype=torch.float64, device=x.device)
    for start in range(0, x.size(0), step):
        u = float64(x[start:start + step]) / top - mean
        cov += u.T @ u
    std = cov.diagonal().sqrt()
    corr = (cov / (std.unsqueeze(1) * std.unsqueeze(0))).clamp_(-1.0, 1.0)
    k = corr.size(0)
    off = ~torch.eye(k, dtype=torch.bool, device=x.device)
    return float(corr[off].abs().mean())
