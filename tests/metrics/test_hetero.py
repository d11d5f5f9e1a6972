"""metrics.hetero: per-type and per-edge-type metrics of a heterogeneous graph against naive
references written from the textbook formulas (Python loops over pairs and edges), and the
whole-graph values against metrics.compute on the flattened graph."""

from __future__ import annotations

import math

import pytest
import torch

from oversmooth import metrics as M
from oversmooth.graph import cat_by_type, edge_index_dict, to_homogeneous
from tests.graph._hetero import both, shop
from tests.metrics._reference import rel_close

SCALES = [(torch.float32, 1.0), (torch.float64, 1.0), (torch.float64, 1e-150), (torch.float64, 1e150)]


def representations(data, dtype=torch.float64, scale=1.0, width=4, seed=1):
    """Rows of one width per type with a zero row, duplicate rows within a type and across
    types, and a single-node type (the city)."""
    g = torch.Generator().manual_seed(seed)
    x = {t: torch.randn(data[t].num_nodes, width, generator=g, dtype=torch.float64) for t in data.node_types}
    x["customer"][2] = 0.0
    x["customer"][4] = x["customer"][1]
    x["merchant"][1] = x["customer"][0]
    x["merchant"][3] = x["merchant"][0]
    return {t: (v * scale).to(dtype) for t, v in x.items()}


# --------------------------------------------------------------------------- references
def rows(x):
    return [[float(v) for v in row] for row in x.to(torch.float64)]


def offsets(data):
    out, start = {}, 0
    for t in data.node_types:
        out[t] = start
        start += data[t].num_nodes
    return out, start


def energy_reference(x_dict, data, operator):
    off, n = offsets(data)
    flat = {off[t] + i: row for t in data.node_types for i, row in enumerate(rows(x_dict[t]))}
    neighbours = {v: set() for v in range(n)}
    for s, r, d in data.edge_types:
        for i, j in data[s, r, d].edge_index.T.tolist():
            a, b = off[s] + i, off[d] + j
            if a != b:
                neighbours[b].add(a)
    out = {}
    for s, r, d in data.edge_types:
        pairs = [(off[s] + i, off[d] + j) for i, j in data[s, r, d].edge_index.T.tolist()]
        total = 0.0
        if operator is None:
            for a, b in pairs:
                total += sum((p - q) ** 2 for p, q in zip(flat[a], flat[b]))
            out[(s, r, d)] = total / n
        else:
            for a, b in sorted({(a, b) for a, b in pairs if a != b}):
                wa, wb = 1 / math.sqrt(1 + len(neighbours[a])), 1 / math.sqrt(1 + len(neighbours[b]))
                total += sum((wa * p - wb * q) ** 2 for p, q in zip(flat[a], flat[b]))
            out[(s, r, d)] = total / 2
    return out


def unit(row):
    norm = math.sqrt(sum(v * v for v in row))
    return tuple(v / norm for v in row) if norm > 0 else None


def cos(u, v):
    return sum(p * q for p, q in zip(u, v))


def cosine_reference(a, b=None):
    ua = [u for u in map(unit, rows(a)) if u is not None]
    if b is None:
        values = [cos(ua[i], ua[j]) for i in range(len(ua)) for j in range(len(ua)) if i != j]
    else:
        ub = [u for u in map(unit, rows(b)) if u is not None]
        values = [cos(u, v) for u in ua for v in ub]
    return sum(values) / len(values) if values else 0.0


def mad_reference(a, b=None):
    """Chen et al.: D = 1 - cos under the mask, row means over non-zero entries, mean over rows."""
    ua = [u for u in map(unit, rows(a)) if u is not None]
    ub = ua if b is None else [u for u in map(unit, rows(b)) if u is not None]
    side = [(u, ub) for u in ua] + ([] if b is None else [(v, ua) for v in ub])
    means = []
    for u, partners in side:
        entries = [0.0 if u == v else 1.0 - cos(u, v) for v in partners]
        nonzero = [e for e in entries if e != 0.0]
        if nonzero:
            means.append(sum(nonzero) / len(nonzero))
    return sum(means) / len(means) if means else 0.0


def subspace_reference(x_dict, data):
    off, n = offsets(data)
    flat = [row for t in data.node_types for row in rows(x_dict[t])]
    adj = {v: set() for v in range(n)}
    for s, r, d in data.edge_types:
        for i, j in data[s, r, d].edge_index.T.tolist():
            if off[s] + i != off[d] + j:
                adj[off[s] + i].add(off[d] + j)
                adj[off[d] + j].add(off[s] + i)
    seen, total = set(), 0.0
    for start in range(n):  # textbook search for each component
        if start in seen:
            continue
        comp, stack = [], [start]
        seen.add(start)
        while stack:
            v = stack.pop()
            comp.append(v)
            for w in adj[v] - seen:
                seen.add(w)
                stack.append(w)
        e = {v: math.sqrt(1 + len(adj[v])) for v in comp}
        norm2 = sum(w * w for w in e.values())
        coef = [sum(e[v] * flat[v][k] for v in comp) / norm2 for k in range(len(flat[0]))]
        total += sum((flat[v][k] - e[v] * coef[k]) ** 2 for v in comp for k in range(len(coef)))
    return math.sqrt(total)


# --------------------------------------------------------------------------- per type
@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("operator", [None, "gcn"])
def test_energy_per_edge_type_matches_the_loop(dtype, scale, operator):
    data = shop()
    x = representations(data, dtype, scale)
    out = M.dirichlet_energy_per_edge_type(x, data, operator=operator)
    ref = energy_reference(x, data, operator)
    assert list(out) == data.edge_types
    for edge_type, value in out.items():
        rel_close(value, ref[edge_type], rtol=1e-5 if dtype == torch.float32 else 1e-10, atol=0.0)
    assert out[("merchant", "refers", "merchant")] == 0.0            # the empty edge type
    assert M.dirichlet_energy_per_edge_type(x, edge_index_dict(data), operator=operator) == out


def test_energy_per_edge_type_adds_up_to_the_flattened_energy():
    data = shop()
    x = representations(data)
    flat = to_homogeneous(data)
    x_flat = cat_by_type(x, data)
    survey = M.dirichlet_energy_per_edge_type(x, data)
    rel_close(sum(survey.values()), M.dirichlet_energy(x_flat, flat.edge_index), rtol=1e-12)
    # pays and rates both list (customer 0, merchant 1): the gcn form counts that pair twice
    gcn = M.dirichlet_energy_per_edge_type(x, data, operator="gcn")
    rel_close(sum(gcn.values()) - gcn[("customer", "rates", "merchant")] - gcn[("merchant", "rated_by", "customer")],
              M.dirichlet_energy(x_flat, flat.edge_index, operator="gcn"), rtol=1e-12)
    scale_free = M.dirichlet_energy_per_edge_type(x, data, scale_free=True)
    norm = float(x_flat.square().sum())
    for edge_type, value in M.dirichlet_energy_per_edge_type(x, data).items():
        rel_close(scale_free[edge_type], value / norm, rtol=1e-12)


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("exclude_self", [True, False])
def test_cosine_similarity_by_type_matches_the_loop(dtype, scale, exclude_self):
    data = shop()
    x = representations(data, dtype, scale)
    out = M.cosine_similarity_by_type(x, exclude_self=exclude_self)
    types = data.node_types
    assert list(out) == types + [("customer", "merchant"), ("customer", "city"), ("merchant", "city")]
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)
    for t in types:
        if exclude_self:
            ref = cosine_reference(x[t])
        else:  # all n^2 ordered pairs of non-zero rows
            ua = [u for u in map(unit, rows(x[t])) if u is not None]
            ref = sum(cos(u, v) for u in ua for v in ua) / len(ua) ** 2
        rel_close(out[t], ref, **tol)
        assert out[t] == pytest.approx(M.mean_cosine_similarity(x[t], exclude_self=exclude_self), abs=1e-12)
    for key in [k for k in out if isinstance(k, tuple)]:
        rel_close(out[key], cosine_reference(x[key[0]], x[key[1]]), **tol)
    assert out["city"] == (0.0 if exclude_self else 1.0)             # one node: no pair


@pytest.mark.parametrize("dtype, scale", SCALES)
def test_mad_by_type_matches_the_loop(dtype, scale):
    data = shop()
    x = representations(data, dtype, scale)
    out = M.mad_by_type(x)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)
    for key, value in out.items():
        ref = mad_reference(x[key]) if isinstance(key, str) else mad_reference(x[key[0]], x[key[1]])
        rel_close(value, ref, **tol)
    for t in data.node_types:
        assert out[t] == M.mad(x[t])
    assert out["city"] == 0.0


def test_cross_type_ties_are_exact_zeros():
    a = torch.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=torch.float64)
    b = torch.tensor([[1.0, 2.0], [1.0, 2.0]], dtype=torch.float64)   # both tied with a[0]
    out = M.mad_by_type({"a": a, "b": b})
    # a[0] has no non-zero entry (not a row of the mean); a[1] and b's rows have one each
    d = 1.0 - (1 * 3 + 2 * -1) / (math.sqrt(5) * math.sqrt(10))
    rel_close(out[("a", "b")], d, rtol=1e-12)
    assert out["b"] == 0.0
    rel_close(out[("a", "b")], mad_reference(a, b), rtol=1e-12)


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("relative", [False, True])
def test_subspace_distance_hetero_matches_the_dense_projection(dtype, scale, relative):
    data = shop()
    x = representations(data, dtype, scale)
    value = M.subspace_distance_hetero(x, data, relative=relative)
    ref = subspace_reference(x, data)
    if relative:
        ref /= math.sqrt(sum(v * v for t in x for row in rows(x[t]) for v in row))
    rel_close(value, ref, rtol=1e-5 if dtype == torch.float32 else 1e-9, atol=0.0)
    flat = to_homogeneous(data)
    assert value == M.subspace_distance(cat_by_type(x, data), flat.edge_index, relative=relative)
    assert value == M.subspace_distance_hetero(x, edge_index_dict(data), relative=relative)


def test_invariant_rows_are_at_distance_zero():
    data = shop()
    from oversmooth.graph import graph_of, invariant_basis

    basis = invariant_basis(*graph_of(data), "gcn")
    x = basis.weights[:, None] * torch.tensor([[1.0, -2.0]], dtype=torch.float64) * (basis.labels[:, None] + 1)
    parts = {"customer": x[:5], "merchant": x[5:9], "city": x[9:]}
    assert M.subspace_distance_hetero(parts, data) == pytest.approx(0.0, abs=1e-12)
    assert all(v == pytest.approx(0.0, abs=1e-12)
               for v in M.dirichlet_energy_per_edge_type(parts, data, operator="gcn").values())


# --------------------------------------------------------------------------- compute_hetero
def test_whole_graph_values_equal_compute_on_the_flattened_graph():
    data = shop()
    x = representations(data)
    out = M.compute_hetero(x, data)
    flat = to_homogeneous(data)
    whole = M.compute(cat_by_type(x, data), flat.edge_index)
    for key, value in whole.items():
        assert out[key] == value, key
    assert out["subspace_distance"] == M.subspace_distance_hetero(x, data)
    assert out["dirichlet_energy[customer,pays,merchant]"] == M.dirichlet_energy_per_edge_type(x, data)[
        ("customer", "pays", "merchant")]
    assert out["dirichlet_energy_sym[city,hosts,merchant]"] == M.dirichlet_energy_per_edge_type(
        x, data, operator="gcn")[("city", "hosts", "merchant")]
    cosine, mad = M.cosine_similarity_by_type(x), M.mad_by_type(x)
    assert out["mean_cosine_similarity[customer]"] == cosine["customer"]
    assert out["mean_cosine_similarity[customer,merchant]"] == cosine[("customer", "merchant")]
    assert out["mad[merchant,city]"] == mad[("merchant", "city")]
    gdr = M.group_distance_ratio_estimate(x["customer"], data["customer"].y)
    assert (out["group_distance_ratio[customer]"], out["group_distance_ratio_stderr[customer]"]) == tuple(gdr)
    assert "group_distance_ratio" not in out
    assert all(math.isfinite(v) for v in out.values()), out


def test_compute_hetero_selects_and_checks_names():
    data = shop()
    x = representations(data)
    out = M.compute_hetero(x, data, metrics="mad,subspace_distance")
    assert list(out)[:2] == ["mad", "subspace_distance"]
    scopes = ["customer", "merchant", "city", "customer,merchant", "customer,city", "merchant,city"]
    assert list(out)[2:] == [f"mad[{k}]" for k in scopes]
    with pytest.raises(ValueError, match="unknown metric 'energy'"):
        M.compute_hetero(x, data, metrics=["energy"])
    with pytest.raises(ValueError, match="group_distance_ratio needs the target type's labels"):
        M.compute_hetero(x, edge_index_dict(data), metrics=["group_distance_ratio"])
    no_labels = M.compute_hetero(x, edge_index_dict(data), metrics=None)
    assert not any(k.startswith("group_distance_ratio") for k in no_labels)


# --------------------------------------------------------------------------- degenerate
def test_degenerate_input_gives_finite_values():
    data = shop()
    zeros = {t: torch.zeros(data[t].num_nodes, 3) for t in data.node_types}
    out = M.compute_hetero(zeros, data)
    assert all(math.isfinite(v) for v in out.values()), out
    assert all(v == 0.0 for k, v in out.items() if k.split("[")[0] in
               ("dirichlet_energy", "dirichlet_energy_sym", "mean_cosine_similarity", "mad", "subspace_distance"))
    # a type with no rows, given through an edge_index_dict (no HeteroData needed)
    x = {"a": torch.randn(3, 2), "b": torch.zeros(0, 2)}
    edges = dict(zip([("a", "to", "b"), ("b", "to", "a")], both([])))
    edges[("a", "knows", "a")] = torch.tensor([[0, 1], [1, 0]])
    out = M.compute_hetero(x, edges, metrics=["dirichlet_energy", "mean_cosine_similarity", "mad",
                                              "subspace_distance"])
    assert all(math.isfinite(v) for v in out.values()), out
    assert out["mean_cosine_similarity[a,b]"] == 0.0 and out["mad[b]"] == 0.0
    assert out["dirichlet_energy[a,to,b]"] == 0.0


@pytest.mark.parametrize("x_dict, graph, message", [
    ({"customer": torch.zeros(5, 2)}, "data", "x_dict has no rows for node type 'merchant'"),
    ({"customer": torch.zeros(4, 2), "merchant": torch.zeros(4, 2), "city": torch.zeros(1, 2)}, "data",
     r"x_dict\['customer'\] has 4 rows but node type 'customer' has 5 nodes"),
    ({"customer": torch.zeros(5, 2), "merchant": torch.zeros(4, 3), "city": torch.zeros(1, 2)}, "data",
     r"x_dict\['merchant'\] has shape \[4, 3\] but x_dict\['customer'\] has \[5, 2\]"),
    ({"customer": torch.zeros(5, 2), "merchant": torch.zeros(4, 2), "city": torch.zeros(1, 2),
      "shop": torch.zeros(1, 2)}, "data", "x_dict has node type 'shop', which the graph does not have"),
    ({"customer": torch.full((5, 2), float("nan")), "merchant": torch.zeros(4, 2), "city": torch.zeros(1, 2)},
     "data", r"x_dict\['customer'\] contains NaN values"),
    ({"customer": torch.zeros(5, 2), "merchant": torch.zeros(2, 2), "city": torch.zeros(1, 2)}, "edges",
     r"edge type \('customer', 'pays', 'merchant'\): edge_index\[1\] has index 2 but 'merchant' has 2 nodes"),
    ({}, "data", "x_dict must be a non-empty dict"),
])
def test_bad_input_gets_one_line_errors(x_dict, graph, message):
    data = shop()
    target = data if graph == "data" else edge_index_dict(data)
    with pytest.raises(ValueError, match=message) as info:
        M.subspace_distance_hetero(x_dict, target)
    assert "\n" not in str(info.value)


def test_metrics_exports_the_hetero_functions_lazily():
    for name in ("compute_hetero", "dirichlet_energy_per_edge_type", "cosine_similarity_by_type",
                 "mad_by_type", "subspace_distance_hetero", "PER_TYPE_METRICS"):
        assert name in M.__all__ and getattr(M, name) is getattr(__import__("oversmooth.metrics.hetero",
                                                                            fromlist=[name]), name)
    with pytest.raises(AttributeError):
        M.no_such_metric
