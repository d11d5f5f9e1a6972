"""Propagation operators of GCN-family models, as sparse tensors or matrix-free objects.

``gcn``, ``sym`` and ``rw`` are sparse CSR tensors (from
:func:`oversmooth.models.propagation.normalized_adjacency`); ``sgc`` and ``appnp``
are polynomials in the ``gcn`` matrix and would be dense, so they are objects that
apply themselves to features (``op @ x``) and densify only on request.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..models.propagation import normalized_adjacency
from ..validation import check_edge_index

__all__ = ["operator", "KINDS", "BASE_KINDS", "SGCOperator", "APPNPOperator", "graph_of"]

BASE_KINDS = ("gcn", "sym", "rw")
KINDS = BASE_KINDS + ("appnp", "sgc")


def graph_of(data) -> tuple[Tensor, int]:
    """``(edge_index, num_nodes)`` of a :class:`~torch_geometric.data.Data`, checked."""
    edge_index = getattr(data, "edge_index", None)
    if edge_index is None:
        raise ValueError("the graph has no edge_index; pass a torch_geometric Data object")
    num_nodes = data.num_nodes
    if num_nodes is None or num_nodes < 1:
        raise ValueError(f"the graph must have at least one node, got num_nodes={num_nodes}")
    check_edge_index(edge_index, num_nodes)
    return edge_index, int(num_nodes)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown operator {kind!r}; known: {', '.join(KINDS)}")
    return kind


def _check_k(K: int) -> int:
    if isinstance(K, bool) or not isinstance(K, int) or K < 0:
        raise ValueError(f"K must be an integer >= 0, got {K!r}")
    return K


def _check_alpha(alpha: float) -> float:
    if not 0.0 < float(alpha) <= 1.0:
        raise ValueError(f"alpha (teleport probability) must lie in (0, 1], got {alpha}")
    return float(alpha)


class _MatrixFree:
    """Common interface of the polynomial operators: ``op @ x``, ``apply``, ``to_dense``."""

    kind: str

    def __init__(self, base: Tensor) -> None:
        self.base = base
        self.shape = tuple(base.shape)

    def apply(self, x: Tensor) -> Tensor:  # pragma: no cover - overridden
        raise NotImplementedError

    def __matmul__(self, x: Tensor) -> Tensor:
        return self.apply(x)

    def _check(self, x: Tensor) -> Tensor:
        if x.size(0) != self.shape[0]:
            raise ValueError(f"operator has {self.shape[0]} rows but x has {x.size(0)}")
        return x.to(self.base.dtype)

    def to_dense(self) -> Tensor:
        """The operator as a dense ``[N, N]`` matrix (applies it to the identity: small graphs only)."""
        n = self.shape[0]
        return self.apply(torch.eye(n, dtype=self.base.dtype, device=self.base.device))


class SGCOperator(_MatrixFree):
    r"""SGC's propagation :math:`S = P^K`, :math:`P=\tilde D^{-1/2}(A+I)\tilde D^{-1/2}`
    (Wu et al., ICML 2019), applied as K sparse products, never densified."""

    kind = "sgc"

    def __init__(self, base: Tensor, K: int) -> None:
        super().__init__(base)
        self.K = _check_k(K)

    def apply(self, x: Tensor) -> Tensor:
        x = self._check(x)
        for _ in range(self.K):
            x = self.base @ x
        return x

    def __repr__(self) -> str:
        return f"SGCOperator(num_nodes={self.shape[0]}, K={self.K})"


class APPNPOperator(_MatrixFree):
    r"""APPNP's propagation (Gasteiger et al., ICLR 2019): K power-iteration steps of
    personalised PageRank with teleport probability :math:`\alpha`,

    .. math::
        Z^{(0)} = X,\qquad Z^{(k+1)} = (1-\alpha) P Z^{(k)} + \alpha X,

    with :math:`P` the ``gcn`` matrix. As :math:`K\to\infty` it tends to
    :math:`\alpha (I-(1-\alpha)P)^{-1}X`, which depends on :math:`X` outside the
    invariant subspace: APPNP does not oversmooth with depth.
    """

    kind = "appnp"

    def __init__(self, base: Tensor, K: int, alpha: float) -> None:
        super().__init__(base)
        self.K = _check_k(K)
        self.alpha = _check_alpha(alpha)

    def steps(self, x: Tensor):
        """Yield :math:`Z^{(0)}, Z^{(1)}, \\dots, Z^{(K)}`."""
        x = self._check(x)
        z = x
        yield z
        for _ in range(self.K):
            z = (1.0 - self.alpha) * (self.base @ z) + self.alpha * x
            yield z

    def apply(self, x: Tensor) -> Tensor:
        for z in self.steps(x):
            pass
        return z

    def __repr__(self) -> str:
        return f"APPNPOperator(num_nodes={self.shape[0]}, K={self.K}, alpha={self.alpha})"


def operator(data, kind: str = "gcn", *, K: int | None = None, alpha: float = 0.1,
             dtype: torch.dtype = torch.float64):
    r"""The propagation operator of a graph.

    * ``gcn``: :math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}` (Kipf & Welling 2017), sparse CSR,
    * ``sym``: :math:`D^{-1/2}AD^{-1/2}` (no self-loops; isolated nodes get a zero row), sparse CSR,
    * ``rw``: :math:`\tilde D^{-1}(A+I)` (row-stochastic), sparse CSR,
    * ``sgc``: :math:`P^K` with :math:`P` the ``gcn`` matrix (default ``K=2``), an
      :class:`SGCOperator`,
    * ``appnp``: K steps of personalised PageRank with teleport ``alpha`` over the ``gcn``
      matrix (default ``K=10``, ``alpha=0.1``), an :class:`APPNPOperator`.

    Every result supports ``op @ x`` for ``x`` of shape ``[N, d]``; the matrix-free ones
    also ``op.apply(x)`` and ``op.to_dense()`` (small graphs). The operator lives on the
    device of ``data.edge_index``, in ``dtype`` (float64 by default: spectral work).

    Raises:
        ValueError: unknown ``kind``, malformed graph, bad ``K``/``alpha``, or ``K``
            given for a kind that has none.
    """
    _check_kind(kind)
    edge_index, num_nodes = graph_of(data)
    if kind in BASE_KINDS:
        if K is not None:
            raise ValueError(f"K applies to sgc and appnp only, not to {kind!r}")
        return normalized_adjacency(edge_index, num_nodes, kind, dtype)
    base = normalized_adjacency(edge_index, num_nodes, "gcn", dtype)
    if kind == "sgc":
        return SGCOperator(base, 2 if K is None else K)
    return APPNPOperator(base, 10 if K is None else K, alpha)
