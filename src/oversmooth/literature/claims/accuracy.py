"""Verdict rules of the "Accuracy and depth" claims: functions of a store's runs."""

from __future__ import annotations

from typing import Mapping

from ..published import number
from .series import gcn_accuracy, residual_accuracy
from .core import (ACCURACY_TOLERANCE, split_verdict, NEAR_RANDOM, PRACTICAL_POINTS, Measurements,
                   _accuracy_by_depth, _by_depth, _has_dropedge, _has_skip, _is_plain_gcn,
                   _practical_depth, _select, parts_text)


def acc_table(m: Measurements, a: Mapping):
    dataset = a["dataset"]
    plain, res = gcn_accuracy(m, dataset), residual_accuracy(m, dataset)
    numbers, off = {}, []
    for depth, claimed in _by_depth(a["gcn"]).items():
        if depth in plain:
            numbers[f"GCN {depth} layers"] = {"claimed": claimed, "measured": plain[depth]}
            if abs(plain[depth] - claimed) > ACCURACY_TOLERANCE:
                off.append(f"{depth} layers: {plain[depth]:.1f} vs {claimed}")
    for depth, claimed in _by_depth(a["residual"]).items():
        if depth in res:
            numbers[f"GCN+residual {depth} layers"] = {"claimed": claimed, "measured": res[depth]}
            if abs(res[depth] - claimed) > ACCURACY_TOLERANCE:
                off.append(f"residual {depth} layers: {res[depth]:.1f} vs {claimed}")
    if not numbers:
        depths = ",".join(str(d) for d in sorted(_by_depth(a["gcn"])))
        return ("not measured", {},
                f"no GCN run on {dataset} at {depths.replace(',', ', ')} layers; run "
                f"`oversmooth sweep --datasets {dataset} --models gcn -m none -m residual "
                f"--depths {depths}`")
    if off:
        return ("contradicted", numbers,
                f"more than {ACCURACY_TOLERANCE:g} points from the claim at " + "; ".join(off))
    return ("confirmed", numbers,
            f"every measured depth within {ACCURACY_TOLERANCE:g} points of the claim")


def acc_peak(m: Measurements, a: Mapping):
    dataset, first_low, below = a["dataset"], int(a["collapse_from"]), float(a["collapse_below"])
    lo, hi = min(a["peak_depths"]), max(a["peak_depths"])
    acc = _accuracy_by_depth(_select(m, dataset, _is_plain_gcn))
    if len(acc) < 2 or max(acc) < first_low:
        return ("not measured", {"GCN accuracy by depth": acc},
                f"needs plain GCN runs on {dataset} at a shallow depth and at {first_low}+ "
                f"layers; run `oversmooth sweep --datasets {dataset} --models gcn "
                f"--depths 2,3,4,8,16`")
    peak = max(acc, key=acc.get)
    deep = {d: v for d, v in acc.items() if d >= first_low}
    numbers = {"GCN accuracy by depth": acc, "peak depth": peak,
               f"best at {first_low}+ layers": max(deep.values())}
    reasons = []
    if peak > hi:
        reasons.append(f"the peak is at {peak} layers, not {lo}-{hi}")
    above = {d: v for d, v in deep.items() if v >= below}
    if above:
        reasons.append("at " + ", ".join(f"{d} layers {v:.1f}%" for d, v in above.items())
                       + f" accuracy stays at or above {below:g}%")
    if reasons:
        return "contradicted", numbers, "; ".join(reasons)
    return ("confirmed", numbers,
            f"peak at {peak} layers; every depth >= {first_low} below {below:g}%")


def acc_64(m: Measurements, a: Mapping):
    dataset, depth = a["dataset"], int(a["depth"])
    acc = _accuracy_by_depth(_select(m, dataset, _is_plain_gcn))
    if depth not in acc:
        return ("not measured", {},
                f"no plain GCN run on {dataset} at {depth} layers; run `oversmooth sweep "
                f"--datasets {dataset} --models gcn --depths 2,{depth}`")
    numbers = {f"GCN {depth} layers": acc[depth], "near-random threshold": NEAR_RANDOM}
    pub = number(dataset, "GCN", depth)
    if pub is not None:
        numbers[f"published ({pub.source_short})"] = pub.value
    if acc[depth] <= NEAR_RANDOM:
        return ("confirmed", numbers, f"{acc[depth]:.1f}% <= {NEAR_RANDOM:g}% (Cora's largest "
                "test class is 31.9%)")
    return ("contradicted", numbers, f"{acc[depth]:.1f}% is above the near-random level "
            f"({NEAR_RANDOM:g}%)")


def skip_dropedge(m: Measurements, a: Mapping):
    first = a["dataset"]
    plain_lo, plain_hi = min(a["plain_depth"]), max(a["plain_depth"])
    ext_lo, ext_hi = min(a["extended_depth"]), max(a["extended_depth"])
    claimed = f"claimed: from {plain_lo}-{plain_hi} to {ext_lo}-{ext_hi} layers"
    datasets = sorted(set(m.done()["dataset"])) if not m.done().empty else []
    for dataset in ([first] + [d for d in datasets if d != first]):
        both = _select(m, dataset, lambda r: _has_skip(r) and _has_dropedge(r))
        plain = _select(m, dataset, _is_plain_gcn)
        if both.empty or plain.empty:
            continue
        best_row = None
        for label, runs in both.groupby("label"):
            acc = _accuracy_by_depth(runs)
            depth = _practical_depth(acc)
            if depth is not None and (best_row is None or depth > best_row[1]):
                best_row = (label, depth, acc)
        plain_acc = _accuracy_by_depth(plain)
        plain_depth = _practical_depth(plain_acc)
        if best_row is None:  # no accuracy among the skip + DropEdge runs
            continue
        label, depth, acc = best_row
        numbers = {"dataset": dataset, "GCN practical depth": plain_depth,
                   f"{label} practical depth": depth, "GCN accuracy by depth": plain_acc,
                   f"{label} accuracy by depth": acc,
                   "practical depth": f"deepest depth within {PRACTICAL_POINTS:g} points of the "
                                      "row's best"}
        if depth >= ext_lo and depth > plain_depth:
            more = f" (and beyond the claimed {ext_lo}-{ext_hi})" if depth > ext_hi else ""
            return ("confirmed", numbers, f"{label} stays practical to {depth} layers{more}, "
                    f"plain GCN to {plain_depth}")
        return ("contradicted", numbers, f"{label} stays practical only to {depth} layers "
                f"(plain GCN: {plain_depth}; {claimed})")
    return ("not measured", {},
            "needs plain GCN and a skip-connection model with DropEdge on one dataset; run "
            f"`oversmooth sweep --datasets {first} --models gcn -m none "
            "-m residual,dropedge=0.3 --depths 2,4,8,16`")


#: A depth "fails" (practical-depth) or is "severe" (onset) this many points below the best.
FAIL_POINTS = 10.0
#: Going deeper "benefits" a row when its best deeper accuracy beats its best shallow one by more.
BENEFIT_POINTS = 1.0
#: "rarely": at most this fraction of the rows.
RARELY = 1 / 3


def _rows(m: Measurements, dataset: str) -> dict[str, dict[int, float]]:
    done = m.done()
    done = done[done["dataset"] == dataset]
    return {label: _accuracy_by_depth(runs) for label, runs in done.groupby("label")}


def not_overfitting(m: Measurements, a: Mapping):
    """Reads the store's ``history`` (``val_loss`` per epoch) beside plain GCN's runs."""
    dataset = a["dataset"]
    plain = _select(m, dataset, _is_plain_gcn)
    hist = m.history
    if plain.empty or hist is None or hist.empty or "val_loss" not in set(hist["metric"]):
        return ("not measured", {}, f"needs plain GCN runs on {dataset} with their training history; "
                "`oversmooth claims` runs them")
    best_loss = hist[hist["metric"] == "val_loss"].groupby("run_key")["value"].min()
    plain = plain.assign(val_loss=plain["run_key"].map(best_loss))
    by = plain.groupby("depth").agg(test=("test_acc", "mean"), train=("train_acc", "mean"),
                                    loss=("val_loss", "mean"))
    by[["test", "train"]] *= 100.0
    best = by["test"].idxmax()
    bad = by[by["test"] <= by.loc[best, "test"] - FAIL_POINTS]
    numbers = {f"GCN {int(d)} layers": {"test acc": round(r.test, 1), "train acc": round(r.train, 1),
                                        "best val loss": round(float(r.loss), 3)} for d, r in by.iterrows()}
    if bad.empty:
        return ("not measured", numbers, f"no depth of plain GCN on {dataset} lost {FAIL_POINTS:g}+ "
                "points: nothing degraded to explain")
    parts = {"the validation loss degrades too": bool((bad["loss"] > by.loc[best, "loss"]).all()),
             "not overfitting (the training accuracy falls too)":
                 bool((bad["train"] <= by.loc[best, "train"] - FAIL_POINTS).all())}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text + f" (degraded depths: {', '.join(str(int(d)) for d in bad.index)})"


def practical_depth(m: Measurements, a: Mapping):
    dataset, limit = a["dataset"], int(a["max_depth"])
    rows = _rows(m, dataset)
    deep_rows = {l: acc for l, acc in rows.items() if any(d > limit for d in acc)}
    if not deep_rows:
        return ("not measured", {}, f"no run deeper than {limit} layers on {dataset}; "
                "`oversmooth claims` runs them")
    best = max(max(acc.values()) for acc in rows.values())
    fails = {l: all(v < best - FAIL_POINTS for d, v in acc.items() if d > limit) for l, acc in deep_rows.items()}
    numbers = {"best accuracy on the dataset": best,
               **{f"{l}: best beyond {limit} layers": max(v for d, v in acc.items() if d > limit)
                  for l, acc in deep_rows.items()}}
    held, failed = [l for l, f in fails.items() if not f], [l for l, f in fails.items() if f]
    verdict = "confirmed" if not held else "contradicted" if not failed else "partly"
    return (verdict, numbers, (f"fail beyond {limit} layers: {', '.join(failed) or 'none'}; "
                               f"within {FAIL_POINTS:g} points of the best beyond {limit} layers: "
                               f"{', '.join(held) or 'none'}"))


def onset(m: Measurements, a: Mapping):
    dataset = a["dataset"]
    acc = _accuracy_by_depth(_select(m, dataset, _is_plain_gcn))
    if len(acc) < 3:
        return ("not measured", {"GCN accuracy by depth": acc}, f"needs plain GCN on {dataset} at "
                "several depths from 2 to 8+; `oversmooth claims` runs them")
    best = max(acc.values())
    first = lambda pts: next((d for d in sorted(acc) if acc[d] <= best - pts), None)  # noqa: E731
    noticed, severe = first(PRACTICAL_POINTS), first(FAIL_POINTS)
    (n_lo, n_hi), (s_lo, s_hi) = a["noticeable_after"], a["severe_after"]
    numbers = {"GCN accuracy by depth": acc, f"first depth {PRACTICAL_POINTS:g}+ points below the best": noticed,
               f"first depth {FAIL_POINTS:g}+ points below the best": severe}
    parts = {f"noticeable after {n_lo}-{n_hi} layers": noticed is not None and n_lo <= noticed <= n_hi + 1,
             f"severe after {s_lo}-{s_hi} layers": severe is not None and s_lo <= severe <= s_hi + 1}
    text = parts_text(parts)
    return split_verdict(parts), numbers, text


def rarely_deeper(m: Measurements, a: Mapping):
    dataset, limit = a["dataset"], int(a["max_depth"])
    done = m.done()
    done = done[(done["dataset"] == dataset) & done["model"].isin(["gcn", "resgcn"])]
    gains = {}
    for label, runs in done.groupby("label"):
        acc = _accuracy_by_depth(runs)
        shallow = [v for d, v in acc.items() if d <= limit]
        deep = [v for d, v in acc.items() if d > limit]
        if shallow and deep:
            gains[label] = round(max(deep) - max(shallow), 2)
    if not gains:
        return ("not measured", {}, f"needs GCN rows on {dataset} at and beyond {limit} layers")
    benefit = [l for l, g in gains.items() if g > BENEFIT_POINTS]
    numbers = {f"{l}: best beyond {limit} minus best up to {limit} (points)": g for l, g in gains.items()}
    verdict = "confirmed" if len(benefit) <= RARELY * len(gains) else "contradicted"
    return verdict, numbers, (f"{len(benefit)} of {len(gains)} GCN rows gain more than "
                              f"{BENEFIT_POINTS:g} point beyond {limit} layers"
                              + (f" ({', '.join(benefit)})" if benefit else ""))


RULES = {
    "not-overfitting": (not_overfitting, f"degraded = {FAIL_POINTS:g}+ points below the best depth; "
                                         "the validation loss degrades = its best value is higher than "
                                         f"the best depth's; not overfitting = training accuracy also "
                                         f"{FAIL_POINTS:g}+ points lower"),
    "practical-depth": (practical_depth, f"a row fails beyond the claimed depth when every deeper depth is "
                                         f"{FAIL_POINTS:g}+ points below the dataset's best"),
    "onset": (onset, f"noticeable = {PRACTICAL_POINTS:g}+ points below the best depth, severe = "
                     f"{FAIL_POINTS:g}+; each must first appear within the claimed range (one layer "
                     "beyond its end allowed)"),
    "rarely-deeper": (rarely_deeper, f"a row benefits when its best beyond the depth beats its best up "
                                     f"to it by more than {BENEFIT_POINTS:g} point; rarely = at most "
                                     f"a third of the GCN rows"),
}
