import math

import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from oversmooth import datasets, spectral
from oversmooth.graph import components


def _dense_p(data, kind):
    """Textbook operator, dense, from the edge list."""
    n = data.num_nodes
    a = np.zeros((n, n))
    ei = data.edge_index.numpy()
    a[ei[0], ei[1]] = 1.0
    np.fill_diagonal(a, 0.0)
    if kind in ("gcn", "rw"):
        a += np.eye(n)
    deg = a.sum(1)
    inv = np.divide(1.0, deg, out=np.zeros(n), where=deg > 0)
    if kind == "rw":
        return inv[:, None] * a
    return np.sqrt(inv)[:, None] * a * np.sqrt(inv)[None, :]


def _reference_rate(data, kind):
    """Largest |eigenvalue| once one eigenvalue 1 per (non-trivial for sym) component is removed."""
    vals = np.sort(np.linalg.eigvalsh(_dense_p(data, "gcn" if kind == "rw" else kind)))
    ones = int(np.sum(np.abs(vals - 1.0) < 1e-9))
    rest = vals[: vals.size - ones]
    return (float(np.max(np.abs(rest))) if rest.size else 0.0), ones, vals




def _distance(h, limit):
    return float(np.linalg.norm(h - limit))


def _with_isolated(data, extra=3):
    return Data(x=torch.randn(data.num_nodes + extra, 4), edge_index=data.edge_index,
                num_nodes=data.num_nodes + extra)


def test_complete_graph_smoothed_in_one_rw_step_and_one_or_two_gcn_steps():
    data = datasets.complete_graph(12, num_features=5)
    x = data.x.double().numpy()
    rw = spectral.analyze(data, "rw")
    assert rw.rate == 0.0 and rw.steps_to(1e-12) == 1
    h = _dense_p(data, "rw") @ x
    np.testing.assert_allclose(h, rw.limit(data.x).numpy(), atol=1e-14)
    assert np.ptp(h, axis=0).max() < 1e-14  # one step: every row is the same
    gcn = spectral.analyze(data, "gcn")
    assert gcn.steps_to(1e-6) in (1, 2)
    limit = gcn.limit(data.x).numpy()
    h = x
    for _ in range(gcn.steps_to(1e-6)):
        h = _dense_p(data, "gcn") @ h
    assert _distance(h, limit) <= 1e-6 * _distance(x, limit)


@pytest.mark.parametrize("n", [40, 41])
def test_ring_rate_matches_closed_form_and_is_slow(n):
    report = spectral.analyze(datasets.ring_graph(n), "gcn")
    # (A + I) / 3 on a cycle: eigenvalues (1 + 2 cos(2 pi j / n)) / 3
    assert report.rate == pytest.approx((1 + 2 * math.cos(2 * math.pi / n)) / 3, abs=1e-12)
    assert report.num_components == report.multiplicity_one == 1
    assert report.steps_to(1e-3) > 500 and report.spectral_gap < 0.01


def test_path_smooths_at_its_predicted_rate():
    data = datasets.path_graph(30, num_features=3)
    report = spectral.analyze(data, "gcn")
    assert report.rate == pytest.approx(_reference_rate(data, "gcn")[0], abs=1e-12)
    p, x = _dense_p(data, "gcn"), data.x.double().numpy()
    limit = report.limit(data.x).numpy()
    dist, h = [], x
    for _ in range(400):
        dist.append(_distance(h, limit))
        h = p @ h
    # the bound holds at every step, and the asymptotic decay per step is the rate
    assert all(d <= report.rate ** k * dist[0] * (1 + 1e-9) for k, d in enumerate(dist))
    assert dist[-1] / dist[-2] == pytest.approx(report.rate, rel=1e-4)
    assert dist[-1] > 1e-3 * dist[0]  # 400 steps are not enough on a path of 30
    assert report.steps_to(1e-3) > 400


@pytest.mark.parametrize("make", [lambda: datasets.ring_graph(20), lambda: datasets.path_graph(9),
                                  lambda: datasets.grid_graph(4, 5)])
def test_gcn_never_has_eigenvalue_minus_one_sym_on_bipartite_does(make):
    data = make()
    gcn, sym = spectral.analyze(data, "gcn"), spectral.analyze(data, "sym")
    assert gcn.smallest_eigenvalue > -1 + 1e-3 and gcn.rate < 1 and gcn.converges
    assert sym.bipartite_components == 1 and sym.smallest_eigenvalue == -1.0
    assert sym.rate == 1.0 and sym.spectral_gap == 0.0 and not sym.converges
    assert sym.steps_to(0.5) == math.inf and "bipartite" in sym.note
    assert np.isclose(np.linalg.eigvalsh(_dense_p(data, "sym")).min(), -1.0)
    with pytest.raises(ValueError, match="no limit"):
        sym.limit(data.x)


def test_sym_on_odd_ring_is_not_bipartite():
    report = spectral.analyze(datasets.ring_graph(21), "sym")
    assert report.bipartite_components == 0 and report.converges
    assert -1 < report.smallest_eigenvalue == pytest.approx(math.cos(2 * math.pi * 10 / 21), abs=1e-12)


@pytest.mark.parametrize("kind", ["gcn", "sym", "rw", "sgc", "appnp"])
@pytest.mark.parametrize("make", [
    lambda: _with_isolated(datasets.csbm(num_nodes=600, avg_degree=4, homophily=0.7, seed=1)),
    lambda: datasets.sbm(block_sizes=[150, 150, 100], p_in=0.03, p_out=0.0, seed=2),
    lambda: datasets.barabasi_albert(400, 2, seed=3),
])
def test_dense_and_lanczos_agree(kind, make):
    data = make()
    dense = spectral.analyze(data, kind, method="dense")
    lanczos = spectral.analyze(data, kind, method="lanczos")
    assert (dense.method, lanczos.method) == ("dense", "lanczos")
    assert lanczos.rate == pytest.approx(dense.rate, abs=1e-7)
    # the end that sets the rate to tol, the other to about 1e-3 (see _lanczos_ends)
    ends = [(lanczos.largest_eigenvalue_below_one, dense.largest_eigenvalue_below_one),
            (lanczos.smallest_eigenvalue, dense.smallest_eigenvalue)]
    for got, want in ends:
        assert got == pytest.approx(want, abs=1e-7 if abs(want) >= dense.rate - 1e-9 else 2e-3)
    assert lanczos.multiplicity_one == dense.multiplicity_one
    if kind in ("gcn", "sym", "rw"):
        ref_rate, ones, _ = _reference_rate(data, kind)
        assert dense.rate == pytest.approx(ref_rate, abs=1e-10) and dense.multiplicity_one == ones


def test_components_and_multiplicity_with_isolated_nodes():
    base = datasets.sbm(block_sizes=[30, 30], p_in=0.3, p_out=0.0, seed=0)
    data = _with_isolated(base, extra=4)
    count, _ = components(data.edge_index, data.num_nodes)
    gcn, sym = spectral.analyze(data, "gcn"), spectral.analyze(data, "sym")
    assert gcn.num_components == sym.num_components == count == 6
    assert gcn.isolated_nodes == 4
    assert gcn.multiplicity_one == 6 and sym.multiplicity_one == 2
    # gcn leaves isolated nodes alone (P = 1 there); sym zeroes them (P = 0 there)
    x = data.x.double()
    np.testing.assert_allclose(gcn.limit(x)[-4:].numpy(), x[-4:].numpy())
    assert torch.all(sym.limit(x)[-4:] == 0)
    assert sym.smallest_eigenvalue <= 0.0


def test_cora_converges_to_a_per_component_limit(cora):
    report = spectral.analyze(cora, "gcn")
    assert report.num_components == report.multiplicity_one == 78
    assert 0.99 < report.rate < 1 and report.smallest_eigenvalue > -1
    x = torch.randn(cora.num_nodes, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    limit = report.limit(x)
    p = spectral.operator(cora, "gcn")
    k = report.steps_to(1e-4)
    h = x
    for _ in range(k):
        h = p @ h
    d0 = float((x - limit).norm())
    assert float((h - limit).norm()) <= 1e-4 * d0
    # not one vector: limit / sqrt(deg + 1) is constant inside each component but differs across
    _, labels = components(cora.edge_index, cora.num_nodes)
    labels = labels.numpy()
    labels = torch.from_numpy(labels)
    deg = torch.bincount(cora.edge_index[0], minlength=cora.num_nodes).double()
    scaled = limit / (deg + 1).sqrt()[:, None]
    per_comp = torch.zeros(78, 8, dtype=torch.float64).index_add_(0, labels, scaled)
    per_comp /= torch.bincount(labels, minlength=78).double()[:, None]
    np.testing.assert_allclose(scaled.numpy(), per_comp[labels].numpy(), atol=1e-12)
    assert per_comp.std(0).min() > 0.1


def test_cora_rw_limit_is_degree_weighted_mean(cora):
    report = spectral.analyze(cora, "rw")
    x = cora.x[:, :4].double()
    limit = report.limit(x)
    h = x
    p = spectral.operator(cora, "rw")
    for _ in range(report.steps_to(1e-5) + 200):  # rw's bound holds up to a degree factor
        h = p @ h
    np.testing.assert_allclose(h.numpy(), limit.numpy(), atol=1e-5 * float(x.abs().max()))


def test_appnp_limit_stays_away_from_the_invariant_subspace():
    data = datasets.csbm(num_nodes=300, avg_degree=6, num_features=4, seed=4)
    gcn = spectral.analyze(data, "gcn")
    appnp = spectral.analyze(data, "appnp", K=10, alpha=0.1)
    assert not appnp.limit_in_invariant_subspace and "depends on the input" in appnp.note
    low, high = appnp.limit_distance_bounds
    assert 0 < low <= high < 1
    assert appnp.steps_to(low / 2) == math.inf
    x = data.x.double()
    proj = gcn.limit(x)  # orthogonal projection on the invariant subspace
    z = appnp.limit(x)
    d0, dz = float((x - proj).norm()), float((z - gcn.limit(z)).norm())
    assert low * d0 * (1 - 1e-9) <= dz <= high * d0 * (1 + 1e-9)
    # the fixed point: Z = (1 - alpha) P Z + alpha X
    p = _dense_p(data, "gcn")
    np.testing.assert_allclose(0.9 * p @ z.numpy() + 0.1 * x.numpy(), z.numpy(), atol=1e-10)


def test_sgc_rate_is_power_of_gcn_rate():
    data = datasets.csbm(num_nodes=300, avg_degree=6, seed=5)
    gcn = spectral.analyze(data, "gcn")
    sgc = spectral.analyze(data, "sgc", K=3)
    assert sgc.rate == pytest.approx(gcn.rate ** 3, rel=1e-12)
    assert sgc.steps_to(1e-3) == math.ceil(gcn.steps_to(1e-3) / 3)


def test_steps_to_is_smallest_k():
    report = spectral.analyze(datasets.ring_graph(30), "gcn")
    for eps in (0.5, 1e-3, 1e-9):
        k = report.steps_to(eps)
        assert report.rate ** k <= eps < report.rate ** (k - 1)
    assert report.steps_to(1.0) == 0 and report.steps_to(2.0) == 0
    with pytest.raises(ValueError, match="eps"):
        report.steps_to(0.0)
    with pytest.raises(ValueError, match="eps"):
        report.steps_to(float("nan"))


def _finite(obj):
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_finite(v) for v in obj)
    return not (isinstance(obj, float) and math.isnan(obj))


@pytest.mark.parametrize("kind", ["gcn", "sym", "rw", "sgc", "appnp"])
@pytest.mark.parametrize("num_nodes", [1, 5])
def test_graph_without_edges(kind, num_nodes):
    data = Data(x=torch.randn(num_nodes, 3), edge_index=torch.empty(2, 0, dtype=torch.long),
                num_nodes=num_nodes)
    report = spectral.analyze(data, kind)
    assert report.rate == 0.0 and report.num_components == num_nodes
    assert _finite(report.to_dict())
    x = data.x.double()
    if kind == "sym":  # the zero matrix: everything is killed, nothing is invariant
        assert report.multiplicity_one == 0 and torch.all(report.limit(x) == 0)
        assert report.smallest_eigenvalue == 0.0 and report.steps_to(1e-6) == 1
    else:  # P = I: everything is invariant
        assert report.multiplicity_one == num_nodes and report.method == "trivial"
        assert report.steps_to(1e-6) == 0
        np.testing.assert_allclose(report.limit(x).numpy(), x.numpy(), atol=1e-15)


@pytest.mark.parametrize("kwargs, match", [
    (dict(operator="nope"), "unknown operator"), (dict(method="qr"), "unknown method"),
    (dict(operator="sgc", K=0), "at least 1"), (dict(operator="rw", K=2), "K applies"),
    (dict(tol=2.0), "tol"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        spectral.analyze(datasets.ring_graph(5), **kwargs)


def test_to_dict_is_plain():
    d = spectral.analyze(datasets.ring_graph(10), "appnp").to_dict()
    assert set(d) >= {"num_components", "multiplicity_one", "rate", "spectral_gap",
                      "smallest_eigenvalue", "steps_to", "note", "limit_distance_bounds"}
    assert not any(k.startswith("_") for k in d)
