"""Claims in circulation about oversmoothing, checked against what a run measured.

Each claim of ``data/claims.toml`` (its id, the text as quoted where it circulates, its
source, its group and the numbers it asserts) is a :class:`ClaimSpec` with a verdict
rule of this module, whose tolerance is stated with it. The rule reads the measurements
and returns a :class:`Claim` with a verdict:

* ``confirmed``: the measurements agree with the claim within the stated tolerance;
* ``contradicted``: they disagree (the numbers behind the verdict say by how much);
* ``not measured``: this store/run has nothing that tests it (the explanation says what
  to run to test it).

The verdict functions never guess: a number that is not in the measurements makes the
claim ``not measured``, never confirmed. Tolerances are fixed and stated in each claim.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from .published import number

__all__ = ["Claim", "ClaimSpec", "Measurements", "CLAIMS", "evaluate", "load_claims",
           "VERDICTS", "ACCURACY_TOLERANCE", "NEAR_RANDOM", "SMOOTH_EPS", "DATA_FILE"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "claims.toml"
VERDICTS = ("confirmed", "contradicted", "not measured")

#: A measured accuracy within this many points of a claimed one agrees with it.
ACCURACY_TOLERANCE = 3.0
#: Cora's largest class is 31.9 % of the public test set, uniform guessing gives 14.3 %:
#: "near-random" is an accuracy at or below 35 %.
NEAR_RANDOM = 35.0
#: A graph is oversmoothed by pure propagation once d_M(P^k X)/d_M(X) <= SMOOTH_EPS.
SMOOTH_EPS = 1e-2
# "practical depth": deepest depth within this many points of the row's best accuracy
PRACTICAL_POINTS = 2.0
# cosine rule: a run is healthy within HEALTHY_POINTS of its dataset's best accuracy,
# oversmoothed SMOOTHED_POINTS or more below it; "approaches 1.0" means within
# COSINE_TOLERANCE of it
HEALTHY_POINTS = 5.0
SMOOTHED_POINTS = 20.0
COSINE_TOLERANCE = 0.1


@dataclass
class Measurements:
    """What the claims are checked against.

    Attributes:
        runs: the store's ``runs`` table (``Store.read("runs")``).
        layers: the store's ``layer_metrics`` table.
        propagation: ``{graph name: Propagation}`` of pure-propagation measurements
            (:func:`oversmooth.report.measure.pure_propagation`; any object with a
            ``name`` and a ``table`` with columns ``step`` and ``measured``).
    """

    runs: pd.DataFrame
    layers: pd.DataFrame
    propagation: Mapping = field(default_factory=dict)

    def done(self) -> pd.DataFrame:
        if self.runs is None or self.runs.empty:
            return pd.DataFrame(columns=["dataset", "model", "label", "depth", "test_acc",
                                         "options_json"])
        return self.runs[self.runs["status"] == "done"]


@dataclass
class Claim:
    """A claim with its verdict: ``numbers`` holds every value the verdict rests on."""

    id: str
    text: str
    source: str
    verdict: str
    numbers: dict
    explanation: str
    group: str = ""
    tolerance: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class ClaimSpec:
    """A claim and its verdict rule.

    Attributes:
        id: the claim's id (``"acc-table"``).
        text: the claim as quoted where it circulates.
        check: ``check(measurements) -> (verdict, numbers, explanation)``.
        source: where the claim circulates, in words.
        group: the heading it belongs under (``"Accuracy and depth"``).
        tolerance: the rule's tolerance, in words.
        asserts: the numbers the claim asserts (what ``check`` compares with).
    """

    id: str
    text: str
    check: Callable[[Measurements], tuple[str, dict, str]]
    source: str = ""
    group: str = ""
    tolerance: str = ""
    asserts: Mapping = field(default_factory=dict)

    def evaluate(self, m: Measurements) -> Claim:
        verdict, numbers, explanation = self.check(m)
        return Claim(self.id, self.text, self.source, verdict, numbers, explanation,
                     self.group, self.tolerance)


# -- helpers ----------------------------------------------------------------------------
def _options(row) -> dict:
    raw = row.get("options_json") if hasattr(row, "get") else None
    try:
        return json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}


def _is_plain_gcn(row) -> bool:
    opts = {k: v for k, v in _options(row).items() if v not in (0, 0.0, False, None, "none")}
    return row["model"] == "gcn" and not opts


def _has_skip(row) -> bool:
    opts = _options(row)
    return (row["model"] in ("resgcn", "densegcn", "jknet", "gcnii", "gcnii*")
            or any(opts.get(k) for k in ("residual", "dense", "jk", "initial_residual")))


def _has_dropedge(row) -> bool:
    return float(_options(row).get("dropedge", 0) or 0) > 0


def _accuracy_by_depth(runs: pd.DataFrame) -> dict[int, float]:
    """Mean test accuracy (%) over seeds, per depth."""
    if runs.empty:
        return {}
    acc = runs.dropna(subset=["test_acc"]).groupby("depth")["test_acc"].mean() * 100.0
    return {int(d): round(float(v), 2) for d, v in acc.items()}


def _select(m: Measurements, dataset: str, predicate) -> pd.DataFrame:
    done = m.done()
    done = done[done["dataset"] == dataset]
    if done.empty:
        return done
    return done[done.apply(predicate, axis=1)]


def _practical_depth(acc: dict[int, float]) -> int | None:
    if not acc:
        return None
    best = max(acc.values())
    return max(d for d, v in acc.items() if v >= best - PRACTICAL_POINTS)


def _steps_below(prop, eps: float) -> int | None:
    """First step of a pure-propagation table whose measured relative distance is <= ``eps``
    (None: never within the measured steps)."""
    hit = prop.table[prop.table["measured"] <= eps]
    return None if hit.empty else int(hit["step"].iloc[0])


def _by_depth(table: Mapping) -> dict[int, float]:
    return {int(depth): float(value) for depth, value in table.items()}


# -- the verdict rules: each reads the numbers its claim asserts (``a``) ------------------
def _acc_table(m: Measurements, a: Mapping):
    dataset = a["dataset"]
    plain = _accuracy_by_depth(_select(m, dataset, _is_plain_gcn))
    res = _accuracy_by_depth(_select(m, dataset, lambda r: r["model"] in ("gcn", "resgcn")
                                      and _has_skip(r) and not _has_dropedge(r)))
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


def _acc_peak(m: Measurements, a: Mapping):
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


def _acc_64(m: Measurements, a: Mapping):
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


def _skip_dropedge(m: Measurements, a: Mapping):
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


def _cosine(m: Measurements, a: Mapping):
    healthy_below = float(a["healthy_below"])
    smoothed_at = float(a["oversmoothed_towards"]) - COSINE_TOLERANCE
    done = m.done()
    layers = m.layers
    if done.empty or layers is None or layers.empty:
        return ("not measured", {}, "no per-layer mean_cosine_similarity in the store; run a "
                "sweep with --metrics mean_cosine_similarity")
    cos = layers[layers["metric"] == "mean_cosine_similarity"]
    if cos.empty:
        return ("not measured", {}, "the store holds no mean_cosine_similarity; run the sweep "
                "with --metrics mean_cosine_similarity")
    last = cos.loc[cos.groupby("run_key")["layer"].idxmax(), ["run_key", "value"]]
    rows = done.merge(last, on="run_key").dropna(subset=["test_acc", "value"])
    if rows.empty:
        return ("not measured", {}, "no finished run with both accuracy and cosine similarity; "
                "run a sweep with --metrics mean_cosine_similarity")
    rows = rows.assign(acc=rows["test_acc"] * 100.0)
    best = rows.groupby("dataset")["acc"].transform("max")
    healthy = rows[rows["acc"] >= best - HEALTHY_POINTS]
    smoothed = rows[rows["acc"] <= best - SMOOTHED_POINTS]
    numbers = {
        f"healthy runs (within {HEALTHY_POINTS:g} points of the dataset's best)": len(healthy),
        "healthy: largest cosine similarity": round(float(healthy["value"].max()), 3),
        f"oversmoothed runs ({SMOOTHED_POINTS:g}+ points below the best)": len(smoothed),
    }
    if len(smoothed):
        numbers["oversmoothed: smallest cosine similarity"] = round(float(smoothed["value"].min()), 3)
    bad_healthy = healthy[healthy["value"] >= healthy_below]
    bad_smoothed = smoothed[smoothed["value"] < smoothed_at]
    if len(bad_healthy) or len(bad_smoothed):
        parts = []
        if len(bad_healthy):
            parts.append(f"{len(bad_healthy)} of {len(healthy)} healthy runs have cosine "
                         f">= {healthy_below:g} (e.g. {bad_healthy.iloc[0]['label']} at "
                         f"{int(bad_healthy.iloc[0]['depth'])} layers: "
                         f"{bad_healthy.iloc[0]['value']:.2f})")
        if len(bad_smoothed):
            parts.append(f"{len(bad_smoothed)} of {len(smoothed)} oversmoothed runs stay below "
                         f"{smoothed_at:g} (e.g. {bad_smoothed.iloc[0]['label']} at "
                         f"{int(bad_smoothed.iloc[0]['depth'])} layers: "
                         f"{bad_smoothed.iloc[0]['value']:.2f})")
        return "contradicted", numbers, "; ".join(parts)
    tail = ("" if len(smoothed) else
            f"; no run lost {SMOOTHED_POINTS:g}+ points, so the 'approaches "
            f"{a['oversmoothed_towards']:g}' half is untested")
    return ("confirmed", numbers, f"every healthy run below {healthy_below:g} at its last layer"
            + (f" and every oversmoothed run at {smoothed_at:g} or above" if len(smoothed) else "")
            + tail)


def _complete_vs_cora(m: Measurements, a: Mapping):
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


#: ``{claim id: (verdict rule, its tolerance in words)}``.
_RULES: dict[str, tuple[Callable, str]] = {
    "acc-table": (_acc_table, f"±{ACCURACY_TOLERANCE:g} accuracy points at every claimed depth"),
    "acc-peak": (_acc_peak, "none: the best depth no deeper than the claimed range, every "
                            "depth from the claimed one on below the claimed accuracy"),
    "acc-64": (_acc_64, f"near-random = at or below {NEAR_RANDOM:g}% (Cora's largest test class "
                        "is 31.9%, uniform guessing 14.3%)"),
    "skip-dropedge": (_skip_dropedge, f"practical depth = deepest depth within "
                                      f"{PRACTICAL_POINTS:g} points of the row's best accuracy; "
                                      "a skip + DropEdge row's must reach the claimed range's "
                                      "lower end and exceed plain GCN's"),
    "cosine-0.5": (_cosine, f"healthy = within {HEALTHY_POINTS:g} points of the dataset's best "
                            f"accuracy; oversmoothed = {SMOOTHED_POINTS:g}+ points below it; "
                            f"'approaches 1.0' = within {COSINE_TOLERANCE:g} of it"),
    "complete-vs-cora": (_complete_vs_cora, f"oversmoothed once d_M(PᵏX)/d_M(X) <= "
                                            f"{SMOOTH_EPS:g}"),
}


def load_claims(path: str | Path = DATA_FILE) -> tuple[ClaimSpec, ...]:
    """The claims of a data file (``data/claims.toml`` by default), each with its verdict
    rule. Every claim there needs a rule and every rule a claim."""
    path = Path(path)
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    sources, groups = raw.get("sources", {}), raw.get("groups", {})
    specs = []
    for entry in raw.get("claims", []):
        cid = entry.get("id")
        if cid not in _RULES:
            raise ValueError(f"{path}: claim {cid!r} has no verdict rule in {__name__}")
        if entry.get("source") not in sources or entry.get("group") not in groups:
            raise ValueError(f"{path}: claim {cid!r}: unknown source or group")
        citation = sources[entry["source"]].get("citation", "").strip()
        if not citation or "shared/docs" in citation:
            raise ValueError(f"{path}: claim {cid!r}: the source must name where it circulates")
        rule, tolerance = _RULES[cid]
        asserts = entry.get("asserts", {})
        specs.append(ClaimSpec(cid, entry["text"], partial(rule, a=asserts), citation,
                               groups[entry["group"]], tolerance, asserts))
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids) or set(ids) != set(_RULES):
        raise ValueError(f"{path}: claims {sorted(ids)} do not match the verdict rules "
                         f"{sorted(_RULES)}")
    return tuple(specs)


#: The claims of ``data/claims.toml``, in its order.
CLAIMS: tuple[ClaimSpec, ...] = load_claims()


def evaluate(measurements: Measurements, claims=CLAIMS) -> list[Claim]:
    """Every claim's verdict on ``measurements``, in the order of :data:`CLAIMS`."""
    return [spec.evaluate(measurements) for spec in claims]
