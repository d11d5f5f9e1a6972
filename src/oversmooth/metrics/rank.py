"""Rank collapse and over-correlation of the feature matrix."""

from __future__ import annotations

import torch
from torch import Tensor

from ._utils import blocks, check_x, float64, is_shared, rescaled, shared

__all__ = ["numerical_rank", "effective_rank", "feature_correlation", "rank_one_residual"]


class _Moments:
    r"""Column statistics of ``x / max|x|`` from two block passes (three for float64 input).

    ``top`` = max|x|; ``varying`` marks the non-constant columns (max != min, exact);
    ``mean`` the float64 column means and ``centred`` the float64 d x d matrix
    :math:`\sum_i (u_i - \bar u)(u_i - \bar u)^\top` of the scaled rows :math:`u_i = x_i/\max|x|`
    (two-pass, so accurate when the columns are nearly constant). The uncentred Gram
    matrix is ``centred + n mean mean^T``, a sum of two positive semi-definite terms.
    Scaling first keeps the squares representable for any input magnitude; every
    statistic built on these is scale invariant.
    """

    def __init__(self, x: Tensor) -> None:
        n, d = x.shape
        # float32 and narrower input cannot overflow float64 sums: sum while scanning for top
        early = x.dtype != torch.float64
        low = torch.full((d,), float("inf"), dtype=x.dtype, device=x.device)
        high = torch.full((d,), float("-inf"), dtype=x.dtype, device=x.device)
        total = torch.zeros(d, dtype=torch.float64, device=x.device)
        for rows in blocks(n, d):
            lo, hi = torch.aminmax(x[rows], dim=0)
            torch.minimum(low, lo, out=low)
            torch.maximum(high, hi, out=high)
            if early:
                total += x[rows].sum(0, dtype=torch.float64)
        self.n = n
        self.varying = high != low
        self.top = float(torch.maximum(low.abs(), high.abs()).max()) if d else 0.0
        self.centred = torch.zeros(d, d, dtype=torch.float64, device=x.device)
        if self.top == 0.0:
            self.mean = total
            return
        if not early:
            for rows in blocks(n, d):
                total += (x[rows] / self.top).sum(0)
            self.mean = total / n
        else:
            self.mean = total / self.top / n
        for rows in blocks(n, d):
            u = (float64(x[rows]) / self.top).sub_(self.mean)  # out of place: float64(x) may be x
            self.centred.addmm_(u.T, u)

    def gram(self) -> Tensor:
        return self.centred + self.n * torch.outer(self.mean, self.mean)


def _moments(x: Tensor) -> _Moments:
    return shared("moments", x, lambda: _Moments(x))


def _gram(x: Tensor) -> Tensor | None:
    r"""Float64 :math:`X^\top X` up to a positive factor (``None`` for an all-zero ``x``).

    Taken from :class:`_Moments` when ``compute`` already has them; otherwise one pass for
    float32 and narrower input (whose squares cannot overflow or underflow in float64) and
    a scaled :math:`(X/\max|X|)^\top (X/\max|X|)` for float64 input.
    """
    if is_shared("moments", x) or x.dtype == torch.float64:
        moments = _moments(x)
        return moments.gram() if moments.top != 0.0 else None
    gram = torch.zeros(x.size(1), x.size(1), dtype=torch.float64, device=x.device)
    for rows in blocks(x.size(0), x.size(1)):
        u = float64(x[rows])
        gram.addmm_(u.T, u)
    return gram if bool(gram.diagonal().sum() > 0) else None


def _eigenvalues(x: Tensor) -> Tensor:
    r"""Eigenvalues of a float64 Gram matrix of ``x`` (clamped at 0), up to a common factor.

    d x d (:math:`X^\top X`, shared with :func:`feature_correlation`), or N x N when N < d.
    """
    def compute():
        if x.size(0) < x.size(1):
            top = float(x.abs().max())
            u = float64(x) / top if top > 0 else None
            gram = u @ u.T if u is not None else None
        else:
            gram = _gram(x)
        if gram is None:
            return torch.zeros(0, dtype=torch.float64, device=x.device)
        return torch.linalg.eigvalsh(gram).clamp_(min=0)
    return shared("eigenvalues", x, compute)


@rescaled(0)
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


@rescaled(0)
def effective_rank(x: Tensor) -> float:
    r"""Effective rank (Roy & Vetterli 2007): :math:`\exp(-\sum_k p_k \log p_k)`,
    :math:`p_k = \sigma_k / \sum_l \sigma_l`, with :math:`0 \log 0 = 0`.

    Between 1 and :math:`\operatorname{rank}(X)`; not centred first. Oversmoothed: close
    to 1. Singular values come from the eigenvalues of the float64 Gram matrix (d x d),
    so singular values below about :math:`10^{-8}\sigma_1` are not resolved (their weight
    in the entropy is below :math:`10^{-6}`). Degenerate input: all-zero ``x`` gives 0.0.
    """
    return _effective_rank(check_x(x))


def _effective_rank(x: Tensor) -> float:
    ev = _eigenvalues(x)
    sigma = ev.sqrt()
    total = sigma.sum()
    if not bool(total > 0):
        return 0.0
    p = sigma / total
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


@rescaled(0)
def feature_correlation(x: Tensor) -> float:
    r"""Over-correlation (Jin et al., KDD 2022, "Feature Overcorrelation in Deep Graph Neural
    Networks", DeCorr): mean absolute Pearson correlation over pairs of distinct columns.

    .. math:: \frac{2}{d'(d'-1)} \sum_{k < l} |\rho(X_{:k}, X_{:l})|

    over the :math:`d'` columns that are not constant (a constant column has no
    correlation and is dropped; decided exactly, max = min). Values in [0, 1]; high means
    redundant, over-correlated features. Note that full oversmoothing (every row equal)
    makes every column constant, which gives 0.0. Computed from the float64 d x d
    covariance of :math:`X/\max|X|` (two passes over row blocks, shared with the ranks
    inside ``compute``). Degenerate input: fewer than two non-constant columns give 0.0.
    """
    return _feature_correlation(check_x(x))


def _feature_correlation(x: Tensor) -> float:
    if x.size(0) < 2:
        return 0.0
    moments = _moments(x)
    # a column can vary and still round to a constant once scaled: drop it too
    varying = (moments.varying & (moments.centred.diagonal() > 0)).nonzero().squeeze(1)
    if varying.numel() < 2:
        return 0.0
    cov = moments.centred.index_select(0, varying).index_select(1, varying)
    std = cov.diagonal().sqrt()
    corr = (cov / (std.unsqueeze(1) * std.unsqueeze(0))).clamp_(-1.0, 1.0)
    k = corr.size(0)
    off = ~torch.eye(k, dtype=torch.bool, device=x.device)
    return float(corr[off].abs().mean())


def rank_one_residual(x: Tensor) -> float:
    r"""Relative distance of ``x`` to the closest matrix with identical rows (rank collapse,
    Dong, Cordonnier & Loukas, ICML 2021):

    .. math::

        \mathrm{res}(X) = \min_{v} \frac{\|X - \mathbf 1 v^\top\|_F}{\|X\|_F}
                        = \frac{\|X - \mathbf 1 \bar x^\top\|_F}{\|X\|_F},

    the minimiser being the column mean :math:`\bar x` (Frobenius norm here; Dong et al.
    bound a composite :math:`\ell_{1,\infty}` norm, whose minimiser has no closed form).
    Between 0 (every row the same: collapsed) and 1 (zero column means). It applies to any
    layer, so attention and message passing are measured on the same footing. Float64,
    two passes over ``x / max|x|`` (O(N d)); all-zero ``x`` gives 0.0.
    """
    return _rank_one_residual(check_x(x))


def _rank_one_residual(x: Tensor) -> float:
    n, d = x.shape
    if n == 0 or d == 0:
        return 0.0
    top = float(x.abs().max())
    if top == 0.0 or not torch.isfinite(torch.tensor(top)):
        return 0.0 if top == 0.0 else float("nan")
    total = torch.zeros(d, dtype=torch.float64, device=x.device)
    for rows in blocks(n, d):
        total += float64(x[rows]).div(top).sum(0)
    mean = total / n
    dev = torch.zeros((), dtype=torch.float64, device=x.device)
    norm = torch.zeros((), dtype=torch.float64, device=x.device)
    for rows in blocks(n, d):
        u = float64(x[rows]) / top
        norm += u.square().sum()
        dev += (u - mean).square().sum()
    return float(torch.sqrt(dev / norm)) if norm > 0 else 0.0

