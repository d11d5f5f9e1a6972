"""Every metric against a naive dense reference written from the textbook formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from oversmooth import metrics as M
from oversmooth.graph import components


# --------------------------------------------------------------------------- graph families
def _undirected(pairs, n):
    pairs = [(a, b) for a, b in pairs if a != b]
    both = sorted(set(pairs) | {(b, a) for a, b in pairs})
    return torch.tensor(both, dtype=torch.long).T.reshape(2, -1) if both else torch.zeros(2, 0, dtype=torch.long)


def make_graph(kind: str, dtype, seed: int = 0, n: int = 24, d: int = 5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    if kind == "no_edges":
        ei = torch.zeros(2, 0, dtype=torch.long)
    else:
        # two components (0..9, 10..19) and isolated nodes 20..23
        pairs = [(i, i + 1) for i in range(9)] + [(0, 5), (2, 7)]
        pairs += [(10 + i, 10 + j) for i in range(10) for j in range(i + 1, 10)
                  if torch.rand(1, generator=g) < 0.3] + [(i, i + 1) for i in range(10, 19)]
        ei = _undirected(pairs, n)
    x[3] = 0.0                      # zero row
    x[8] = x[4]                     # duplicate rows
    x[15] = x[12]
    if kind == "scaled_small":
        x = x * 1e-30
    elif kind == "scaled_large":
        x = x * 1e30
    return x.to(dtype), ei


FAMILIES = ["components", "no_edges", "scaled_small", "scaled_large"]
DTYPES = [torch.float32, torch.float64]


def dense(x):
    return x.detach().to(torch.float64).numpy()


def cosine_matrix(x):
    u = dense(x)
    norms = np.linalg.norm(u, axis=1)
    keep = norms > 0
    u = u[keep] / norms[keep, None]
    return u, u @ u.T


def rel_close(a, b, rtol=1e-6, atol=1e-12):
    assert math.isfinite(a), a
    scale = max(abs(a), abs(b))
    assert abs(a - b) <= atol + rtol * scale, (a, b)


# --------------------------------------------------------------------------- energy
@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_energy_survey(kind, dtype):
    x, ei = make_graph(kind, dtype)
    X = dense(x)
    ref = sum(np.sum((X[i] - X[j]) ** 2) for i, j in ei.T.tolist()) / X.shape[0]
    rel_close(M.dirichlet_energy(x, ei), ref)
    scaled = ref / np.sum(X ** 2)
    rel_close(M.dirichlet_energy(x, ei, scale_free=True), scaled)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_energy_sym_is_trace_with_gcn_operator(kind, dtype):
    x, ei = make_graph(kind, dtype)
    X, n = dense(x), x.size(0)
    A = np.zeros((n, n))
    A[ei[0].numpy(), ei[1].numpy()] = 1.0
    At = A + np.eye(n)
    dinv = 1.0 / np.sqrt(At.sum(1))
    P = dinv[:, None] * At * dinv[None, :]
    ref = np.trace(X.T @ (np.eye(n) - P) @ X)
    rel_close(M.dirichlet_energy(x, ei, operator="gcn"), ref, rtol=1e-5, atol=1e-9 * np.sum(X ** 2))


def test_dirichlet_energy_counts_columns_as_given():
    x = torch.tensor([[0.0], [2.0]])
    one_way = torch.tensor([[0], [1]])
    assert M.dirichlet_energy(x, one_way) == pytest.approx(4.0 / 2)
    assert M.dirichlet_energy(x, torch.cat([one_way, one_way.flip(0)], 1)) == pytest.approx(8.0 / 2)


def test_sym_energy_vanishes_on_invariant_subspace_not_only_constants():
    x, ei = make_graph("components", torch.float64)
    proj = M.invariant_projection(x, ei)
    assert M.dirichlet_energy(proj, ei, operator="gcn") < 1e-20 * float((x ** 2).sum())
    assert M.dirichlet_energy(proj, ei) > 1e-3  # survey form does not vanish there


# --------------------------------------------------------------------------- cosine / MAD
@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_cosine(kind, dtype):
    x, _ = make_graph(kind, dtype)
    _, C = cosine_matrix(x)
    n = C.shape[0]
    rel_close(M.mean_cosine_similarity(x), (C.sum() - np.trace(C)) / (n * (n - 1)), atol=1e-12)
    rel_close(M.mean_cosine_similarity(x, exclude_self=False), C.mean(), atol=1e-12)


def _hop_matrix(ei, n):
    A = np.zeros((n, n), dtype=bool)
    A[ei[0].numpy(), ei[1].numpy()] = True
    A |= A.T
    hop = np.full((n, n), np.inf)
    for s in range(n):  # textbook BFS
        hop[s, s], frontier, h = 0, [s], 0
        while frontier:
            h += 1
            nxt = [v for u in frontier for v in np.nonzero(A[u])[0] if hop[s, v] == np.inf]
            for v in set(nxt):
                hop[s, v] = h
            frontier = list(set(nxt))
    return hop


def mad_reference(x, mask):
    """Chen et al.: D = 1 - cos, masked, row mean over non-zero entries, mean over rows with any."""
    X = dense(x)
    keep = np.linalg.norm(X, axis=1) > 0
    U = X[keep] / np.linalg.norm(X[keep], axis=1, keepdims=True)
    D = 1.0 - U @ U.T
    same = (U[:, None, :] == U[None, :, :]).all(-1)
    D[same] = 0.0  # identical directions are exact zeros (the diagonal included)
    D = D * mask[np.ix_(keep, keep)]
    counts = (D != 0).sum(1)
    rows = D.sum(1)[counts > 0] / counts[counts > 0]
    return float(rows.mean()) if rows.size else 0.0


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


# --------------------------------------------------------------------------- distances
@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_pairwise_distance(kind, dtype):
    x, _ = make_graph(kind, dtype)
    X = dense(x)
    n = X.shape[0]
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    rel_close(M.mean_pairwise_distance(x, squared=True), D2.sum() / (n * (n - 1)))
    rel_close(M.mean_pairwise_distance(x), np.sqrt(D2).sum() / (n * (n - 1)), rtol=1e-7)


def test_mean_pairwise_distance_sampled_is_unbiased_within_stderr():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3000, 4, generator=g)
    exact = M.mean_pairwise_distance(x)
    est, se = M.mean_pairwise_distance_estimate(x, max_exact=100, num_samples=200_000)
    assert 0 < se < 0.01 and abs(est - exact) < 5 * se


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_smv(kind, dtype):
    U, _ = cosine_matrix(make_graph(kind, dtype)[0])
    n = U.shape[0]
    D = 0.5 * np.sqrt(((U[:, None, :] - U[None, :, :]) ** 2).sum(-1))
    rel_close(M.smv(make_graph(kind, dtype)[0]), D.sum() / (n * (n - 1)), rtol=1e-6, atol=1e-9)


def gdr_reference(x, y):
    X = dense(x)
    classes = np.unique(y)
    C = len(classes)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    mean = lambda a, b: D[np.ix_(y == a, y == b)].mean()
    num = sum(mean(a, b) for a in classes for b in classes if a != b) / (C - 1) ** 2
    den = sum(mean(a, a) for a in classes) / C
    return num / den


@pytest.mark.parametrize("kind", ["components", "scaled_small", "scaled_large"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_group_distance_ratio(kind, dtype):
    x, _ = make_graph(kind, dtype)
    y = torch.arange(x.size(0)) % 3 + 2 * (torch.arange(x.size(0)) % 3 == 1)  # labels 0, 3, 2
    rel_close(M.group_distance_ratio(x, y), gdr_reference(x, y.numpy()), rtol=1e-6)


def test_group_distance_ratio_sampled():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 4, (2000,), generator=g)
    x = torch.randn(2000, 3, generator=g) + y.unsqueeze(1).float()
    exact = M.group_distance_ratio(x, y)
    est, se = M.group_distance_ratio_estimate(x, y, max_exact=100, num_samples=200_000)
    assert 0 < se and abs(est - exact) < 5 * se


def test_group_distance_ratio_degenerate():
    x = torch.randn(6, 2)
    assert M.group_distance_ratio(x, torch.zeros(6, dtype=torch.long)) == 0.0
    assert M.group_distance_ratio(torch.zeros(6, 2), torch.arange(6) % 2) == 0.0
    points = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    assert M.group_distance_ratio(points, torch.tensor([0, 0, 1, 1])) == math.inf


# --------------------------------------------------------------------------- subspace
def dense_projection(X, ei, n, operator):
    _, comp = components(ei, n)
    comp = comp.numpy()
    A = np.zeros((n, n))
    A[ei[0].numpy(), ei[1].numpy()] = 1.0
    deg = A.sum(1)
    out = np.zeros_like(X)
    for m in np.unique(comp):
        weight = {"gcn": np.sqrt(deg + 1), "sym": np.sqrt(deg), "rw": 1.0}[operator]
        e = np.where(comp == m, weight, 0.0)
        if e @ e > 0:  # sym: an isolated node has no invariant vector
            out += np.outer(e, e @ X) / (e @ e)
    return out


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("operator", ["gcn", "sym", "rw"])
def test_invariant_projection_and_distance(kind, dtype, operator):
    x, ei = make_graph(kind, dtype)
    X, n = dense(x), x.size(0)
    ref = dense_projection(X, ei, n, operator)
    proj = M.invariant_projection(x, ei, operator=operator)
    assert proj.dtype == dtype and proj.shape == x.shape
    scale = np.abs(X).max()
    np.testing.assert_allclose(dense(proj) / scale, ref / scale, rtol=1e-5, atol=1e-6)
    rel_close(M.subspace_distance(x, ei, operator=operator), np.linalg.norm(X - ref), rtol=1e-6,
              atol=1e-12 * np.linalg.norm(X))


def test_gcn_projection_is_limit_of_propagation():
    from oversmooth.graph import normalized_adjacency

    x, ei = make_graph("components", torch.float64)
    P = normalized_adjacency(ei, x.size(0), "gcn", torch.float64).to_dense()
    limit = torch.linalg.matrix_power(P, 2000) @ x
    torch.testing.assert_close(M.invariant_projection(x, ei), limit, rtol=1e-6, atol=1e-8)
    assert M.subspace_distance(P @ x, ei) < M.subspace_distance(x, ei)


# --------------------------------------------------------------------------- ranks
@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ranks(kind, dtype):
    x, _ = make_graph(kind, dtype)
    X = dense(x)
    X = X / np.abs(X).max()  # numpy's SVD itself needs the scaling at 1e30
    s = np.linalg.svd(X, compute_uv=False)
    rel_close(M.numerical_rank(x), (s ** 2).sum() / s[0] ** 2, rtol=1e-6)
    p = s / s.sum()
    p = p[p > 0]
    rel_close(M.effective_rank(x), float(np.exp(-(p * np.log(p)).sum())), rtol=1e-5)


def test_ranks_wide_matrix_and_collapse():
    x = torch.randn(3, 10, dtype=torch.float64)
    s = np.linalg.svd(x.numpy(), compute_uv=False)
    rel_close(M.numerical_rank(x), (s ** 2).sum() / s[0] ** 2)
    collapsed = torch.randn(1, 6).repeat(50, 1)
    assert M.numerical_rank(collapsed) == pytest.approx(1.0)
    assert M.effective_rank(collapsed) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_feature_correlation(kind, dtype):
    x, _ = make_graph(kind, dtype)
    x = torch.cat([x, torch.full((x.size(0), 1), 3.0, dtype=dtype)], 1)  # constant column dropped
    X = dense(x)[:, :-1]
    R = np.corrcoef(X, rowvar=False)
    d = R.shape[0]
    rel_close(M.feature_correlation(x), np.abs(R[~np.eye(d, dtype=bool)]).mean(), rtol=1e-6)


# --------------------------------------------------------------------------- backward
def test_backward_smoothness_matches_definitions():
    x, ei = make_graph("components", torch.float64)
    out = M.backward_smoothness(x, ei)
    norm2 = float((x ** 2).sum())
    assert out["grad_norm"] == pytest.approx(norm2 ** 0.5)
    assert out["grad_energy_rel"] == pytest.approx(M.dirichlet_energy(x, ei, operator="gcn") / norm2)
    assert out["grad_subspace_rel"] == pytest.approx(M.subspace_distance(x, ei) ** 2 / norm2)
    assert out["grad_mean_norm"] == pytest.approx(float(x.mean(0).norm()))
    assert set(M.backward_smoothness(torch.zeros(4, 2), ei[:, :0]).values()) == {0.0}


# --------------------------------------------------------------------------- robustness
DEGENERATE = {
    "zeros": torch.zeros(12, 4),
    "constant": torch.full((12, 4), 2.5),
    "tiny": torch.randn(12, 4) * 1e-30,
    "huge": torch.randn(12, 4) * 1e30,
    "one_row": torch.randn(1, 4),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
@pytest.mark.parametrize("edges", ["none", "path"])
def test_compute_is_finite_on_degenerate_input(name, edges):
    x = DEGENERATE[name]
    n = x.size(0)
    ei = (torch.zeros(2, 0, dtype=torch.long) if edges == "none" or n < 2
          else _undirected([(i, i + 1) for i in range(n - 1)], n))
    y = torch.arange(n) % 2
    out = M.compute(x, ei, y)
    assert all(math.isfinite(v) for v in out.values()), out
    if name in ("zeros", "constant"):
        for key in ("dirichlet_energy", "mad", "smv", "mean_pairwise_distance"):
            assert out[key] == 0.0
        # the degree-normalised energy is zero on constants only when degrees are equal
        assert (out["dirichlet_energy_sym"] == 0.0) == (name == "zeros" or edges == "none")


def test_degenerate_values_documented():
    z = torch.zeros(5, 3)
    assert M.mean_cosine_similarity(z) == 0.0 and M.numerical_rank(z) == 0.0
    c = torch.ones(5, 3)
    assert M.mean_cosine_similarity(c) == pytest.approx(1.0)
    assert M.subspace_distance(c, torch.zeros(2, 0, dtype=torch.long)) == 0.0
    assert M.feature_correlation(c) == 0.0


def test_requires_grad_input_and_no_graph_kept():
    x, ei = make_graph("components", torch.float32)
    x.requires_grad_(True)
    out = M.compute(x, ei, torch.arange(x.size(0)) % 2)
    assert all(isinstance(v, float) for v in out.values())
    assert M.invariant_projection(x, ei).grad_fn is None


# --------------------------------------------------------------------------- API
def test_compute_keys_and_selection():
    x, ei = make_graph("components", torch.float64)
    y = torch.arange(x.size(0)) % 2
    keys = [k for k in M.compute(x, ei, y) if not k.endswith("_stderr")]
    assert keys == M.available()
    assert "group_distance_ratio" not in M.compute(x, ei)
    assert list(M.compute(x, ei, metrics=["smv", "mad"])) == ["smv", "smv_stderr", "mad"]
    with pytest.raises(ValueError, match="unknown metric 'nope'; known: dirichlet_energy"):
        M.compute(x, ei, metrics=["nope"])
    with pytest.raises(ValueError, match="needs labels"):
        M.compute(x, ei, metrics=["group_distance_ratio"])


@pytest.mark.parametrize("call, match", [
    (lambda: M.dirichlet_energy(torch.tensor([[math.nan]]), torch.zeros(2, 0, dtype=torch.long)), "NaN"),
    (lambda: M.dirichlet_energy(torch.ones(2, 2), torch.tensor([[0], [5]])), "only 2 nodes"),
    (lambda: M.dirichlet_energy(torch.ones(2, 2), torch.zeros(2, 0, dtype=torch.long), "rw"), "operator"),
    (lambda: M.subspace_distance(torch.ones(2, 2), torch.zeros(2, 0, dtype=torch.long), "appnp"), "operator"),
    (lambda: M.mad(torch.ones(2, 2), mask="remote"), "needs edge_index"),
    (lambda: M.mad(torch.ones(2, 2), mask="far"), "unknown mask"),
    (lambda: M.mad_gap(torch.ones(2, 2), torch.zeros(2, 0, dtype=torch.long), 3, 2), "near_hops"),
    (lambda: M.mean_cosine_similarity(torch.ones(0, 2)), "empty"),
    (lambda: M.group_distance_ratio(torch.ones(3, 2), torch.ones(2, dtype=torch.long)), "shape"),
])
def test_bad_input_raises_one_line_value_error(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 14), d=st.integers(1, 4), p=st.floats(0.0, 0.6), seed=st.integers(0, 10_000),
       double=st.booleans())
def test_property_random_graphs(n, d, p, seed, double):
    g = torch.Generator().manual_seed(seed)
    dtype = torch.float64 if double else torch.float32
    x = torch.randint(-2, 3, (n, d), generator=g).to(dtype)  # small integers: many ties and zero rows
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if torch.rand(1, generator=g) < p]
    ei = _undirected(pairs, n)
    X = dense(x)
    rel_close(M.dirichlet_energy(x, ei), sum(np.sum((X[i] - X[j]) ** 2) for i, j in ei.T.tolist()) / n, atol=1e-9)
    hop = _hop_matrix(ei, n)
    rel_close(M.mad(x), mad_reference(x, np.ones((n, n))), atol=1e-9)
    rel_close(M.mad_gap(x, ei), mad_reference(x, hop >= 8) - mad_reference(x, (hop >= 1) & (hop <= 3)), atol=1e-9)
    rel_close(M.subspace_distance(x, ei), np.linalg.norm(X - dense_projection(X, ei, n, "gcn")), atol=1e-9)
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    rel_close(M.mean_pairwise_distance(x), D.sum() / (n * (n - 1)), atol=1e-6)


@pytest.mark.parametrize("name, args", [("mad", ("ei", "neighbor")), ("mad_gap", ("ei",)), ("mean_pairwise_distance", ()),
                                        ("smv", ()), ("group_distance_ratio", ("y",))])
def test_estimates_come_from_their_own_function(name, args):
    x, ei = make_graph("components", torch.float64)
    y = torch.arange(x.size(0)) % 3
    values = [{"ei": ei, "y": y}.get(a, a) for a in args]
    plain = getattr(M, name)(x, *values, max_exact=8)
    estimate = getattr(M, f"{name}_estimate")(x, *values, max_exact=8)
    assert isinstance(plain, float) and isinstance(estimate, M.Estimate)
    assert estimate.value == plain and estimate.stderr > 0 and not estimate.exact  # sampled above 8 rows
    exact = getattr(M, f"{name}_estimate")(x, *values)
    assert exact.exact and exact.stderr == 0.0
    with pytest.warns(DeprecationWarning, match=f"use {name}_estimate"):
        assert getattr(M, name)(x, *values, max_exact=8, return_stderr=True) == tuple(estimate)
