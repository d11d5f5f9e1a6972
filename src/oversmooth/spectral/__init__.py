"""Spectral analysis of propagation operators and pure-propagation experiments.

>>> from oversmooth import datasets, spectral
>>> data = datasets.load("cora")
>>> report = spectral.analyze(data, "gcn")       # rate, spectral gap, components, ...
>>> report.steps_to(1e-3)                         # predicted steps to shrink d_M by 1000x
>>> result = spectral.propagate(data, "gcn", steps=64)
>>> result.table                                  # metrics per step, measured vs predicted
>>> spectral.pure_propagation(data, "cora").table  # step, measured, predicted (the report's)
"""

from .analysis import DENSE_THRESHOLD, SpectralReport, analyze
from .operators import KINDS, APPNPOperator, SGCOperator, operator
from .propagation import (DEFAULT_METRICS, Propagation, PropagationResult, fit_rate, propagate,
                          pure_propagation)

__all__ = ["operator", "analyze", "SpectralReport", "APPNPOperator", "SGCOperator", "KINDS",
           "DENSE_THRESHOLD", "propagate", "PropagationResult", "fit_rate", "DEFAULT_METRICS",
           "pure_propagation", "Propagation"]
