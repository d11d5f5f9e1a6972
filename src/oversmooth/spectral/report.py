"""What the spectrum of a propagation operator predicts: :class:`SpectralReport`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from ..graph import InvariantBasis, normalized_adjacency

__all__ = ["SpectralReport", "appnp_factor"]

# The APPNP factor over an interval of eigenvalues is evaluated on this many points.
_GRID = 2001


def appnp_factor(lam: np.ndarray, k: int | float, alpha: float) -> np.ndarray:
    r"""Eigenvalue :math:`\mu_k(\lambda)` of the k-step APPNP operator for eigenvalue
    :math:`\lambda` of P: :math:`r^k + \alpha\sum_{j<k} r^j`, :math:`r=(1-\alpha)\lambda`;
    ``k = inf`` gives the limit :math:`\alpha/(1-r)`."""
    r = (1.0 - alpha) * np.asarray(lam, dtype=np.float64)
    if math.isinf(k):
        return alpha / (1.0 - r)
    rk = r ** k
    # |r| <= 1 - alpha < 1, so 1 - r >= alpha > 0
    return rk + alpha * (1.0 - rk) / (1.0 - r)


@dataclass
class SpectralReport:
    r"""What the spectrum of a propagation operator predicts about oversmoothing.

    Attributes:
        operator: the operator (``gcn``, ``sym``, ``rw``, ``sgc``, ``appnp``).
        num_nodes, num_edges: graph size (undirected edges, self-loops and duplicates dropped).
        num_components: connected components (isolated nodes count as components).
        isolated_nodes: nodes without an edge.
        bipartite_components: ``sym`` only (``None`` otherwise): components with at least
            one edge and no odd cycle, each giving eigenvalue -1.
        multiplicity_one: multiplicity of eigenvalue 1, i.e. dimension of the invariant
            subspace: ``num_components`` except for ``sym`` (components with an edge).
        rate: largest :math:`|\lambda|` outside the invariant subspace; ``P^k X`` approaches
            its limit like ``rate**k``. 0 when there is no eigenvalue outside it (graph
            without edges, single node): everything is already invariant. 1 means no decay
            (``sym`` on a bipartite component). For ``sgc`` one step is one application of
            :math:`P^K`; for ``appnp`` it is the operator with its K (stacked APPNP layers).
        spectral_gap: ``1 - rate``.
        smallest_eigenvalue: smallest eigenvalue of the operator (-1 flags bipartite
            components under ``sym``; > -1 always for ``gcn``). For ``appnp`` that of its
            ``gcn`` matrix P. With Lanczos it is computed to about 1e-3 unless it sets the
            rate, and reported as 0 when the spectrum outside the invariant subspace is
            nonnegative (the deflated directions sit at 0); ``sgc`` with even K likewise.
        largest_eigenvalue_below_one: largest eigenvalue outside the invariant subspace
            (of P for ``appnp``); ``None`` when there is none.
        converges: whether ``P^k X`` has a limit for every X (False for ``sym`` with a
            bipartite component).
        limit_in_invariant_subspace: whether that limit lies in the invariant subspace
            (oversmoothing). False for ``appnp``, whose limit depends on the input.
        limit_distance_bounds: ``appnp`` only: ``(low, high)`` with
            ``low * d_M(X) <= d_M(Z^(inf)) <= high * d_M(X)``: the distance never reaches 0.
        note: one sentence explaining the asymptotics in words.
        method: ``"dense"``, ``"lanczos"`` or ``"trivial"`` (no eigenvalue outside the
            invariant subspace, nothing to compute).
        seconds: wall time of the analysis.
    """

    operator: str
    num_nodes: int
    num_edges: int
    num_components: int
    isolated_nodes: int
    bipartite_components: int | None
    multiplicity_one: int
    rate: float
    spectral_gap: float
    smallest_eigenvalue: float
    largest_eigenvalue_below_one: float | None
    converges: bool
    limit_in_invariant_subspace: bool
    note: str
    method: str
    seconds: float
    K: int | None = None
    alpha: float | None = None
    limit_distance_bounds: tuple[float, float] | None = None
    # Internals used by steps_to / limit; left out of to_dict().
    _spectrum: np.ndarray | None = field(default=None, repr=False)  # base eigenvalues outside M
    _spectrum_is_interval: bool = field(default=False, repr=False)
    _basis: InvariantBasis | None = field(default=None, repr=False)
    _edge_index: torch.Tensor | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """Deprecated name of :attr:`operator`."""
        return self.operator

    # -- predictions -----------------------------------------------------------------
    def predicted_factor(self, k: int) -> float:
        r"""Predicted :math:`d_M(H^{(k)}) / d_M(X)` after ``k`` steps.

        ``rate**k`` for ``gcn``/``sym``/``rw``/``sgc`` (an upper bound for the symmetric
        operators, the asymptotic slope for ``rw``); 0 for every ``k`` when nothing lies
        outside the invariant subspace. For ``appnp`` a step is one power-iteration step
        (``k`` = APPNP's K) and the factor is :math:`\max_\lambda |\mu_k(\lambda)|` over the
        eigenvalues of P outside M, which tends to ``limit_distance_bounds[1] > 0``.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        if self._spectrum is None or self._spectrum.size == 0:
            return 0.0
        if self.operator == "appnp":
            lam = self._lambda_points()
            return float(np.max(np.abs(appnp_factor(lam, k, self.alpha))))
        return float(self.rate ** k)

    def _lambda_points(self) -> np.ndarray:
        if self._spectrum_is_interval:
            lo, hi = float(self._spectrum.min()), float(self._spectrum.max())
            return np.linspace(lo, hi, _GRID)
        return self._spectrum

    def steps_to(self, eps: float) -> float | int:
        """Predicted number of steps until the distance to the invariant subspace has
        shrunk by the factor ``eps``: the smallest ``k`` with ``predicted_factor(k) <= eps``.

        0 when ``eps >= 1`` or nothing lies outside the invariant subspace; ``math.inf``
        when it never happens (``rate == 1``; ``appnp`` with ``eps`` below its limit factor).
        """
        eps = float(eps)
        if not eps > 0 or math.isnan(eps):
            raise ValueError(f"eps must be a positive number, got {eps}")
        if eps >= 1.0 or self.predicted_factor(0) == 0.0:
            return 0
        if self.operator == "appnp":
            if eps < self.limit_distance_bounds[1]:
                return math.inf
            k = 1
            while self.predicted_factor(k) > eps:
                k *= 2
            lo = k // 2
            while lo + 1 < k:  # the factor is non-increasing in k for k >= 1 here
                mid = (lo + k) // 2
                lo, k = (lo, mid) if self.predicted_factor(mid) <= eps else (mid, k)
            return k
        if self.rate >= 1.0:
            return math.inf
        if self.rate == 0.0:
            return 1
        k = max(1, math.ceil(math.log(eps) / math.log(self.rate)))
        while self.rate ** k > eps:
            k += 1
        while k > 1 and self.rate ** (k - 1) <= eps:
            k -= 1
        return k

    # -- the limit -------------------------------------------------------------------
    def limit(self, x: torch.Tensor) -> torch.Tensor:
        r"""The limit of :math:`H^{(k)}` for input ``x`` (float64, on ``x``'s device).

        ``gcn``/``sgc``: orthogonal projection on the invariant subspace, per component
        :math:`e_m e_m^\top x` with :math:`e_m\propto\sqrt{d+1}`; ``rw``: per component the
        constant :math:`\sum_{i\in C}(d_i+1)x_i/\sum_{i\in C}(d_i+1)` (stationary
        distribution); ``sym``: projection on :math:`\sqrt d` per component, 0 on isolated
        nodes; ``appnp``: :math:`\alpha(I-(1-\alpha)P)^{-1}x`, which depends on ``x``
        beyond the invariant subspace.

        Raises:
            ValueError: ``sym`` with a bipartite component (``P^k x`` oscillates, no limit),
                or ``x`` with the wrong number of rows.
        """
        if x.dim() != 2 or x.size(0) != self.num_nodes:
            raise ValueError(f"x must have shape [{self.num_nodes}, d], got {list(x.shape)}")
        x = x.to(torch.float64)
        if not self.converges:
            raise ValueError(
                f"{self.operator} has eigenvalue -1 on {self.bipartite_components} bipartite "
                "component(s): P^k x oscillates and has no limit (use the gcn operator)")
        if self.operator == "appnp":
            return _ppr_limit(self._edge_index, self.num_nodes, x, self.alpha)
        if self.operator == "rw":  # the stationary distribution: weights d + 1 = e_i^2 of the gcn basis
            labels = self._basis.labels.to(x.device)
            mass = self._basis.weights.to(x.device).square()
            sums = torch.zeros(self._basis.count, x.size(1), dtype=torch.float64, device=x.device)
            sums.index_add_(0, labels, mass[:, None] * x)
            return (sums / self._basis.sq_norms.to(x.device).clamp_min(1e-300)[:, None])[labels]
        return self.projection(x)

    def projection(self, x: torch.Tensor) -> torch.Tensor:
        r"""Orthogonal projection :math:`\sum_m e_m e_m^\top x` of ``x`` on the eigenvalue-1
        eigenspace of the symmetric operator (``gcn`` matrix for every operator but ``sym``,
        whose vectors are :math:`\sqrt{d}` per component and 0 on isolated nodes), in float64."""
        return self._basis.project(x)

    def to_dict(self) -> dict:
        """The report as plain JSON-ready values, with ``steps_to`` at a few tolerances."""
        out = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        if out["limit_distance_bounds"] is not None:
            out["limit_distance_bounds"] = list(out["limit_distance_bounds"])
        out["steps_to"] = {f"{eps:g}": self.steps_to(eps) for eps in (1e-1, 1e-3, 1e-6)}
        return out


def _ppr_limit(edge_index, num_nodes, x, alpha, tol=1e-13, max_iter=100_000):
    """Fixed point of Z = (1-alpha) P Z + alpha x (a contraction with factor 1 - alpha)."""
    p = normalized_adjacency(edge_index.to(x.device), num_nodes, "gcn", torch.float64)
    z = x
    scale = float(x.norm()) or 1.0
    for _ in range(max_iter):
        new = (1.0 - alpha) * (p @ z) + alpha * x
        if float((new - z).norm()) <= tol * scale:
            return new
        z = new
    return z
