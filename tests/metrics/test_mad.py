"""MAD and MADGap against the dense masked definition."""

from __future__ import annotations

import numpy as np
import pytest

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, rel_close, _hop_matrix, mad_reference


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mad_masks_and_gap(kind, dtype):
    x, ei = make_graph(kind, dtype)
    n = x.size(0)
    hop = _hop_matrix(ei, n)
    near = (hop >= 1) & (hop <= 3)
    far = hop >= 8
    rel_close(M.mad(x), mad_reference(x, np.ones((n, n))), atol=1e-10)
    neb, rmt = mad_reference(x, near), mad_reference(x, far)
    rel_close(M.mad(x, ei, mask="neighbor"), neb, atol=1e-10)
    rel_close(M.mad(x, ei, mask="remote"), rmt, atol=1e-10)
    rel_close(M.mad_gap(x, ei), rmt - neb, atol=1e-10)
    # other hop thresholds
    hop2 = (hop >= 1) & (hop <= 1)
    rel_close(M.mad(x, ei, mask="neighbor", near_hops=1, far_hops=2), mad_reference(x, hop2), atol=1e-10)


def test_mad_sampled_estimate_close_to_exact():
    from oversmooth.datasets import csbm

    data = csbm(num_nodes=600, avg_degree=4, num_features=8, seed=1)
    exact = M.mad_gap(data.x, data.edge_index)
    est, se = M.mad_gap_estimate(data.x, data.edge_index, max_exact=100, num_sources=300)
    assert se > 0
    assert abs(est - exact) < 5 * se + 1e-3
    assert M.mad_gap(data.x, data.edge_index, max_exact=100) == M.mad_gap(data.x, data.edge_index, max_exact=100)
