r"""Oversmoothing and over-squashing side by side, before and after each rewiring.

Oversmoothing is governed by the rate :math:`\lambda` of the propagation operator (features
approach the invariant subspace like :math:`\lambda^k`, :func:`oversmooth.spectral.analyze`);
over-squashing by bottlenecks: small spectral gap of the normalised Laplacian, negative
curvature, high total resistance. Rewiring widens the bottlenecks, which *speeds up*
smoothing: the two failures pull in opposite directions (Giraldo et al. 2023).

>>> from oversmooth import datasets
>>> from oversmooth.oversquashing import compare
>>> table = compare(datasets.load("path", num_nodes=10), rewirings={"fosr": {"num_iterations": 3}})
>>> list(table.index), bool(table.loc["fosr", "total_resistance"] < table.loc["none", "total_resistance"])
(['none', 'fosr'], True)
"""

from __future__ import annotations

import pandas as pd

from ._graph import as_graph
from .rewiring import graph_measures, rewire

__all__ = ["compare"]


def compare(data, rewirings=("sdrf", "fosr"), *, seed: int = 0, operator: str = "gcn",
            resistance_method: str = "auto") -> pd.DataFrame:
    """One row per rewiring (``none`` first): nodes, edges, smoothing rate and its gap
    (``operator``), spectral gap of the normalised Laplacian, min balanced Forman curvature,
    total resistance and its relative standard error (0 when exact).

    ``rewirings``: names, or ``{name: params}``. ``resistance_method``: as
    :func:`~oversmooth.oversquashing.graph_measures` (``auto``: exact up to 2000 nodes, else a
    64-projection sketch, whose error hides small differences between rewirings).
    """
    from torch_geometric.data import Data

    from ..spectral import analyze

    items = rewirings.items() if isinstance(rewirings, dict) else ((r, {}) for r in rewirings)
    edge_index, n = as_graph(data)
    graphs = [("none", Data(edge_index=edge_index, num_nodes=n))]
    graphs += [(name, rewire(data, name, seed=seed, **params)) for name, params in items]
    rows = {}
    for name, g in graphs:
        report = analyze(Data(edge_index=g.edge_index, num_nodes=g.num_nodes), operator)
        m = graph_measures(g.edge_index, g.num_nodes, seed=seed, resistance_method=resistance_method)
        rows[name] = {"num_nodes": g.num_nodes, "num_edges": m["num_edges"], "smoothing_rate": report.rate,
                      "smoothing_gap": report.spectral_gap, "spectral_gap": m["spectral_gap"],
                      "min_curvature": m["min_curvature"], "total_resistance": m["total_resistance"],
                      "total_resistance_stderr": m["total_resistance_stderr"]}
    return pd.DataFrame.from_dict(rows, orient="index")
