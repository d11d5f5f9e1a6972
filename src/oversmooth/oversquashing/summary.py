r"""One-call over-squashing summary of a graph: curvature, resistance, bottlenecks, spectral gap.

>>> from oversmooth import datasets
>>> from oversmooth.oversquashing import squash_summary
>>> s = squash_summary(datasets.load("path", num_nodes=6), top=1)
>>> s["total_resistance"], s["bottlenecks"][0]["curvature"]
(35.0, 0.0)
"""

from __future__ import annotations

import numpy as np

from .bounds import cheeger_bounds
from .curvature import edge_curvature
from .resistance import EXACT_MAX_NODES, effective_resistance, total_resistance
from ._graph import as_graph, component_labels, undirected_edges

__all__ = ["squash_summary"]


def squash_summary(data, *, curvature: str = "balanced_forman", top: int = 10, pairs=None,
                   resistance_method: str = "auto", num_projections: int = 256, seed: int = 0) -> dict:
    """Curvature distribution, ``top`` bottleneck edges, total resistance, Cheeger bounds.

    ``pairs``: optional ``[2, P]`` node pairs whose effective resistance to report (a pair
    across components raises ``ValueError``). ``total_resistance`` is exact up to
    :data:`~oversmooth.oversquashing.EXACT_MAX_NODES` nodes, else the Spielman-Srivastava
    sketch with ``num_projections`` (its relative standard error is reported).
    """
    edge_index, n = as_graph(data)
    if top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    count, _ = component_labels(edge_index, n)
    u, _ = undirected_edges(edge_index, n)
    curv = edge_curvature(edge_index, curvature, num_nodes=n)
    values = curv.values.numpy()
    edges, worst = curv.most_negative(top)
    out = {
        "num_nodes": n, "num_edges": int(u.size), "num_components": count,
        "curvature": curvature,
        "curvature_min": float(values.min()) if values.size else None,
        "curvature_mean": float(values.mean()) if values.size else None,
        "curvature_quantiles": ({str(q): float(np.quantile(values, q)) for q in (0.01, 0.1, 0.5, 0.9)}
                                if values.size else {}),
        "negative_edges": int((values < 0).sum()),
        "bottlenecks": [{"u": int(a), "v": int(b), "curvature": float(c)}
                        for (a, b), c in zip(edges.T.tolist(), worst.tolist())],
    }
    method = "exact" if (resistance_method == "auto" and n <= EXACT_MAX_NODES) else (
        "sketch" if resistance_method == "auto" else resistance_method)
    out["total_resistance"] = total_resistance(edge_index, n, method=method, num_projections=num_projections,
                                               seed=seed)
    out["total_resistance_method"] = method
    out["total_resistance_relative_stderr"] = (2.0 / num_projections) ** 0.5 if method == "sketch" else 0.0
    if pairs is not None:
        r = effective_resistance(edge_index, pairs, n, method=resistance_method, num_projections=num_projections,
                                 seed=seed)
        from ._graph import as_pairs
        p = as_pairs(pairs, n)
        out["pair_resistance"] = [{"u": int(a), "v": int(b), "resistance": float(x)}
                                  for a, b, x in zip(p[0], p[1], r.tolist())]
    out.update(cheeger_bounds(edge_index, n))
    return out
