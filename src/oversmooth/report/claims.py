"""Claims in circulation about oversmoothing, checked against what a run measured.

Each claim of ``shared/docs/published-results.md`` ("Claims in circulation") is a
:class:`ClaimSpec`: its text, its source, and a function that reads the measurements
and returns a :class:`Claim` with a verdict:

* ``confirmed``: the measurements agree with the claim within the stated tolerance;
* ``contradicted``: they disagree (the numbers behind the verdict say by how much);
* ``not measured``: this store/run has nothing that tests it (the explanation says what
  to run to test it).

The verdict functions never guess: a number that is not in the measurements makes the
claim ``not measured``, never confirmed. Tolerances are fixed and stated in each claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pandas as pd

__all__ = ["Claim", "ClaimSpec", "Measurements", "CLAIMS", "evaluate", "VERDICTS",
           "ACCURACY_TOLERANCE", "NEAR_RANDOM", "SMOOTH_EPS"]

VERDICTS = ("confirmed", "contradicted", "not measured")
SOURCE = "shared/docs/published-results.md, claims in circulation"

#: A measured accuracy within this many points of a claimed one agrees with it.
ACCURACY_TOLERANCE = 3.0
#: Cora's largest class is 31.9 % of the public test set, uniform guessing gives 14.3 %:
#: "near-random" is an accuracy at or below 35 %.
NEAR_RANDOM = 35.0
#: A graph is oversmoothed by pure propagation once d_M(P^k X)/d_M(X) <= SMOOTH_EPS.
SMOOTH_EPS = 1e-2
# "practical depth": deepest depth within this many points of the row's best accuracy
PRACTICAL_POINTS = 2.0


@dataclass
class Measurements:
    """What the claims are checked against.

    Attributes:
        runs: the store's ``runs`` table (``Store.read("runs")``).
        layers: the store's ``layer_metrics`` table.
        propagation: ``{graph name: Propagation}`` of pure-propagation measurements
            (:func:`oversmooth.report.measure.pure_propagation`).
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

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class ClaimSpec:
    id: str
    text: str
    check: Callable[[Measurements], tuple[str, dict, str]]
    source: str = SOURCE

    def evaluate(self, m: Measurements) -> Claim:
        verdict, numbers, explanation = self.check(m)
        return Claim(self.id, self.text, self.source, verdict, numbers, explanation)


# -- helpers ----------------------------------------------------------------------------
def _options(row) -> dict:
    import json

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


# -- the claims -------------------------------------------------------------------------
_GCN_CORA = {2: 81.5, 4: 79.2, 8: 70.1}
_RES_CORA = {4: 82.1}


def _gcn_cora_numbers(m: Measurements):
    plain = _accuracy_by_depth(_select(m, "cora", _is_plain_gcn))
    res = _accuracy_by_depth(_select(m, "cora", lambda r: r["model"] in ("gcn", "resgcn")
                                      and _has_skip(r) and not _has_dropedge(r)))
    numbers, off = {}, []
    for depth, claimed in _GCN_CORA.items():
        if depth in plain:
            numbers[f"GCN {depth} layers"] = {"claimed": claimed, "measured": plain[depth]}
            if abs(plain[depth] - claimed) > ACCURACY_TOLERANCE:
                off.append(f"{depth} layers: {plain[depth]:.1f} vs {claimed}")
    for depth, claimed in _RES_CORA.items():
        if depth in res:
            numbers[f"GCN+residual {depth} layers"] = {"claimed": claimed, "measured": res[depth]}
            if abs(res[depth] - claimed) > ACCURACY_TOLERANCE:
                off.append(f"residual {depth} layers: {res[depth]:.1f} vs {claimed}")
    if not numbers:
        return ("not measured", {},
                "no GCN run on cora at 2, 4 or 8 layers; run `oversmooth sweep --datasets cora "
                "--models gcn -m none -m residual --depths 2,4,8`")
    if off:
        return ("contradicted", numbers,
                f"more than {ACCURACY_TOLERANCE:g} points from the claim at " + "; ".join(off))
    return ("confirmed", numbers,
            f"every measured depth within {ACCURACY_TOLERANCE:g} points of the claim")


def _gcn_peak(m: Measurements):
    acc = _accuracy_by_depth(_select(m, "cora", _is_plain_gcn))
    if len(acc) < 2 or max(acc) < 8:
        return ("not measured", {"GCN accuracy by depth": acc},
                "needs plain GCN runs on cora at a shallow depth and at 8+ layers; run "
                "`oversmooth sweep --datasets cora --models gcn --depths 2,3,4,8,16`")
    peak = max(acc, key=acc.get)
    deep = {d: v for d, v in acc.items() if d >= 8}
    numbers = {"GCN accuracy by depth": acc, "peak depth": peak,
               "best at 8+ layers": max(deep.values())}
    reasons = []
    if peak > 3:
        reasons.append(f"the peak is at {peak} layers, not 2-3")
    above = {d: v for d, v in deep.items() if v >= 30.0}
    if above:
        reasons.append("at " + ", ".join(f"{d} layers {v:.1f}%" for d, v in above.items())
                       + " accuracy stays at or above 30%")
    if reasons:
        return "contradicted", numbers, "; ".join(reasons)
    return "confirmed", numbers, f"peak at {peak} layers; every depth >= 8 below 30%"


def _collapse64(m: Measurements):
    acc = _accuracy_by_depth(_select(m, "cora", _is_plain_gcn))
    if 64 not in acc:
        return ("not measured", {},
                "no plain GCN run on cora at 64 layers; run `oversmooth sweep --datasets cora "
                "--models gcn --depths 2,64`")
    numbers = {"GCN 64 layers": acc[64], "near-random threshold": NEAR_RANDOM,
               "published (DropEdge README)": 28.7}
    if acc[64] <= NEAR_RANDOM:
        return ("confirmed", numbers, f"{acc[64]:.1f}% <= {NEAR_RANDOM:g}% (Cora's largest test "
                "class is 31.9%)")
    return ("contradicted", numbers, f"{acc[64]:.1f}% is above the near-random level "
            f"({NEAR_RANDOM:g}%)")


def _skip_dropedge(m: Measurements):
    datasets = sorted(set(m.done()["dataset"])) if not m.done().empty else []
    for dataset in (["cora"] + [d for d in datasets if d != "cora"]):
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
        if depth >= 6 and depth > plain_depth:
            more = " (and beyond the claimed 6-8)" if depth > 8 else ""
            return ("confirmed", numbers, f"{label} stays practical to {depth} layers{more}, "
                    f"plain GCN to {plain_depth}")
        return ("contradicted", numbers, f"{label} stays practical only to {depth} layers "
                f"(plain GCN: {plain_depth})")
    return ("not measured", {},
            "needs plain GCN and a skip-connection model with DropEdge on one dataset; run "
            "`oversmooth sweep --datasets cora --models gcn -m none -m residual,dropedge=0.3 "
            "--depths 2,4,8,16`")


def _cosine_rule(m: Measurements):
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
    healthy = rows[rows["acc"] >= best - 5.0]
    smoothed = rows[rows["acc"] <= best - 20.0]
    numbers = {
        "healthy runs (within 5 points of the dataset's best)": len(healthy),
        "healthy: largest cosine similarity": round(float(healthy["value"].max()), 3),
        "oversmoothed runs (20+ points below the best)": len(smoothed),
    }
    if len(smoothed):
        numbers["oversmoothed: smallest cosine similarity"] = round(float(smoothed["value"].min()), 3)
    bad_healthy = healthy[healthy["value"] >= 0.5]
    bad_smoothed = smoothed[smoothed["value"] < 0.9]
    if len(bad_healthy) or len(bad_smoothed):
        parts = []
        if len(bad_healthy):
            parts.append(f"{len(bad_healthy)} of {len(healthy)} healthy runs have cosine "
                         f">= 0.5 (e.g. {bad_healthy.iloc[0]['label']} at "
                         f"{int(bad_healthy.iloc[0]['depth'])} layers: "
                         f"{bad_healthy.iloc[0]['value']:.2f})")
        if len(bad_smoothed):
            parts.append(f"{len(bad_smoothed)} of {len(smoothed)} oversmoothed runs stay below "
                         f"0.9 (e.g. {bad_smoothed.iloc[0]['label']} at "
                         f"{int(bad_smoothed.iloc[0]['depth'])} layers: "
                         f"{bad_smoothed.iloc[0]['value']:.2f})")
        return "contradicted", numbers, "; ".join(parts)
    tail = ("" if len(smoothed) else
            "; no run lost 20+ points, so the 'approach 1.0' half is untested")
    return ("confirmed", numbers, "every healthy run below 0.5 at its last layer"
            + (" and every oversmoothed run at 0.9 or above" if len(smoothed) else "") + tail)


def _complete_vs_sparse(m: Measurements):
    from .measure import steps_below

    props = dict(m.propagation or {})
    complete = [p for n, p in props.items() if n.startswith("complete")]
    sparse = [p for n, p in props.items() if not n.startswith("complete")]
    if not complete or not sparse:
        missing = "a complete graph" if not complete else "a sparse graph (cora, cora-like)"
        return ("not measured", {}, f"no pure-propagation measurement of {missing}; "
                "`oversmooth demo` measures both")
    numbers = {"threshold d_M(PᵏX)/d_M(X)": SMOOTH_EPS}
    for p in complete + sparse:
        numbers[f"{p.name}: steps to threshold"] = steps_below(p, SMOOTH_EPS)
        at = p.table.set_index("step")["measured"]
        for k in (1, 2, 8):
            if k in at.index:
                numbers[f"{p.name}: after {k} steps"] = float(f"{at[k]:.3g}")
    fast = all((steps_below(p, SMOOTH_EPS) or math.inf) <= 2 for p in complete)
    slow = all((steps_below(p, SMOOTH_EPS) or math.inf) > 4 for p in sparse)
    if fast and slow:
        return ("confirmed", numbers, "the complete graph is below the threshold within 2 "
                "steps, the sparse graphs still above it after 4")
    parts = []
    if not fast:
        parts.append("the complete graph needs more than 2 steps")
    if not slow:
        parts.append("a sparse graph is flat within 4 steps")
    return "contradicted", numbers, "; ".join(parts)


CLAIMS: tuple[ClaimSpec, ...] = (
    ClaimSpec("gcn-cora-accuracy",
              "A 2-layer GCN reaches ~81.5% on Cora; 4 layers 79.2%; 8 layers 70.1%; "
              "4 layers with dropout and residual 82.1%.", _gcn_cora_numbers),
    ClaimSpec("gcn-cora-peak",
              "On Cora GCN accuracy peaks at 2-3 layers and drops below 30% at 8+ layers.",
              _gcn_peak),
    ClaimSpec("gcn-64-collapse", "With 64 layers performance collapses to near-random.",
              _collapse64),
    ClaimSpec("skip-dropedge-depth",
              "Skip connections + DropEdge extend the practical depth from 2-3 to 6-8 layers.",
              _skip_dropedge),
    ClaimSpec("cosine-0.5",
              "Healthy models keep average pairwise cosine similarity below 0.5; oversmoothed "
              "ones approach 1.0.", _cosine_rule),
    ClaimSpec("complete-vs-sparse",
              "A complete graph oversmooths in 1-2 propagation steps; sparse graphs like Cora "
              "allow 4-8 layers.", _complete_vs_sparse),
)


def evaluate(measurements: Measurements, claims=CLAIMS) -> list[Claim]:
    """Every claim's verdict on ``measurements``, in the order of :data:`CLAIMS`."""
    return [spec.evaluate(measurements) for spec in claims]
