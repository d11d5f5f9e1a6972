"""Backward oversmoothing (Keriven 2025, arXiv 2505.16736): gradient diagnostics per layer
and the spurious-stationary-point experiment.

* :func:`diagnose` -- one forward+backward pass: per layer the backward signal
  :math:`B^{(k)} = \\partial L/\\partial H^{(k)}`, its smoothness, mean row, the layer's weight
  gradient (absolute and relative to the last layer's) and the forward metrics side by side;
* :func:`layer_table` -- the same as a tidy ``(layer, metric, value)`` frame, for sweeps;
* :func:`signal_table` -- the backward-signal rows of it, per series: the report's input;
* :func:`stationarity` -- train only the last layer of a deep GNN and of the MLP control,
  then read the inner-layer gradients and the loss;
* :func:`plot` -- gradient norm and smoothness per layer (PNG).
"""

from .diagnose import DiagnosisResult, default_loss, diagnose, layer_table, signal_table
from .plot import plot
from .stationarity import StationarityResult, fit_last_layer, initialize, stationarity

__all__ = ["diagnose", "stationarity", "layer_table", "signal_table", "DiagnosisResult", "StationarityResult",
           "plot", "initialize", "fit_last_layer", "default_loss"]
