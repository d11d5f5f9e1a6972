"""The one layer-capture mechanism of the package, forward and backward, for any model.

* :func:`capture_layers` -- one pass through a model: every layer's output
  :math:`H^{(k)}` and, on request, the gradients :math:`\\partial L/\\partial H^{(k)}` of a
  loss (and of the logits and any other tensors, e.g. the parameters) as tensors;
* :class:`Probe` -- per-layer metrics of those outputs and gradients, recorded while a
  model trains (every ``every`` epochs) or in one :meth:`Probe.measure` (which is a
  :func:`capture_layers` pass).

Both listen to the layers the same way (:func:`layer_targets`): a zoo model's own taps
(:class:`oversmooth.models.LayerTaps`), else forward hooks on named modules or on every
top-level ``MessagePassing`` layer. Sweeps, the backward diagnostics and the report's
inputs capture through these two, nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from functools import partial
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from .metrics import BACKWARD_KEYS, _compute, available, resolve
from .metrics._utils import sharing, sq_norm, stage
from .metrics.backward import _backward
from ._probe_types import measured, node_type_metrics, type_views
from .graph.hetero import is_hetero, target_node_type
from .graph.validate import check_edge_index, check_labels
from .metrics.defaults import PROBE_BACKWARD, PROBE_METRICS

__all__ = ["Probe", "Capture", "capture_layers", "layer_targets", "default_loss", "model_inputs",
           "PROBE_METRICS", "PROBE_BACKWARD"]

def _backward_keys(backward) -> tuple[str, ...]:
    if backward is True:
        return PROBE_BACKWARD
    if backward is False or backward is None:
        return ()
    if backward == "all":
        return BACKWARD_KEYS
    keys = tuple(backward) if isinstance(backward, (list, tuple)) else None
    unknown = [k for k in keys or () if k not in BACKWARD_KEYS]
    if not keys or unknown:
        raise ValueError(f"backward must be True, False, 'all' or a list of {', '.join(BACKWARD_KEYS)}; "
                         f"got {backward!r}")
    return keys


def _first_tensor(output):
    """A hooked layer's output: the tensor, the first tensor of a tuple, or a heterogeneous
    layer's ``{node type: tensor}`` dict (``HGTConv``, ``HeteroConv``) as is."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, dict) and output and all(isinstance(v, Tensor) for v in output.values()):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if isinstance(item, Tensor):
                return item
    return None


def model_inputs(data) -> tuple:
    """What a model is called with on ``data``: ``(data.x, data.edge_index)``, or
    ``(data.x_dict, data.edge_index_dict)`` for a HeteroData (a heterogeneous zoo model)."""
    if is_hetero(data):
        return data.x_dict, data.edge_index_dict
    return data.x, data.edge_index


def _pieces(h) -> list[tuple[str | None, Tensor]]:
    """``[(node type, tensor)]`` of a layer output: ``[(None, h)]`` for a tensor."""
    return list(h.items()) if isinstance(h, dict) else [(None, h)]


def _detach(h):
    return {t: v.detach() for t, v in h.items()} if isinstance(h, dict) else h.detach()


def default_loss(out: Tensor, data) -> Tensor:
    """Cross entropy on ``data.train_mask`` (every node when there is no mask): the loss
    whose gradients :func:`capture_layers`, :meth:`Probe.measure` and
    :func:`oversmooth.backward.diagnose` take unless given ``loss_fn``. On a HeteroData:
    the target node type's labels and mask (``out`` is that type's logits)."""
    store = data[target_node_type(data)] if is_hetero(data) else data
    y = getattr(store, "y", None)
    if y is None:
        raise ValueError("data has no labels y: pass loss_fn=(output, data) -> scalar")
    mask = getattr(store, "train_mask", None)
    if mask is not None and mask.dim() == 1:
        return F.cross_entropy(out[mask], y[mask])
    return F.cross_entropy(out, y)


def layer_targets(model: torch.nn.Module, layers=None) -> list[tuple[str, torch.nn.Module]] | None:
    """Which layers to listen to: ``None`` for a model with taps (``add_tap``: a zoo model,
    layers numbered as it emits them), else ``(name, module)`` pairs numbered 1..L: the
    modules ``layers`` names (names as in ``model.named_modules()``, or modules), in that
    order, or every top-level ``MessagePassing`` submodule in registration order.

    Raises ``ValueError`` for a name the model does not have or a model without layers.
    """
    if hasattr(model, "add_tap"):
        return None
    named = dict(model.named_modules())
    if layers is not None:
        by_id = {id(m): name for name, m in named.items()}
        targets = []
        for item in layers:
            if isinstance(item, str):
                if item not in named:
                    raise ValueError(f"model has no module named {item!r}")
                targets.append((item, named[item]))
            elif isinstance(item, torch.nn.Module) and id(item) in by_id:
                targets.append((by_id[id(item)], item))
            else:
                raise ValueError(f"layers must name modules of the model, got {item!r}")
        return targets
    from torch_geometric.nn import MessagePassing

    targets = []
    for name, module in named.items():
        if isinstance(module, MessagePassing) and not any(
                name.startswith(t + ".") for t, _ in targets):
            targets.append((name, module))
    if not targets:
        raise ValueError("found no MessagePassing layer in the model: pass layers= (module names) "
                         "or use an oversmooth.models model")
    return targets


def _listen(model, targets, listener: Callable[[int, Tensor], None]) -> tuple[list, dict[int, str]]:
    """Call ``listener(k, h)`` for every output of the ``targets`` (:func:`layer_targets`)
    until the returned handles are removed; also returns ``{k: module name}``."""
    if targets is None:
        return [model.add_tap(listener)], {}

    def hook(k, module, inputs, output):
        h = _first_tensor(output)
        if h is not None:
            listener(k, h)

    handles = [module.register_forward_hook(partial(hook, k)) for k, (_, module) in enumerate(targets, start=1)]
    return handles, {k: name for k, (name, _) in enumerate(targets, start=1)}


@dataclasses.dataclass
class Capture:
    r"""What :func:`capture_layers` returns (every tensor detached).

    * ``outputs``: :math:`H^{(k)}` per layer ``k`` (the first output of each layer in the pass);
    * ``grads``: :math:`B^{(k)} = \partial L/\partial H^{(k)}` for every layer whose output
      depends on a parameter (zeros when the loss does not depend on it); empty without
      ``grad=True``;
    * ``output``: the model's output (logits); ``output_grad``: :math:`\partial L/\partial`
      ``output`` (``None`` when not taken);
    * ``wrt_grads``: the gradients of :math:`L` with respect to ``wrt``, in order (``None``
      for a tensor the loss does not depend on);
    * ``loss``: :math:`L` (a 0-dim tensor; ``None`` when no gradient was taken);
    * ``layer_names``: module name per layer for hooked models (empty for zoo models).

    For a heterogeneous model each layer's output and gradient is a dict ``{node type: tensor}``.
    """

    outputs: dict[int, Tensor]
    grads: dict[int, Tensor]
    output: Tensor
    output_grad: Tensor | None = None
    wrt_grads: list = dataclasses.field(default_factory=list)
    loss: Tensor | None = None
    layer_names: dict[int, str] = dataclasses.field(default_factory=dict)


def capture_layers(model: torch.nn.Module, data, *, grad: bool = False, loss_fn: Callable | None = None,
                   layers=None, train: bool | None = False, wrt=()) -> Capture:
    """One pass ``model(data.x, data.edge_index)`` with every layer's output captured
    (``model(data.x_dict, data.edge_index_dict)`` on a HeteroData, see :func:`model_inputs`).

    Layers are found by :func:`layer_targets` (a zoo model's taps, else forward hooks on
    ``layers`` or on every top-level ``MessagePassing``). The pass runs in eval mode (no
    dropout) unless ``train=True`` (``None``: the model's current mode); the mode is restored
    and every listener removed afterwards.

    ``grad=False``: no autograd graph is built (``torch.no_grad``). ``grad=True``: the
    gradients of ``loss_fn(output, data)`` (a scalar; default :func:`default_loss`) with
    respect to every layer output that requires grad, to the output and to the tensors
    ``wrt`` (e.g. parameters) are taken with ``torch.autograd.grad``: the parameters'
    ``.grad`` are left untouched, and gradient hooks on the layer outputs (a :class:`Probe`'s)
    fire. No gradient (and no loss) is taken when neither a layer output nor ``wrt`` needs one.
    """
    targets = layer_targets(model, layers)
    live: dict[int, Tensor] = {}

    def keep(k, h: Tensor) -> None:
        live.setdefault(int(k), h)

    handles, names = _listen(model, targets, keep)
    was_training = model.training
    try:
        if train is not None:
            model.train(train)
        with torch.enable_grad() if grad else torch.no_grad():
            out = model(*model_inputs(data))
        capture = Capture(outputs={k: _detach(h) for k, h in sorted(live.items())}, grads={},
                          output=out.detach(), layer_names=names)
        wrt = list(wrt)
        # (layer, node type or None, tensor) of every layer output the loss may depend on
        with_grad = [(k, t, v) for k in sorted(live) for t, v in _pieces(live[k]) if v.requires_grad]
        if grad and (with_grad or wrt):
            loss = (loss_fn or default_loss)(out, data)
            if loss.dim() != 0:
                raise ValueError(f"the loss must be a finite scalar, got {loss.detach().flatten()[:4]}")
            head = [out] if out.requires_grad else []
            grads = torch.autograd.grad(loss, head + [v for _, _, v in with_grad] + wrt,
                                        allow_unused=True)
            capture.loss = loss.detach()
            capture.output_grad = grads[0].detach() if head and grads[0] is not None else None
            grads = grads[len(head):]
            for (k, t, v), g in zip(with_grad, grads):
                g = g.detach() if g is not None else torch.zeros_like(v).detach()
                if t is None:
                    capture.grads[k] = g
                else:
                    capture.grads.setdefault(k, {})[t] = g
            capture.wrt_grads = [g.detach() if g is not None else None for g in grads[len(with_grad):]]
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return capture


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
        if self.hetero:
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
        pieces = _pieces(h)
        for t, values in node_type_metrics(dict(pieces), self._views, self.metrics, self._finite).items():
            self._forward_rows.extend((epoch, k, t, name, float(v)) for name, v in values.items())
        if self.backward and torch.is_grad_enabled():
            for t, v in pieces:
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

    def _homogeneous_only(self, what: str) -> None:
        if self.hetero:
            raise ValueError(f"{what} does not show node types yet: read forward_table() and "
                             f"backward_table() (a node_type column) of a heterogeneous probe")

    def plot(self, path=None, kind: str = "auto", metrics=None, title: str = "probe"):
        """Per-layer metrics of the recorded passes as a figure (written to ``path`` when given:
        png, svg or pdf); returns the matplotlib ``Figure``.

        ``kind="layers"``: metrics over layers, one line per recorded epoch
        (:func:`oversmooth.report.plots.probe_layers`); ``"heatmap"``: epoch x layer per metric
        (:func:`oversmooth.report.plots.probe_heatmap`); ``"auto"``: the heatmap when more than
        two epochs were recorded. Log scales where values span two decades.

        A convenience: the figures live in ``report/plots`` (one style for every figure); report
        sits above the probe in the data flow, so it is imported here lazily, only to draw.
        """
        from .report import plots
        from .report.style import save

        self._homogeneous_only("Probe.plot")
        forward, backward = self.forward_table(), self.backward_table()
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
        the stored :class:`oversmooth.experiments.RunRecord`.

        Delegates lazily: the store lives in ``experiments``, above the probe in the data flow.
        """
        from .experiments import save_probe

        self._homogeneous_only("Probe.save")
        return save_probe(self, store, label=label, **run)

    def write_tensorboard(self, log_dir, prefix: str = ""):
        """Write both tables to TensorBoard event files in ``log_dir``: scalar
        ``<prefix><metric>/layer_<k>`` at step ``epoch`` (needs ``oversmooth[tensorboard]``;
        see :func:`oversmooth.integrations.tensorboard.write_probe`). Returns ``log_dir``."""
        from .integrations.tensorboard import write_probe

        self._homogeneous_only("Probe.write_tensorboard")
        return write_probe(self, log_dir, prefix=prefix)
