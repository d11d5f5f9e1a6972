"""The report's claims section: every claim with its verdict, the numbers behind it and,
where a picture helps, the figure of what it was judged on beside what it claims.

The measurements are the store's: its runs, per-layer metrics and training history, the
facts a claims run keeps in it (``oversmooth claims --store``) and the pure propagation
measured for the report. Figures are drawn from the series of
:mod:`oversmooth.literature.claims.series`, the rules' own selections; a claim whose
measurements are missing gets no figure.
"""

from __future__ import annotations

from typing import Callable, Mapping

from . import html as H
from .output import Figures
from .plots import claims as P
from ..literature.claims import CLAIMS, Measurements, evaluate
from ..literature.claims import distinct, mathematics, mitigations
from ..literature.claims.core import COSINE_TOLERANCE, HEALTHY_POINTS, SMOOTHED_POINTS, ACCURACY_TOLERANCE
from ..literature.claims.series import cosine_runs, gcn_accuracy, layer_means, residual_accuracy

__all__ = ["claims", "measurements", "FIGURES"]


def measurements(inputs) -> Measurements:
    """What the claims of a report are judged on: the store's tables and facts, and the
    report's pure propagation."""
    c = inputs.contents
    return Measurements(c.runs, c.layers, inputs.propagation, getattr(c, "facts", {}) or {},
                        history=getattr(c, "history", None))


def _spectrum(m: Measurements, a: Mapping):
    spectra = (m.facts or {}).get("spectrum")
    return P.spectrum_range(spectra, a["claimed_range"]) if spectra else None


def _rank_one(m: Measurements, a: Mapping):
    rows = ((m.facts or {}).get("limit") or {}).get("rows")
    return P.limit_rows(rows["degree"], rows["gcn_norm"], rows["rw_norm"]) if rows else None


def _receptive_field(m: Measurements, a: Mapping):
    cov, rates = (m.facts or {}).get("coverage"), (m.facts or {}).get("rates") or {}
    if not cov:
        return None
    distances = {}
    for name in cov:
        prop = (m.propagation or {}).get(name)
        if prop is not None:  # the full curve where the report measured one
            distances[name] = dict(zip(prop.table["step"], prop.table["measured"]))
        elif name in rates:
            distances[name] = rates[name]["relative_distance"]
    return P.receptive_field(cov, distances, (int(a["hops_entire"]), int(a["hops_identical"])),
                             mathematics.COVERAGE_ENTIRE, mathematics.NEARLY_IDENTICAL)


def _acc_table(m: Measurements, a: Mapping):
    measured = {"GCN": gcn_accuracy(m, a["dataset"]), "GCN+residual": residual_accuracy(m, a["dataset"])}
    if not measured["GCN"]:
        return None
    return P.accuracy_against_claims(measured, {"GCN": a["gcn"], "GCN+residual": a["residual"]},
                                     tolerance=ACCURACY_TOLERANCE, title=f"GCN on {a['dataset']}: the claimed table")


def _acc_peak(m: Measurements, a: Mapping):
    measured = gcn_accuracy(m, a["dataset"])
    if not measured:
        return None
    return P.accuracy_against_claims({"GCN": measured}, peak=a["peak_depths"],
                                     collapse=(int(a["collapse_from"]), float(a["collapse_below"])),
                                     title=f"GCN on {a['dataset']}: the claimed peak and collapse")


def _cosine(m: Measurements, a: Mapping):
    runs = cosine_runs(m)
    if runs is None:
        return None
    return P.cosine_vs_accuracy(runs, float(a["healthy_below"]), float(a["oversmoothed_towards"]) - COSINE_TOLERANCE,
                                HEALTHY_POINTS, SMOOTHED_POINTS)


def _spread(m: Measurements, a: Mapping):
    deep = ((m.facts or {}).get("settings") or {}).get("deep")
    if deep is None:
        return None
    series = {label: layer_means(m, label, deep, mitigations.SPREAD) for label in ("GCN", a["row"])}
    if not series[a["row"]]:
        return None
    return P.layer_curves(series, mitigations.SPREAD, f"{a['row']} against GCN at {deep} layers")


def _squashing(m: Measurements, a: Mapping):
    sq = (m.facts or {}).get("squashing")
    return P.oversquashing(sq["influence"], sq["transfer"]) if sq else None


#: ``{claim id: (figure of (measurements, the claim's asserts) or None, caption)}``.
FIGURES: dict[str, tuple[Callable, str]] = {
    "acc-table": (_acc_table, "Measured test accuracy per depth; open markers: the claimed numbers, "
                              "error bars: the rule's tolerance."),
    "acc-peak": (_acc_peak, "Measured test accuracy per depth; grey: the claimed peak depths; red: "
                            "where the claim puts the collapse."),
    "spectrum-range": (_spectrum, "Smallest to largest eigenvalue of S̃ per graph; grey: the claimed "
                                  "range; dashed: the claimed bound 1."),
    "rank-one": (_rank_one, "Row norms of the limit of PᵏX per node degree: the claim's identical rows "
                            "are the dashed line; S̃'s rows follow sqrt(d + 1)."),
    "receptive-field": (_receptive_field, "Left: how much of the graph k hops reach; right: how far "
                                          "pure propagation is from identical rows after k steps."),
    "cosine-0.5": (_cosine, "Every trained run: last-layer cosine similarity against its accuracy "
                            "gap to the best run."),
    "pairnorm-capacity": (_spread, "Relative distance to the invariant subspace per layer "
                                   f"(d_M(X)/||X||_F; {mitigations.SPREAD})."),
    "skip-not-solve": (_spread, "Relative distance to the invariant subspace per layer "
                                f"(d_M(X)/||X||_F; {mitigations.SPREAD})."),
    "oversquashing": (_squashing, f"Hop shells and per-node Jacobian influence; transfer tasks "
                                  f"(accuracies {distinct.TASK_POINTS:g}+ points apart differ)."),
}


def claims(inputs, figs: Figures | None = None, given=None) -> tuple[H.Section, list]:
    """The claims section and the claims with their verdicts: ``given`` (e.g. the claims of
    :func:`oversmooth.experiments.claims.run_claims`), else :func:`evaluate` of the
    store's measurements. Grouped as in the claims file, each row with its id (stable
    across versions), each group followed by its claims' figures (with ``figs``)."""
    m = measurements(inputs)
    verdicts = list(given) if given is not None else evaluate(m)
    asserts = {spec.id: spec.asserts for spec in CLAIMS}
    sec = H.Section("claims", "Claims")
    sec.add(H.paragraph("Claims in circulation about deep GNNs, each with where it "
                        "circulates, next to what was measured. Verdicts: confirmed, "
                        "contradicted, partly (which part is which), not measured (what it "
                        "needs). `oversmooth claims --store FILE` measures every claim and "
                        "keeps what the figures below draw."))
    groups: dict[str, list] = {}
    for c in verdicts:
        groups.setdefault(c.group or "Claims", []).append(c)
    for group, items in groups.items():
        sec.add(f"<h3>{H.escape(group)}</h3>")
        sec.add(H.table(["claim", "verdict", "numbers behind it", "explanation"],
                        [(H.escape(c.text) + f"<br><small>{H.escape(c.id)} · "
                          f"{H.escape(c.source)}</small>", H.badge(c.verdict),
                          H.definition_list(c.numbers),
                          H.escape(c.explanation) + (f"<br><small>tolerance: "
                                                     f"{H.escape(c.tolerance)}</small>"
                                                     if c.tolerance else ""))
                         for c in items], raw_columns=(0, 1, 2, 3)))
        for c in items:
            if figs is None or c.id not in FIGURES:
                continue
            draw, caption = FIGURES[c.id]
            fig = draw(m, asserts.get(c.id, {}))
            if fig is not None:
                sec.add(figs.add(fig, f"claim_{c.id}", f"{c.id}: what it was judged on",
                                 f"{c.id} ({c.verdict}). {caption}"))
    return sec, verdicts
