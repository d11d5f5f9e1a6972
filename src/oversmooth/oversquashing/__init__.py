"""Over-squashing: the distinct failure of long-range information flow, measured and mitigated.

One family per module, each with its paper's formula:

* :mod:`.resistance`: effective resistance, total resistance (Kirchhoff index), commute times
  (exact pseudo-inverse, grounded block-CG solves, Spielman-Srivastava sketch);
* :mod:`.curvature`: augmented Forman, balanced Forman, Ollivier-Ricci edge curvature;
* :mod:`.bounds`: Cheeger bounds from the spectral gap;
* :mod:`.influence`: Jacobian sensitivity, per-hop influence profile, receptive field;
* :mod:`.rewiring`: SDRF, FoSR, BORF, GDC/DIGL and virtual-node transforms with a report.

>>> from oversmooth import datasets, oversquashing
>>> data = datasets.load("path", num_nodes=5)
>>> round(oversquashing.total_resistance(data), 6)       # sum of |u - v| over pairs
20.0
"""

from .bounds import cheeger_bounds
from .compare import compare
from .curvature import (CURVATURES, EdgeCurvature, augmented_forman_curvature, balanced_forman_curvature,
                        bottleneck_edges, edge_curvature, ollivier_ricci_curvature)
from .influence import InfluenceProfile, hop_distances, influence_profile, jacobian_sensitivity, sensitivity_bound
from .rewiring import (BORF, REWIRINGS, SDRF, FoSR, GDCRewiring, RewiringReport, VirtualNodeRewiring,
                        graph_measures, rewire, rewiring_parameters, split_rewire_options)
from .summary import squash_summary
from .resistance import (EXACT_MAX_NODES, ResistanceSketch, commute_time, effective_resistance,
                         resistance_matrix, resistance_sketch, total_resistance)

__all__ = [
    "effective_resistance", "resistance_matrix", "total_resistance", "commute_time", "resistance_sketch",
    "ResistanceSketch", "EXACT_MAX_NODES",
    "EdgeCurvature", "augmented_forman_curvature", "balanced_forman_curvature", "ollivier_ricci_curvature",
    "edge_curvature", "bottleneck_edges", "CURVATURES",
    "cheeger_bounds", "compare",
    "squash_summary",
    "SDRF", "FoSR", "BORF", "GDCRewiring", "VirtualNodeRewiring", "RewiringReport", "REWIRINGS", "rewire",
    "rewiring_parameters", "split_rewire_options", "graph_measures",
    "jacobian_sensitivity", "influence_profile", "InfluenceProfile", "sensitivity_bound", "hop_distances",
]
