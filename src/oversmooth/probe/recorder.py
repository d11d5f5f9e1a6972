"""The :class:`Probe`: per-layer metrics of a model's representations and of their
gradients, recorded while it trains or in one :meth:`Probe.measure` pass."""

from __future__ import annotations

import contextlib
import math
from functools import partial

import torch
from torch import Tensor

from ..graph.hetero import is_hetero
from ..graph.validate import check_edge_index, check_labels
from ..metrics import _compute, available, resolve
from ..metrics._utils import sharing, sq_norm, stage
from ..metrics.backward import _backward
from ..metrics.defaults import PROBE_METRICS
from .capture import Capture, _backward_keys, _listen, capture_layers, layer_targets, pieces
from .hetero import measured, node_type_metrics, type_views

__all__ = ["Probe"]


class Probe:
    r"""Record per-layer metrics of a model's representations and of their gradients.

    ``with Probe(model, data) as probe:`` attaches listeners to the model's layers
    (:func:`layer_targets`):

    * an :class:`oversmooth.models.LayerTaps` model (zoo model): its taps, layer ``k`` as the
      model numbers it (the output of the k-th propagation, before activation);
    * else ``layers=`` (module names as in ``model.named_modules()``, or modules): a forward
      hook on each, layers numbered 1..L in the given order;
    * else a forward hook on every top-level :class:`torch_geometric.nn.MessagePassing`
      submodule, numbered 1..L in registration order.

    For every recorded layer output :math:`H^{(k)}` the forward metrics ``metrics`` (names of
    :func:`oversmooth.metrics.compute`, default :data:`PROBE_METRICS`) are computed on the
    detached output (no copy; the metrics accumulate in float64), and, when the output requires
    grad, a gradient hook records the ``backward`` measures (default :data:`PROBE_BACKWARD`) of
    :func:`oversmooth.metrics.backward_smoothness` of :math:`B^{(k)} = \partial L / \partial H^{(k)}`
    when ``backward()`` runs. Nothing keeps the autograd graph alive.

    Training loops record every ``every`` epochs in one line::

        with Probe(model, data, every=10) as probe:
            for epoch in range(200):
                with probe.epoch(epoch):          # records only when epoch % 10 == 0
                    loss = F.cross_entropy(model(data.x, data.edge_index)[mask], data.y[mask])
                    loss.backward()
                opt.step(); opt.zero_grad()
        probe.forward_table(); probe.backward_table()

    In a skipped epoch the listeners return at once (no copy, no metric). Inside a recorded
    block only the first forward pass of each layer is recorded (wrap the pass you want:
    typically the training step). Before the first ``epoch()`` block every pass is recorded
    as epoch 0, so ``with Probe(model, data) as p: model(...).sum().backward()`` works as a
    one-off measurement; :meth:`measure` does a full forward/backward pass (a
    :func:`capture_layers` pass) without touching the parameters' ``.grad``. Non-finite layer outputs (a diverged model) are recorded as NaN
    instead of raising.

    On a HeteroData (a heterogeneous zoo model: ``rgcn``, ``hgt``, ``hetero-*``) each layer
    emits ``{node type: tensor}``: every node type's representation is measured on its own
    rows and graph (:func:`oversmooth.graph.type_graph`: its same-type relations, else the
    two-hop graph through the other types), its gradient likewise, and both tables gain a
    ``node_type`` column (``group_distance_ratio`` only for the labelled target type).

    Args:
        model: a ``torch.nn.Module``.
        data: the graph (``edge_index``; ``y`` is used by ``group_distance_ratio`` and the default loss).
        layers: module names or modules to hook (ignored for ``LayerTaps`` models).
        metrics: forward metric names (``None`` = :data:`PROBE_METRICS`, ``"all"`` = every one).
        loss_fn: ``loss_fn(output, data) -> scalar`` for :meth:`measure` (default
            :func:`default_loss`: cross entropy on ``data.train_mask``, or on every node
            without a mask).
        every: record epochs whose number is a multiple of ``every``.
        backward: gradient measures to record, keys of
            :func:`oversmooth.metrics.backward_smoothness`: ``True`` = :data:`PROBE_BACKWARD`,
            ``"all"`` = every one, a list of keys, or ``False`` (no gradient hooks).
    """

    def __init__(self, model: torch.nn.Module, data, layers=None, metrics=None, loss_fn=None,
                 every: int = 1, backward=True) -> None:
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.hetero = is_hetero(data)
        if not self.hetero and getattr(data, "edge_index", None) is None:
            raise ValueError("data has no edge_index")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.model, self.data, self.loss_fn, self.every = model, data, loss_fn, every
        self.backward_keys = _backward_keys(backward)
        self.backward = bool(self.backward_keys)
        self.metrics = available() if metrics == "all" else resolve(metrics or PROBE_METRICS)
        self._targets = layer_targets(model, layers)
        self.layer_names: dict[int, str] = {}
        self._handles: list = []
        self._forward_rows: list[tuple] = []
        self._backward_rows: list[tuple] = []
        self._seen: set[int] = set()
        self.recording = False
        self.current_epoch = 0
        if self.hetero:  # every node type measured on its own rows and graph (probe/hetero.py)
            self._views = type_views(data)
            return

        self._num_nodes = int(data.num_nodes)
        check_edge_index(data.edge_index, self._num_nodes)
        self._edge_index = data.edge_index.detach()
        self._y = getattr(data, "y", None)
        if self._y is not None:
            check_labels(self._y, self._num_nodes)
        else:
            self.metrics = [m for m in self.metrics if m != "group_distance_ratio"]

    # ------------------------------------------------------------------ attaching
    def __enter__(self) -> "Probe":
        self.recording, self.current_epoch = True, 0
        handles, names = _listen(self.model, self._targets, self._on_output)
        self._handles.extend(handles)
        self.layer_names.update(names)
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self.recording = False

    def remove(self) -> None:
        """Detach every listener (what leaving the ``with`` block does)."""
        self.__exit__(None, None, None)

    # ------------------------------------------------------------------ recording
    @contextlib.contextmanager
    def epoch(self, epoch: int, force: bool = False):
        """Record the passes inside the block as ``epoch`` if ``epoch % every == 0`` (or ``force``)."""
        self.current_epoch = epoch
        self.recording = force or epoch % self.every == 0
        self._seen = set()
        try:
            yield self.recording
        finally:
            self.recording = False

    def _on_output(self, k: int, h: Tensor) -> None:
        if not self.recording or k in self._seen:
            return
        self._seen.add(k)
        epoch = self.current_epoch
        if self.hetero:
            self._on_typed_output(epoch, k, h)
            return
        self._record(self._forward_rows, epoch, k, self._forward_metrics(h))
        if self.backward and h.requires_grad and torch.is_grad_enabled():
            h.register_hook(partial(self._on_grad, epoch, k))

    def _measurable(self, h: Tensor) -> bool:
        """A floating ``[num_nodes, d]`` tensor."""
        return h.dim() == 2 and h.size(0) == self._num_nodes and h.is_floating_point()

    @staticmethod
    def _finite(h: Tensor) -> bool:
        """Whether every entry is finite, inside a ``sharing`` block after ``stage(h)``.

        A finite float64 sum of squares proves it (inf and NaN propagate) and is shared with
        the metrics that need ||H||_F^2; only an overflowing one needs the entry-wise check.
        """
        return bool(torch.isfinite(sq_norm(h))) or bool(torch.isfinite(h).all())

    def _on_grad(self, epoch: int, k: int, grad: Tensor) -> None:
        grad = grad.detach()
        values = dict.fromkeys(self.backward_keys, math.nan)
        if self._measurable(grad):
            with torch.inference_mode(), sharing():
                stage(grad)
                if self._finite(grad):
                    values = _backward(grad, self._edge_index, self.backward_keys)
        self._record(self._backward_rows, epoch, k, values)

    def _forward_metrics(self, h: Tensor) -> dict[str, float]:
        h = h.detach()
        if self._measurable(h):
            with torch.inference_mode(), sharing():
                stage(h)
                if self._finite(h):
                    return _compute(h, self._edge_index, self._y, self.metrics)
        return dict.fromkeys(self.metrics, math.nan)

    @staticmethod
    def _record(rows: list, epoch: int, k: int, values: dict) -> None:
        rows.extend((epoch, k, name, float(value)) for name, value in values.items())

    # ------------------------------------------------------------------ heterogeneous
    def _on_typed_output(self, epoch: int, k: int, h) -> None:
        """Layer ``k``'s ``{node type: tensor}``: one row per node type and metric, and a
        gradient hook per node type (a bare tensor has no type: recorded as NaN). A node
        type whose output the loss does not reach (a non-target type in the last layer)
        gets no backward rows."""
        parts = pieces(h)
        for t, values in node_type_metrics(dict(parts), self._views, self.metrics, self._finite).items():
            self._forward_rows.extend((epoch, k, t, name, float(v)) for name, v in values.items())
        if self.backward and torch.is_grad_enabled():
            for t, v in parts:
                if v.requires_grad:
                    v.register_hook(partial(self._on_typed_grad, epoch, k, t))

    def _on_typed_grad(self, epoch: int, k: int, node_type, grad: Tensor | None) -> None:
        if grad is None:  # the loss does not reach this type's output (autograd.grad calls with None)
            return
        view = self._views.get(node_type)
        values = measured(grad, view, self.backward_keys, self._finite,
                          lambda g: _backward(g, view.edge_index, self.backward_keys))
        self._backward_rows.extend((epoch, k, node_type, name, float(v)) for name, v in values.items())

    def measure(self, epoch: int = 0, *, train: bool | None = None, wrt=()) -> Capture:
        """One forward and backward pass now, recorded as ``epoch`` whatever ``every`` is.

        A :func:`capture_layers` pass (in the model's current mode unless ``train`` says
        otherwise) whose layer outputs and gradients the probe records: the gradients of
        ``loss_fn`` with respect to the layer outputs (and to ``wrt``) are taken with
        ``torch.autograd.grad``, so parameters' ``.grad`` are left untouched. Returns the
        :class:`Capture` (the tensors themselves).
        """
        if not self._handles:
            raise ValueError("the probe is not attached: use it as `with Probe(...) as probe:`")
        layers = None if self._targets is None else [module for _, module in self._targets]
        with self.epoch(epoch, force=True):
            return capture_layers(self.model, self.data, grad=self.backward, loss_fn=self.loss_fn,
                                  layers=layers, train=train, wrt=wrt)

    # ------------------------------------------------------------------ results
    def forward_table(self):
        """Tidy ``pandas.DataFrame`` with columns ``epoch, layer, metric, value`` (forward pass);
        on a HeteroData ``epoch, layer, node_type, metric, value``, one row per node type."""
        return self._table(self._forward_rows, self.hetero)

    def backward_table(self):
        """Tidy ``pandas.DataFrame`` with columns ``epoch, layer, metric, value`` (gradients);
        on a HeteroData ``epoch, layer, node_type, metric, value``, one row per node type."""
        return self._table(self._backward_rows, self.hetero)

    @staticmethod
    def _table(rows, hetero: bool = False):
        import pandas as pd

        columns = ["epoch", "layer", "node_type", "metric", "value"] if hetero else \
            ["epoch", "layer", "metric", "value"]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.sort_values(["epoch", "layer"], kind="stable").reset_index(drop=True)

    def scoped_rows(self) -> tuple[list[tuple], list[tuple]]:
        """The recorded ``(epoch, layer, metric, value)`` rows, forward and backward; on a
        HeteroData each node type's as ``metric[node type]`` (:func:`oversmooth.metrics.scope_name`,
        the names of a sweep's per-type rows): what :meth:`save`, :meth:`plot` and
        :meth:`write_tensorboard` show."""
        if not self.hetero:
            return list(self._forward_rows), list(self._backward_rows)
        from ..metrics.hetero import scope_name

        return tuple([(e, k, scope_name(m, t), v) for e, k, t, m, v in rows]
                     for rows in (self._forward_rows, self._backward_rows))

    def scoped_tables(self):
        """:meth:`scoped_rows` as two tidy ``pandas.DataFrame`` (forward, backward) with columns
        ``epoch, layer, metric, value``: :meth:`forward_table` and :meth:`backward_table`, with a
        HeteroData's ``node_type`` column folded into the metric names."""
        forward, backward = self.scoped_rows()
        return self._table(forward), self._table(backward)

    def _default_panels(self, metrics):
        """The panels :meth:`plot` draws when none are named: every recorded metric, or on a
        HeteroData the target node type's (four types by three metrics would be twelve)."""
        if metrics is not None or not self.hetero:
            return metrics
        from ..metrics.hetero import scope_name

        target = next(t for t, view in self._views.items() if view.y is not None)
        names = list(dict.fromkeys(m for *_, m, _ in self._forward_rows + self._backward_rows))
        return [scope_name(m, target) for m in names]

    def plot(self, path=None, kind: str = "auto", metrics=None, title: str = "probe"):
        """Per-layer metrics of the recorded passes as a figure (written to ``path`` when given:
        png, svg or pdf); returns the matplotlib ``Figure``.

        ``kind="layers"``: metrics over layers, one line per recorded epoch
        (:func:`oversmooth.report.plots.probe_layers`); ``"heatmap"``: epoch x layer per metric
        (:func:`oversmooth.report.plots.probe_heatmap`); ``"auto"``: the heatmap when more than
        two epochs were recorded. Log scales where values span two decades. On a HeteroData
        the panels are ``metric[node type]`` (:meth:`scoped_tables`), by default the target
        type's.

        A convenience: the figures live in ``report/plots`` (one style for every figure); report
        sits above the probe in the data flow, so it is imported here lazily, only to draw.
        """
        from ..report import plots
        from ..report.style import save

        forward, backward = self.scoped_tables()
        metrics = self._default_panels(metrics)
        if kind == "auto":
            kind = "heatmap" if forward["epoch"].nunique() > 2 else "layers"
        if kind not in ("layers", "heatmap"):
            raise ValueError(f"kind must be 'auto', 'layers' or 'heatmap', got {kind!r}")
        draw = plots.probe_heatmap if kind == "heatmap" else plots.probe_layers
        fig = draw(forward, backward, metrics=metrics, title=title)
        if path is not None:
            save(fig, path)
        return fig

    def save(self, store, label: str, **run):
        """Store the recorded run in a results store (a path or an
        :class:`oversmooth.experiments.Store`) as one run with its per-layer history, so
        ``oversmooth report`` and ``oversmooth plot`` show it like a sweep's runs: see
        :func:`oversmooth.experiments.save_probe` (``run``: its keyword arguments). Returns
        the stored :class:`oversmooth.experiments.RunRecord`. On a HeteroData each node
        type's rows are stored as ``metric[node type]``, as a sweep stores them.

        Delegates lazily: the store lives in ``experiments``, above the probe in the data flow.
        """
        from ..experiments import save_probe

        return save_probe(self, store, label=label, **run)

    def write_tensorboard(self, log_dir, prefix: str = ""):
        """Write both tables to TensorBoard event files in ``log_dir``: scalar
        ``<prefix><metric>/layer_<k>`` at step ``epoch`` (``metric[node type]`` on a HeteroData) (needs ``oversmooth[tensorboard]``;
        see :func:`oversmooth.integrations.tensorboard.write_probe`). Returns ``log_dir``."""
        from ..integrations.tensorboard import write_probe

        return write_probe(self, log_dir, prefix=prefix)
