"""Verdict rules of "The mathematics" claims: functions of pure-propagation curves and
spectral facts (no training)."""

from __future__ import annotations

import math
from typing import Mapping

from .core import SMOOTH_EPS, Measurements, _fact, _not_measured, _steps_below, split_verdict, parts_text
from .hetero import HETEROGENEOUS_TOLERANCE, heterogeneous

#: Eigenvalues are computed to about 1e-3 (Lanczos on Cora): a bound holds within it.
EIG_TOL = 1e-3
#: Rows are "the same" when the limit's rank-one residual (relative distance to identical
#: rows, :func:`oversmooth.metrics.rank_one_residual`) is at most this; "proportional to"
#: holds when the spread (max - min) / mean of the ratio is at most it too.
IDENTICAL = 1e-6
#: A rate predicted by the spectrum agrees with the one fitted on the propagation within this.
RATE_TOL = 0.01
#: "the entire graph": at least this fraction of the nodes within k hops (mean over nodes).
COVERAGE_ENTIRE = 0.9
#: "nearly identical": d_M(P^k X)/d_M(X) at most this.
NEARLY_IDENTICAL = 0.1
#: Pure propagation "oversmooths" when d_M(P^k X)/d_M(X) decays geometrically: a fitted rate
#: below 1 - this on every measured graph.
DECAY_MARGIN = 1e-6


def _at(table, key):
    """``table[key]`` whether the keys are ints or (after JSON) strings."""
    if table is None:
        return None
    return table.get(key, table.get(str(key)))


def decays_geometrically(r: Mapping) -> bool:
    """A fitted decay rate below 1, or a distance already at round-off (a complete graph is
    flat after one step: nothing left to fit)."""
    last = max((int(k) for k in r.get("relative_distance", {})), default=None)
    flat = last is not None and _at(r["relative_distance"], last) <= 1e-12
    return flat or (r.get("fitted_rate") is not None and r["fitted_rate"] < 1 - DECAY_MARGIN)


def _need(key: str) -> tuple[str, dict, str]:
    return _not_measured(f"no {key} measurement; `oversmooth claims` measures it")


def complete_vs_cora(m: Measurements, a: Mapping):
    fast_steps, slow_steps = int(a["complete_steps"]), int(a["sparse_steps"])
    props = dict(m.propagation or {})
    complete = [p for n, p in props.items() if n.startswith("complete")]
    sparse = [p for n, p in props.items() if not n.startswith("complete")]
    if not complete or not sparse:
        missing = "a complete graph" if not complete else "a sparse graph (cora, cora-like)"
        return ("not measured", {}, f"no pure-propagation measurement of {missing}; "
                "`oversmooth demo` measures both")
    numbers = {"threshold d_M(PᵏX)/d_M(X)": SMOOTH_EPS}
    for p in complete + sparse:
        numbers[f"{p.name}: steps to threshold"] = _steps_below(p, SMOOTH_EPS)
        at = p.table.set_index("step")["measured"]
        for k in (1, 2, 8):
            if k in at.index:
                numbers[f"{p.name}: after {k} steps"] = float(f"{at[k]:.3g}")
    fast = all((_steps_below(p, SMOOTH_EPS) or math.inf) <= fast_steps for p in complete)
    slow = all((_steps_below(p, SMOOTH_EPS) or math.inf) > slow_steps for p in sparse)
    if fast and slow:
        return ("confirmed", numbers, f"the complete graph is below the threshold within "
                f"{fast_steps} steps, the sparse graphs still above it after {slow_steps}")
    parts = []
    if not fast:
        parts.append(f"the complete graph needs more than {fast_steps} steps")
    if not slow:
        parts.append(f"a sparse graph is flat within {slow_steps} steps")
    return "contradicted", numbers, "; ".join(parts)


def spectrum_range(m: Measurements, a: Mapping):
    """Facts ``spectrum``: ``{graph: {"smallest", "largest"}}`` eigenvalues of the GCN operator."""
    spectra = _fact(m, "spectrum")
    if not spectra:
        return _need("spectrum")
    low = min(v["smallest"] for v in spectra.values())
    high = max(v["largest"] for v in spectra.values())
    lo, hi = a["claimed_range"]
    numbers = {f"{g}: eigenvalues of S̃": [round(v["smallest"], 4), round(v["largest"], 4)]
               for g, v in spectra.items()}
    numbers["normalized Laplacian I - S̃ (eigenvalues 1 - λ)"] = [round(1 - high, 4), round(1 - low, 4)]
    parts = {"S̃ positive semi-definite with eigenvalues in [0, 2]": low >= lo - EIG_TOL and high <= hi + EIG_TOL,
             "no eigenvalue above 1": high <= 1 + EIG_TOL}
    verdict = split_verdict(parts)
    text = "; ".join(f"{p}: {'holds' if ok else 'fails'}" for p, ok in parts.items())
    if low < lo - EIG_TOL:
        text += (f" (smallest eigenvalue {low:.3f} < 0: S̃ is not PSD; the range [0, 2] is that of "
                 "the normalized Laplacian I - S̃)")
    return verdict, numbers, text


def rank_one(m: Measurements, a: Mapping):
    """Facts ``limit`` (see :func:`oversmooth.experiments.claims.graphs.graph_facts`)."""
    lim = _fact(m, "limit")
    if not lim:
        return _need("limit")
    numbers = {"graph": lim["graph"], "connected components": lim["components"],
               "rank of the limit (whole graph)": lim["rank_gcn_whole"],
               "rank of the limit (largest component)": lim["rank_gcn_largest"],
               "identical-rows residual, GCN operator (largest component)": _r(lim["identical_rows_gcn_largest"]),
               "identical-rows residual, random-walk operator (largest component)":
                   _r(lim["identical_rows_rw_largest"])}
    parts = {"rank one on a connected graph": lim["rank_gcn_largest"] == 1,
             "every row the same under GCN's operator": lim["identical_rows_gcn_largest"] <= IDENTICAL,
             "rank one on the whole graph": lim["rank_gcn_whole"] == 1}
    text = parts_text(parts)
    return split_verdict(parts), numbers, (text + " (rows scale with sqrt(d+1) under S̃; they are "
                                           "identical only under the random-walk operator, per component)")


def _r(v: float) -> float:
    return float(f"{v:.3g}")


def sqrt_degree(m: Measurements, a: Mapping):
    lim = _fact(m, "limit")
    if not lim:
        return _need("limit")
    numbers = {"spread of |row| / sqrt(d+1), largest component": _r(lim["spread_norm_over_sqrt_deg_plus_1"]),
               "spread of |row| / sqrt(d), largest component": _r(lim["spread_norm_over_sqrt_deg"]),
               "smallest cosine between components' limit directions":
                   _r(lim["smallest_cosine_between_components"])}
    parts = {"proportional to sqrt(degree + 1) within a component":
                 lim["spread_norm_over_sqrt_deg_plus_1"] <= IDENTICAL,
             "proportional to sqrt(degree) (without the self-loop)": lim["spread_norm_over_sqrt_deg"] <= IDENTICAL,
             "one common direction across components": lim["smallest_cosine_between_components"] >= 1 - IDENTICAL}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


def stationary(m: Measurements, a: Mapping):
    lim = _fact(m, "limit")
    if not lim:
        return _need("limit")
    numbers = {"random walk: identical-rows residual, largest component": _r(lim["identical_rows_rw_largest"]),
               "random walk: distance to the (d+1)-weighted mean": _r(lim["rw_vs_degree_weighted_mean"]),
               "random walk: identical-rows residual, whole graph": _r(lim["identical_rows_rw_whole"]),
               "GCN operator: identical-rows residual, largest component": _r(lim["identical_rows_gcn_largest"])}
    parts = {"random walk on a connected graph: one degree-weighted vector":
                 lim["identical_rows_rw_largest"] <= IDENTICAL and lim["rw_vs_degree_weighted_mean"] <= IDENTICAL,
             "the same on every node of a graph with several components": lim["identical_rows_rw_whole"] <= IDENTICAL,
             "the same on every node under GCN's symmetric operator": lim["identical_rows_gcn_largest"] <= IDENTICAL}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


def gap_rate(m: Measurements, a: Mapping):
    """Facts ``rates``: ``{graph: {"lambda2", "rate", "fitted_rate", ...}}``."""
    rates = _fact(m, "rates")
    if not rates:
        return _need("rates")
    numbers, spectral_ok, lambda2_ok = {}, [], []
    for g, r in rates.items():
        if r.get("fitted_rate") is None or r["rate"] <= 0:
            continue
        numbers[g] = {"λ₂": _r(r["lambda2"]), "rate (largest |λ| off the invariant subspace)": _r(r["rate"]),
                      "fitted decay rate": _r(r["fitted_rate"])}
        spectral_ok.append(abs(r["fitted_rate"] - r["rate"]) <= RATE_TOL)
        lambda2_ok.append(abs(r["fitted_rate"] - r["lambda2"]) <= RATE_TOL)
    if not numbers:
        return _need("decay-rate")
    parts = {"the decay rate is set by the spectrum": all(spectral_ok),
             "that rate is λ₂ (gap 1 - λ₂)": all(lambda2_ok)}
    bad = [g for g, ok in zip(numbers, lambda2_ok) if not ok]
    text = "; ".join(f"{p}: {'holds' if ok else 'fails'}" for p, ok in parts.items())
    if bad:
        text += (f" (on {', '.join(bad)} λ₂ = 1 with several components or another eigenvalue "
                 "sets the rate: the rate is the largest |λ| outside the invariant subspace)")
    return split_verdict(parts), numbers, text


def dense_faster(m: Measurements, a: Mapping):
    rates, density = _fact(m, "rates"), _fact(m, "density")
    if not rates or not density:
        return _need("density")
    family = [(rates[g]["avg_degree"], rates[g]["rate"]) for g in density["family"]]
    b = rates[density["bottleneck"]]
    sparsest = min(family)
    numbers = {"Erdős–Rényi: rate by average degree": {f"{d:g}": _r(r) for d, r in family},
               f"{density['bottleneck']}: average degree": b["avg_degree"],
               f"{density['bottleneck']}: rate": _r(b["rate"])}
    parts = {"denser is faster within a random-graph family":
                 all(r2 < r1 for (_, r1), (_, r2) in zip(family, family[1:])),
             "every denser graph is faster than a sparser one": not (b["avg_degree"] > sparsest[0]
                                                                     and b["rate"] >= sparsest[1])}
    text = "; ".join(f"{p}: {'holds' if ok else 'fails'}" for p, ok in parts.items())
    if not parts["every denser graph is faster than a sparser one"]:
        text += (f" (the {density['bottleneck']}, average degree {b['avg_degree']:g}, decays at "
                 f"{b['rate']:.4f} per step, slower than the average-degree-{sparsest[0]:g} random "
                 "graph: the bottleneck, not the density, sets the rate)")
    return split_verdict(parts), numbers, text


def receptive_field(m: Measurements, a: Mapping):
    cov, rates = _fact(m, "coverage"), _fact(m, "rates")
    if not cov or not rates:
        return _need("coverage")
    k1, k2 = int(a["hops_entire"]), int(a["hops_identical"])
    small = [g for g in cov if g.startswith("barabasi")]
    real = [g for g in cov if not g.startswith("barabasi")]
    numbers = {f"{g}: fraction of nodes within {k1} hops": _at(cov[g], k1) for g in cov}
    numbers.update({f"{g}: fraction of nodes within {k2} hops": _at(cov[g], k2) for g in real})
    dist = {g: _at(rates[g]["relative_distance"], k2) for g in real if g in rates}
    numbers.update({f"{g}: d_M(P^{k2}X)/d_M(X)": _r(v) for g, v in dist.items() if v is not None})
    parts = {f"{k1} hops cover the graph on a small-world graph": all(_at(cov[g], k1) >= COVERAGE_ENTIRE for g in small),
             f"{k1} hops cover the graph on {', '.join(real)}": all(_at(cov[g], k1) >= COVERAGE_ENTIRE for g in real),
             f"{k2} propagation steps make the nodes nearly identical on {', '.join(real)}":
                 all(v is not None and v <= NEARLY_IDENTICAL for v in dist.values())}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


def pure_propagation(m: Measurements, a: Mapping):
    rates = _fact(m, "rates")
    if not rates:
        return _need("pure-propagation")
    numbers = {g: {"fitted decay rate": _r(r["fitted_rate"]) if r.get("fitted_rate") is not None else None,
                   "predicted steps to d_M ratio 1e-2": r.get("predicted_steps_to_1e-2")}
               for g, r in rates.items()}
    decays = {g: decays_geometrically(r) for g, r in rates.items()}
    if all(decays.values()):
        return ("confirmed", numbers, "P^k X approaches the invariant subspace geometrically on "
                f"every measured graph ({len(decays)}), no weights, no training")
    return ("contradicted", numbers, "no geometric decay on " + ", ".join(g for g, ok in decays.items() if not ok))


RULES = {
    "spectrum-range": (spectrum_range, f"eigenvalues computed to {EIG_TOL:g}; a bound holds within it"),
    "rank-one": (rank_one, f"rank: singular values above 1e-9 of the largest (of a 128-column "
                           f"Gaussian sketch); rows the same: rank-one residual <= {IDENTICAL:g}"),
    "sqrt-degree": (sqrt_degree, f"proportional: spread (max - min)/mean of the ratio <= {IDENTICAL:g}; "
                                 f"one direction: cosine >= 1 - {IDENTICAL:g}"),
    "stationary": (stationary, f"the same on every node: rank-one residual <= {IDENTICAL:g}"),
    "gap-rate": (gap_rate, f"|fitted decay rate - predicted rate| <= {RATE_TOL:g}, fitted over the "
                           "second half of the propagation steps"),
    "dense-faster": (dense_faster, "rate = largest |λ| outside the invariant subspace; faster = "
                                   "strictly smaller rate"),
    "heterogeneous": (heterogeneous, HETEROGENEOUS_TOLERANCE),
    "receptive-field": (receptive_field, f"entire graph: >= {COVERAGE_ENTIRE:g} of the nodes within "
                                         f"k hops (mean over 200 nodes); nearly identical: "
                                         f"d_M(PᵏX)/d_M(X) <= {NEARLY_IDENTICAL:g}"),
    "pure-propagation": (pure_propagation, f"fitted decay rate < 1 - {DECAY_MARGIN:g} on every graph"),
}
