"""Distances between node representations: mean pairwise distance, SMV, group distance ratio.

The non-squared forms have no O(N d) expression: they are exact by blocks of rows up to
``MAX_EXACT`` rows and estimated from sampled pairs above, with a standard error (the
``*_estimate`` functions return both as an :class:`~oversmooth.metrics.Estimate`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ._utils import check_labels_for, check_sampling, check_x, float64, generator, rescaled
from .estimate import Estimate, legacy
from .similarity import _BLOCK_ELEMENTS, MAX_EXACT, NUM_SAMPLES, _centred_sq_sum_blocked, _unit_rows

__all__ = ["mean_pairwise_distance", "mean_pairwise_distance_estimate", "smv", "smv_estimate",
           "group_distance_ratio", "group_distance_ratio_estimate"]


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


@rescaled(lambda a: 2 if a["squared"] else 1)
def mean_pairwise_distance(x: Tensor, squared: bool = False, max_exact: int = MAX_EXACT,
                           num_samples: int = NUM_SAMPLES, seed: int = 0,
                           return_stderr: bool | None = None) -> float:
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
        The value as a float (:func:`mean_pairwise_distance_estimate` also gives the standard
        error of a sampled value).
    """
    return legacy(mean_pairwise_distance_estimate(x, squared, max_exact, num_samples, seed), return_stderr,
                  "mean_pairwise_distance")


@rescaled(lambda a: 2 if a["squared"] else 1)
def mean_pairwise_distance_estimate(x: Tensor, squared: bool = False, max_exact: int = MAX_EXACT,
                                    num_samples: int = NUM_SAMPLES, seed: int = 0) -> Estimate:
    """:func:`mean_pairwise_distance` with the standard error of its sampled value (0.0 when exact)."""
    check_sampling(max_exact, num_samples, "num_samples")
    x = check_x(x)
    n = x.size(0)
    if squared:
        return Estimate(0.0 if n < 2 else float(2.0 * _centred_sq_sum_blocked(x) / (n - 1)), 0.0)
    return Estimate(*_mean_distance(float64(x), max_exact, num_samples, seed))


@rescaled(0)
def smv(x: Tensor, max_exact: int = MAX_EXACT, num_samples: int = NUM_SAMPLES, seed: int = 0,
        return_stderr: bool | None = None) -> float:
    r"""Smoothness metric value SMV\ :sub:`G` (Liu, Gao & Ji, KDD 2020, "Towards Deeper Graph
    Neural Networks", DAGNN).

    .. math:: \mathrm{SMV}_G = \frac{1}{n} \sum_i \frac{1}{n-1} \sum_{j \ne i}
              \tfrac12 \Big\| \frac{x_i}{\|x_i\|} - \frac{x_j}{\|x_j\|} \Big\|_2

    over the :math:`n` non-zero rows (zero rows have no direction and are dropped). Values
    lie in [0, 1]; oversmoothed: close to 0. Not squared, so exact by blocks up to
    ``max_exact`` rows and a sampled estimate above (see :func:`mean_pairwise_distance`); the
    mean of the *squared* half-distances is :math:`(1 - \text{mean cosine})/2`, exact in O(N d).
    Degenerate input: fewer than two non-zero rows give 0.0. :func:`smv_estimate` also gives
    the standard error of a sampled value.
    """
    return legacy(smv_estimate(x, max_exact, num_samples, seed), return_stderr, "smv")


@rescaled(0)
def smv_estimate(x: Tensor, max_exact: int = MAX_EXACT, num_samples: int = NUM_SAMPLES,
                 seed: int = 0) -> Estimate:
    """:func:`smv` with the standard error of its sampled value (0.0 when exact)."""
    check_sampling(max_exact, num_samples, "num_samples")
    u = _unit_rows(check_x(x))
    value, stderr = _mean_distance(u, max_exact, num_samples, seed)
    return Estimate(0.5 * value, 0.5 * stderr)


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


@rescaled(0)
def group_distance_ratio(x: Tensor, y: Tensor, max_exact: int = MAX_EXACT,
                         num_samples: int = NUM_SAMPLES, seed: int = 0,
                         return_stderr: bool | None = None) -> float:
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
    :func:`group_distance_ratio_estimate` also gives the standard error of a sampled value.
    """
    return legacy(group_distance_ratio_estimate(x, y, max_exact, num_samples, seed), return_stderr,
                  "group_distance_ratio")


@rescaled(0)
def group_distance_ratio_estimate(x: Tensor, y: Tensor, max_exact: int = MAX_EXACT,
                                  num_samples: int = NUM_SAMPLES, seed: int = 0) -> Estimate:
    """:func:`group_distance_ratio` with the delta-method standard error of a sampled value."""
    check_sampling(max_exact, num_samples, "num_samples")
    x = check_x(x)
    y = check_labels_for(y, x)
    classes, cls = torch.unique(y, return_inverse=True)
    c = classes.numel()
    if c < 2:
        return Estimate(0.0, 0.0)
    means, var = _class_pair_means(float64(x), cls, c, max_exact, num_samples, seed)
    off = ~torch.eye(c, dtype=torch.bool, device=x.device)
    num = means[off].sum() / (c - 1) ** 2
    den = means.diagonal().sum() / c
    # (a, b) and (b, a) share one sample: var(2 m_ab) = 4 var(m_ab), var[off] holds each twice
    se_num = (2.0 * var[off].sum()).sqrt() / (c - 1) ** 2
    se_den = var.diagonal().sum().sqrt() / c
    if not bool(den > 0):
        return Estimate(0.0 if not bool(num > 0) else math.inf, 0.0)
    value = float(num / den)
    rel = (se_num / num) ** 2 if bool(num > 0) else torch.zeros_like(num)
    return Estimate(value, value * float((rel + (se_den / den) ** 2).sqrt()))
