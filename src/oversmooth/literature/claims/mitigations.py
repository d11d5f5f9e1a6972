"""Verdict rules of the "Mitigations" claims: trained rows at 2 layers and at a deep depth
(accuracy, and per-layer metrics from the store: the relative distance to the invariant
subspace for the GCN rows, the rank-one residual for the attention rows), DropEdge and
rewiring on pure propagation (facts)."""

from __future__ import annotations

from typing import Mapping

from .core import Measurements, _fact, _not_measured, split_verdict, parts_text

#: A row "mitigates" at the deep depth when its accuracy there is within this many points of
#: plain GCN's at 2 layers; it "helps" when it beats plain GCN at the deep depth by this much.
MITIGATE_POINTS = 5.0
HELP_POINTS = 3.0
#: Features "stay spread" / "are still smoothed": the deep layer's measure is at least / at
#: most this fraction of the first layer's.
KEPT = 0.5
#: PairNorm "keeps the embeddings spread" when its deep features are at least this much
#: farther (relative distance, a fraction of ||X||_F) from the invariant subspace than GCN's.
SPREAD_MARGIN = 0.05
#: DropEdge keeps the destination when the limits differ by at most this (relative).
SAME_LIMIT = 0.05
#: Rewiring mitigates when d_M(P^10 X)/d_M(X) grows by at least this factor.
SLOWER = 1.05
#: Rank collapse of attention (Dong et al. 2021): its limit has identical rows, since softmax
#: weights are row-stochastic.
RESIDUAL = "rank_one_residual"
#: A first layer whose rank-one residual is below this is rank one to float32 precision (dead
#: units of a deep GCN give 1e-9): a last/first ratio over it is noise, so the run is left out
#: of the row's ratio.
RANK_ONE_FLOOR = 1e-6
#: Smoothing under GCN's operator: its limit has rows proportional to sqrt(deg + 1), which the
#: rank-one residual does not call collapsed; d_M(X)/||X||_F does, at any scale of X.
SPREAD = "subspace_distance_rel"


def _deep(m: Measurements, label: str | None = None) -> int | None:
    """The deepest depth ``label`` was trained at (at most the run's ``deep`` setting), or
    the setting itself without a label."""
    deep = (_fact(m, "settings") or {}).get("deep")
    if label is None or deep is None:
        return deep
    done = m.done()
    depths = done[(done["label"] == label) & (done["depth"] <= deep) & (done["depth"] > 2)]["depth"]
    return int(depths.max()) if len(depths) else None


def _runs(m: Measurements, label: str, depth: int):
    done = m.done()
    return done[(done["label"] == label) & (done["depth"] == depth)].dropna(subset=["test_acc"])


def _per_layer(m: Measurements, runs, metric: str):
    """``metric`` of each run of ``runs``, its layers in order (one list per run), or None."""
    layers = m.layers
    if runs.empty or layers is None or layers.empty:
        return None
    rows = layers[(layers["metric"] == metric) & layers["run_key"].isin(runs["run_key"])]
    if rows.empty:
        return None
    return [list(v) for _, v in rows.sort_values("layer").groupby("run_key")["value"]]


def _cell(m: Measurements, label: str, depth: int):
    """(mean accuracy %, mean last/first rank-one residual) of a row at a depth, or None."""
    runs = _runs(m, label, depth)
    if runs.empty:
        return None
    acc = float(runs["test_acc"].mean() * 100.0)
    per = [v for v in (_per_layer(m, runs, RESIDUAL) or []) if v[0] > RANK_ONE_FLOOR]
    ratio = sum(v[-1] / v[0] for v in per) / len(per) if per else None
    return round(acc, 2), (round(ratio, 3) if ratio is not None else None)


def _spread(m: Measurements, label: str, depth: int):
    """(mean accuracy %, relative d_M at the first layer, at the deep layer) of a row at a
    depth, or None. The deep layer is the last hidden one (the tap before the last): the
    GCN rows' last layer is their classifier's output, not a feature."""
    runs = _runs(m, label, depth)
    if runs.empty:
        return None
    acc = round(float(runs["test_acc"].mean() * 100.0), 2)
    per = _per_layer(m, runs, SPREAD)
    if not per:
        return acc, None, None
    first = sum(v[0] for v in per) / len(per)
    deep = sum(v[-2] if len(v) >= 2 else v[-1] for v in per) / len(per)
    return acc, round(first, 3), round(deep, 3)


def _spread_key(label: str, depth: int) -> str:
    return (f"{label}, {depth} layers: accuracy, d_M(X)/||X||_F at layer 1 and at layer "
            f"{max(depth - 1, 1)}")


def _need_runs(what: str):
    return _not_measured(f"needs {what}; `oversmooth claims` trains them")


def mitigations(m: Measurements, a: Mapping):
    deep, base = _deep(m), _cell(m, "GCN", 2)
    if deep is None or base is None:
        return _need_runs("plain GCN at 2 layers and the mitigation rows at a deep depth")
    depth_of = {l: _deep(m, l) for l in a["rows"]}
    rows = {l: _cell(m, l, depth_of[l]) for l in a["rows"] if depth_of[l]}
    rows = {l: c for l, c in rows.items() if c is not None}
    if not rows:
        return _need_runs(f"the mitigation rows at {deep} layers")
    gcn_deep = _cell(m, "GCN", deep)
    numbers = {"GCN, 2 layers: accuracy": base[0]}
    if gcn_deep:
        numbers[f"GCN, {deep} layers: accuracy, last/first rank-one residual"] = list(gcn_deep)
    numbers.update({f"{l}, {depth_of[l]} layers: accuracy, last/first rank-one residual": list(c)
                    for l, c in rows.items()})
    ok = {l: c[0] >= base[0] - MITIGATE_POINTS for l, c in rows.items()}
    missing = [l for l in a["rows"] if l not in rows]
    text = (f"within {MITIGATE_POINTS:g} points of 2-layer GCN at their deepest depth: "
            f"{', '.join(l for l, v in ok.items() if v) or 'none'}; not: "
            f"{', '.join(l for l, v in ok.items() if not v) or 'none'}")
    if missing:
        text += f"; not measured: {', '.join(missing)}"
    return split_verdict(ok), numbers, text


def dropedge_destination(m: Measurements, a: Mapping):
    d = _fact(m, "dropedge")
    if not d:
        return _not_measured("no DropEdge propagation measurement; `oversmooth claims` measures it")
    numbers = {"graph": d["graph"], "edges dropped": d["rate_dropped"],
               "rate, full graph": round(d["rate"], 5), "rate, after DropEdge": round(d["rate_drop"], 5),
               "components, full / after DropEdge": [d["components"], d["components_drop"]],
               "relative distance between the two limits": round(d["limit_distance"], 4)}
    parts = {"slows the diffusion": d["rate_drop"] > d["rate"],
             "keeps the destination": d["limit_distance"] <= SAME_LIMIT}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text + " (limit of P^k X on one DropEdge sample vs the full graph)"


def pairnorm_capacity(m: Measurements, a: Mapping):
    deep, label = _deep(m), a["row"]
    cells = {(l, d): _spread(m, l, d) for l, d in (("GCN", 2), (label, 2), ("GCN", deep), (label, deep))}
    if deep is None or any(c is None for c in cells.values()):
        return _need_runs(f"plain GCN and {label} at 2 and deep layers")
    gcn_deep, pn_deep = cells[("GCN", deep)][2], cells[(label, deep)][2]
    if gcn_deep is None or pn_deep is None:
        return _need_runs(f"plain GCN and {label} at {deep} layers with per-layer {SPREAD}")
    numbers = {_spread_key(l, d): list(c) for (l, d), c in cells.items()}
    parts = {f"keeps the embeddings spread (deep features {SPREAD_MARGIN:g}+ farther from the "
             "invariant subspace than GCN's)": pn_deep >= gcn_deep + SPREAD_MARGIN,
             "costs accuracy (at 2 layers, vs GCN)": cells[(label, 2)][0] <= cells[("GCN", 2)][0] - HELP_POINTS}
    return split_verdict(parts), numbers, parts_text(parts)


def skip_not_solve(m: Measurements, a: Mapping):
    deep, label = _deep(m), a["row"]
    res, gcn = (_spread(m, label, deep), _spread(m, "GCN", deep)) if deep else (None, None)
    if res is None or gcn is None or res[2] is None:
        return _need_runs(f"plain GCN and {label} at a deep depth with per-layer {SPREAD}")
    numbers = {_spread_key("GCN", deep): list(gcn), _spread_key(label, deep): list(res)}
    parts = {"skip connections help (accuracy)": res[0] >= gcn[0] + HELP_POINTS,
             f"the deep features are still smoothed (relative d_M at most {KEPT:g} x the first "
             "layer's)": res[2] <= KEPT * res[1]}
    return split_verdict(parts), numbers, parts_text(parts)


def transformers(m: Measurements, a: Mapping):
    depth_of = {l: _deep(m, l) for l in a["rows"]}
    cells = {l: (_cell(m, l, 2), _cell(m, l, depth_of[l])) for l in a["rows"] if depth_of[l]}
    cells = {l: c for l, c in cells.items() if c[0] is not None and c[1] is not None and c[1][1] is not None}
    if not cells:
        return _not_measured(f"needs attention models ({', '.join(a['rows'])}) at 2 and deep layers; "
                             "`oversmooth claims --full` trains them (the default budget does not: "
                             "N x N attention per layer on Cora: a 2-layer transformer takes about 2 CPU seconds per epoch)")
    deep = max(depth_of[l] for l in cells)
    numbers = {f"{l}, {d} layers: accuracy, last/first rank-one residual": list(c)
               for l, (c2, cd) in cells.items() for d, c in ((2, c2), (depth_of[l], cd))}
    gcn = _cell(m, "GCN", deep)
    if gcn:
        numbers[f"GCN, {deep} layers: accuracy, last/first rank-one residual"] = list(gcn)
    ok = {l: cd[1] >= KEPT and cd[0] >= c2[0] - MITIGATE_POINTS for l, (c2, cd) in cells.items()}
    text = (f"no over-smoothing at their deepest depth (residual kept, accuracy kept): "
            f"{', '.join(l for l, v in ok.items() if v) or 'none'}; smoothed or degraded: "
            f"{', '.join(l for l, v in ok.items() if not v) or 'none'}")
    return split_verdict(ok), numbers, text


def rewiring(m: Measurements, a: Mapping):
    r = _fact(m, "rewiring")
    if not r:
        return _not_measured("no rewiring measurement; `oversmooth claims` measures it")
    numbers, ok = {}, {}
    for graph, methods in r.items():
        base = methods["original"]["relative_distance_10"]
        for name, v in methods.items():
            numbers[f"{graph}, {name}: d_M(P¹⁰X)/d_M(X), components"] = [round(v["relative_distance_10"], 4),
                                                                         v["components"]]
            if name != "original":
                ok[f"{name} on {graph}"] = v["relative_distance_10"] >= SLOWER * base
    text = (f"slows smoothing (x{SLOWER:g}+ after 10 steps): {', '.join(k for k, v in ok.items() if v) or 'none'}; "
            f"does not: {', '.join(k for k, v in ok.items() if not v) or 'none'}")
    return split_verdict(ok), numbers, text


def relbench(m: Measurements, a: Mapping):
    return _not_measured("not measurable offline: RelBench's databases are downloaded from its "
                         "servers at first use and this package works offline (no mirror of them "
                         "is shipped)")


RULES = {
    "mitigations": (mitigations, f"mitigates = accuracy at the deep depth within {MITIGATE_POINTS:g} "
                                 "points of 2-layer GCN"),
    "dropedge-destination": (dropedge_destination, f"slows = larger rate; same destination = limits "
                                                   f"within {SAME_LIMIT:g} (relative)"),
    "pairnorm-capacity": (pairnorm_capacity, f"spread = relative distance to the invariant subspace "
                                             "(d_M(X)/||X||_F, GCN operator) of the last hidden layer "
                                             f"at least {SPREAD_MARGIN:g} above GCN's at the same depth; "
                                             f"costs = {HELP_POINTS:g}+ points below GCN at 2 layers"),
    "skip-not-solve": (skip_not_solve, f"helps = {HELP_POINTS:g}+ points above GCN at depth; still "
                                       "smoothed = d_M(X)/||X||_F (GCN operator) of the last hidden "
                                       f"layer at most {KEPT:g} x the first layer's"),
    "transformers": (transformers, f"no over-smoothing = last/first rank-one residual >= {KEPT:g} and "
                                   f"accuracy within {MITIGATE_POINTS:g} points of the same model at 2 layers"),
    "rewiring": (rewiring, f"mitigates = d_M(P¹⁰X)/d_M(X) at least x{SLOWER:g} the original graph's"),
    "relbench": (relbench, "–"),
}
