import pytest

from oversmooth.datasets import csbm


@pytest.fixture(scope="module")
def data():
    return csbm(num_nodes=120, num_classes=3, avg_degree=5, num_features=8, seed=0)
