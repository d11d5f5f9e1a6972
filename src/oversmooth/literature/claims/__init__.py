"""Claims in circulation about oversmoothing, each with a verdict rule over measurements.

Each claim of ``data/claims.toml`` (its id, the text as quoted where it circulates, its
source, its group and the numbers it asserts) is a :class:`ClaimSpec` with a verdict rule
of one module per group (:mod:`.accuracy`, :mod:`.mathematics`, :mod:`.measuring`,
:mod:`.mitigations`, :mod:`.gradients`, :mod:`.distinct`), whose tolerance is stated with
it. A rule is a pure function of :class:`Measurements` (a store's runs, pure-propagation curves and named
facts) and the numbers the claim asserts; it returns a verdict of :data:`VERDICTS`, the
numbers it rests on and an explanation. Nothing here trains:
:func:`oversmooth.experiments.claims.run_claims` gathers the measurements.
"""

from __future__ import annotations

import tomllib
from functools import partial
from pathlib import Path
from typing import Callable

from . import accuracy as _acc, gradients as _grad, mathematics as _math, measuring as _meas
from . import distinct as _dist, mitigations as _mit
from .core import (ACCURACY_TOLERANCE, COSINE_TOLERANCE, DATA_FILE, HEALTHY_POINTS, NEAR_RANDOM,
                   PRACTICAL_POINTS, SMOOTH_EPS, SMOOTHED_POINTS, VERDICTS, Claim, ClaimSpec,
                   Measurements, split_verdict)

__all__ = ["Claim", "ClaimSpec", "Measurements", "CLAIMS", "evaluate", "load_claims",
           "VERDICTS", "ACCURACY_TOLERANCE", "NEAR_RANDOM", "SMOOTH_EPS", "DATA_FILE",
           "RULES", "split_verdict"]

#: ``{claim id: (verdict rule, its tolerance in words)}``.
RULES: dict[str, tuple[Callable, str]] = {
    **_acc.RULES, **_math.RULES, **_meas.RULES, **_mit.RULES, **_grad.RULES, **_dist.RULES,
    "acc-table": (_acc.acc_table, f"±{ACCURACY_TOLERANCE:g} accuracy points at every claimed depth"),
    "acc-peak": (_acc.acc_peak, "none: the best depth no deeper than the claimed range, every "
                            "depth from the claimed one on below the claimed accuracy"),
    "acc-64": (_acc.acc_64, f"near-random = at or below {NEAR_RANDOM:g}% (Cora's largest test class "
                        "is 31.9%, uniform guessing 14.3%)"),
    "skip-dropedge": (_acc.skip_dropedge, f"practical depth = deepest depth within "
                                      f"{PRACTICAL_POINTS:g} points of the row's best accuracy; "
                                      "a skip + DropEdge row's must reach the claimed range's "
                                      "lower end and exceed plain GCN's"),
    "cosine-0.5": (_meas.cosine, f"healthy = within {HEALTHY_POINTS:g} points of the dataset's best "
                            f"accuracy; oversmoothed = {SMOOTHED_POINTS:g}+ points below it; "
                            f"'approaches 1.0' = within {COSINE_TOLERANCE:g} of it"),
    "complete-vs-cora": (_math.complete_vs_cora, f"oversmoothed once d_M(PᵏX)/d_M(X) <= "
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
        if cid not in RULES:
            raise ValueError(f"{path}: claim {cid!r} has no verdict rule in {__name__}")
        if entry.get("source") not in sources or entry.get("group") not in groups:
            raise ValueError(f"{path}: claim {cid!r}: unknown source or group")
        citation = sources[entry["source"]].get("citation", "").strip()
        if not citation or "shared/docs" in citation:
            raise ValueError(f"{path}: claim {cid!r}: the source must name where it circulates")
        rule, tolerance = RULES[cid]
        asserts = entry.get("asserts", {})
        specs.append(ClaimSpec(cid, entry["text"], partial(rule, a=asserts), citation,
                               groups[entry["group"]], tolerance, asserts))
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids) or set(ids) != set(RULES):
        raise ValueError(f"{path}: claims {sorted(ids)} do not match the verdict rules "
                         f"{sorted(RULES)}")
    return tuple(specs)


#: The claims of ``data/claims.toml``, in its order.
CLAIMS: tuple[ClaimSpec, ...] = load_claims()


def evaluate(measurements: Measurements, claims=CLAIMS) -> list[Claim]:
    """Every claim's verdict on ``measurements``, in the order of :data:`CLAIMS`."""
    return [spec.evaluate(measurements) for spec in claims]