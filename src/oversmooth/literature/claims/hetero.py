"""Verdict rules of the claims about heterogeneous graphs: ``heterogeneous`` (group
"mathematics") and ``bank-graph`` (group "measuring"), each registered in its group's module.

Both read heterogeneous-graph measurements: ``heterogeneous`` a store's runs of the same
GCN layer on a heterogeneous dataset and on its flattened form (what ``oversmooth sweep
--preset hetero-bank`` and ``oversmooth claims`` store), ``bank-graph`` the fact
``bank_graph`` (:func:`oversmooth.experiments.claims.hetero.bank_graph_facts`).
"""

from __future__ import annotations

from typing import Mapping

from .core import (ACCURACY_TOLERANCE, COSINE_TOLERANCE, Measurements, _by_depth, _fact, _not_measured,
                   _options, parts_text, split_verdict)

__all__ = ["heterogeneous", "bank_graph", "HETERO_PAIR", "SIMILARITY_MARGIN", "HETEROGENEOUS_TOLERANCE",
           "BANK_GRAPH_TOLERANCE"]

#: "resists smoothing longer" compares the same GCN layer on the graph as typed (to_hetero:
#: one GCN per relation) and on the graph flattened: the model on the heterogeneous dataset,
#: the one on its flattened form (:data:`oversmooth.datasets.FLATTENED`).
HETERO_PAIR = ("hetero-gcn", "gcn")
#: The target type's mean cosine similarity differs beyond this, or not at all.
SIMILARITY_MARGIN = 0.05
HETEROGENEOUS_TOLERANCE = (f"{HETERO_PAIR[0]} on the graph vs {HETERO_PAIR[1]} on it flattened, at the deepest "
                           f"depth L both ran: more accurate by more than {ACCURACY_TOLERANCE:g} points; the "
                           "target type's mean cosine similarity, averaged over layers L/2 to L-1, lower by "
                           f"more than {SIMILARITY_MARGIN:g}")
BANK_GRAPH_TOLERANCE = f"±{COSINE_TOLERANCE:g} at each claimed depth"


def _plain(runs, model: str):
    """Runs of ``model`` without a mitigation (dropout and options that are 0, false or none aside)."""
    if runs.empty:
        return runs
    keep = runs.apply(lambda r: r["model"] == model and not any(
        v not in (0, 0.0, False, None, "none") for k, v in _options(r).items() if k != "dropout"), axis=1)
    return runs[keep]


def _deep_layers(depth: int) -> range:
    """Layers ``ceil(L/2) .. L-1`` of a depth-``L`` model: the deeper half of the hidden layers
    of both kinds (a GCN's layer ``L`` is its output, one channel per class), several of them
    because a bipartite graph (the bank's is) makes per-layer values alternate."""
    return range(max(1, (depth + 1) // 2), max(2, depth))


def _target_cosine(m: Measurements, runs, target: str, layers: range) -> float | None:
    """Mean over ``runs`` and ``layers`` of the target type's mean cosine similarity
    (None unless every layer has a value)."""
    table = m.layers
    if table is None or table.empty or runs.empty:
        return None
    rows = table[(table["metric"] == f"mean_cosine_similarity[{target}]") & table["layer"].isin(list(layers))
                 & table["run_key"].isin(runs["run_key"])].dropna(subset=["value"])
    return float(rows["value"].mean()) if set(rows["layer"]) == set(layers) else None


def heterogeneous(m: Measurements, a: Mapping):
    """Runs of ``hetero-gcn`` on a heterogeneous dataset (``bank``) and of ``gcn`` on its
    flattened form (``bank-flat``), with the target type's per-layer cosine similarity."""
    from ...datasets import FLATTENED, HETEROGENEOUS  # names only: the rule reads a store's rows

    done = m.done()
    for flat, typed in FLATTENED.items():
        target = HETEROGENEOUS[typed]
        h = _plain(done[done["dataset"] == typed], HETERO_PAIR[0])
        f = _plain(done[done["dataset"] == flat], HETERO_PAIR[1])
        depths = sorted(set(h["depth"]) & set(f["depth"]))
        if not depths or depths[-1] < 2:
            continue
        deep = depths[-1]
        acc_h = h.groupby("depth")["test_acc"].mean() * 100.0
        acc_f = f.groupby("depth")["test_acc"].mean() * 100.0
        span = _deep_layers(deep)
        cos_h = _target_cosine(m, h[h["depth"] == deep], target, span)
        cos_f = _target_cosine(m, f[f["depth"] == deep], target, span)
        where = f"layers {span.start}-{span.stop - 1}" if len(span) > 1 else f"layer {span.start}"
        if cos_h is None or cos_f is None:
            return _not_measured(f"no mean_cosine_similarity[{target}] per layer for {HETERO_PAIR[0]} on "
                                 f"{typed} and {HETERO_PAIR[1]} on {flat} at depth {deep}; `oversmooth "
                                 "sweep --preset hetero-bank` stores it")
        others = done[done["dataset"].isin([typed, flat]) & (done["depth"] == deep)]
        numbers = {
            f"{HETERO_PAIR[0]} on {typed}: accuracy (%) by depth": {int(d): round(float(v), 1)
                                                                   for d, v in acc_h.items()},
            f"{HETERO_PAIR[1]} on {flat}: accuracy (%) by depth": {int(d): round(float(v), 1)
                                                                  for d, v in acc_f.items()},
            f"{target} mean cosine similarity, {where} of {deep}":
                {HETERO_PAIR[0]: round(cos_h, 3), HETERO_PAIR[1]: round(cos_f, 3)},
            f"every model at depth {deep}: accuracy (%)":
                {f"{label} ({ds})": round(float(v) * 100.0, 1)
                 for (label, ds), v in others.groupby(["label", "dataset"])["test_acc"].mean().items()}}
        parts = {f"at depth {deep} the heterogeneous model is more accurate":
                     acc_h[deep] > acc_f[deep] + ACCURACY_TOLERANCE,
                 f"at {where} its {target}s are less alike": cos_h < cos_f - SIMILARITY_MARGIN}
        text = (f"{HETERO_PAIR[0]} on {typed} vs {HETERO_PAIR[1]} on {flat}, the same graph: "
                f"{acc_h[deep]:.1f} % vs {acc_f[deep]:.1f} % at depth {deep}, {target} cosine "
                f"{cos_h:.2f} vs {cos_f:.2f} over {where}; " + parts_text(parts))
        return split_verdict(parts), numbers, text
    return _not_measured("needs hetero-gcn on a heterogeneous dataset (bank) and gcn on its flattened "
                         "form (bank-flat) at a depth of 2 or more: `oversmooth sweep --preset hetero-bank` "
                         "or `oversmooth claims`")


def bank_graph(m: Measurements, a: Mapping):
    """Fact ``bank_graph``: ``{"cosine": {layers: customers' mean cosine similarity},
    "setup": text}`` (:func:`oversmooth.experiments.claims.hetero.bank_graph_facts`)."""
    fact = _fact(m, "bank_graph")
    if not fact:
        return _not_measured("no bank-graph measurement; `oversmooth claims` measures it (customers' "
                             "mean cosine similarity in R-GCN at initialisation on the synthetic bank)")
    claimed, measured = _by_depth(a["cosine"]), _by_depth(fact["cosine"])
    absent = [d for d in claimed if d not in measured]
    if absent:
        return _not_measured(f"the bank-graph measurement has no value at {absent[0]} layers")
    parts = {f"{d} layers: {measured[d]:.2f} vs {claimed[d]:g}": abs(measured[d] - claimed[d]) <= COSINE_TOLERANCE
             for d in sorted(claimed)}
    numbers = {"setup": fact["setup"],
               "customers' mean cosine similarity by layers": {d: round(measured[d], 3) for d in sorted(measured)},
               "claimed": {d: claimed[d] for d in sorted(claimed)}}
    return split_verdict(parts), numbers, parts_text(parts)
