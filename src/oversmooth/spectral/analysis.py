r"""Spectral analysis of a propagation operator: how fast does :math:`P^k X` oversmooth?

For the symmetric operators (``gcn``, ``sym``) the eigenvalue-1 eigenspace :math:`M`
is known in closed form: one vector per connected component,
:math:`e_m \propto \tilde D^{1/2}\mathbf 1_{C_m}` for ``gcn`` and
:math:`D^{1/2}\mathbf 1_{C_m}` for ``sym`` (components with at least one edge; an
isolated node is a zero row of ``sym`` and contributes eigenvalue 0). On the
orthogonal complement :math:`P` acts with eigenvalues of modulus at most
:math:`\lambda` (the *rate*), hence (Oono & Suzuki, ICLR 2020)

.. math::
    d_M(P^k X) \le \lambda^k\, d_M(X), \qquad
    d_M(X) = \lVert X - \textstyle\sum_m e_m e_m^\top X\rVert_F ,

with equality in the limit for generic :math:`X`. ``rw`` (:math:`\tilde D^{-1}(A+I)`)
is similar to ``gcn`` (:math:`\tilde D^{-1/2} P_{gcn} \tilde D^{1/2}`): same
eigenvalues, invariant vectors constant per component, and the same asymptotic rate
(the bound holds up to the factor :math:`\sqrt{\max(d+1)/\min(d+1)}`).

With self-loops every eigenvalue of ``gcn`` lies in :math:`(-1, 1]`; without them
(``sym``) :math:`-1` is an eigenvalue exactly for each bipartite component, the rate is
1 and :math:`P^kX` oscillates forever instead of converging.

The rate is computed with Lanczos (:func:`scipy.sparse.linalg.eigsh`, largest magnitude)
on the deflated operator :math:`x\mapsto Px - V(V^\top x)`, or with dense ``eigh`` for
small graphs.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .._deprecation import renamed
from ..graph import bipartite_components, components, graph_of, invariant_basis, normalized_adjacency
from ..graph.operators import _check_alpha, _check_k, check_operator
from .operators import BASE_KINDS
from .report import _GRID, SpectralReport, appnp_factor

__all__ = ["analyze", "SpectralReport", "DENSE_THRESHOLD"]

#: ``method="auto"`` uses dense ``eigh`` up to this many nodes, Lanczos above.
DENSE_THRESHOLD = 2000


def _to_scipy(p: torch.Tensor) -> sp.csr_matrix:
    n = p.shape[0]
    return sp.csr_matrix((p.values().cpu().numpy(), p.col_indices().cpu().numpy(),
                          p.crow_indices().cpu().numpy()), shape=(n, n))


def _dense_spectrum(dense: np.ndarray, mult: int) -> np.ndarray:
    """Eigenvalues outside the invariant subspace: all but the ``mult`` largest (== 1)."""
    vals = np.linalg.eigvalsh(dense)
    return vals[: vals.size - mult]


def _lanczos_ends(p: sp.csr_matrix, labels: np.ndarray, w: np.ndarray, num_components: int,
                  tol: float, seed: int) -> tuple[float, float]:
    """(smallest, largest) eigenvalue of ``P`` deflated by the invariant vectors ``w``
    (entries per node, unit norm per component; the deflated directions become eigenvalue 0).

    The end of largest magnitude (it sets the rate) is computed to ``tol``; the other end
    only to ``max(tol, 1e-3)``: it usually sits at the edge of the dense bulk of the
    spectrum, where Lanczos needs many more products for the same accuracy."""
    n = p.shape[0]

    def deflate(x):
        coef = np.bincount(labels, weights=w * x, minlength=num_components)
        return x - w * coef[labels]

    def matvec(x):
        # P V = V, so P - V V^T = (I - V V^T) P: symmetric, one deflation per product
        return deflate_image(p, np.asarray(x, dtype=np.float64).ravel())

    def deflate_image(p, x):
        coef = np.bincount(labels, weights=w * x, minlength=num_components)
        return p @ x - w * coef[labels]

    op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    v0 = deflate(np.random.default_rng(seed).standard_normal(n))
    if not np.any(v0):
        return 0.0, 0.0
    ncv = min(n - 1, 48)

    def extreme(which, tolerance):
        try:
            vals = eigsh(op, k=1, which=which, tol=tolerance, v0=v0, ncv=ncv,
                         maxiter=max(1000, n), return_eigenvectors=False)
        except ArpackNoConvergence as exc:
            if not len(exc.eigenvalues):
                raise RuntimeError(f"Lanczos did not converge to tol={tolerance}; retry with a "
                                   "larger tol or method='dense'") from None
            vals = exc.eigenvalues
        return float(vals[0])

    top = extreme("LM", tol)
    other = extreme("LA" if top < 0 else "SA", max(tol, 1e-3))
    return (top, max(other, 0.0)) if top < 0 else (min(other, 0.0), top)


def analyze(data, operator: str | None = None, *, K: int | None = None, alpha: float = 0.1,
            method: str = "auto", tol: float = 1e-8, seed: int = 0, kind: str | None = None) -> SpectralReport:
    r"""Spectral report of the propagation operator ``operator`` on ``data``
    (default ``gcn``; see :func:`oversmooth.graph.propagation_operator` for the operators; ``K`` defaults to 2 for
    ``sgc`` and 10 for ``appnp``).

    The eigenvalue-1 vectors are known per component, so they are deflated and the
    extremes of the remaining spectrum computed: dense ``eigh`` (``method="dense"``,
    default up to :data:`DENSE_THRESHOLD` nodes) or Lanczos (``"lanczos"``: ARPACK
    ``eigsh``, the largest-magnitude eigenvalue at relative tolerance ``tol``, the opposite
    end to ``max(tol, 1e-3)``, start vector from ``seed``). ``rw`` is analysed through the similar symmetric ``gcn`` matrix; ``sgc``
    through :math:`P^K` applied matrix-free. The analysis runs on the CPU (scipy) whatever
    the device of ``data``.

    Degenerate graphs have defined answers: with no edge (or a single node) every
    vector is invariant under ``gcn``/``rw``/``sgc``/``appnp`` (rate 0, ``method="trivial"``),
    and ``sym`` is the zero matrix (rate 0, limit 0).

    Returns:
        :class:`SpectralReport`.

    Raises:
        ValueError: unknown operator or method, malformed graph, bad ``K``/``alpha``/``tol``.
    """
    start = time.perf_counter()
    operator = check_operator(renamed("kind", "operator", kind, operator, "gcn", "analyze"))
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"unknown method {method!r}; known: auto, dense, lanczos")
    if not 0.0 <= float(tol) < 1.0:
        raise ValueError(f"tol must lie in [0, 1), got {tol}")
    if operator in BASE_KINDS and K is not None:
        raise ValueError(f"K applies to sgc and appnp only, not to {operator!r}")
    if operator == "sgc":
        K = 2 if K is None else _check_k(K)
    elif operator == "appnp":
        K = 10 if K is None else _check_k(K)
        alpha = _check_alpha(alpha)
    if operator in ("sgc", "appnp") and K < 1:
        raise ValueError(f"K must be at least 1 for {operator}, got {K}")
    edge_index, n = graph_of(data)

    base_operator = "sym" if operator == "sym" else "gcn"
    p_t = normalized_adjacency(edge_index, n, base_operator, torch.float64)
    p = _to_scipy(p_t)
    row_nnz = np.diff(p.indptr)
    deg = row_nnz - 1 if base_operator == "gcn" else row_nnz
    num_edges = int(deg.sum()) // 2
    num_components, _ = components(edge_index, n)
    isolated = int(np.count_nonzero(deg == 0))
    # Only sym can have eigenvalue -1; the double cover costs seconds on a million nodes.
    bipartite = bipartite_components(edge_index, n) if operator == "sym" else None

    # Invariant vectors: sqrt(deg + 1) (gcn family) or sqrt(deg) (sym) per component, unit norm.
    basis = invariant_basis(edge_index, n, base_operator)
    labels = basis.labels.cpu().numpy()
    w = basis.unit_weights().cpu().numpy()
    mult = basis.dimension

    chosen = method if method != "auto" else ("dense" if n <= DENSE_THRESHOLD else "lanczos")
    if n < 4:  # ARPACK needs k < n - 1; tiny graphs are exact and instant densely
        chosen = "dense"
    if mult == n:
        chosen, spectrum, interval = "trivial", np.empty(0), False
    elif chosen == "dense":
        spectrum, interval = _dense_spectrum(p.toarray(), mult), False
    else:
        lo, hi = _lanczos_ends(p, labels, w, num_components, tol, seed)
        if bipartite and operator == "sym":
            lo = -1.0
        spectrum, interval = np.array([lo, hi]), True
    if operator == "sgc" and spectrum.size:
        # eigenvalues of P^K are lambda^K; from the ends of an interval [lo, hi] that
        # contains 0, an even power spans [0, max(lo^K, hi^K)]
        if interval and K % 2 == 0 and spectrum[0] < 0 < spectrum[1]:
            spectrum = np.array([0.0, max(spectrum[0] ** K, spectrum[1] ** K)])
        else:
            spectrum = np.sort(spectrum ** K)

    # round-off around exact zeros (complete graph: P = J/n) would read as a tiny rate
    spectrum = np.where(np.abs(spectrum) < 1e-12, 0.0, spectrum)
    if operator == "sym" and bipartite:
        spectrum = np.where(np.isclose(spectrum, -1.0, atol=1e-9), -1.0, spectrum)
    if spectrum.size:
        rate = float(np.max(np.abs(spectrum)))
        smallest = float(spectrum.min())
        below_one = float(spectrum.max())
    else:
        rate, smallest, below_one = 0.0, 1.0, None
    rate = min(rate, 1.0)
    if operator == "sym" and bipartite:
        rate, smallest = 1.0, -1.0

    report = dict(operator=operator, num_nodes=n, num_edges=num_edges, num_components=int(num_components),
                  isolated_nodes=isolated, bipartite_components=bipartite, multiplicity_one=mult,
                  smallest_eigenvalue=smallest, largest_eigenvalue_below_one=below_one, method=chosen)
    converges = not (operator == "sym" and bipartite)
    bounds = None
    if operator == "appnp":
        base_rate = rate
        if spectrum.size:
            lam = np.linspace(spectrum.min(), spectrum.max(), _GRID) if interval else spectrum
            rate = float(np.max(np.abs(appnp_factor(lam, K, alpha))))
            limit = appnp_factor(np.array([spectrum.min(), spectrum.max()]), math.inf, alpha)
            bounds = (float(limit[0]), float(limit[1]))
        else:
            bounds = (0.0, 0.0)
        note = (f"APPNP keeps a fraction alpha={alpha:g} of the input at every step, so its limit "
                f"alpha (I - (1 - alpha) P)^-1 X depends on the input and stays at a distance of "
                f"{bounds[0]:.3g}..{bounds[1]:.3g} x d_M(X) from the invariant subspace; it reaches "
                f"that limit at rate (1 - alpha) x {base_rate:.4g} per step. Stacked APPNP layers "
                f"(K={K}) shrink the distance by at most {rate:.4g} per layer.")
    elif not spectrum.size or rate == 0.0:
        note = ("Every eigenvalue outside the invariant subspace is 0: one step reaches the limit."
                if spectrum.size else
                "Every vector is invariant (no edges): propagation changes nothing, rate 0.")
    elif not converges:
        note = (f"{bipartite} bipartite component(s) give eigenvalue -1 without self-loops: P^k X "
                "oscillates and never converges (rate 1); the gcn operator's self-loops prevent this.")
    else:
        unit = f"application of P^{K}" if operator == "sgc" else "step"
        limit_word = ("the degree-weighted mean of its features" if operator == "rw"
                      else "one feature vector scaled by sqrt(deg + 1)" if operator in ("gcn", "sgc")
                      else "one feature vector scaled by sqrt(deg) (isolated nodes to 0)")
        note = (f"The distance to the invariant subspace shrinks by {rate:.6g} per {unit}; each "
                f"of the {num_components} component(s) converges to {limit_word}.")
    return SpectralReport(
        **report, rate=rate, spectral_gap=1.0 - rate, converges=converges,
        limit_in_invariant_subspace=converges and operator != "appnp", note=note,
        seconds=time.perf_counter() - start, K=K, alpha=alpha if operator == "appnp" else None,
        limit_distance_bounds=bounds, _spectrum=spectrum, _spectrum_is_interval=interval,
        _basis=basis,
        _edge_index=edge_index)
