"""Spectral analysis of propagation operators and pure-propagation experiments.

>>> from oversmooth import datasets, spectral
>>> data = datasets.load("cora")
>>> report = spectral.analyze(data, "gcn")       # rate, spectral gap, components, ...
>>> report.num_components, round(report.rate, 4)
(78, 0.9964)
>>> report.steps_to(1e-3)                         # predicted steps to shrink d_M by 1000x
1905
>>> result = spectral.propagate(data, "gcn", steps=8)
>>> len(result.table), "relative_distance" in result.table   # metrics per step, measured vs predicted
(9, True)
>>> spectral.pure_propagation(data, "cora", steps=8).table.columns.tolist()  # what the report draws
['step', 'measured', 'predicted']
"""

from .analysis import DENSE_THRESHOLD, SpectralReport, analyze
from .operators import KINDS, APPNPOperator, SGCOperator, operator
from .propagation import (DEFAULT_METRICS, Propagation, PropagationResult, fit_rate, propagate,
                          pure_propagation)

__all__ = ["operator", "analyze", "SpectralReport", "APPNPOperator", "SGCOperator", "KINDS",
           "DENSE_THRESHOLD", "propagate", "PropagationResult", "fit_rate", "DEFAULT_METRICS",
           "pure_propagation", "Propagation"]
