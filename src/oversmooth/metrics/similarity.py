"""Pairwise similarity of node representations: cosine, MAD/MADGap, distances, SMV, group ratio."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from ..graph import reachability
from ._utils import (blocks, check_graph, check_labels_for, check_name, check_x, column_sums, float64, generator,
                     row_blocks, shared, sum_squares)

__all__ = ["mean_cosine_similarity", "mad", "mad_gap", "mean_pairwise_distance", "smv",
           "group_distance_ratio", "MAX_EXACT", "NUM_SAMPLES", "NUM_SOURCES"]

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


MASKS = ("global", "neighbor", "remote")


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


def _global_mad(x: Tensor) -> float:
    stats = _unit_stats(x)
    n = stats.n
    if n < 2:
        return 0.0
    group, dev = _direction_groups_blocked(x, stats.mean)
    ties = torch.bincount(group).index_select(0, group)  # rows sharing i's direction, i included
    count = (n - ties).to(torch.float64)
    # sum_j (1 - cos_ij) = 1/2 sum_j ||u_i - u_j||^2 = 1/2 (n ||u_i - mean||^2 + S); tied j add 0
    total = 0.5 * (n * dev + stats.total)
    valid = count > 0
    if not bool(valid.any()):
        return 0.0
    return float((total[valid] / count[valid]).mean())


def _hops(edge_index: Tensor, num_nodes: int, sources: Tensor, limit: int) -> Tensor:
    """Hop distance from each source (columns) to every node (rows), uint8, 255 = beyond ``limit``.

    Breadth-first search for all sources at once by sparse-dense products with the
    (symmetrised) adjacency, on ``edge_index``'s device.
    """
    adj = reachability(edge_index, num_nodes)
    cols = torch.arange(sources.numel(), device=sources.device)
    hop = torch.full((num_nodes, sources.numel()), 255, dtype=torch.uint8, device=sources.device)
    hop[sources, cols] = 0
    reached = hop == 0
    for h in range(1, limit + 1):
        grown = torch.sparse.mm(adj, reached.to(torch.float32)) > 0
        new = grown & ~reached
        if not bool(new.any()):
            break
        hop[new] = h
        reached |= new
    return hop


def _hop_row_means(u: Tensor, group: Tensor, nodes: Tensor, sources: Tensor, edge_index: Tensor,
                   num_nodes: int, near_hops: int, far_hops: int) -> tuple[Tensor, Tensor]:
    """Row means of 1 - cos over the neighbour / remote non-tied partners of ``sources``.

    ``u`` holds the unit rows of the non-zero nodes ``nodes``; ``sources`` index into
    them. A row without any partner gets NaN.
    """
    neb, rmt = [], []
    step = max(1, _BLOCK_ELEMENTS // max(1, num_nodes))
    for start in range(0, sources.numel(), step):
        block = sources[start:start + step]
        hop = _hops(edge_index, num_nodes, nodes.index_select(0, block), far_hops - 1)
        hop = hop.index_select(0, nodes).T
        distinct = group.index_select(0, block).unsqueeze(1) != group.unsqueeze(0)
        dist = 1.0 - u.index_select(0, block) @ u.T
        for keep, out in (((hop >= 1) & (hop <= near_hops), neb), (hop >= far_hops, rmt)):
            keep &= distinct
            count = keep.sum(1)
            total = torch.where(keep, dist, torch.zeros_like(dist)).sum(1)
            out.append(torch.where(count > 0, total / count.clamp(min=1), torch.full_like(total, math.nan)))
    empty = torch.zeros(0, dtype=torch.float64, device=u.device)
    return (torch.cat(neb) if neb else empty), (torch.cat(rmt) if rmt else empty)


def _summarise(means: Tensor, exact: bool) -> tuple[float, float]:
    means = means[~torch.isnan(means)]
    if means.numel() == 0:
        return 0.0, 0.0
    stderr = 0.0 if exact or means.numel() < 2 else float(means.std() / math.sqrt(means.numel()))
    return float(means.mean()), stderr


def _hop_mads(x: Tensor, edge_index: Tensor, near_hops: int, far_hops: int, max_exact: int,
              num_sources: int, seed: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((MAD_neb, stderr), (MAD_rmt, stderr))`` from one breadth-first search."""
    x64 = float64(x)
    norms = torch.linalg.vector_norm(x64, dim=1)
    nodes = (norms > 0).nonzero().squeeze(1)
    n = nodes.numel()
    if n < 2:
        return (0.0, 0.0), (0.0, 0.0)
    u = (x64.index_select(0, nodes) / norms.index_select(0, nodes).unsqueeze(1)) + 0.0
    group = _direction_groups(u)
    if x.size(0) <= max_exact:
        sources, exact = torch.arange(n, device=u.device), True
    else:
        gen = generator(u.device, seed)
        sources, exact = torch.randperm(n, generator=gen, device=u.device)[:num_sources], False
    neb, rmt = _hop_row_means(u, group, nodes, sources, edge_index, x.size(0), near_hops, far_hops)
    return _summarise(neb, exact), _summarise(rmt, exact)


def _check_hops(near_hops: int, far_hops: int) -> None:
    if not (isinstance(near_hops, int) and isinstance(far_hops, int) and 1 <= near_hops < far_hops):
        raise ValueError(f"need integers 1 <= near_hops < far_hops, got near_hops={near_hops}, "
                         f"far_hops={far_hops}")


def mad(x: Tensor, edge_index: Tensor | None = None, mask: str = "global", near_hops: int = 3,
        far_hops: int = 8, max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES,
        seed: int = 0, return_stderr: bool = False):
    r"""Mean Average Distance (Chen et al., AAAI 2020, "Measuring and Relieving the
    Over-smoothing Problem for Graph Neural Networks from the Topological View").

    :math:`D_{ij} = 1 - \cos(x_i, x_j)`; with a pair mask :math:`M`, each row's mean is taken
    over its *non-zero* entries of :math:`D \circ M`, then MAD is the mean over the rows that
    have any. Masks: ``"global"`` all pairs; ``"neighbor"`` pairs 1 to ``near_hops`` hops
    apart (MAD\ :sub:`neb`); ``"remote"`` pairs at least ``far_hops`` hops apart, pairs in
    different components included (MAD\ :sub:`rmt`). The paper's defaults are 3 and 8.

    Conventions (the reference code is inconsistent, this follows the paper's definition):
    zero rows of ``x`` have no direction and take no part (neither as row nor as partner);
    "non-zero entry" is decided exactly: :math:`D_{ij} = 0` iff :math:`x_i, x_j` have bitwise
    identical unit vectors (duplicate rows), not by floating-point rounding of the cosine.

    Cost: ``"global"`` is exact in O(N d) (+ a hash of the directions); hop masks need
    hop distances (breadth-first search by sparse products, on the input's device) and are exact up to
    ``max_exact`` nodes (O(N^2 d)); above, the mean over ``num_sources`` source rows sampled
    with a fixed-seed generator, each row exact, reported with its standard error.

    Oversmoothed: MAD close to 0.

    Returns:
        A float, or ``(value, stderr)`` with ``return_stderr=True`` (stderr 0.0 when exact).
        Degenerate input: fewer than two non-zero rows, or no masked pair, gives 0.0.
    """
    check_name(mask, MASKS, "mask")
    if mask == "global":
        x = check_x(x)
    else:
        if edge_index is None:
            raise ValueError(f"mask={mask!r} needs edge_index")
        _check_hops(near_hops, far_hops)
        x, edge_index = check_graph(x, edge_index)
    if mask == "global":
        value, stderr = _global_mad(x), 0.0
    else:
        neb, rmt = _hop_mads(x, edge_index, near_hops, far_hops, max_exact, num_sources, seed)
        value, stderr = neb if mask == "neighbor" else rmt
    return (value, stderr) if return_stderr else value


def mad_gap(x: Tensor, edge_index: Tensor, near_hops: int = 3, far_hops: int = 8,
            max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES, seed: int = 0,
            return_stderr: bool = False):
    r"""MADGap = MAD\ :sub:`rmt` - MAD\ :sub:`neb` (Chen et al., AAAI 2020).

    Remote pairs are at least ``far_hops`` hops apart, neighbour pairs 1 to ``near_hops``
    (see :func:`mad` for every convention). Oversmoothed: MADGap close to 0 or negative
    (remote nodes look as alike as neighbours). Exact up to ``max_exact`` nodes, then
    sampled source rows (the two terms use the same sources; the standard error treats
    the two terms as independent, an approximation). Degenerate input: 0.0.
    """
    _check_hops(near_hops, far_hops)
    x, edge_index = check_graph(x, edge_index)
    (neb, se_n), (rmt, se_r) = _hop_mads(x, edge_index, near_hops, far_hops, max_exact, num_sources, seed)
    value, stderr = rmt - neb, math.sqrt(se_r ** 2 + se_n ** 2)
    return (value, stderr) if return_stderr else value


# --------------------------------------------------------------------------- distances
def _blocked_mean_distance(u: Tensor) -> float:
    """Exact mean of ||u_i - u_j|| over ordered pairs i != j, by blocks of rows."""
    n = u.size(0)
    total = torch.zeros((), dtype=torch.float64, device=u.device)
    step = max(1, _BLOCK_ELEMENTS // max(1, n))
    for start in range(0, n, step):
        total += torch.cdist(u[start:start + step], u).sum()
    return float(total / (n * (n - 1)))


def _sampled_mean_distance(u: Tensor, num_samples: int, seed: int) -> tuple[float, float]:
    """Unbiased estimate over uniformly sampled ordered pairs i != j, with its standard error."""
    n = u.size(0)
    gen = generator(u.device, seed)
    i = torch.randint(0, n, (num_samples,), generator=gen, device=u.device)
    j = (i + torch.randint(1, n, (num_samples,), generator=gen, device=u.device)) % n
    d = torch.empty(num_samples, dtype=torch.float64, device=u.device)
    step = max(1, _BLOCK_ELEMENTS // max(1, u.size(1)))
    for start in range(0, num_samples, step):
        a, b = i[start:start + step], j[start:start + step]
        d[start:start + step] = torch.linalg.vector_norm(u.index_select(0, a) - u.index_select(0, b), dim=1)
    return float(d.mean()), float(d.std() / math.sqrt(num_samples))


def _mean_distance(u: Tensor, max_exact: int, num_samples: int, seed: int) -> tuple[float, float]:
    if u.size(0) < 2:
        return 0.0, 0.0
    if u.size(0) <= max_exact:
        # centred first: cdist's matrix-product form then loses accuracy only relative to
        # the spread of the rows, not to their common offset
        return _blocked_mean_distance(u - u.mean(0)), 0.0
    return _sampled_mean_distance(u, num_samples, seed)


def mean_pairwise_distance(x: Tensor, squared: bool = False, max_exact: int = MAX_EXACT,
                           num_samples: int = NUM_SAMPLES, seed: int = 0,
                           return_stderr: bool = False):
    r"""Mean Euclidean distance between the rows of ``x`` over ordered pairs :math:`i \ne j`.

    .. math:: \frac{1}{N(N-1)} \sum_{i \ne j} \|x_i - x_j\|_2 \quad(\text{or } \|x_i - x_j\|_2^2)

    ``squared=True`` is exact in O(N d): :math:`\frac{2}{N-1} \sum_i \|x_i - \bar x\|^2`
    (centred form, accurate when the rows are nearly equal). The non-squared mean has no
    O(N d) form: exact by blocks of rows for :math:`N \le` ``max_exact`` (O(N^2 d) time,
    O(block) memory), above that the mean of ``num_samples`` uniformly sampled ordered pairs
    (unbiased; fixed-seed generator, so deterministic) with its standard error.

    Oversmoothed: close to 0 (unlike the scale-free metrics it also falls when the
    features merely shrink). Degenerate input: one row gives 0.0; zero rows are ordinary
    points here.

    Returns:
        A float, or ``(value, stderr)`` with ``return_stderr=True`` (stderr 0.0 when exact).
    """
    x = check_x(x)
    n = x.size(0)
    if squared:
        value = 0.0 if n < 2 else float(2.0 * _centred_sq_sum_blocked(x) / (n - 1))
        return (value, 0.0) if return_stderr else value
    value, stderr = _mean_distance(float64(x), max_exact, num_samples, seed)
    return (value, stderr) if return_stderr else value


def smv(x: Tensor, max_exact: int = MAX_EXACT, num_samples: int = NUM_SAMPLES, seed: int = 0,
        return_stderr: bool = False):
    r"""Smoothness metric value SMV\ :sub:`G` (Liu, Gao & Ji, KDD 2020, "Towards Deeper Graph
    Neural Networks", DAGNN).

    .. math:: \mathrm{SMV}_G = \frac{1}{n} \sum_i \frac{1}{n-1} \sum_{j \ne i}
              \tfrac12 \Big\| \frac{x_i}{\|x_i\|} - \frac{x_j}{\|x_j\|} \Big\|_2

    over the :math:`n` non-zero rows (zero rows have no direction and are dropped). Values
    lie in [0, 1]; oversmoothed: close to 0. Not squared, so exact by blocks up to
    ``max_exact`` rows and a sampled estimate above (see :func:`mean_pairwise_distance`); the
    mean of the *squared* half-distances is :math:`(1 - \text{mean cosine})/2`, exact in O(N d).
    Degenerate input: fewer than two non-zero rows give 0.0.
    """
    u = _unit_rows(check_x(x))
    value, stderr = _mean_distance(u, max_exact, num_samples, seed)
    value, stderr = 0.5 * value, 0.5 * stderr
    return (value, stderr) if return_stderr else value


def _class_pair_means(x64: Tensor, cls: Tensor, num_classes: int, max_exact: int, num_samples: int,
                      seed: int) -> tuple[Tensor, Tensor]:
    """C x C matrix of mean ||x - x'|| over X_a x X_b (self-pairs included), and its variance."""
    n = x64.size(0)
    sizes = torch.bincount(cls, minlength=num_classes).to(torch.float64)
    if n <= max_exact:
        x64 = x64 - x64.mean(0)
        onehot = torch.zeros(n, num_classes, dtype=torch.float64, device=x64.device)
        onehot[torch.arange(n, device=x64.device), cls] = 1.0
        sums = torch.zeros(num_classes, num_classes, dtype=torch.float64, device=x64.device)
        step = max(1, _BLOCK_ELEMENTS // max(1, n))
        for start in range(0, n, step):
            dist = torch.cdist(x64[start:start + step], x64)
            sums.index_add_(0, cls[start:start + step], dist @ onehot)
        return sums / (sizes.unsqueeze(1) * sizes.unsqueeze(0)), torch.zeros_like(sums)
    # stratified sampling: the same number of pairs for every (a, b), a <= b
    order = torch.argsort(cls)
    offsets = torch.cumsum(sizes.long(), 0) - sizes.long()
    a, b = torch.triu_indices(num_classes, num_classes, device=x64.device)
    k = max(64, num_samples // a.numel())
    gen = generator(x64.device, seed)
    means = torch.zeros(num_classes, num_classes, dtype=torch.float64, device=x64.device)
    var = torch.zeros_like(means)
    for p in range(a.numel()):
        ca, cb = int(a[p]), int(b[p])
        ia = offsets[ca] + (torch.rand(k, generator=gen, device=x64.device, dtype=torch.float64)
                            * sizes[ca]).long().clamp(max=int(sizes[ca]) - 1)
        ib = offsets[cb] + (torch.rand(k, generator=gen, device=x64.device, dtype=torch.float64)
                            * sizes[cb]).long().clamp(max=int(sizes[cb]) - 1)
        d = torch.linalg.vector_norm(x64.index_select(0, order[ia]) - x64.index_select(0, order[ib]), dim=1)
        means[ca, cb] = means[cb, ca] = d.mean()
        var[ca, cb] = var[cb, ca] = d.var() / k
    return means, var


def group_distance_ratio(x: Tensor, y: Tensor, max_exact: int = MAX_EXACT,
                         num_samples: int = NUM_SAMPLES, seed: int = 0, return_stderr: bool = False):
    r"""Group distance ratio of Zhou et al. (NeurIPS 2020, "Towards Deeper Graph Neural Networks
    with Differentiable Group Normalization"), as defined in the paper.

    .. math:: R = \frac{\frac{1}{(C-1)^2} \sum_{a \ne b} \frac{1}{|X_a||X_b|}
              \sum_{x \in X_a, x' \in X_b} \|x - x'\|_2}
              {\frac{1}{C} \sum_a \frac{1}{|X_a|^2} \sum_{x, x' \in X_a} \|x - x'\|_2}

    over the :math:`C` classes present in ``y`` (the within-class mean includes the
    :math:`x = x'` pairs, as written). Small R: the classes have collapsed onto each
    other (oversmoothed); large R: classes well separated relative to their spread.

    Other implementations differ: PyG's ``DiffGroupNorm.group_distance_ratio`` compares
    each class with *all other nodes* (not class by class), uses the sum rather than the
    :math:`1/(C-1)^2`-normalised mean, so for balanced classes it equals this value divided by
    :math:`(C-1)`, and it divides by zero on an empty class index; the authors' code
    row-normalises the features and uses squared distances.

    Cost: exact by blocks up to ``max_exact`` nodes (O(N^2 d)); above, stratified pair
    sampling (the same number of pairs for every pair of classes, fixed seed), with a
    delta-method standard error. Degenerate input: fewer than two classes, or all-equal
    rows, give 0.0; classes that are each a single point (zero within-class spread) but
    apart from each other give ``inf`` (the ratio is unbounded there).
    """
    x = check_x(x)
    y = check_labels_for(y, x)
    classes, cls = torch.unique(y, return_inverse=True)
    c = classes.numel()
    if c < 2:
        return (0.0, 0.0) if return_stderr else 0.0
    means, var = _class_pair_means(float64(x), cls, c, max_exact, num_samples, seed)
    off = ~torch.eye(c, dtype=torch.bool, device=x.device)
    num = means[off].sum() / (c - 1) ** 2
    den = means.diagonal().sum() / c
    # (a, b) and (b, a) share one sample: var(2 m_ab) = 4 var(m_ab), var[off] holds each twice
    se_num = (2.0 * var[off].sum()).sqrt() / (c - 1) ** 2
    se_den = var.diagonal().sum().sqrt() / c
    if not bool(den > 0):
        value = 0.0 if not bool(num > 0) else math.inf
        return (value, 0.0) if return_stderr else value
    value = float(num / den)
    if not return_stderr:
        return value
    rel = (se_num / num) ** 2 if bool(num > 0) else torch.zeros_like(num)
    stderr = value * float((rel + (se_den / den) ** 2).sqrt())
    return value, stderr
