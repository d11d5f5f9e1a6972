r"""Graph rewiring against over-squashing, as PyG transforms that report what they changed.

* :class:`SDRF` (Topping et al., ICLR 2022, Algorithm 1, "Stochastic Discrete Ricci Flow"):
  repeat ``num_iterations`` times: take the edge (i, j) of lowest balanced Forman curvature;
  among the non-edges (k, l), :math:`k \in B_1(i)`, :math:`l \in B_1(j)`, score the gain
  :math:`x_{kl} = \mathrm{Ric}_{G+kl}(i,j) - \mathrm{Ric}_G(i,j)` and add one sampled from
  :math:`\mathrm{softmax}(\tau x)` (if some gain is positive); then remove the edge of
  highest curvature if it exceeds ``removal_bound`` (:math:`C^+`).
* :class:`FoSR` (Karhadkar, Banerjee, Montúfar, ICLR 2023, "First-order Spectral Rewiring"):
  keep a power-iteration estimate x of the second eigenvector of
  :math:`\hat A = \tilde D^{-1/2}(A+I)\tilde D^{-1/2}` and add, ``num_iterations`` times, the
  non-edge minimising :math:`x_i x_j / \sqrt{(1+d_i)(1+d_j)}`, the first-order change of the
  spectral gap (adds only, never removes).
* :class:`BORF` (Nguyen, Hieu, Nguyen, Ho, Osher, Nguyen, ICML 2023, "Batch Ollivier-Ricci
  Flow"): ``num_batches`` times: compute Ollivier-Ricci curvature; for each of the
  ``batch_add`` most negative edges (i, j) add the non-edge (k, l), :math:`k \sim i`,
  :math:`l \sim j`, that the transport plan moves farthest (distance 3; ties by seed);
  remove the ``batch_remove`` most positive edges. (Simplified: the paper adds the pair
  carried by the optimal transport plan; we pick the farthest pair among the neighbours.)
  Small graphs (one LP per edge).
* :class:`GDCRewiring` wraps ``torch_geometric.transforms.GDC`` (DIGL, Gasteiger et al. 2019:
  personalised-PageRank diffusion, top-k sparsified; the edge weights are dropped, the
  support kept as an undirected graph), :class:`VirtualNodeRewiring` wraps
  ``torch_geometric.transforms.VirtualNode`` (one node joined to all, masks padded False).

Every transform sets ``data.rewiring`` to a :class:`RewiringReport`: edges added and
removed, spectral gap of the normalised Laplacian, minimum balanced Forman curvature and
total effective resistance, before and after. :func:`rewire` applies one by name with
validated parameters and caches the result per graph, parameters and seed, so a sweep
rewires each graph once.

>>> from oversmooth import datasets
>>> from oversmooth.oversquashing import rewire
>>> data = rewire(datasets.load("path", num_nodes=8), "fosr", num_iterations=2)
>>> data.rewiring.edges_added, data.rewiring.spectral_gap[1] > data.rewiring.spectral_gap[0]
(2, True)
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform

from .._params import check_arguments
from ._graph import as_graph, undirected_edges

__all__ = ["SDRF", "FoSR", "BORF", "GDCRewiring", "VirtualNodeRewiring", "RewiringReport", "REWIRINGS",
           "rewire", "rewiring_parameters", "split_rewire_options", "graph_measures"]


@dataclass
class RewiringReport:
    """What a rewiring changed; each measure is a ``(before, after)`` pair."""

    method: str
    edges_added: int
    edges_removed: int
    num_edges: tuple
    spectral_gap: tuple
    min_curvature: tuple
    total_resistance: tuple

    def to_dict(self) -> dict:
        return asdict(self)


def graph_measures(edge_index, n: int, *, seed: int = 0, resistance_method: str = "auto") -> dict:
    """Undirected edges, spectral gap (normalised Laplacian), min balanced Forman curvature,
    total resistance (``auto``: exact up to 2000 nodes, else a 64-projection sketch; or
    ``exact``, ``sketch``) and its relative standard error (0 when exact)."""
    from .bounds import cheeger_bounds
    from .curvature import balanced_forman_curvature
    from .resistance import EXACT_MAX_NODES, total_resistance

    if resistance_method not in ("auto", "exact", "sketch"):
        raise ValueError(f"resistance_method must be auto, exact or sketch, got {resistance_method!r}")
    u, _ = undirected_edges(edge_index, n)
    method = resistance_method if resistance_method != "auto" else (
        "exact" if n <= EXACT_MAX_NODES else "sketch")
    return {"num_edges": int(u.size), "spectral_gap": cheeger_bounds(edge_index, n)["spectral_gap"],
            "min_curvature": balanced_forman_curvature(edge_index, n).min(),
            "total_resistance": total_resistance(edge_index, n, method=method, num_projections=64, seed=seed),
            "total_resistance_stderr": 0.0 if method == "exact" else (2.0 / 64) ** 0.5}


def _sets(edge_index, n):
    u, v = undirected_edges(edge_index, n)
    nb = [set() for _ in range(n)]
    for a, b in zip(u.tolist(), v.tolist()):
        nb[a].add(b)
        nb[b].add(a)
    return nb


def _edge_index(nb) -> torch.Tensor:
    pairs = [(a, b) for a in range(len(nb)) for b in sorted(nb[a])]
    if not pairs:
        return torch.zeros(2, 0, dtype=torch.long)
    return torch.tensor(pairs, dtype=torch.long).T.contiguous()


def _bfc_local(nb, i: int, j: int) -> float:
    """Balanced Forman curvature of one edge from neighbour sets (Topping et al., Def. 1)."""
    si, sj = nb[i], nb[j]
    di, dj = len(si), len(sj)
    if min(di, dj) <= 1:
        return 0.0
    tri = len(si & sj)

    def squares(a, b, sa, sb):
        found = gamma = 0
        for k in sa - sb - {b}:
            closers = len(nb[k] & sb - sa - {a})
            if closers:
                found += 1
                gamma = max(gamma, closers)
        return found, gamma

    qi, gi = squares(i, j, si, sj)
    qj, gj = squares(j, i, sj, si)
    gamma = max(gi, gj)
    value = 2 / di + 2 / dj - 2 + 2 * tri / max(di, dj) + tri / min(di, dj)
    return value + ((qi + qj) / (gamma * max(di, dj)) if gamma else 0.0)


def _bfc_after_additions(nb, i: int, j: int, cands) -> np.ndarray:
    """``_bfc_local(nb + (k, l), i, j)`` for every candidate non-edge ``(k, l)`` of an SDRF step
    (``k`` in :math:`B_1(i)`, ``l`` in :math:`B_1(j)`), all at once and with the same floats.

    With :math:`X = S_1(i) \\setminus S_1(j) \\setminus \\{j\\}`, :math:`Y = S_1(j) \\setminus
    S_1(i) \\setminus \\{i\\}` and M the ``[X, Y]`` adjacency, the 4-cycle closers of
    ``x`` in X are the row sums r of M, those of ``y`` in Y the column sums c;
    :math:`|\\sharp_\\square^i|`, :math:`|\\sharp_\\square^j|` count the non-zero ones and
    :math:`\\gamma_{\\max}` is the largest. Adding ``(k, l)``:

    * ``k = i`` (then ``l`` is in Y): :math:`d_i` and the triangles grow by one and ``l``
      leaves Y (column l of M goes, the rows lose its entries);
    * ``l = j`` (then ``k`` is in X): the same with the roles swapped;
    * ``k`` in X and ``l`` in Y: M gains the entry ``(k, l)``, r[k] and c[l] grow by one;
    * otherwise (``k`` or ``l`` a common neighbour of i and j) nothing in the formula moves.
    """
    si, sj = nb[i], nb[j]
    di, dj = len(si), len(sj)
    tri = len(si & sj)
    xs = np.fromiter(si - sj - {j}, dtype=np.int64)
    ys_set = sj - si - {i}
    ys = np.fromiter(ys_set, dtype=np.int64)
    n = len(nb)
    pos_x = np.full(n, -1, dtype=np.int64)
    pos_y = np.full(n, -1, dtype=np.int64)
    pos_x[xs] = np.arange(xs.size)
    pos_y[ys] = np.arange(ys.size)
    m = np.zeros((xs.size, ys.size), dtype=np.int64)
    for a, x in enumerate(xs.tolist()):
        hit = nb[x] & ys_set
        if hit:
            m[a, pos_y[np.fromiter(hit, dtype=np.int64)]] = 1
    r, c = m.sum(1), m.sum(0)
    qi, qj = int((r > 0).sum()), int((c > 0).sum())
    rmax, cmax = (int(r.max()) if r.size else 0), (int(c.max()) if c.size else 0)

    def largest_but_one(v):  # max of v without entry t, for each t
        if v.size == 0:
            return v
        top = int(np.argmax(v))
        second = int(np.max(np.delete(v, top))) if v.size > 1 else 0
        out = np.full(v.size, int(v[top]), dtype=np.int64)
        out[top] = second
        return out

    cand = np.asarray(cands, dtype=np.int64).reshape(-1, 2)
    k, l = cand[:, 0], cand[:, 1]
    size = k.size
    d_i = np.full(size, di, dtype=np.int64)
    d_j = np.full(size, dj, dtype=np.int64)
    t = np.full(size, tri, dtype=np.int64)
    q = np.full(size, qi + qj, dtype=np.int64)
    g = np.full(size, max(rmax, cmax), dtype=np.int64)
    # k in X, l in Y: one more closer for k and for l
    px, py = pos_x[k], pos_y[l]
    both = (px >= 0) & (py >= 0)
    rk, cl = r[px[both]], c[py[both]]
    q[both] += (rk == 0).astype(np.int64) + (cl == 0).astype(np.int64)
    g[both] = np.maximum(g[both], np.maximum(rk, cl) + 1)
    # k = i: l leaves Y
    sel = k == i
    if sel.any():
        cols = pos_y[l[sel]]
        rows_after = r[:, None] - m[:, cols]  # [X, candidates]
        q[sel] = (rows_after > 0).sum(0) + qj - (c[cols] > 0)
        g[sel] = np.maximum(rows_after.max(0) if xs.size else 0, largest_but_one(c)[cols])
        d_i[sel] += 1
        t[sel] += 1
    # l = j: k leaves X
    sel = l == j
    if sel.any():
        rows = pos_x[k[sel]]
        cols_after = c[None, :] - m[rows, :]  # [candidates, Y]
        q[sel] = (cols_after > 0).sum(1) + qi - (r[rows] > 0)
        g[sel] = np.maximum(cols_after.max(1) if ys.size else 0, largest_but_one(r)[rows])
        d_j[sel] += 1
        t[sel] += 1
    fi, fj, ft = d_i.astype(np.float64), d_j.astype(np.float64), t.astype(np.float64)
    dmax, dmin = np.maximum(fi, fj), np.minimum(fi, fj)
    value = 2.0 / fi + 2.0 / fj - 2.0 + 2.0 * ft / dmax + ft / dmin
    value = value + np.divide(q.astype(np.float64), g * dmax, out=np.zeros(size), where=g > 0)
    value[dmin <= 1] = 0.0
    return value


class _Rewiring(BaseTransform):
    name = "rewiring"

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)

    def _rewire(self, nb, n, rng):  # -> (nb, added, removed)
        raise NotImplementedError

    def forward(self, data: Data) -> Data:
        edge_index, n = as_graph(data)
        before = graph_measures(edge_index, n, seed=self.seed)
        nb = _sets(edge_index, n)
        nb, added, removed = self._rewire(nb, n, np.random.default_rng(self.seed))
        out = data.clone()
        out.edge_index = _edge_index(nb).to(edge_index.device)
        after = graph_measures(out.edge_index, n, seed=self.seed)
        out.rewiring = RewiringReport(self.name, added, removed, *((before[k], after[k]) for k in
                                      ("num_edges", "spectral_gap", "min_curvature", "total_resistance")))
        return out

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={getattr(self, k)!r}" for k in inspect.signature(type(self)).parameters)
        return f"{type(self).__name__}({params})"


def _check_budget(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer (a rewiring budget), got {value!r}")
    return int(value)


class SDRF(_Rewiring):
    """Stochastic Discrete Ricci Flow (Topping et al. 2022); see the module docstring."""

    name = "sdrf"

    def __init__(self, num_iterations: int = 50, tau: float = 1.0, removal_bound: float = 0.5,
                 seed: int = 0) -> None:
        super().__init__(seed)
        self.num_iterations = _check_budget("num_iterations", num_iterations)
        if tau <= 0:
            raise ValueError(f"tau must be positive, got {tau}")
        self.tau, self.removal_bound = float(tau), float(removal_bound)

    def _rewire(self, nb, n, rng):
        from .curvature import balanced_forman_curvature

        added = removed = 0
        for _ in range(self.num_iterations):
            ei = _edge_index(nb)
            curv = balanced_forman_curvature(ei, n)
            if curv.values.numel() == 0:
                break
            order = torch.argsort(curv.values)
            i, j = (int(t) for t in curv.edges[:, order[0]])
            base = float(curv.values[order[0]])
            # the candidates in the order (and with the transient set edits) of the per-candidate
            # loop this replaced, so that the seeded choice and later set orders stay the same
            cands = []
            for k in nb[i] | {i}:
                nk = nb[k]
                for l in nb[j] | {j}:
                    if k == l or l in nk:
                        continue
                    nl = nb[l]
                    nk.add(l)
                    nl.add(k)
                    nk.discard(l)
                    nl.discard(k)
                    cands.append((k, l))
            gains = _bfc_after_additions(nb, i, j, cands) - base
            if gains.size and gains.max() > 0:
                p = np.exp(self.tau * (gains - gains.max()))
                k, l = cands[rng.choice(len(cands), p=p / p.sum())]
                nb[k].add(l)
                nb[l].add(k)
                added += 1
            a, b = (int(t) for t in curv.edges[:, order[-1]])
            if float(curv.values[order[-1]]) > self.removal_bound and b in nb[a]:
                nb[a].discard(b)
                nb[b].discard(a)
                removed += 1
        return nb, added, removed


class FoSR(_Rewiring):
    """First-order Spectral Rewiring (Karhadkar et al. 2023); see the module docstring."""

    name = "fosr"

    def __init__(self, num_iterations: int = 50, initial_power_iters: int = 5, seed: int = 0) -> None:
        super().__init__(seed)
        self.num_iterations = _check_budget("num_iterations", num_iterations)
        self.initial_power_iters = _check_budget("initial_power_iters", initial_power_iters)

    def _rewire(self, nb, n, rng):
        import scipy.sparse as sp

        deg = np.array([len(s) for s in nb], dtype=np.float64) + 1.0
        rows = [a for a in range(n) for _ in nb[a]]
        cols = [b for a in range(n) for b in nb[a]]
        x = rng.standard_normal(n)
        added = 0

        def step(x):
            adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
            y = x / np.sqrt(deg)
            z = (y + adj @ y) / np.sqrt(deg)
            v = np.sqrt(deg)
            z -= (z @ v) / (v @ v) * v
            return z / max(np.linalg.norm(z), 1e-300)

        for _ in range(self.initial_power_iters):
            x = step(x)
        for _ in range(self.num_iterations):
            x = step(x)
            score = x / np.sqrt(deg)
            low, high = np.argsort(score)[:20], np.argsort(score)[::-1][:20]
            best, pair = np.inf, None
            for a in low:
                for b in high:
                    if a != b and b not in nb[a] and score[a] * score[b] < best:
                        best, pair = score[a] * score[b], (int(a), int(b))
            if pair is None:
                break
            a, b = pair
            nb[a].add(b)
            nb[b].add(a)
            rows.extend([a, b])
            cols.extend([b, a])
            deg[a] += 1
            deg[b] += 1
            added += 1
        return nb, added, 0


class BORF(_Rewiring):
    """Batch Ollivier-Ricci Flow (Nguyen et al. 2023), simplified; see the module docstring."""

    name = "borf"

    def __init__(self, num_batches: int = 3, batch_add: int = 4, batch_remove: int = 2, seed: int = 0) -> None:
        super().__init__(seed)
        self.num_batches = _check_budget("num_batches", num_batches)
        self.batch_add = _check_budget("batch_add", batch_add)
        self.batch_remove = _check_budget("batch_remove", batch_remove)

    def _rewire(self, nb, n, rng):
        from scipy.sparse.csgraph import shortest_path

        from ._graph import adjacency
        from .curvature import ollivier_ricci_curvature

        added = removed = 0
        for _ in range(self.num_batches):
            ei = _edge_index(nb)
            curv = ollivier_ricci_curvature(ei, n)
            if curv.values.numel() == 0:
                break
            dist = shortest_path(adjacency(ei, n), unweighted=True, directed=False)
            order = torch.argsort(curv.values)
            for e in order[:self.batch_add].tolist():
                i, j = (int(t) for t in curv.edges[:, e])
                cands = [(k, l) for k in sorted(nb[i] - {j}) for l in sorted(nb[j] - {i})
                         if k != l and l not in nb[k]]
                if not cands:
                    continue
                far = max(dist[k, l] for k, l in cands)
                cands = [c for c in cands if dist[c] == far]
                k, l = cands[rng.integers(len(cands))]
                nb[k].add(l)
                nb[l].add(k)
                added += 1
            for e in order.flip(0)[:self.batch_remove].tolist():
                a, b = (int(t) for t in curv.edges[:, e])
                if b in nb[a] and len(nb[a]) > 1 and len(nb[b]) > 1:
                    nb[a].discard(b)
                    nb[b].discard(a)
                    removed += 1
        return nb, added, removed


class GDCRewiring(_Rewiring):
    """DIGL through ``torch_geometric.transforms.GDC`` (PPR diffusion, top-``k`` per node)."""

    name = "gdc"

    def __init__(self, alpha: float = 0.15, k: int = 64, seed: int = 0) -> None:
        super().__init__(seed)
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
        self.alpha, self.k = float(alpha), _check_budget("k", k)

    def _rewire(self, nb, n, rng):
        from torch_geometric.transforms import GDC

        before = {(a, b) for a in range(n) for b in nb[a] if a < b}
        gdc = GDC(self_loop_weight=1, normalization_in="sym", normalization_out="col",
                  diffusion_kwargs=dict(method="ppr", alpha=self.alpha),
                  sparsification_kwargs=dict(method="topk", k=min(self.k, n), dim=0), exact=True)
        out = gdc(Data(edge_index=_edge_index(nb), num_nodes=n))
        new = [set() for _ in range(n)]
        for a, b in out.edge_index.T.tolist():
            if a != b:
                new[a].add(b)
                new[b].add(a)
        after = {(a, b) for a in range(n) for b in new[a] if a < b}
        return new, len(after - before), len(before - after)


class VirtualNodeRewiring(BaseTransform):
    """``torch_geometric.transforms.VirtualNode``: one new node joined to every node.

    Node-level attributes grow by one row (``x`` zeros, ``y`` 0, masks ``False``)."""

    name = "virtual_node"

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)

    def forward(self, data: Data) -> Data:
        from torch_geometric.transforms import VirtualNode

        edge_index, n = as_graph(data)
        before = graph_measures(edge_index, n, seed=self.seed)
        out = data.clone()
        hub = torch.full((n,), n, dtype=torch.long)
        nodes = torch.arange(n)
        out.edge_index = torch.cat([edge_index.cpu(), torch.stack([nodes, hub]), torch.stack([hub, nodes])], 1)
        for key in ("train_mask", "val_mask", "test_mask"):
            if getattr(data, key, None) is not None:
                out[key] = torch.cat([data[key], data[key].new_zeros((1,) + tuple(data[key].shape[1:]))])
        if getattr(data, "y", None) is not None:
            out.y = torch.cat([data.y, data.y.new_zeros((1,) + tuple(data.y.shape[1:]))])
        if getattr(data, "x", None) is not None:
            out.x = torch.cat([data.x, data.x.new_zeros(1, data.x.size(1))])
        out.num_nodes = n + 1
        assert VirtualNode  # the same construction as PyG's transform, without its edge_type
        after = graph_measures(out.edge_index, n + 1, seed=self.seed)
        out.rewiring = RewiringReport(self.name, n, 0, *((before[k], after[k]) for k in
                                      ("num_edges", "spectral_gap", "min_curvature", "total_resistance")))
        return out


#: Rewirings by name, as ``rewire=NAME`` in training options and sweeps.
REWIRINGS = {"sdrf": SDRF, "fosr": FoSR, "borf": BORF, "gdc": GDCRewiring, "virtual_node": VirtualNodeRewiring}


def rewiring_parameters(name: str) -> dict:
    """Parameters (and defaults) of a rewiring, without ``seed``."""
    if name not in REWIRINGS:
        raise ValueError(f"unknown rewiring {name!r}; known: none, {', '.join(REWIRINGS)}")
    return {p.name: p.default for p in inspect.signature(REWIRINGS[name]).parameters.values() if p.name != "seed"}


_CACHE: dict = {}


def rewire(data: Data, name: str, seed: int = 0, **params) -> Data:
    """``data`` rewired by ``name`` (``sdrf``, ``fosr``, ``borf``, ``gdc``, ``virtual_node``).

    Parameters are checked by name and type (a one-line ``ValueError``). The result is cached per graph object, name,
    parameters and seed (the 8 most recent), so a sweep rewires each graph once.
    """
    allowed = rewiring_parameters(name)
    bad = sorted(set(params) - set(allowed))
    if bad:
        raise ValueError(f"rewiring {name} has no parameter {bad[0]!r}; it takes: {', '.join(allowed) or 'none'}")
    params = check_arguments(REWIRINGS[name].__init__, params, where=f"rewiring {name}")
    key = (id(data), data.edge_index.data_ptr(), name, tuple(sorted(params.items())), seed)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    out = REWIRINGS[name](seed=seed, **params)(data)
    _CACHE[key] = (data, out)
    while len(_CACHE) > 8:
        _CACHE.pop(next(iter(_CACHE)))
    return out


def split_rewire_options(options: dict) -> tuple[dict, str | None, dict]:
    """Split ``{"rewire": "fosr", "rewire_num_iterations": 20, ...}`` off model options.

    Returns ``(model_options, name or None, rewiring params)``; ``rewire=none`` is no rewiring.
    Parameter names are validated against the rewiring.
    """
    model_options = {k: v for k, v in options.items() if k != "rewire" and not k.startswith("rewire_")}
    name = options.get("rewire")
    params = {k[len("rewire_"):]: v for k, v in options.items() if k.startswith("rewire_")}
    if name is None or str(name).lower() in ("none", "false", ""):
        if params:
            raise ValueError(f"rewiring parameters {sorted(params)} given without rewire=NAME")
        return model_options, None, {}
    name = str(name).lower()
    allowed = rewiring_parameters(name)
    bad = sorted(set(params) - set(allowed))
    if bad:
        raise ValueError(f"rewiring {name} has no parameter {bad[0]!r} (option rewire_{bad[0]}); "
                         f"it takes: {', '.join('rewire_' + a for a in allowed) or 'none'}")
    return model_options, name, params
