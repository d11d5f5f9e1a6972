"""Every figure of the package: one function per figure, each returning a matplotlib
``Figure`` drawn in the one style of :mod:`oversmooth.report.style`.

Every figure has a title, axis labels with units, a legend (below the panels, in
columns, so 10+ lines stay readable) and a log scale on any axis whose values span two
or more orders of magnitude (:func:`~oversmooth.report.style.use_log_scale`). Save one
with :func:`oversmooth.report.style.save` (png, svg or pdf). Each function raises
``ValueError`` with a one-line message when it is given nothing to draw.

By subject: :mod:`.depth` (accuracy vs depth), :mod:`.tuned` (fixed vs tuned vs
published), :mod:`.layers` (per-layer metrics of trained models), :mod:`.spectrum` (pure
propagation, measured and predicted), :mod:`.gradients` (backward diagnostics),
:mod:`.rewiring` (over-smoothing vs over-squashing per rewiring), :mod:`.own` (a user's
model: a probe's tables, a diagnosis), :mod:`.claims` (each claim's measurement against
what it claims). The functions take measurements (frames and result objects) and compute
none.
"""

from . import claims
from ._common import BACKWARD_METRICS, LAYER_METRICS, METRIC_LABELS, deepest_runs, label_order
from .depth import accuracy_vs_depth
from .gradients import backward, backward_diagnosis
from .layers import layer_metrics
from .own import diagnosis, probe_heatmap, probe_layers
from .rewiring import REWIRING_LABELS, rewiring_tradeoff
from .spectrum import propagation_curves, spectral_vs_measured
from .tuned import tuned_vs_depth

__all__ = ["accuracy_vs_depth", "layer_metrics", "spectral_vs_measured", "backward",
           "propagation_curves", "backward_diagnosis", "tuned_vs_depth", "METRIC_LABELS", "LAYER_METRICS",
           "BACKWARD_METRICS", "deepest_runs", "label_order", "probe_layers", "probe_heatmap",
           "diagnosis", "rewiring_tradeoff", "REWIRING_LABELS", "claims"]
