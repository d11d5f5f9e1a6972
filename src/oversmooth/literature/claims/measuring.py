"""Verdict rules of the "Measuring" claims."""

from __future__ import annotations

from typing import Mapping

from .core import COSINE_TOLERANCE, HEALTHY_POINTS, SMOOTHED_POINTS, Measurements
from .hetero import BANK_GRAPH_TOLERANCE, bank_graph
from .series import cosine_runs


def cosine(m: Measurements, a: Mapping):
    healthy_below = float(a["healthy_below"])
    smoothed_at = float(a["oversmoothed_towards"]) - COSINE_TOLERANCE
    rows = cosine_runs(m)
    if rows is None:
        return ("not measured", {}, "no finished run with both accuracy and a per-layer "
                "mean_cosine_similarity in the store; run a sweep with --metrics "
                "mean_cosine_similarity")
    healthy = rows[rows["gap"] <= HEALTHY_POINTS]
    smoothed = rows[rows["gap"] >= SMOOTHED_POINTS]
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


RULES = {"bank-graph": (bank_graph, BANK_GRAPH_TOLERANCE)}
