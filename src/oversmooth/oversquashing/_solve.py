r"""Laplacian solves :math:`x = L^+ b` for many right-hand sides at once (float64).

One node per connected component is grounded (its row and column removed), which leaves a
symmetric positive definite system; the grounded solution differs from :math:`L^+ b` by a
constant per component, removed at the end. All columns of ``b`` share each iteration of
Jacobi-preconditioned conjugate gradients (the matrix is scaled to unit diagonal once): one
sparse-times-dense product per iteration, every other step a whole-array operation (no
Python loop over columns or components).

The grounded system is stored in reverse Cuthill-McKee order: neighbours get nearby
indices, so the rows that the sparse-times-dense product gathers share cache lines (1.5-2x
faster on a 100k-node random graph, more on graphs with locality). It is built once per
graph and kept in :mod:`oversmooth.graph`'s cache.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee
from torch import Tensor

from ..graph import cached
from ._graph import component_labels, laplacian

__all__ = ["GroundedLaplacian", "grounded_laplacian"]


class GroundedLaplacian:
    """The Laplacian with one node per component removed: symmetric positive definite.

    Attributes:
        count, labels, sizes: components, the component of each node, their sizes.
        index: the kept (non-grounded) nodes, in solver order.
        matrix: :math:`D^{-1/2} L_g D^{-1/2}` (unit diagonal) of the grounded Laplacian
            :math:`L_g`, in solver order (CSR).
        scale: :math:`D^{-1/2}` of the kept nodes, in solver order.
    """

    def __init__(self, edge_index: Tensor, n: int) -> None:
        self.n = n
        self.count, self.labels = component_labels(edge_index, n)
        self.sizes = np.bincount(self.labels, minlength=self.count)
        lap = laplacian(edge_index, n)
        deg = lap.diagonal()
        # ground the highest-degree node of each component: its removal disturbs the
        # conditioning least
        order = np.lexsort((-deg, self.labels))
        first = np.ones(n, bool)
        first[1:] = self.labels[order][1:] != self.labels[order][:-1]
        keep = np.ones(n, bool)
        keep[order[first]] = False
        index = np.flatnonzero(keep)
        if index.size:
            perm = reverse_cuthill_mckee(lap[index][:, index].tocsr(), symmetric_mode=True)
            index = index[perm]
        # Jacobi preconditioning applied once, to the matrix: CG on the unit-diagonal
        # D^-1/2 L_g D^-1/2 saves a pass over the block per iteration
        self.scale = 1.0 / np.sqrt(deg[index])          # a kept node has degree >= 1
        scaling = sp.diags(self.scale)
        self.matrix = (scaling @ lap[index][:, index] @ scaling).tocsr()
        self.matrix.sort_indices()
        self.index = index
        # component indicator (count x n): per-component sums as one sparse product
        self._indicator = sp.csr_matrix((np.ones(n), (self.labels, np.arange(n))), shape=(self.count, n))

    def solve(self, rhs: np.ndarray, tol: float, maxiter: int | None = None) -> np.ndarray:
        """:math:`L^+ b` for each column b of ``rhs`` (``[N, k]``, zero sum per component),
        to relative residual ``tol`` per column (in the :math:`D^{-1}` norm, see
        :func:`block_cg`)."""
        rhs = np.asarray(rhs, dtype=np.float64)
        x = np.zeros_like(rhs)
        if self.index.size:
            column = self.scale[:, None]
            x[self.index] = column * block_cg(self.matrix, rhs[self.index] * column, tol, maxiter)
        means = (self._indicator @ x) / self.sizes[:, None]
        x -= means[self.labels]
        return x


def grounded_laplacian(edge_index: Tensor, n: int) -> GroundedLaplacian:
    """The :class:`GroundedLaplacian` of a graph, built once and cached with its structure."""
    return cached(edge_index, n, ("oversquashing", "grounded"), lambda: GroundedLaplacian(edge_index, n))


def block_cg(a, b: np.ndarray, tol: float, maxiter: int | None = None) -> np.ndarray:
    """Conjugate gradients on the SPD ``a``, one independent run per column of ``b``,
    sharing one ``a @ P`` product per iteration.

    Stops when every column's residual ``||b - a x|| / ||b||`` is at most ``tol``. On the
    Jacobi-scaled :math:`D^{-1/2} L_g D^{-1/2}` this is the relative residual of
    :math:`L_g` in the :math:`D^{-1}` norm.

    Raises:
        RuntimeError: not converged in ``maxiter`` iterations (default 10 N + 100).
    """
    maxiter = maxiter or 10 * a.shape[0] + 100
    r = np.array(b, dtype=np.float64, order="C")
    x = np.zeros_like(r)
    p = r.copy()
    tmp = np.empty_like(r)
    rr = np.einsum("ij,ij->j", r, r)
    limit = tol * tol * rr
    for _ in range(maxiter):
        if (rr <= limit).all():
            return x
        ap = a @ p
        pap = np.einsum("ij,ij->j", p, ap)
        # a converged column (r = p = 0) gets alpha = beta = 0 and stays where it is
        alpha = rr / np.where(pap > 0, pap, np.inf)
        np.multiply(p, alpha, out=tmp)
        x += tmp
        np.multiply(ap, alpha, out=ap)
        r -= ap
        rr_new = np.einsum("ij,ij->j", r, r)
        beta = rr_new / np.where(rr > 0, rr, np.inf)
        rr = rr_new
        p *= beta
        p += r
    if (rr <= limit).all():
        return x
    raise RuntimeError(f"conjugate gradients did not reach tol={tol} in {maxiter} iterations")
