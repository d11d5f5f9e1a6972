"""Cheeger bounds: the gap of the normalised Laplacian and the true Cheeger constant."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from oversmooth import oversquashing as osq

from ._graphs import to_pyg, zoo


def cheeger_constant(g: nx.Graph) -> float:
    nodes = list(g)
    vol_g = sum(d for _, d in g.degree())
    best = np.inf
    for r in range(1, len(nodes)):
        for s in itertools.combinations(nodes, r):
            vol = sum(g.degree(x) for x in s)
            if 0 < vol <= vol_g / 2:
                best = min(best, nx.cut_size(g, s) / vol)
    return best


@pytest.mark.parametrize("name", ["K5", "C7", "barbell", "lollipop"])
def test_cheeger_inequality(name):
    g = zoo()[name]
    ei, n = to_pyg(g)
    b = osq.cheeger_bounds(ei, n)
    lap = nx.normalized_laplacian_matrix(g, nodelist=range(n)).toarray()
    assert b["spectral_gap"] == pytest.approx(np.linalg.eigvalsh(lap)[1], abs=1e-8)
    h = cheeger_constant(g)
    assert b["cheeger_lower"] - 1e-9 <= h <= b["cheeger_upper"] + 1e-9


def test_disconnected_graph_has_no_gap():
    ei, n = to_pyg(zoo()["components"])
    b = osq.cheeger_bounds(ei, n)
    assert b["spectral_gap"] == 0 and b["cheeger_upper"] == 0 and b["num_components"] == 4
