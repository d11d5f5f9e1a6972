"""The claims' shared vocabulary: :class:`Measurements`, :class:`Claim`, :class:`ClaimSpec`,
the verdicts, the tolerances shared by several rules, and the helpers that read a store.

Verdicts:

* ``confirmed``: the measurements agree with the claim within the stated tolerance;
* ``contradicted``: they disagree (the numbers behind the verdict say by how much);
* ``partly``: a claim with several parts, some confirmed and some contradicted (the
  explanation says which part is which);
* ``not measured``: nothing measured tests it; the explanation says what to run, what
  capability it needs (``needs ...``) or why it is not measurable offline.

The verdict functions never guess: a number that is not in the measurements makes the
claim ``not measured``, never confirmed. Tolerances are fixed and stated in each claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

__all__ = ["Claim", "ClaimSpec", "Measurements", "VERDICTS", "ACCURACY_TOLERANCE", "NEAR_RANDOM",
           "SMOOTH_EPS", "DATA_FILE", "split_verdict"]

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "claims.toml"
VERDICTS = ("confirmed", "contradicted", "partly", "not measured")

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


def split_verdict(parts: Mapping[str, bool]) -> str:
    """``confirmed`` when every part holds, ``contradicted`` when none does, else ``partly``."""
    held = list(parts.values())
    return "confirmed" if all(held) else "contradicted" if not any(held) else "partly"


def parts_text(parts: Mapping[str, bool]) -> str:
    """The parts of a claim and whether each holds, as one line: ``part: yes; part: no``."""
    return "; ".join(f"{p}: {'yes' if ok else 'no'}" for p, ok in parts.items())


@dataclass
class Measurements:
    """What the claims are checked against.

    Attributes:
        runs: the store's ``runs`` table (``Store.read("runs")``).
        layers: the store's ``layer_metrics`` table.
        propagation: ``{graph name: Propagation}`` of pure-propagation measurements
            (:func:`oversmooth.report.measure.pure_propagation`; any object with a
            ``name`` and a ``table`` with columns ``step`` and ``measured``).
        facts: named measurements that are not runs of a store (spectra, limits, hop
            coverage, gradient diagnostics...), plain JSON-ready values keyed by the name
            each verdict rule documents (:mod:`oversmooth.experiments.claims` gathers them).
        history: the store's ``history`` table (per-epoch ``train_loss``/``val_loss``...).
    """

    runs: pd.DataFrame
    layers: pd.DataFrame
    propagation: Mapping = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    history: pd.DataFrame | None = None

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


def _fact(m: Measurements, key: str):
    """A named fact of the measurements, or None."""
    return (m.facts or {}).get(key)


def _not_measured(needs: str) -> tuple[str, dict, str]:
    return "not measured", {}, needs
