"""Mean Average Distance and MADGap (Chen et al., AAAI 2020): cosine distances, globally or
between nodes a given number of hops apart."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..graph import reachability
from ._utils import check_graph, check_name, check_sampling, check_x, float64, generator, rescaled
from .estimate import Estimate, legacy
from .similarity import (_BLOCK_ELEMENTS, MAX_EXACT, NUM_SOURCES, _direction_groups, _direction_groups_blocked,
                         _unit_rows, _unit_stats)

__all__ = ["mad", "mad_estimate", "mad_gap", "mad_gap_estimate", "MASKS"]

#: Pair masks of :func:`mad`: all pairs, pairs within ``near_hops``, pairs ``far_hops`` or more apart.
MASKS = ("global", "neighbor", "remote")


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


def _cross_mad(a: Tensor, b: Tensor) -> float:
    """MAD under the mask of pairs (row of ``a``, row of ``b``): rows of both are rows of D."""
    ua, ub = _unit_rows(a), _unit_rows(b)
    na, nb = ua.size(0), ub.size(0)
    if na == 0 or nb == 0:
        return 0.0
    group = _direction_groups(torch.cat([ua, ub]))
    size = int(group.max()) + 1
    ga, gb = group[:na], group[na:]
    means = []
    for rows, partners, tied in ((ua, ub, torch.bincount(gb, minlength=size)[ga]),
                                 (ub, ua, torch.bincount(ga, minlength=size)[gb])):
        centre = partners.mean(0)
        spread = (partners - centre).square().sum()
        # sum_j (1 - cos_ij) = 1/2 sum_j ||u_i - u_j||^2 = 1/2 (m ||u_i - centre||^2 + spread):
        # no cancellation when the rows are nearly parallel; tied partners add exactly 0
        total = 0.5 * (partners.size(0) * (rows - centre).square().sum(1) + spread)
        count = (partners.size(0) - tied).to(torch.float64)
        means.append(total[count > 0] / count[count > 0])
    means = torch.cat(means)
    return float(means.mean()) if means.numel() else 0.0


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


@rescaled(0)
def mad(x: Tensor, edge_index: Tensor | None = None, mask: str = "global", near_hops: int = 3,
        far_hops: int = 8, max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES,
        seed: int = 0, return_stderr: bool | None = None) -> float:
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
        The value as a float (:func:`mad_estimate` also gives the standard error of a
        sampled value). Degenerate input: fewer than two non-zero rows, or no masked pair,
        gives 0.0.
    """
    return legacy(mad_estimate(x, edge_index, mask, near_hops, far_hops, max_exact, num_sources, seed),
                  return_stderr, "mad")


@rescaled(0)
def mad_estimate(x: Tensor, edge_index: Tensor | None = None, mask: str = "global", near_hops: int = 3,
                 far_hops: int = 8, max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES,
                 seed: int = 0) -> Estimate:
    """:func:`mad` with the standard error of its sampled value (0.0 when exact)."""
    check_name(mask, MASKS, "mask")
    check_sampling(max_exact, num_sources, "num_sources")
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
    return Estimate(value, stderr)


@rescaled(0)
def mad_gap(x: Tensor, edge_index: Tensor, near_hops: int = 3, far_hops: int = 8,
            max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES, seed: int = 0,
            return_stderr: bool | None = None) -> float:
    r"""MADGap = MAD\ :sub:`rmt` - MAD\ :sub:`neb` (Chen et al., AAAI 2020).

    Remote pairs are at least ``far_hops`` hops apart, neighbour pairs 1 to ``near_hops``
    (see :func:`mad` for every convention). Oversmoothed: MADGap close to 0 or negative
    (remote nodes look as alike as neighbours). Exact up to ``max_exact`` nodes, then
    sampled source rows (the two terms use the same sources; the standard error treats
    the two terms as independent, an approximation; :func:`mad_gap_estimate`). Degenerate
    input: 0.0.
    """
    return legacy(mad_gap_estimate(x, edge_index, near_hops, far_hops, max_exact, num_sources, seed),
                  return_stderr, "mad_gap")


@rescaled(0)
def mad_gap_estimate(x: Tensor, edge_index: Tensor, near_hops: int = 3, far_hops: int = 8,
                     max_exact: int = MAX_EXACT, num_sources: int = NUM_SOURCES, seed: int = 0) -> Estimate:
    """:func:`mad_gap` with the standard error of its sampled value (0.0 when exact)."""
    _check_hops(near_hops, far_hops)
    check_sampling(max_exact, num_sources, "num_sources")
    x, edge_index = check_graph(x, edge_index)
    (neb, se_n), (rmt, se_r) = _hop_mads(x, edge_index, near_hops, far_hops, max_exact, num_sources, seed)
    return Estimate(rmt - neb, math.sqrt(se_r ** 2 + se_n ** 2))
