"""compare: both failures per rewiring, with the resistance method and its error stated."""

from __future__ import annotations

import numpy as np
import pytest

from oversmooth import datasets
from oversmooth import oversquashing as osq


def test_columns_and_the_resistance_method():
    data = datasets.load("path", num_nodes=12)
    exact = osq.compare(data, {"fosr": {"num_iterations": 2}})
    assert list(exact.columns) == ["num_nodes", "num_edges", "smoothing_rate", "smoothing_gap", "spectral_gap",
                                   "min_curvature", "total_resistance", "total_resistance_stderr"]
    assert exact.loc["none", "total_resistance"] == pytest.approx(sum(d * (12 - d) for d in range(1, 12)))
    assert (exact["total_resistance_stderr"] == 0).all() and (exact["num_nodes"] == 12).all()
    sketch = osq.compare(data, {"fosr": {"num_iterations": 2}}, resistance_method="sketch")
    assert np.allclose(sketch["total_resistance_stderr"], (2 / 64) ** 0.5)
    np.testing.assert_allclose(sketch["smoothing_rate"], exact["smoothing_rate"])
    with pytest.raises(ValueError, match="resistance_method must be auto, exact or sketch"):
        osq.compare(data, (), resistance_method="magic")
