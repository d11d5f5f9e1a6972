"""Mean cosine similarity against the dense cosine matrix."""

from __future__ import annotations

import numpy as np
import pytest

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, FAMILIES, DTYPES, cosine_matrix, rel_close


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_cosine(kind, dtype):
    x, _ = make_graph(kind, dtype)
    _, C = cosine_matrix(x)
    n = C.shape[0]
    rel_close(M.mean_cosine_similarity(x), (C.sum() - np.trace(C)) / (n * (n - 1)), atol=1e-12)
    rel_close(M.mean_cosine_similarity(x, exclude_self=False), C.mean(), atol=1e-12)
