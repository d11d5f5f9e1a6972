"""The one layer-capture mechanism of the package, forward and backward, for any model.

* :func:`capture_layers` (:mod:`.capture`) -- one pass through a model: every layer's output
  :math:`H^{(k)}` and, on request, the gradients :math:`\\partial L/\\partial H^{(k)}` of a
  loss as tensors;
* :class:`Probe` (:mod:`.recorder`) -- per-layer metrics of those outputs and gradients,
  recorded while a model trains (every ``every`` epochs) or in one :meth:`Probe.measure`
  (which is a :func:`capture_layers` pass).

Both listen to the layers the same way (:func:`layer_targets`). Sweeps, the backward
diagnostics and the report's inputs capture through these two, nothing else. A
heterogeneous model's layers are ``{node type: tensor}`` dicts, measured per node type
(:mod:`.hetero`).
"""

from ..metrics.defaults import PROBE_BACKWARD, PROBE_METRICS
from .capture import Capture, capture_layers, default_loss, layer_targets, model_inputs
from .recorder import Probe

__all__ = ["Probe", "Capture", "capture_layers", "layer_targets", "default_loss", "model_inputs",
           "PROBE_METRICS", "PROBE_BACKWARD"]
