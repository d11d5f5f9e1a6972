"""The claims' measurements that need no training: spectra, limits, pure propagation,
hop coverage, density and rewiring, on Cora and the synthetic graphs.

Every function returns plain JSON-ready values (the facts of
:class:`oversmooth.literature.claims.Measurements`); the verdict rules read them by the
keys documented in :mod:`oversmooth.literature.claims.mathematics`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data

from ... import datasets, spectral
from ...graph.structure import components, degree
from ...metrics import rank_one_residual
from ...oversquashing import hop_distances, rewire

__all__ = ["graph_facts", "dropedge_facts", "barbell"]


def barbell(clique: int, num_features: int = 16, seed: int = 0) -> Data:
    """Two complete graphs of ``clique`` nodes joined by one edge: dense, with a bottleneck."""
    one = datasets.load("complete", num_nodes=clique, num_features=num_features, seed=seed)
    ei = torch.cat([one.edge_index, one.edge_index + clique,
                    torch.tensor([[clique - 1, clique], [clique, clique - 1]])], dim=1)
    x = torch.randn(2 * clique, num_features, generator=torch.Generator().manual_seed(seed))
    return Data(x=x, edge_index=ei, num_nodes=2 * clique)


def _lambda2(report) -> float | None:
    """The second largest eigenvalue of the operator, counting multiplicity."""
    if report.multiplicity_one >= 2:
        return 1.0
    return report.largest_eigenvalue_below_one


def _rates(graphs: dict, steps: int, results: dict | None = None) -> dict:
    """Per graph: lambda_2 (with multiplicity), the spectral rate, the rate fitted over the
    second half of ``steps`` propagation steps (from step 1 when the distance reaches
    round-off before), distances after a few steps. ``results`` collects the propagations."""
    out = {}
    for name, (data, steps) in ((k, v if isinstance(v, tuple) else (v, steps)) for k, v in graphs.items()):
        result = spectral.propagate(data, "gcn", steps=steps, metrics=[])
        if results is not None:
            results[name] = result
        rep = result.report
        distance = result.table["subspace_distance"].to_numpy()
        tail, _ = spectral.fit_rate(distance, steps // 2)
        if tail is None:
            tail, _ = spectral.fit_rate(distance, 1)
        rel = result.table["relative_distance"]
        out[name] = {"nodes": rep.num_nodes, "avg_degree": round(2 * rep.num_edges / rep.num_nodes, 2),
                     "components": rep.num_components, "lambda2": _lambda2(rep),
                     "rate": float(rep.rate), "fitted_rate": tail,
                     "relative_distance": {int(k): float(rel.loc[k]) for k in (1, 2, 5, 10, steps)
                                           if k in rel.index},
                     "predicted_steps_to_1e-2": _finite(rep.steps_to(1e-2))}
    return out


def _finite(v):
    v = float(v)
    return None if not np.isfinite(v) else v


def _limit_facts(data) -> dict:
    """The limit of P^k X on ``data`` under the gcn and rw operators, whole graph and its
    largest component."""
    x = data.x.to(torch.float64)
    n = data.num_nodes
    count, labels = components(data.edge_index, n)
    big = int(torch.bincount(labels).argmax())
    mask = labels == big
    deg = degree(data.edge_index, n).to(torch.float64)
    gcn = spectral.analyze(data, "gcn").limit(x)
    rw = spectral.analyze(data, "rw").limit(x)
    sketch = torch.randn(x.size(1), 128, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    def rank(m):
        s = torch.linalg.svdvals(m @ sketch)
        return int((s > 1e-9 * s[0]).sum()) if s.numel() and s[0] > 0 else 0

    def spread(v):
        v = v[torch.isfinite(v)]
        return float((v.max() - v.min()) / v.mean())

    norms = gcn[mask].norm(dim=1)
    comp_dirs = []
    for c in range(count):
        rows = rw[labels == c]
        if rows.size(0) >= 2 and rows[0].norm() > 0:
            comp_dirs.append(rows[0] / rows[0].norm())
    dirs = torch.stack(comp_dirs)
    cos = dirs @ dirs[0]  # largest component first? compare every component with the first
    weights = (deg[mask] + 1.0)
    # the limit's row norms per distinct degree of the largest component (the report draws
    # them against the claimed identical rows); within a degree they agree to round-off
    degrees, inverse = torch.unique(deg[mask], return_inverse=True)
    counts = torch.bincount(inverse).to(torch.float64)

    def per_degree(values):
        return (torch.zeros(degrees.numel(), dtype=torch.float64).index_add_(0, inverse, values) / counts).tolist()
    weighted_mean = (weights[:, None] * x[mask]).sum(0) / weights.sum()
    return {
        "graph": data.name if hasattr(data, "name") and isinstance(data.name, str) else "cora",
        "components": int(count), "largest_component_nodes": int(mask.sum()),
        "rank_gcn_whole": rank(gcn), "rank_gcn_largest": rank(gcn[mask]),
        "identical_rows_gcn_whole": rank_one_residual(gcn),
        "identical_rows_gcn_largest": rank_one_residual(gcn[mask]),
        "identical_rows_rw_whole": rank_one_residual(rw),
        "identical_rows_rw_largest": rank_one_residual(rw[mask]),
        "spread_norm_over_sqrt_deg_plus_1": spread(norms / (deg[mask] + 1.0).sqrt()),
        "spread_norm_over_sqrt_deg": spread(norms / deg[mask].sqrt()),
        "rw_vs_degree_weighted_mean": float((rw[mask][0] - weighted_mean).norm() / weighted_mean.norm()),
        "smallest_cosine_between_components": float(cos.min()),
        "rows": {"degree": degrees.tolist(), "gcn_norm": per_degree(norms), "rw_norm": per_degree(rw[mask].norm(dim=1))},
    }


def _coverage(data, hops: int, samples: int = 200) -> dict:
    n = data.num_nodes
    targets = np.random.default_rng(0).choice(n, size=min(samples, n), replace=False)
    dist = hop_distances(data.edge_index, n, targets, hops)
    return {k: round(float(((dist >= 0) & (dist <= k)).mean()), 4) for k in range(1, hops + 1)}


def graph_facts(budget) -> tuple[dict, dict]:
    """``(propagation, facts)``: pure-propagation curves of Cora and a complete graph (what
    the report draws) and the facts of the mathematics claims."""
    n = budget.synthetic_nodes
    cora = datasets.load(budget.dataset)
    complete = datasets.load("complete", num_nodes=min(n, 200), num_features=16)
    facts: dict = {}
    spectra = {}
    for name, data in ((budget.dataset, cora), (f"ring ({n} nodes)", datasets.load("ring", num_nodes=n)),
                       (f"complete ({complete.num_nodes} nodes)", complete)):
        rep = spectral.analyze(data, "gcn")
        largest = 1.0 if rep.multiplicity_one > 0 else rep.largest_eigenvalue_below_one
        spectra[name] = {"operator": "gcn (augmented normalized adjacency)",
                         "smallest": float(rep.smallest_eigenvalue), "largest": float(largest)}
    facts["spectrum"] = spectra
    facts["limit"] = _limit_facts(cora)
    ba = datasets.load("barabasi-albert", num_nodes=n, num_edges=2)
    er = {f"erdos_renyi (avg degree {k})": datasets.load("erdos-renyi", num_nodes=n, avg_degree=float(k))
          for k in (4, 8, 16, 32)}
    clique = max(5, n // 8)
    bar = barbell(clique)
    results: dict = {}
    complete_name = f"complete ({complete.num_nodes} nodes)"
    facts["rates"] = _rates({budget.dataset: (cora, min(budget.steps, 128)), complete_name: (complete, 64),
                             f"ring ({n} nodes)": datasets.load("ring", num_nodes=n),
                             f"barabasi_albert ({n} nodes)": ba, **er,
                             f"barbell (two K_{clique})": bar}, budget.steps, results)
    propagation = {name: spectral.Propagation.from_result(name, results[name])
                   for name in (budget.dataset, complete_name)}
    facts["density"] = {"family": [name for name in er], "bottleneck": f"barbell (two K_{clique})"}
    facts["coverage"] = {budget.dataset: _coverage(cora, 10), f"barabasi_albert ({n} nodes)": _coverage(ba, 10)}
    csbm = datasets.load("csbm", num_nodes=n, avg_degree=5.0, seed=0)
    facts["rewiring"] = {f"csbm ({n} nodes)": _rewiring(csbm, ("fosr", "sdrf"))}
    if budget.rewire_dataset:
        facts["rewiring"][budget.dataset] = _rewiring(cora, ("fosr",))
    return propagation, facts


def _rewiring(data, methods) -> dict:
    """The gcn operator's rate and d_M(P^k X)/d_M(X) after 10 steps, original vs rewired
    (50 iterations of each method, seed 0)."""
    out = {}
    graphs = {"original": data}
    for name in methods:
        graphs[name] = rewire(data, name, seed=0, num_iterations=50)
    for name, g in graphs.items():
        result = spectral.propagate(g, "gcn", steps=10, metrics=[])
        out[name] = {"edges": int(result.report.num_edges), "components": int(result.report.num_components),
                     "rate": float(result.report.rate),
                     "relative_distance_10": float(result.table["relative_distance"].iloc[-1])}
    return out


def dropedge_facts(budget, rate: float = 0.3) -> dict:
    """One DropEdge sample (``rate`` of the undirected edges dropped, seed 0) against the
    full graph: the GCN operator's rate, components, and the distance between the limits
    of P^k X (relative to the full graph's limit)."""
    from torch_geometric.utils import dropout_edge

    data = datasets.load(budget.dataset)
    torch.manual_seed(0)
    kept, _ = dropout_edge(data.edge_index, p=rate, force_undirected=True, training=True)
    dropped = Data(x=data.x, edge_index=kept, num_nodes=data.num_nodes)
    full, drop = spectral.analyze(data, "gcn"), spectral.analyze(dropped, "gcn")
    x = data.x.to(torch.float64)
    lim, lim_drop = full.limit(x), drop.limit(x)
    return {"graph": budget.dataset, "rate_dropped": rate, "rate": float(full.rate), "rate_drop": float(drop.rate),
            "components": int(full.num_components), "components_drop": int(drop.num_components),
            "limit_distance": float((lim_drop - lim).norm() / lim.norm())}
