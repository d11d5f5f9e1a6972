"""Dirichlet energy of node features on a graph."""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import Tensor

from . import _utils
from .._deprecation import renamed
from ..graph import cached, degree, half_edges, simple_edges
from ._utils import blocks, check_graph, check_name, float64, rescaled, sq_norm, sum_squares

__all__ = ["dirichlet_energy"]


class _EdgeList:
    """``(src, dst)`` of one edge list, with its flat ``[src_0, dst_0, src_1, ...]`` form for
    ``embedding_bag`` (built on first use, cached with the graph)."""

    def __init__(self, src: Tensor, dst: Tensor) -> None:
        self.src, self.dst = src, dst
        self._flat = None

    def flat(self) -> tuple[Tensor, Tensor, Tensor]:
        """``(indices, +1/-1 float32 weights, bag offsets 0, 2, 4, ...)``."""
        if self._flat is None:
            m = self.src.numel()
            signs = torch.tensor([1.0, -1.0], device=self.src.device).repeat(m)
            offsets = torch.arange(0, 2 * m, 2, device=self.src.device)
            self._flat = (torch.stack([self.src, self.dst], 1).reshape(-1), signs, offsets)
        return self._flat


def _edge_list(edge_index: Tensor, n: int, which: str) -> _EdgeList | None:
    """The cached edge list the energy sums over: ``"given"`` (the columns), ``"half_given"``,
    ``"half"`` (one direction of a symmetric list, see ``half_edges``) or ``"simple"``."""
    def compute():
        if which == "given":
            return _EdgeList(edge_index[0], edge_index[1])
        if which == "simple":
            return _EdgeList(*simple_edges(edge_index, n))
        half = half_edges(edge_index, n, as_given=which == "half_given")
        return None if half is None else _EdgeList(*half)
    return cached(edge_index, n, "edges_" + which, compute)


def _rows64(x: Tensor, index: Tensor) -> Tensor:
    """Rows ``index`` of ``x`` as a new float64 tensor (from the staged copy when there is one)."""
    x64 = x if x.dtype == torch.float64 else _utils._staged(x)
    return x64.index_select(0, index) if x64 is not None else x.index_select(0, index).to(torch.float64)


def _edge_sum(x: Tensor, edges: _EdgeList, weight: Tensor | None = None, native: bool = True) -> Tensor:
    r""":math:`\sum_e \|w_{src} x_{src} - w_{dst} x_{dst}\|^2` in float64, by blocks of edges.

    Unweighted float32/float64 differences are formed in ``x``'s own dtype: one correctly
    rounded subtraction per entry (relative error at most :math:`2^{-24}` in float32), which
    no cancellation can magnify since every term of the sum is non-negative; squares and
    sums are float64. A float32 difference is one ``embedding_bag`` (weights +1, -1) that
    gathers both endpoints and subtracts in one pass, bitwise the same subtraction. Weighted
    terms are formed in float64 (rounding the products before they cancel would not be safe
    near the invariant subspace).
    """
    if weight is not None and x.numel() <= 16 * _utils.BLOCK_ELEMENTS:
        # small enough to scale once (an N x d float64 copy of at most 32 MB) and gather that
        x, weight = float64(x) * weight.unsqueeze(1), None
    native = native and weight is None and x.dtype in (torch.float32, torch.float64)
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    for part in blocks(edges.src.numel(), x.size(1)):
        i, j = edges.src[part], edges.dst[part]
        if native and x.dtype == torch.float32:
            flat, signs, offsets = edges.flat()
            pairs = slice(2 * part.start, 2 * part.stop)
            diff = F.embedding_bag(flat[pairs], x, offsets[:part.stop - part.start], mode="sum",
                                   per_sample_weights=signs[pairs])
        elif native:
            diff = x.index_select(0, i).sub_(x.index_select(0, j))
        elif weight is not None:
            diff = _rows64(x, i).mul_(weight.index_select(0, i).unsqueeze(1))
            diff.sub_(_rows64(x, j).mul_(weight.index_select(0, j).unsqueeze(1)))
        else:
            diff = _rows64(x, i).sub_(_rows64(x, j))
        total += sum_squares(diff)
    if native and x.dtype == torch.float32 and not bool(torch.isfinite(total)):
        return _edge_sum(x, edges, native=False)  # a float32 difference overflowed
    return total


def _energy(x: Tensor, edge_index: Tensor, operator: str | None, scale_free: bool) -> float:
    n = x.size(0)
    if operator is None:
        # an undirected edge list holds each pair twice: sum over one direction, double it
        half = _edge_list(edge_index, n, "half_given")
        if half is None:
            value = _edge_sum(x, _edge_list(edge_index, n, "given")) / n
        else:
            value = 2.0 * _edge_sum(x, half) / n
    else:
        weight = cached(edge_index, n, "gcn_rsqrt", lambda: (degree(edge_index, n) + 1.0).rsqrt())
        half = _edge_list(edge_index, n, "half")
        if half is None:
            value = 0.5 * _edge_sum(x, _edge_list(edge_index, n, "simple"), weight)
        else:
            value = _edge_sum(x, half, weight)
    if scale_free:
        norm = sq_norm(x)
        value = value / norm if bool(norm > 0) else torch.zeros_like(value)
    return float(value)


@rescaled(lambda a: 0 if a["scale_free"] else 2)
def dirichlet_energy(x: Tensor, edge_index: Tensor, operator: str | None = None,
                     scale_free: bool = False, *, normalization: str | None = None) -> float:
    r"""Dirichlet energy of the rows of ``x`` over the graph ``edge_index``.

    * ``operator=None`` (survey form, the combinatorial Laplacian :math:`D - A`; Rusch, Bronstein & Mishra 2023, "A Survey on
      Oversmoothing in Graph Neural Networks"):

      .. math:: E(X) = \frac{1}{N} \sum_{(i,j)} \|x_i - x_j\|_2^2

      summed over the columns of ``edge_index`` exactly as given: an undirected PyG graph
      lists every edge twice, so this equals :math:`\frac{2}{N}\operatorname{tr}(X^\top L X)`;
      self-loops add nothing and duplicate columns count twice. The survey's similarity
      measure is :math:`\mu(X) = \sqrt{E(X)}`.
    * ``operator="gcn"`` (Cai & Wang 2020, "A Note on Over-Smoothing for Graph
      Neural Networks"): :math:`E(X) = \operatorname{tr}(X^\top (I - P) X)` with
      :math:`P = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}` the GCN operator (the one
      :func:`oversmooth.graph.normalized_adjacency` builds: self-loops and duplicate
      columns of ``edge_index`` dropped first, :math:`d_i` = number of distinct neighbours).
      Computed as :math:`\frac12\sum_{(i,j)} \|x_i/\sqrt{1+d_i} - x_j/\sqrt{1+d_j}\|^2` over the
      simple edge list, which equals the trace for an undirected ``edge_index`` (the intended
      input). Pitfall: it vanishes on the whole invariant subspace
      (:math:`x_i \propto \sqrt{1+d_i}` per component), not only on constant features.
    * ``scale_free=True`` divides by :math:`\|X\|_F^2` (energy also falls when the
      features merely shrink; report both).

    Oversmoothed: the energy decays to 0 (exponentially with depth).

    Cost O(E d) time, in blocks of edges (memory O(block) beyond the cached structure); a
    symmetric edge list is summed over one direction only (detected once per
    ``edge_index``, cached). Accumulated in float64 (float32 input: each difference is one
    float32 subtraction, relative error at most :math:`2^{-24}` per term, never magnified
    since all terms are non-negative; the degree-scaled differences are float64, accurate
    to about :math:`10^{-16}\|X\|_F^2/E` relative). ``x`` may require grad (it is
    detached). Degenerate input: a graph without edges, constant features (for the survey
    form) or all-zero features give 0.0; ``scale_free`` with :math:`X = 0` gives 0.0.

    Returns:
        The energy as a Python float.
    """
    if normalization is not None:  # deprecated: normalization="sym" was the gcn operator's Laplacian
        check_name(normalization, ("sym",), "normalization")
        operator = renamed("normalization", "operator", "gcn", operator, None, "dirichlet_energy")
    if operator == "sym":  # the value normalization= took
        warnings.warn('dirichlet_energy(x, edge_index, "sym") is deprecated; use operator="gcn"',
                      DeprecationWarning, stacklevel=2)
        operator = "gcn"
    if operator is not None:
        check_name(operator, ("gcn",), "operator")
    x, edge_index = check_graph(x, edge_index)
    return _energy(x, edge_index, operator, scale_free)
