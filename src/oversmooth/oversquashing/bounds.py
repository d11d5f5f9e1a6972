r"""Cheeger-type bottleneck bounds from the spectral gap.

The Cheeger constant :math:`h_G = \min_{S:\,\operatorname{vol}(S) \le \operatorname{vol}(G)/2}
|\partial S| / \operatorname{vol}(S)` measures the worst bottleneck of the graph. With
:math:`\lambda_1` the smallest non-zero eigenvalue of the normalised Laplacian
:math:`I - D^{-1/2} A D^{-1/2}` (its spectral gap; :math:`\lambda_1 = 1 - \mu_2` for the
second-largest eigenvalue :math:`\mu_2` of the ``sym`` operator, which
:func:`oversmooth.spectral.analyze` computes), Cheeger's inequality (Chung 1997) reads

.. math:: \frac{\lambda_1}{2} \le h_G \le \sqrt{2 \lambda_1}.

Topping et al. (ICLR 2022, Prop. 4.5 / Thm 4.5) tie it to curvature: if every edge has
balanced Forman curvature :math:`\ge k > 0`, then :math:`\lambda_1 \ge k` and hence
:math:`h_G \ge k/2`. A small :math:`h_G` (small gap) means a bottleneck through which
information from many nodes must squeeze. A graph with several components has
:math:`h_G = 0` (both bounds 0).

>>> from oversmooth import datasets
>>> from oversmooth.oversquashing import cheeger_bounds
>>> b = cheeger_bounds(datasets.load("complete", num_nodes=10))
>>> round(b["spectral_gap"], 4), round(b["cheeger_lower"], 4)      # lambda_1(K_n) = n/(n-1)
(1.1111, 0.5556)
"""

from __future__ import annotations

import math

from torch_geometric.data import Data

from ._graph import as_graph

__all__ = ["cheeger_bounds"]


def cheeger_bounds(data, num_nodes: int | None = None, **options) -> dict:
    r"""``{"spectral_gap": λ1, "cheeger_lower": λ1/2, "cheeger_upper": sqrt(2 λ1), "num_components"}``.

    :math:`\lambda_1` of the normalised Laplacian restricted to the nodes with an edge (an
    isolated node does not change :math:`h_G` of the rest, but makes the graph
    disconnected, which is reported); ``options`` go to :func:`oversmooth.spectral.analyze`.
    """
    from ..spectral import analyze

    edge_index, n = as_graph(data, num_nodes)
    report = analyze(Data(edge_index=edge_index, num_nodes=n), "sym", **options)
    edged = report.num_components - report.isolated_nodes
    if edged > 1:
        gap = 0.0
    elif report.largest_eigenvalue_below_one is None:
        gap = 0.0 if n - report.isolated_nodes < 2 else 2.0
    else:
        gap = 1.0 - float(report.largest_eigenvalue_below_one)
    gap = max(gap, 0.0)
    return {"spectral_gap": gap, "cheeger_lower": gap / 2.0, "cheeger_upper": math.sqrt(2.0 * gap),
            "num_components": report.num_components, "isolated_nodes": report.isolated_nodes}
