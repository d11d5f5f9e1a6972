"""Verdict rule of "A distinct failure": over-squashing, from fact ``squashing``
(:func:`oversmooth.experiments.claims.squashing.squashing_facts`):

* ``influence``: ``nodes_per_hop`` (mean size of the hop-h shell around a target, h = 0..H),
  ``per_hop`` (Jacobian influence of the shell, relative to the target's own) and
  ``per_node`` (the same per node of the shell), ``graph``, ``setup``;
* ``transfer``: best training accuracy (%) of ring transfer ``by_distance`` (depth =
  distance), ``by_topology`` at ``distance`` (depth = distance) and ``at_twice_the_depth``,
  the target-source ``resistance`` per topology, ``setup``;
* ``bottleneck``: ``original`` and ``fosr`` graphs, each with ``total_resistance``,
  ``spectral_gap``, ``min_curvature``, ``rate`` and ``relative_distance_10``
  (d_M(P^10 X)/d_M(X)), ``graph``, ``fosr_edges``.
"""

from __future__ import annotations

from typing import Mapping

from .core import Measurements, _fact, _not_measured, parts_text, split_verdict
from .mitigations import SLOWER

#: "Exponentially many nodes": each hop shell at least this many times the one before it.
GROWTH = 2.0
#: "Compressed": a node at the farthest hop weighs at most this fraction of one at hop 1.
COMPRESSED = 0.1
#: Two training accuracies of a transfer task differ when they are this many points apart
#: (5 classes: chance is 20 %, so this is a fifth of the way from chance to a perfect fit).
TASK_POINTS = 20.0


def _r(v: float) -> float:
    return float(f"{v:.3g}")


def oversquashing(m: Measurements, a: Mapping):
    sq = _fact(m, "squashing")
    if not sq:
        return _not_measured("no over-squashing measurement; `oversmooth claims` measures it")
    inf, tr, bn = sq["influence"], sq["transfer"], sq["bottleneck"]
    shells, per_node = inf["nodes_per_hop"], inf["per_node"]
    growth = [b / a for a, b in zip(shells[1:], shells[2:]) if a > 0]
    by_distance = {int(d): v for d, v in tr["by_distance"].items()}
    near, far = min(by_distance), max(by_distance)
    topo, deeper = tr["by_topology"], tr["at_twice_the_depth"]
    before, after = bn["original"], bn["fosr"]
    r = tr["distance"]
    numbers = {
        f"{inf['graph']}: nodes per hop shell (hop 0..{len(shells) - 1})": shells,
        f"{inf['graph']}: influence of one node per hop, relative to the target's own": [_r(v) for v in per_node],
        f"{inf['graph']}: influence of the whole shell per hop": [_r(v) for v in inf["per_hop"]],
        "influence setup": inf["setup"],
        "ring transfer, depth = distance: training accuracy by distance": by_distance,
        f"distance {r}, depth {r}: training accuracy by topology": topo,
        f"distance {r}, depth {2 * r}: training accuracy by topology": deeper,
        f"distance {r}: target-source effective resistance by topology": tr["resistance"],
        "transfer setup": tr["setup"],
        f"{bn['graph']}: total resistance, original / FoSR (+{bn['fosr_edges']} edges)":
            [_r(before["total_resistance"]), _r(after["total_resistance"])],
        f"{bn['graph']}: spectral gap, original / FoSR": [_r(before["spectral_gap"]), _r(after["spectral_gap"])],
        f"{bn['graph']}: smallest balanced Forman curvature, original / FoSR":
            [_r(before["min_curvature"]), _r(after["min_curvature"])],
        f"{bn['graph']}: d_M(P¹⁰X)/d_M(X), original / FoSR":
            [_r(before["relative_distance_10"]), _r(after["relative_distance_10"])],
    }
    relieved = (after["total_resistance"] < before["total_resistance"]
                and after["spectral_gap"] > before["spectral_gap"])
    parts = {
        f"information from exponentially many nodes (each hop shell {GROWTH:g}x+ the last)":
            bool(growth) and min(growth) >= GROWTH,
        f"long-range information compressed (a node {len(shells) - 1} hops away weighs <= "
        f"{COMPRESSED:g} of one at hop 1)": per_node[-1] <= COMPRESSED * per_node[1],
        f"and distorted (accuracy {TASK_POINTS:g}+ points lower at distance {far} than {near})":
            by_distance[far] <= by_distance[near] - TASK_POINTS,
        f"topology decides (same distance and depth: topologies {TASK_POINTS:g}+ points apart)":
            max(topo.values()) - min(topo.values()) >= TASK_POINTS,
        f"not depth (twice the depth moves no topology by {TASK_POINTS:g}+ points)":
            all(abs(deeper[t] - topo[t]) < TASK_POINTS for t in topo),
        "distinct from oversmoothing (FoSR widens the bottleneck but does not slow smoothing)":
            relieved and after["relative_distance_10"] < SLOWER * before["relative_distance_10"],
    }
    text = parts_text(parts)
    if not relieved:
        text += " (FoSR did not widen the bottleneck here: total resistance or spectral gap did not improve)"
    return split_verdict(parts), numbers, text


RULES = {
    "oversquashing": (oversquashing, f"exponentially many = every hop shell {GROWTH:g}x+ the one before; "
                                     f"compressed = per-node influence at the farthest hop <= {COMPRESSED:g} x "
                                     f"hop 1's; accuracies differ at {TASK_POINTS:g}+ points; FoSR widens the "
                                     "bottleneck = lower total resistance and larger spectral gap; slows "
                                     f"smoothing = d_M(P¹⁰X)/d_M(X) x{SLOWER:g}+"),
}
