"""metrics.compute: keys, selection, degenerate input, bad input, random graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from oversmooth import metrics as M
from tests.metrics._reference import make_graph, dense, rel_close, _undirected, _hop_matrix, mad_reference, dense_projection


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


# how each value scales with the features: |x|^power
_SCALING = {"dirichlet_energy": 2, "dirichlet_energy_sym": 2, "mean_pairwise_distance": 1,
            "mean_pairwise_distance_stderr": 1, "subspace_distance": 1}


@pytest.mark.parametrize("exponent", [520, 1000, -540, -1000])
def test_extreme_float64_scales_are_measured_exactly(exponent):
    """Features of magnitude 2^1000 or 2^-1000: squares leave float64, the metrics do not."""
    x, ei = make_graph("components", torch.float64)
    y = torch.arange(x.size(0)) % 3
    scale = 2.0 ** exponent
    names = [m for m in M.available() if not (m.startswith("dirichlet") and exponent > 0)]
    base = M.compute(x, ei, y, metrics=names)
    scaled = M.compute(x * scale, ei, y, metrics=names)
    for key, value in scaled.items():
        expected = base[key] * scale ** _SCALING.get(key, 0)
        assert math.isfinite(value) and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-300), key
    # each public function too, and the projection as a tensor
    assert math.isclose(M.mean_pairwise_distance(x * scale), base["mean_pairwise_distance"] * scale, rel_tol=1e-9)
    assert math.isclose(M.mean_cosine_similarity(x * scale), base["mean_cosine_similarity"], rel_tol=1e-9)
    projection = M.invariant_projection(x * scale, ei)
    torch.testing.assert_close(projection / scale, M.invariant_projection(x, ei), rtol=1e-9, atol=0)


def test_a_value_beyond_float64_is_a_clear_error():
    x, ei = make_graph("components", torch.float64)
    with pytest.raises(ValueError, match="dirichlet_energy of this input is beyond the float64 range"):
        M.dirichlet_energy(x * 1e155, ei)
    with pytest.raises(ValueError, match="beyond the float64 range"):
        M.compute(x * 1e155, ei, metrics=["dirichlet_energy"])
    assert math.isfinite(M.dirichlet_energy(x * 1e155, ei, scale_free=True))


def test_backward_measures_at_extreme_scales():
    x, ei = make_graph("components", torch.float64)
    base = M.backward_smoothness(x, ei)
    big = M.backward_smoothness(x * 2.0 ** 600, ei)
    for key, value in big.items():
        power = 1 if key in ("grad_norm", "grad_mean_norm") else 0
        assert math.isclose(value, base[key] * 2.0 ** (600 * power), rel_tol=1e-9), key


def test_no_feature_columns_gives_defined_values():
    x, ei = torch.zeros(5, 0), torch.tensor([[0, 1], [1, 0]])
    values = M.compute(x, ei)
    assert values and all(v == 0.0 for v in values.values())


@pytest.mark.parametrize("call, match", [
    (lambda x, ei: M.mean_pairwise_distance(x, max_exact=4, num_samples=0), "num_samples must be an integer >= 1, got 0"),
    (lambda x, ei: M.smv_estimate(x, num_samples=-3), "num_samples must be an integer >= 1"),
    (lambda x, ei: M.group_distance_ratio(x, torch.arange(x.size(0)) % 2, num_samples=0), "num_samples"),
    (lambda x, ei: M.mad(x, ei, mask="remote", num_sources=0), "num_sources must be an integer >= 1"),
    (lambda x, ei: M.mad_gap(x, ei, max_exact=-1), "max_exact must be an integer >= 0"),
])
def test_sample_sizes_are_checked(call, match):
    x, ei = make_graph("components", torch.float64)
    with pytest.raises(ValueError, match=match):
        call(x, ei)
