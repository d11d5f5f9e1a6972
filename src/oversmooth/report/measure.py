"""``backward_table``: backward diagnostics as rows the report draws.

A thin adapter: the numbers come from :func:`oversmooth.backward.layer_table`. Pure
propagation moved to :mod:`oversmooth.spectral` (``Propagation`` and ``pure_propagation``
still resolve here, deprecated, for one release).
"""

from __future__ import annotations

import warnings

import pandas as pd
import torch

__all__ = ["backward_table"]


def __getattr__(name: str):
    if name in ("Propagation", "pure_propagation"):
        warnings.warn(f"oversmooth.report.measure.{name} moved to oversmooth.spectral.{name}",
                      DeprecationWarning, stacklevel=2)
        # deprecated alias (one release): the only place report/ names spectral propagation
        from .. import spectral

        return getattr(spectral, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def backward_table(model, data, series: str) -> pd.DataFrame:
    """Per-layer smoothness of the gradients of the training loss with respect to each
    layer output :math:`H^{(k)}` (Keriven 2025), as rows ``series, layer, metric, value``.

    Uses :func:`oversmooth.backward.layer_table` when that module exists (its ``grad_*``
    rows); otherwise one eval-mode (no dropout) forward/backward pass, cross-entropy on
    ``train_mask``, with the model's layer taps retaining each output's gradient,
    measured with :func:`oversmooth.metrics.backward_smoothness`. The model's mode is
    restored and its parameters' gradients cleared.
    """
    from .. import backward as module

    if module is not None and hasattr(module, "layer_table"):
        table = module.layer_table(model, data)
        table = table[table["metric"].str.startswith("grad_")][["layer", "metric", "value"]]
        table = table.copy()
        table.insert(0, "series", series)
        return table

    import torch.nn.functional as F

    from ..metrics import backward_smoothness

    outputs: dict[int, torch.Tensor] = {}

    def keep(k, h):
        if h.requires_grad:
            h.retain_grad()
            outputs[int(k)] = h

    handle = model.add_tap(keep)
    was_training = model.training
    try:
        model.eval()
        model.zero_grad(set_to_none=True)
        logits = model(data.x, data.edge_index)
        loss = F.cross_entropy(logits[data.train_mask], data.y[data.train_mask])
        loss.backward()
        rows = []
        for layer, h in sorted(outputs.items()):
            if h.grad is None:
                continue
            for metric, value in backward_smoothness(h.grad, data.edge_index).items():
                rows.append((series, layer, metric, value))
    finally:
        handle.remove()
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    return pd.DataFrame(rows, columns=["series", "layer", "metric", "value"])
