"""Cosine similarity of node representations, and the unit-row machinery MAD and SMV share."""

from __future__ import annotations

import torch
from torch import Tensor

from ._utils import blocks, check_x, column_sums, float64, generator, rescaled, row_blocks, shared, sum_squares

__all__ = ["mean_cosine_similarity", "MAX_EXACT", "NUM_SAMPLES", "NUM_SOURCES"]

#: Above this many rows the O(N^2) metrics switch to their sampled estimate.
MAX_EXACT = 4096
#: Number of sampled pairs for the pair-sampling estimates.
NUM_SAMPLES = 200_000
#: Number of sampled source nodes for the sampled hop-masked MAD.
NUM_SOURCES = 64

_BLOCK_ELEMENTS = 1 << 22  # entries of one block of a pairwise matrix


def _unit_rows(x: Tensor) -> Tensor:
    """Float64 unit-norm copies of the non-zero rows (zero rows have no direction: dropped)."""
    x64 = float64(x)
    norms = torch.linalg.vector_norm(x64, dim=1)
    keep = norms > 0
    return (x64[keep] / norms[keep].unsqueeze(1)) + 0.0  # + 0.0 turns -0.0 into +0.0


def _centred_sq_sum_blocked(x: Tensor) -> Tensor:
    r""":math:`\sum_i \|x_i - \bar x\|^2` in float64 by two passes over row blocks (no N x d copy)."""
    mean = column_sums(x) / x.size(0)
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    for rows in blocks(x.size(0), x.size(1)):
        total += sum_squares(float64(x[rows]) - mean)
    return total


def _unit_block(x: Tensor) -> tuple[Tensor, Tensor | None]:
    """``(unit rows of the non-zero rows, mask of the non-zero rows or None if all)`` of a block.

    Float64. The one definition of a unit row: every pass recomputes identical bits from it.
    """
    x64 = float64(x)
    norms = torch.linalg.vector_norm(x64, dim=1)
    keep = norms > 0
    if bool(keep.all()):
        return x64 / norms.unsqueeze(1), None
    return x64[keep] / norms[keep].unsqueeze(1), keep


# 1 - cos at or above this (in the mean over pairs) is computed from the mean unit row alone
# (S = n (1 - ||mean||^2)), whose subtraction magnifies float64 rounding at most 2^16 times;
# nearer 1 the shifted squares are summed in a second pass.
FAST_SPREAD = 2.0 ** -16


class _UnitStats:
    r"""Count ``n``, mean unit row and :math:`S = \sum_i \|u_i - \bar u\|^2` of the non-zero rows.

    One pass over row blocks gives ``n`` and :math:`\bar u` (row norms and a matrix-vector
    product, no N x d intermediate) and, when the rows are not nearly parallel,
    :math:`S = n(1 - \|\bar u\|^2)`: with :math:`S \ge 2^{-16} n` its relative error stays
    below about :math:`2^{16}(6\epsilon + 2\gamma)` (:math:`\gamma` the rounding of one
    block's sums: about 1e-7 at worst, 1e-12 typically). Otherwise a second pass sums
    :math:`\|u_i - c\|^2 - n\|\bar u - c\|^2` with :math:`c` the mean of the first block's unit
    rows (:math:`k` rows): since :math:`n\|\bar u - c\|^2 \le (n/k) S`, that subtraction loses at
    most a factor :math:`1 + n/k` of float64 accuracy (none when the rows fit in one block), so
    :math:`S` stays accurate when every row points the same way.
    """

    def __init__(self, x: Tensor) -> None:
        total = torch.zeros(x.size(1), dtype=torch.float64, device=x.device)
        self.n = 0
        for block in row_blocks(x):
            x64 = float64(block)
            norms = torch.linalg.vector_norm(x64, dim=1)
            nonzero = norms > 0
            self.n += int(nonzero.sum())
            total.addmv_(x64.T, torch.where(nonzero, norms.reciprocal(), 0.0))
        self.mean = total / max(self.n, 1)
        spread = self.n * (1.0 - torch.dot(self.mean, self.mean))
        self.total = spread if bool(spread >= FAST_SPREAD * self.n) and self.n > 1 else self._shifted_sum(x)

    def _shifted_sum(self, x: Tensor) -> Tensor:
        shifted = torch.zeros((), dtype=torch.float64, device=x.device)
        total = torch.zeros(x.size(1), dtype=torch.float64, device=x.device)
        shift = None
        for block in row_blocks(x):
            u, _ = _unit_block(block)
            if u.size(0) == 0:
                continue
            total += u.sum(0)
            if shift is None:
                shift = total / u.size(0)
            shifted += sum_squares(u.sub_(shift))
        if shift is None:
            return shifted
        # the mean of these very unit rows (not the first pass's), so that the correction cancels exactly
        return (shifted - self.n * torch.linalg.vector_norm(total / self.n - shift).square()).clamp_(min=0)


def _unit_stats(x: Tensor) -> _UnitStats:
    return shared("unit_stats", x, lambda: _UnitStats(x))


# --------------------------------------------------------------------------- cosine / MAD
@rescaled(0)
def mean_cosine_similarity(x: Tensor, exclude_self: bool = True) -> float:
    r"""Mean cosine similarity over ordered pairs of distinct non-zero rows of ``x``.

    .. math:: \frac{1}{n(n-1)} \sum_{i \ne j} \frac{x_i^\top x_j}{\|x_i\|\|x_j\|}

    over the :math:`n` non-zero rows (``exclude_self=False``: over all :math:`n^2` ordered
    pairs, i.e. the mean of the dense ``x_n @ x_n.T`` commonly posted). Exact in O(N d) via
    the unit rows :math:`\hat x_i`: the mean equals :math:`1 - S/(n-1)` with
    :math:`S = \sum_i \|\hat x_i - \bar{\hat x}\|^2` (:math:`1 - S/n` with self-pairs), a form
    that stays accurate near 1: :math:`S = n(1 - \|\bar{\hat x}\|^2)` from one pass while
    :math:`S/n \ge 2^{-16}`, a second pass over the shifted rows closer to 1.

    Oversmoothed: close to 1 (all rows point the same way).

    Degenerate input: zero rows carry no direction and are ignored; with fewer than two
    non-zero rows there is no pair and the result is 0.0 (with ``exclude_self=False``, one
    non-zero row gives 1.0 and none gives 0.0).
    """
    return _mean_cosine(check_x(x), exclude_self)


def _mean_cosine(x: Tensor, exclude_self: bool = True) -> float:
    stats = _unit_stats(x)
    n = stats.n
    if n == 0 or (exclude_self and n < 2):
        return 0.0
    return float(1.0 - stats.total / (n - 1 if exclude_self else n))


def _cross_cosine(a: Tensor, b: Tensor) -> float:
    """Mean cosine over the pairs of a non-zero row of ``a`` and one of ``b`` (0.0 without any)."""
    sa, sb = _unit_stats(a), _unit_stats(b)
    if sa.n == 0 or sb.n == 0:
        return 0.0
    return float(torch.dot(sa.mean, sb.mean))  # the mean of u_i . u_j over all pairs


def _direction_groups(u: Tensor) -> Tensor:
    """Group id per unit row: rows with bitwise identical directions share an id."""
    n = u.size(0)
    if n == 0:
        return torch.zeros(0, dtype=torch.long, device=u.device)
    gen = generator(torch.device("cpu"), 12345)
    mult = torch.randint(1, 1 << 62, (u.size(1),), generator=gen).to(u.device) | 1
    key = (u.view(torch.int64) * mult).sum(1)  # wrapping integer hash, order independent
    _, group = torch.unique(key, return_inverse=True)
    first = torch.full((int(group.max()) + 1,), n, dtype=torch.long, device=u.device)
    first.scatter_reduce_(0, group, torch.arange(n, device=u.device), reduce="amin")
    if not torch.equal(u, u.index_select(0, first.index_select(0, group))):  # a hash collision
        _, group = torch.unique(u, dim=0, return_inverse=True)
    return group




def _direction_groups_blocked(x: Tensor, mean: Tensor) -> tuple[Tensor, Tensor]:
    r""":func:`_direction_groups` of the unit rows of ``x`` by passes over row blocks, and
    :math:`\|u_i - \bar u\|^2` per unit row (``mean`` = :math:`\bar u`)."""
    gen = generator(torch.device("cpu"), 12345)
    mult = torch.randint(1, 1 << 62, (x.size(1),), generator=gen).to(x.device) | 1
    keys, nonzero, dev, offset = [], [], [], 0
    for rows in blocks(x.size(0), x.size(1)):
        u, keep = _unit_block(x[rows])
        dev.append((u - mean).pow_(2).sum(1))
        u = u + 0.0  # -0.0 and +0.0 are one direction: make their bits equal
        keys.append((u.view(torch.int64) * mult).sum(1))  # wrapping integer hash, order independent
        index = torch.arange(offset, rows.stop, device=x.device)
        nonzero.append(index if keep is None else index[keep])
        offset = rows.stop
    dev = torch.cat(dev)
    _, group = torch.unique(torch.cat(keys), return_inverse=True)
    nonzero = torch.cat(nonzero)
    n = nonzero.numel()
    first = torch.full((int(group.max()) + 1,), n, dtype=torch.long, device=x.device)
    first.scatter_reduce_(0, group, torch.arange(n, device=x.device), reduce="amin")
    representative = nonzero.index_select(0, first.index_select(0, group))  # a row of x per non-zero row
    done = 0
    for rows in blocks(x.size(0), x.size(1)):
        u, _ = _unit_block(x[rows])
        count = u.size(0)
        rep, _ = _unit_block(x.index_select(0, representative[done:done + count]))
        done += count
        if not torch.equal(u, rep):  # a hash collision (equal compares -0.0 == +0.0)
            return _direction_groups(_unit_rows(x)), dev
    return group, dev
