"""The section that puts the two failures side by side: over-smoothing and over-squashing
of each graph, and what each rewiring did to both. It renders
:attr:`oversmooth.experiments.ReportInputs.comparison` (tables of
:func:`oversmooth.oversquashing.compare`, measured by
:func:`oversmooth.experiments.measurements.rewiring_comparison`) and computes nothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import html as H
from . import plots
from .output import Figures, safe_name

__all__ = ["comparison", "reading", "COLUMNS"]

#: (frame column, table header) of the section's table, in order.
COLUMNS = (("num_nodes", "nodes"), ("num_edges", "edges"), ("smoothing_rate", "smoothing rate λ"),
           ("smoothing_gap", "smoothing gap 1 − λ"),
           ("spectral_gap", "spectral gap (normalised Laplacian)"),
           ("min_curvature", "min curvature (balanced Forman)"),
           ("total_resistance", "total resistance"),
           ("total_resistance_stderr", "its relative error"))

_NAMES = plots.REWIRING_LABELS

# a relative change below this is "unchanged": the measures are exact to about 1e-8
_SAME = 1e-6


def _change(before: float, after: float) -> float:
    return (after - before) / abs(before) if before else (0.0 if after == before else math.inf)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _percent(change: float, sign: bool = False) -> str:
    """A relative change in per cent: two significant digits, whole numbers from 10 % up."""
    p = 100.0 * change
    text = f"{abs(p):.0f}" if abs(p) >= 10 else f"{abs(p):.2g}"
    return (("+" if p >= 0 else "-") if sign else "") + text + " %"


def reading(name: str, frame: pd.DataFrame) -> str:
    """One paragraph: the graph's rate and bottlenecks, then per rewiring what it did to the
    smoothing gap (up: faster over-smoothing) and to total resistance (down: less
    over-squashing)."""
    base = frame.iloc[0]
    nodes, edges = int(base["num_nodes"]), int(base["num_edges"])
    # a graph without edges has no curvature (NaN): say so instead of printing it
    worst = (f"the worst bottleneck edge has balanced Forman curvature {base['min_curvature']:.3g}"
             if math.isfinite(base["min_curvature"]) else "it has no edge to be a bottleneck")
    text = (f"On {name} ({_count(nodes, 'node')}, {_count(edges, 'edge')}) features contract towards "
            f"the invariant subspace at rate λ = {base['smoothing_rate']:.4g} per propagation step "
            f"(smoothing gap {base['smoothing_gap']:.3g}); {worst} and the total effective resistance "
            f"is {base['total_resistance']:.4g}.")
    tradeoff, relief = [], []
    for rewiring, row in frame.iloc[1:].iterrows():
        label = _NAMES.get(str(rewiring), str(rewiring))
        gap = _change(base["smoothing_gap"], row["smoothing_gap"])
        res = _change(base["total_resistance"], row["total_resistance"])
        noise = 2.0 * max(base.get("total_resistance_stderr", 0.0), row.get("total_resistance_stderr", 0.0))
        if not math.isfinite(gap):
            smoothing = "left no finite smoothing gap to compare"
        elif abs(gap) < _SAME:
            smoothing = "left the smoothing gap unchanged"
        else:
            smoothing = (f"{'raised' if gap > 0 else 'lowered'} the smoothing gap by {_percent(gap)} "
                         f"to {row['smoothing_gap']:.3g} ({'faster' if gap > 0 else 'slower'} over-smoothing)")
        if abs(res) < max(noise, _SAME):
            squashing = ("left total resistance unchanged" if noise == 0 else
                         f"changed total resistance by {_percent(res, sign=True)}, within its sketch's error")
        else:
            squashing = (f"{'lowered' if res < 0 else 'raised'} total resistance by {_percent(res)} "
                         f"({'less' if res < 0 else 'more'} over-squashing)")
            if res < 0:
                (tradeoff if gap >= _SAME else relief).append(label)
        added = int(row["num_edges"]) - edges
        text += f" {label} (net {added:+d} edges) {smoothing} and {squashing}."
    if tradeoff:
        text += (f" Here relieving over-squashing ({', '.join(tradeoff)}) sped up over-smoothing: the two "
                 "failures pull in opposite directions.")
    if relief:
        text += (f" {', '.join(relief)} relieved over-squashing without speeding up over-smoothing: the "
                 "smoothing rate is set by a part of the graph the rewiring did not touch.")
    if not tradeoff and not relief and len(frame) > 1:
        text += " No rewiring lowered the total resistance at these budgets."
    return text


def comparison(inputs, figs: Figures, missing: list[str]) -> H.Section:
    sec = H.Section("squashing", "Over-smoothing vs over-squashing")
    for name, why in getattr(inputs, "comparison_unavailable", {}).items():
        missing.append(f"over-smoothing vs over-squashing on {name}: {why}")
        sec.add(H.missing(f"{name} was not compared: {why}"))
    frames = getattr(inputs, "comparison", {})
    if not frames:
        missing.append("over-smoothing vs over-squashing: not measured")
        sec.add(H.missing("no rewiring comparison measured",
                          f"oversmooth report {inputs.contents.path} (without --no-spectral)"))
        return sec
    sec.add(H.paragraph(
        "The two failures of depth on one graph, before and after rewiring with small budgets. "
        "Over-smoothing: features approach the invariant subspace like λᵏ, so a larger smoothing "
        "gap 1 − λ means faster over-smoothing. Over-squashing: information between distant nodes "
        "passes through bottlenecks (negative curvature, small spectral gap), so a lower total "
        "effective resistance means less over-squashing (Black et al. 2023). Rewirings are "
        "measured on the graph's largest connected component."))
    for name, frame in frames.items():
        sec.add(f"<h3>{H.escape(name)}</h3>")
        sec.add(H.paragraph(reading(name, frame)))
        sec.add(figs.add(plots.rewiring_tradeoff(frame, title=f"Rewiring on {name}"), f"squashing_{safe_name(name)}",
                         f"Over-smoothing vs over-squashing per rewiring on {name}",
                         "Each rewiring's total resistance (left: less over-squashing) against its "
                         "smoothing gap (up: faster over-smoothing); arrows start at the graph "
                         "without rewiring."))
        present = [(c, h) for c, h in COLUMNS if c in frame.columns]
        rows = [(_NAMES.get(str(r), str(r)), *(_value(frame[c].iloc[i]) for c, _ in present))
                for i, r in enumerate(frame.index)]
        sec.add(H.table(["rewiring", *(h for _, h in present)], rows))
    return sec


def _value(v):
    # the table formats Python ints as ints and floats with 4 significant digits
    return int(v) if isinstance(v, (int, np.integer)) else float(v)
