"""The probe inside ``lightning.Trainer.fit`` (extra ``oversmooth[lightning]``).

    from oversmooth.integrations.lightning import ProbeCallback

    probe = ProbeCallback(every=10)
    trainer = lightning.Trainer(max_epochs=200, callbacks=[probe], logger=TensorBoardLogger("tb"))
    trainer.fit(module, loader)      # full-batch: each batch is the whole torch_geometric Data
    probe.forward_table(); probe.backward_table()

Every ``every`` epochs the callback records the first training step of the epoch with an
:class:`oversmooth.Probe`: the forward metrics of each layer's output and the gradient
measures of the loss with respect to it, on the very pass the trainer runs (no extra
forward or backward pass, nothing changed in training). It logs them through every logger
of the trainer as ``<metric>/layer_<k>`` with the epoch as the step (the names the
TensorBoard writer uses), and keeps them as the probe's tidy tables.

The layers probed, in order: ``module=`` (a submodule or its name); the LightningModule
itself if it is an ``oversmooth.models`` model; its only child that is one; else every
top-level ``MessagePassing`` layer of the LightningModule (or ``layers=``, module names).
"""

from __future__ import annotations

from .._extras import require
from ..probe import Probe

Callback = require("lightning.pytorch.callbacks", "lightning", "the Lightning callback").Callback
from .tensorboard import layer_tag

__all__ = ["ProbeCallback"]


class ProbeCallback(Callback):
    """Run :class:`oversmooth.Probe` inside ``Trainer.fit`` and log per-layer metrics.

    Args:
        every: record epochs whose number is a multiple of ``every`` (epoch 0 included).
        data: the graph the metrics need (``edge_index``, ``y``); default: the training
            batch itself, which must then be a ``torch_geometric.data.Data`` holding the
            whole graph (full-batch training).
        module: the submodule to probe (a module or its name in ``named_modules()``);
            default: see the module docstring.
        layers: module names (of ``module``) to hook, for models that are not
            ``oversmooth.models`` models; default: the top-level ``MessagePassing`` layers.
        metrics: forward metric names (default :data:`oversmooth.probe.PROBE_METRICS`).
        backward: gradient measures, as for :class:`oversmooth.Probe` (``False``: none).
        prefix: prepended to every logged name (e.g. ``"probe/"``).

    Attributes:
        probe: the :class:`oversmooth.Probe` (``None`` before the first recorded epoch).
        last_metrics: ``{name: value}`` logged at the last recorded epoch.
    """

    def __init__(self, every: int = 10, data=None, module=None, layers=None, metrics=None,
                 backward=True, prefix: str = "") -> None:
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.every, self.data, self.module, self.layers = every, data, module, layers
        self.metrics, self.backward, self.prefix = metrics, backward, prefix
        self.probe: Probe | None = None
        self.last_metrics: dict[str, float] = {}
        self._block = None
        self._attached = False

    # ------------------------------------------------------------------ set-up
    def _target(self, pl_module):
        if isinstance(self.module, str):
            return pl_module.get_submodule(self.module)
        if self.module is not None:
            return self.module
        if hasattr(pl_module, "add_tap"):
            return pl_module
        zoo = [m for m in pl_module.children() if hasattr(m, "add_tap")]
        return zoo[0] if len(zoo) == 1 else pl_module

    def _graph(self, batch, pl_module):
        data = self.data if self.data is not None else batch
        if getattr(data, "edge_index", None) is None:
            raise ValueError("ProbeCallback needs the graph: pass data=, or train on batches that "
                             "are torch_geometric Data holding the whole graph (full-batch)")
        return data.to(pl_module.device) if self.data is not None and hasattr(data, "to") else data

    # ------------------------------------------------------------------ hooks
    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        epoch = trainer.current_epoch
        if batch_idx != 0 or epoch % self.every:
            return
        if self.probe is None:
            self.probe = Probe(self._target(pl_module), self._graph(batch, pl_module),
                               layers=self.layers, metrics=self.metrics, backward=self.backward)
        if not self._attached:
            self.probe.__enter__()
            self._attached = True
        self._block = self.probe.epoch(epoch, force=True)
        self._block.__enter__()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self._block is None:
            return
        self._close_block()
        self._log(trainer, trainer.current_epoch)

    def _close_block(self) -> None:
        if self._block is not None:
            self._block.__exit__(None, None, None)
            self._block = None

    def _log(self, trainer, epoch: int) -> None:
        metrics: dict[str, float] = {}
        for table in (self.probe.forward_table(), self.probe.backward_table()):
            rows = table[table["epoch"] == epoch]
            metrics.update({layer_tag(m, k, self.prefix): float(v)
                            for k, m, v in rows[["layer", "metric", "value"]].itertuples(index=False)})
        self.last_metrics = metrics
        if metrics:
            for logger in trainer.loggers:
                logger.log_metrics(metrics, step=epoch)

    def teardown(self, trainer, pl_module, stage: str) -> None:
        self._close_block()
        if self._attached:
            self.probe.remove()
            self._attached = False

    def on_exception(self, trainer, pl_module, exception) -> None:
        self.teardown(trainer, pl_module, "fit")

    # ------------------------------------------------------------------ results
    def forward_table(self):
        """The probe's forward table (``epoch, layer, metric, value``), empty before any record."""
        return self.probe.forward_table() if self.probe else Probe._table([])

    def backward_table(self):
        """The probe's gradient table (``epoch, layer, metric, value``)."""
        return self.probe.backward_table() if self.probe else Probe._table([])
