"""Dirichlet energy of node features on a graph."""

from __future__ import annotations

import torch
from torch import Tensor

from ._utils import CHUNK_ELEMENTS, check_graph, check_name, degree, float64, simple_edges, sq_norm

__all__ = ["dirichlet_energy"]


def _edge_sum(x: Tensor, src: Tensor, dst: Tensor) -> Tensor:
    r""":math:`\sum_e ||x_{src} - x_{dst}||^2` in float64, edges in chunks (bounded memory)."""
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    step = max(1, CHUNK_ELEMENTS // max(1, x.size(1)))
    for start in range(0, src.numel(), step):
        a = float64(x.index_select(0, src[start:start + step]))
        total += a.sub_(x.index_select(0, dst[start:start + step])).pow_(2).sum()
    return total


def _energy(x: Tensor, edge_index: Tensor, normalization: str | None, scale_free: bool) -> float:
    n = x.size(0)
    if normalization is None:
        value = _edge_sum(x, edge_index[0], edge_index[1]) / n
    else:
        src, dst = simple_edges(edge_index, n)
        scaled = float64(x) * (degree(edge_index, n) + 1.0).rsqrt().unsqueeze(1)
        value = 0.5 * _edge_sum(scaled, src, dst)
    if scale_free:
        norm = sq_norm(x)
        value = value / norm if bool(norm > 0) else torch.zeros_like(value)
    return float(value)


def dirichlet_energy(x: Tensor, edge_index: Tensor, normalization: str | None = None,
                     scale_free: bool = False) -> float:
    r"""Dirichlet energy of the rows of ``x`` over the graph ``edge_index``.

    * ``normalization=None`` (survey form, Rusch, Bronstein & Mishra 2023, "A Survey on
      Oversmoothing in Graph Neural Networks"):

      .. math:: E(X) = \frac{1}{N} \sum_{(i,j)} \|x_i - x_j\|_2^2

      summed over the columns of ``edge_index`` exactly as given: an undirected PyG graph
      lists every edge twice, so this equals :math:`\frac{2}{N}\operatorname{tr}(X^\top L X)`;
      self-loops add nothing and duplicate columns count twice. The survey's similarity
      measure is :math:`\mu(X) = \sqrt{E(X)}`.
    * ``normalization="sym"`` (Cai & Wang 2020, "A Note on Over-Smoothing for Graph
      Neural Networks"): :math:`E(X) = \operatorname{tr}(X^\top (I - P) X)` with
      :math:`P = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}` the GCN operator (the one
      ``models.propagation.normalized_adjacency(kind="gcn")`` builds: self-loops and duplicate
      columns of ``edge_index`` dropped first, :math:`d_i` = number of distinct neighbours).
      Computed as :math:`\frac12\sum_{(i,j)} \|x_i/\sqrt{1+d_i} - x_j/\sqrt{1+d_j}\|^2` over the
      simple edge list, which equals the trace for an undirected ``edge_index`` (the intended
      input). Pitfall: it vanishes on the whole invariant subspace
      (:math:`x_i \propto \sqrt{1+d_i}` per component), not only on constant features.
    * ``scale_free=True`` divides by :math:`\|X\|_F^2` (energy also falls when the
      features merely shrink; report both).

    Oversmoothed: the energy decays to 0 (exponentially with depth).

    Cost O(E d) time; edges are processed in chunks so memory stays O(N d + chunk).
    Accumulated in float64; ``x`` may require grad (it is detached). Degenerate input: a
    graph without edges, constant features (for the survey form) or all-zero features give
    0.0; ``scale_free`` with :math:`X = 0` gives 0.0.

    Returns:
        The energy as a Python float.
    """
    if normalization is not None:
        check_name(normalization, ("sym",), "normalization")
    x, edge_index = check_graph(x, edge_index)
    return _energy(x, edge_index, normalization, scale_free)
