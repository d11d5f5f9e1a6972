"""The default metric lists of the package, each defined once, with why it holds what it holds.

Every consumer (the probe, sweeps, pure propagation, backward diagnostics, the demo and
the report's figures) imports its list from here.
"""

from __future__ import annotations

__all__ = ["PROBE_METRICS", "PROBE_BACKWARD", "SWEEP_METRICS", "PROPAGATION_METRICS",
           "DIAGNOSE_METRICS", "LAYER_METRICS", "BACKWARD_KEYS"]

#: Every gradient measure of :func:`oversmooth.metrics.backward_smoothness`, in this order.
BACKWARD_KEYS = ("grad_norm", "grad_energy_rel", "grad_subspace_rel", "grad_mean_norm")

#: Forward metrics the probe records by default: the O(N d) / O(E d) ones that matter most
#: per layer. The ranks are O(N d^2) (a float64 d x d Gram matrix per layer: about 1 ms for a
#: Cora layer of width 64, as much as these three together) and opt-in:
#: ``metrics=PROBE_METRICS + ("numerical_rank",)``.
PROBE_METRICS = ("dirichlet_energy", "mean_cosine_similarity", "subspace_distance")

#: Gradient measures the probe records by default: the O(N d) ones. ``grad_energy_rel``
#: gathers both endpoints of every edge (O(E d), as much as the other three together) and
#: is opt-in: ``backward="all"`` (what :func:`oversmooth.backward.diagnose` records).
PROBE_BACKWARD = ("grad_norm", "grad_subspace_rel", "grad_mean_norm")

#: Per-layer metrics a sweep measures on each trained model when its config names none.
SWEEP_METRICS = ("dirichlet_energy", "mean_cosine_similarity", "mad", "effective_rank")

#: Metrics pure propagation measures by default: O(E d) or O(N d) each, so 64 steps on Cora
#: take seconds. The O(N^2)-exact ones (mad_gap, smv, mean_pairwise_distance,
#: group_distance_ratio) cost tens of seconds per step on Cora's 1433 features: ask for them
#: (or "all") by name.
PROPAGATION_METRICS = ("dirichlet_energy", "dirichlet_energy_sym", "mean_cosine_similarity", "mad",
                       "numerical_rank", "feature_correlation")

#: Forward metrics the backward diagnosis shows beside the gradients (exact, O(E d)).
DIAGNOSE_METRICS = ("dirichlet_energy_sym", "subspace_distance")

#: Per-layer metrics the demo measures and the report draws, in this order, when present.
LAYER_METRICS = ("dirichlet_energy", "subspace_distance", "mean_cosine_similarity", "mad",
                 "effective_rank")
