"""Distance to the invariant subspace of the propagation operator (Oono & Suzuki 2020)."""

from __future__ import annotations

import torch
from torch import Tensor

from ..graph import cached, invariant_basis
from . import _utils
from ._utils import check_graph, check_name, float64, rescaled, row_blocks, sq_norm, sum_squares

__all__ = ["invariant_projection", "subspace_distance"]

OPERATORS = ("gcn", "sym", "rw")


def _basis(edge_index: Tensor, n: int, operator: str) -> tuple:
    """``(count, labels, e, ||e_m||^2 per component, split)`` from :func:`oversmooth.graph.invariant_basis`.

    ``split`` = ``(m, e on component m else 0, the other nodes, their labels, their e)`` when
    one component ``m`` holds at least half of the nodes (most graphs), else ``None``: the
    layout of the one-matrix-vector-product path of :func:`_coefficients`, cached with the graph.
    """
    def compute():
        basis = invariant_basis(edge_index, n, operator)
        count, labels, e = basis.count, basis.labels, basis.weights
        sizes = torch.bincount(labels, minlength=count)
        largest = int(sizes.argmax())
        split = None
        if 2 * int(sizes[largest]) >= n:
            inside = labels == largest
            rest = (~inside).nonzero().squeeze(1)
            split = (largest, torch.where(inside, e, 0.0), rest, labels[rest], e[rest])
        # sym's isolated nodes have e = 0: a zero vector projects nothing (0 / 1, not 0 / 0)
        return count, labels, e, basis.sq_norms.where(basis.sq_norms > 0, 1.0), split
    return cached(edge_index, n, ("subspace_split", operator), compute)


def _coefficients(x: Tensor, edge_index: Tensor, operator: str) -> tuple[Tensor, Tensor, Tensor]:
    r"""``(labels, e, coef)``: :math:`\Pi X = e \odot` ``coef[labels]``, coef = :math:`e_m^\top X/\|e_m\|^2`.

    One pass over row blocks of ``x`` (no N x d copy). An input of one block with a
    component holding half of the nodes or more gets that component's coefficients from one
    matrix-vector product (no N x d intermediate) and only the other rows gathered.
    """
    n = x.size(0)
    count, labels, e, norm2, split = _basis(edge_index, n, operator)
    coef = torch.zeros(count, x.size(1), dtype=torch.float64, device=x.device)
    if split is not None and x.numel() <= _utils.BLOCK_ELEMENTS:
        largest, e_largest, rest, rest_labels, rest_e = split
        x64 = float64(x)
        coef[largest] = torch.mv(x64.T, e_largest)
        if rest.numel():
            coef.index_add_(0, rest_labels, x64.index_select(0, rest).mul_(rest_e.unsqueeze(1)))
    else:
        for block, block_labels, block_e in row_blocks(x, labels, e):
            coef.index_add_(0, block_labels, float64(block) * block_e.unsqueeze(1))
    coef.div_(norm2.unsqueeze(1))
    return labels, e, coef


def _projection(x: Tensor, edge_index: Tensor, operator: str) -> Tensor:
    """Float64 projection of ``x`` (already validated) onto the invariant subspace."""
    labels, e, coef = _coefficients(x, edge_index, operator)
    return coef.index_select(0, labels).mul_(e.unsqueeze(1))


@rescaled(1)
def invariant_projection(x: Tensor, edge_index: Tensor, operator: str = "gcn",
                         num_nodes: int | None = None, dtype: torch.dtype | None = None) -> Tensor:
    r"""Orthogonal projection of ``x`` onto the invariant subspace :math:`\mathcal M` of ``operator``.

    :math:`\mathcal M` is the eigenvalue-1 eigenspace of the propagation matrix :math:`P`
    (Oono & Suzuki, ICLR 2020, "Graph Neural Networks Exponentially Lose Expressive Power
    for Node Classification"). It has one basis vector per connected component
    :math:`C_m` (weakly connected; an isolated node is its own component):

    * ``"gcn"``, :math:`P = \tilde D^{-1/2}(A+I)\tilde D^{-1/2}`: :math:`e_m = \tilde D^{1/2} 1_{C_m}`,
      i.e. :math:`\sqrt{1 + d_i}` on the component (:math:`d_i` = distinct neighbours, no self-loop);
    * ``"sym"``, :math:`P = D^{-1/2}AD^{-1/2}`: :math:`e_m = D^{1/2} 1_{C_m}` (0 on an isolated
      node, whose row of :math:`P` is zero: its features are never invariant);
    * ``"rw"``, :math:`P = \tilde D^{-1}(A+I)`: :math:`e_m = 1_{C_m}` (constant per component).
      :math:`P` is not symmetric, so this is the span of its right eigenvectors and the
      projection is the Euclidean one onto the per-component constants (the component means).

    .. math:: \Pi X = \sum_m e_m e_m^\top X / \|e_m\|^2

    Limits: for ``"gcn"`` (symmetric, a self-loop at every node) :math:`P^k X \to \Pi X`. For
    ``"rw"``, :math:`P^k X` converges to the component means weighted by :math:`1+d_i`: a point
    of :math:`\mathcal M`, but not this orthogonal projection. Cost O(N d) plus the component
    labels (scipy on a host copy of ``edge_index``, cached per tensor).

    Returns:
        A tensor shaped like ``x`` on ``x``'s device, of ``dtype`` (default ``x.dtype``),
        computed in float64.
    """
    check_name(operator, OPERATORS, "operator")
    x, edge_index = check_graph(x, edge_index, num_nodes)
    return _projection(x, edge_index, operator).to(dtype or x.dtype)


# The Pythagorean form ||X||^2 - ||Pi X||^2 is used when it keeps at least this fraction of
# ||X||^2: the subtraction then magnifies the two sums' rounding errors (about 1e-16 relative
# each) at most 1/FAST_FRACTION = 64 times; nearer the subspace the residual is summed directly.
FAST_FRACTION = 1.0 / 64


def _distance(x: Tensor, edge_index: Tensor, operator: str, relative: bool) -> float:
    labels, e, coef = _coefficients(x, edge_index, operator)
    norm = sq_norm(x)
    inside = torch.dot(_basis(edge_index, x.size(0), operator)[3], coef.square().sum(1))  # ||Pi X||^2
    dist2 = norm - inside
    if not bool(dist2 >= FAST_FRACTION * norm):
        # x - e * coef[labels], without materialising the projection separately
        dist2 = sum(sum_squares(torch.addcmul(float64(block), coef.index_select(0, block_labels),
                                              block_e.unsqueeze(1), value=-1.0))
                    for block, block_labels, block_e in row_blocks(x, labels, e))
    if relative:
        return float((dist2 / norm).sqrt()) if bool(norm > 0) else 0.0
    return float(dist2.sqrt())


@rescaled(lambda a: 0 if a["relative"] else 1)
def subspace_distance(x: Tensor, edge_index: Tensor, operator: str = "gcn",
                      num_nodes: int | None = None, relative: bool = False) -> float:
    r"""Distance of ``x`` to the invariant subspace: :math:`d_{\mathcal M}(X) = \|X - \Pi X\|_F`.

    :math:`\Pi` is :func:`invariant_projection` (one basis vector per connected component,
    :math:`\propto \sqrt{1+d_i}` for ``"gcn"``, constant for ``"rw"``; for ``"rw"`` this is the
    Euclidean distance to the span of the per-component constant vectors, i.e. the
    Frobenius norm of the features centred per component). Oono & Suzuki (ICLR 2020)
    prove :math:`d_{\mathcal M}(X^{(l)}) \le (s\lambda)^l d_{\mathcal M}(X^{(0)})`.

    Oversmoothed: :math:`d_{\mathcal M} \to 0`. ``relative=True`` divides by
    :math:`\|X\|_F` (a value in [0, 1], scale free).

    Cost O(N d); accumulated in float64. Away from :math:`\mathcal M`
    (:math:`d_{\mathcal M}^2 \ge \|X\|_F^2/64`) one pass gives
    :math:`d_{\mathcal M}^2 = \|X\|_F^2 - \|\Pi X\|_F^2`, whose subtraction magnifies the
    float64 rounding of the two sums at most 64 times; nearer :math:`\mathcal M` a second pass
    sums the residual :math:`\|X - \Pi X\|_F^2` itself, accurate however small it is.
    Degenerate input: all-zero features, or a graph without edges (every node its own
    component, so :math:`\mathcal M = \mathbb R^N`) give 0.0.
    """
    check_name(operator, OPERATORS, "operator")
    x, edge_index = check_graph(x, edge_index, num_nodes)
    return _distance(x, edge_index, operator, relative)
