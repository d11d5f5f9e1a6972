import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from oversmooth import spectral


def _graph():
    # triangle 0-1-2, edge 3-4, isolated node 5 (two components with edges + one isolated)
    pairs = [(0, 1), (1, 2), (0, 2), (3, 4)]
    ei = torch.tensor([[a for a, b in pairs] + [b for a, b in pairs],
                       [b for a, b in pairs] + [a for a, b in pairs]])
    return Data(edge_index=ei, num_nodes=6, x=torch.randn(6, 3))


def _dense_reference(kind):
    a = np.zeros((6, 6))
    for u, v in [(0, 1), (1, 2), (0, 2), (3, 4)]:
        a[u, v] = a[v, u] = 1
    if kind in ("gcn", "rw"):
        a = a + np.eye(6)
    deg = a.sum(1)
    inv = np.divide(1.0, deg, out=np.zeros(6), where=deg > 0)
    if kind == "rw":
        return inv[:, None] * a
    return np.sqrt(inv)[:, None] * a * np.sqrt(inv)[None, :]


@pytest.mark.parametrize("kind", ["gcn", "sym", "rw"])
def test_base_operators_match_textbook(kind):
    p = spectral.operator(_graph(), kind)
    assert p.layout == torch.sparse_csr and p.dtype == torch.float64
    np.testing.assert_allclose(p.to_dense().numpy(), _dense_reference(kind), atol=1e-15)


def test_sgc_is_power_of_gcn():
    data = _graph()
    op = spectral.operator(data, "sgc", K=3)
    ref = np.linalg.matrix_power(_dense_reference("gcn"), 3)
    np.testing.assert_allclose(op.to_dense().numpy(), ref, atol=1e-14)
    x = torch.randn(6, 4, dtype=torch.float64)
    np.testing.assert_allclose((op @ x).numpy(), ref @ x.numpy(), atol=1e-14)


def test_appnp_is_truncated_personalised_pagerank():
    data = _graph()
    k, alpha = 7, 0.2
    op = spectral.operator(data, "appnp", K=k, alpha=alpha)
    p = _dense_reference("gcn")
    ref = (1 - alpha) ** k * np.linalg.matrix_power(p, k) + alpha * sum(
        (1 - alpha) ** j * np.linalg.matrix_power(p, j) for j in range(k))
    np.testing.assert_allclose(op.to_dense().numpy(), ref, atol=1e-14)
    x = torch.randn(6, 2)
    np.testing.assert_allclose(op.apply(x).numpy(), ref @ x.double().numpy(), atol=1e-12)
    assert op.K == k and op.alpha == alpha


@pytest.mark.parametrize("kwargs, match", [
    (dict(operator="chebyshev"), "unknown operator"),
    (dict(operator="gcn", K=3), "K applies"),
    (dict(operator="sgc", K=-1), "K must be"),
    (dict(operator="appnp", alpha=0.0), "alpha"),
    (dict(operator="appnp", alpha=1.5), "alpha"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        spectral.operator(_graph(), **kwargs)


def test_malformed_graph():
    bad = Data(edge_index=torch.tensor([[0, 9], [9, 0]]), num_nodes=3)
    with pytest.raises(ValueError, match="node 9"):
        spectral.operator(bad, "gcn")
    with pytest.raises(ValueError, match="rows"):
        spectral.operator(_graph(), "sgc") @ torch.zeros(4, 2)


def test_kind_is_a_deprecated_alias_of_operator():
    with pytest.warns(DeprecationWarning, match="use operator="):
        op = spectral.operator(_graph(), kind="rw")
    torch.testing.assert_close(op.to_dense(), spectral.operator(_graph(), "rw").to_dense())
    with pytest.warns(DeprecationWarning):
        assert spectral.analyze(_graph(), kind="sym").operator == "sym"
