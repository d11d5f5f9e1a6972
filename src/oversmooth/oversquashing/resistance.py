r"""Effective resistance, total effective resistance (Kirchhoff index) and commute times.

Treat the undirected simple graph as an electrical network with unit resistors. With
:math:`L = D - A` and its Moore-Penrose pseudo-inverse :math:`L^+`,

.. math::  R_{uv} = (e_u - e_v)^\top L^+ (e_u - e_v), \qquad
           C_{uv} = \operatorname{vol}(G)\, R_{uv} = 2|E|\, R_{uv} \quad\text{(commute time)},

and the total effective resistance (Kirchhoff index) :math:`R_{tot} = \sum_{u<v} R_{uv}
= N \operatorname{tr}(L^+)` (Ellens et al. 2011). Black, Wan, Nayyeri and Wang (ICML 2023,
"Understanding Oversquashing in GNNs through the Lens of Effective Resistance") bound the
Jacobian sensitivity between u and v by a decreasing function of :math:`R_{uv}`: high
resistance means over-squashing, and rewiring to lower :math:`R_{tot}` helps.

Conventions: a pair in two different components has infinite resistance (a query raises
``ValueError`` unless ``disconnected="inf"``); the total is taken over pairs within the
same component, :math:`\sum_C n_C \operatorname{tr}(L_C^+)`; commute times use the volume
:math:`2|E_C|` of the pair's component. Isolated nodes are components of their own.

Three ways to compute:

* ``exact``: dense pseudo-inverse per component, :math:`L_C^+ = (L_C + J/n_C)^{-1} - J/n_C`
  (O(N^3); the default up to :data:`EXACT_MAX_NODES` nodes);
* ``solve``: one node per component grounded, the remaining SPD system solved by
  Jacobi-preconditioned block conjugate gradients (one right-hand side per pair), exact
  to ``tol``; memory O(E + N P);
* ``sketch``: Spielman & Srivastava (STOC 2008): with :math:`B` the edge-incidence matrix
  and :math:`Q` a :math:`k \times |E|` Gaussian matrix scaled by :math:`1/\sqrt k`, the rows
  of :math:`Z = Q B L^+` (k Laplacian solves) give :math:`R_{uv} \approx \|Z(e_u-e_v)\|^2`
  for *every* pair at once, and :math:`\operatorname{tr}(L^+) = \|BL^+\|_F^2 \approx
  \|Z\|_F^2`. Each value is :math:`\chi^2_k/k` times the truth (relative standard error
  :math:`\sqrt{2/k}`), and by Johnson-Lindenstrauss all :math:`\binom N2` pairs lie within a
  factor :math:`1 \pm \varepsilon` with probability at least :math:`1 - 1/N` once
  :math:`k \ge 4 \ln N / (\varepsilon^2/2 - \varepsilon^3/3)`; :class:`ResistanceSketch`
  reports this :math:`\varepsilon` for its k.

>>> import torch
>>> from oversmooth.oversquashing import effective_resistance, total_resistance
>>> path = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])          # 0 - 1 - 2
>>> effective_resistance(path, [[0], [2]]).tolist()             # two unit resistors in series
[2.0]
>>> round(total_resistance(path), 6)                           # 1 + 1 + 2
4.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from torch import Tensor

from ._graph import as_graph, as_pairs, component_labels, laplacian, to_tensor, undirected_edges
from ._solve import grounded_laplacian

__all__ = ["effective_resistance", "resistance_matrix", "total_resistance", "commute_time",
           "resistance_sketch", "ResistanceSketch", "EXACT_MAX_NODES"]

#: Graphs up to this many nodes are handled with the dense pseudo-inverse by ``method="auto"``.
EXACT_MAX_NODES = 2000


def _pinv_blocks(edge_index: Tensor, n: int):
    """Dense :math:`L^+` restricted to each component: list of ``(nodes, L_C^+)``."""
    count, labels = component_labels(edge_index, n)
    lap = laplacian(edge_index, n)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    blocks = []
    for c in range(count):
        nodes = order[bounds[c]:bounds[c + 1]]
        m = nodes.size
        if m == 1:
            blocks.append((nodes, np.zeros((1, 1))))
            continue
        lc = lap[nodes][:, nodes].toarray()
        j = np.full((m, m), 1.0 / m)
        blocks.append((nodes, np.linalg.inv(lc + j) - j))
    return blocks


def resistance_matrix(data, num_nodes: int | None = None) -> Tensor:
    r"""Dense ``[N, N]`` float64 matrix of :math:`R_{uv}` (``inf`` across components), exact.

    O(N^3) time and O(N^2) memory: for graphs of a few thousand nodes.
    """
    edge_index, n = as_graph(data, num_nodes)
    r = np.full((n, n), np.inf)
    for nodes, pinv in _pinv_blocks(edge_index, n):
        d = np.diag(pinv)
        r[np.ix_(nodes, nodes)] = d[:, None] + d[None, :] - 2.0 * pinv
    np.fill_diagonal(r, 0.0)
    return to_tensor(np.maximum(r, 0.0))


def _check_same_component(pairs: np.ndarray, labels: np.ndarray, disconnected: str) -> np.ndarray:
    if disconnected not in ("raise", "inf"):
        raise ValueError(f"disconnected must be 'raise' or 'inf', got {disconnected!r}")
    across = labels[pairs[0]] != labels[pairs[1]]
    if across.any() and disconnected == "raise":
        i = int(np.flatnonzero(across)[0])
        raise ValueError(f"nodes {int(pairs[0, i])} and {int(pairs[1, i])} are in different connected "
                         "components: their effective resistance is infinite (pass disconnected='inf')")
    return across


def _method(method: str, n: int) -> str:
    if method not in ("auto", "exact", "solve", "sketch"):
        raise ValueError(f"unknown method {method!r}; known: auto, exact, solve, sketch")
    if method == "auto":
        return "exact" if n <= EXACT_MAX_NODES else "solve"
    return method


def effective_resistance(data, pairs, num_nodes: int | None = None, *, method: str = "auto",
                         tol: float = 1e-8, disconnected: str = "raise", num_projections: int = 256,
                         seed: int = 0, batch_size: int = 256) -> Tensor:
    r"""Effective resistance :math:`R_{uv} = (e_u-e_v)^\top L^+ (e_u-e_v)` of each pair.

    Args:
        data: a ``Data`` or an ``edge_index`` (then ``num_nodes`` or the largest index + 1).
        pairs: ``[2, P]`` (or ``[P, 2]``) node indices.
        method: ``auto`` (``exact`` up to :data:`EXACT_MAX_NODES` nodes, else ``solve``),
            ``exact``, ``solve`` (grounded block CG to relative residual ``tol``, ``batch_size``
            pairs at a time) or ``sketch`` (:func:`resistance_sketch` with ``num_projections``).
        disconnected: ``"raise"`` (default) for a pair across components, or ``"inf"``.

    Returns:
        ``[P]`` float64 tensor.

    Raises:
        ValueError: node index out of range, pair across components, unknown method.
    """
    edge_index, n = as_graph(data, num_nodes)
    pairs = as_pairs(pairs, n)
    _, labels = component_labels(edge_index, n)
    across = _check_same_component(pairs, labels, disconnected)
    out = np.zeros(pairs.shape[1])
    inside = np.flatnonzero(~across & (pairs[0] != pairs[1]))
    method = _method(method, n)
    if inside.size:
        u, v = pairs[0, inside], pairs[1, inside]
        if method == "exact":
            where = np.empty(n, np.int64)
            for nodes, pinv in _pinv_blocks(edge_index, n):
                where[nodes] = np.arange(nodes.size)
                mine = np.isin(u, nodes)
                if mine.any():
                    a, b = where[u[mine]], where[v[mine]]
                    out[inside[mine]] = pinv[a, a] + pinv[b, b] - 2.0 * pinv[a, b]
        elif method == "solve":
            grounded = grounded_laplacian(edge_index, n)
            for start in range(0, inside.size, batch_size):
                uu, vv = u[start:start + batch_size], v[start:start + batch_size]
                cols = np.arange(uu.size)
                rhs = np.zeros((n, uu.size))
                rhs[uu, cols] = 1.0
                rhs[vv, cols] = -1.0
                x = grounded.solve(rhs, tol, None)
                out[inside[start:start + batch_size]] = x[uu, cols] - x[vv, cols]
        else:
            out[inside] = resistance_sketch(edge_index, num_nodes=n, num_projections=num_projections,
                                            seed=seed, tol=tol).resistance(np.stack([u, v])).numpy()
    out[across] = np.inf
    return to_tensor(np.maximum(out, 0.0))


def total_resistance(data, num_nodes: int | None = None, *, method: str = "auto",
                     num_projections: int = 256, seed: int = 0, tol: float = 1e-8) -> float:
    r"""Total effective resistance (Kirchhoff index) :math:`\sum_{u<v} R_{uv} = N\,\mathrm{tr}(L^+)`.

    Over pairs in the same component: :math:`\sum_C n_C \operatorname{tr}(L_C^+)`. ``exact``
    (dense, :math:`n_C\sum_{\lambda>0} 1/\lambda`), ``sketch`` (relative standard error
    :math:`\sqrt{2/k}`, see :class:`ResistanceSketch`) or ``solve`` (the diagonal of
    :math:`L^+` from N solves of :math:`L x = e_i - 1_C/n_C`: exact to ``tol`` but N solves).
    ``auto`` is ``exact`` up to :data:`EXACT_MAX_NODES` nodes and ``sketch`` above.
    """
    edge_index, n = as_graph(data, num_nodes)
    if method == "auto":
        method = "exact" if n <= EXACT_MAX_NODES else "sketch"
    method = _method(method, n)
    if method == "exact":
        return float(sum(nodes.size * np.trace(pinv) for nodes, pinv in _pinv_blocks(edge_index, n)))
    if method == "sketch":
        return resistance_sketch(edge_index, num_nodes=n, num_projections=num_projections, seed=seed,
                                 tol=tol).total()
    grounded = grounded_laplacian(edge_index, n)
    total = 0.0
    for start in range(0, n, 256):
        nodes = np.arange(start, min(n, start + 256))
        rhs = np.zeros((n, nodes.size))
        rhs[nodes, np.arange(nodes.size)] = 1.0
        # project e_i onto the complement of the component's constant vector
        same = grounded.labels[:, None] == grounded.labels[nodes][None, :]
        rhs -= same / grounded.sizes[grounded.labels[nodes]][None, :]
        x = grounded.solve(rhs, tol, None)
        total += float((grounded.sizes[grounded.labels[nodes]] * x[nodes, np.arange(nodes.size)]).sum())
    return total


def commute_time(data, pairs, num_nodes: int | None = None, **options) -> Tensor:
    r"""Expected commute time :math:`C_{uv} = \operatorname{vol}(G_C) R_{uv}` of a random walk
    between u and v (Chandra et al. 1989), :math:`\operatorname{vol}(G_C) = 2|E_C|` of their
    component. ``options`` as for :func:`effective_resistance`."""
    edge_index, n = as_graph(data, num_nodes)
    r = effective_resistance(edge_index, pairs, num_nodes=n, **options)
    count, labels = component_labels(edge_index, n)
    u, _ = undirected_edges(edge_index, n)
    vol = 2.0 * np.bincount(labels[u], minlength=count)
    pairs = as_pairs(pairs, n)
    return r * to_tensor(vol[labels[pairs[0]]])


@dataclass
class ResistanceSketch:
    r"""Spielman-Srivastava sketch :math:`Z = Q B L^+` (``[k, N]``) of a graph's resistances.

    Attributes:
        embedding: ``Z`` as a ``[k, N]`` float64 array; :math:`R_{uv} \approx \|Z_{:,u}-Z_{:,v}\|^2`.
        labels: component of every node (pairs across components get ``inf``).
        num_projections: k.
        relative_stderr: :math:`\sqrt{2/k}`, the relative standard error of one value.
        eps: :math:`\varepsilon` such that all pairs are within :math:`1\pm\varepsilon`
            with probability :math:`\ge 1-1/N` (Johnson-Lindenstrauss; ``None`` if k is too
            small for any :math:`\varepsilon < 1`).
    """

    embedding: np.ndarray
    labels: np.ndarray
    num_projections: int
    relative_stderr: float
    eps: float | None

    def resistance(self, pairs) -> Tensor:
        """Estimated :math:`R_{uv}` for ``[2, P]`` pairs (``inf`` across components)."""
        pairs = as_pairs(pairs, self.labels.size)
        diff = self.embedding[:, pairs[0]] - self.embedding[:, pairs[1]]
        out = np.einsum("ij,ij->j", diff, diff)
        out[self.labels[pairs[0]] != self.labels[pairs[1]]] = np.inf
        return to_tensor(out)

    def total(self) -> float:
        r""":math:`\sum_C n_C \operatorname{tr}(L_C^+) \approx \sum_C n_C \|Z_{:,C}\|_F^2`."""
        per_node = np.einsum("ij,ij->j", self.embedding, self.embedding)
        sizes = np.bincount(self.labels)
        return float((sizes[self.labels] * per_node).sum())


def _jl_eps(k: int, n: int) -> float | None:
    # smallest eps in (0, 1) with k >= 4 ln n / (eps^2/2 - eps^3/3)
    need = 4.0 * math.log(max(n, 2)) / k
    lo, hi = 0.0, 1.0
    if 0.5 - 1.0 / 3.0 < need:
        return None
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid * mid / 2 - mid ** 3 / 3 >= need:
            hi = mid
        else:
            lo = mid
    return hi


def resistance_sketch(data, num_nodes: int | None = None, *, num_projections: int = 256, seed: int = 0,
                      tol: float = 1e-6) -> ResistanceSketch:
    r"""Build the Spielman-Srivastava sketch with ``num_projections`` (k) Laplacian solves.

    Cost: k block-CG solves, each O(E) per iteration; then any pair in O(k).
    """
    edge_index, n = as_graph(data, num_nodes)
    if num_projections < 1:
        raise ValueError(f"num_projections must be positive, got {num_projections}")
    u, v = undirected_edges(edge_index, n)
    rng = np.random.default_rng(seed)
    # Q^T drawn as [|E|, k] so that the product below reads it row by row (C order)
    q_t = rng.standard_normal((u.size, num_projections)) / math.sqrt(num_projections)
    # (Q B)^T: column i = sum_e q_ie (e_u - e_v)
    incidence = sp.csr_matrix((np.concatenate([np.ones(u.size), -np.ones(u.size)]),
                               (np.concatenate([u, v]), np.concatenate([np.arange(u.size)] * 2))),
                              shape=(n, u.size))
    rhs = np.asarray(incidence @ q_t)
    z = grounded_laplacian(edge_index, n).solve(rhs, tol, None) if u.size else np.zeros((n, num_projections))
    _, labels = component_labels(edge_index, n)
    return ResistanceSketch(z.T.copy(), labels, num_projections, math.sqrt(2.0 / num_projections),
                            _jl_eps(num_projections, n))
