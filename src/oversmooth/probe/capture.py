"""One pass through a model with every layer's output captured, forward and backward.

:func:`capture_layers` gives every layer's output :math:`H^{(k)}` and, on request, the
gradients :math:`\\partial L/\\partial H^{(k)}` of a loss (and of the logits and any other
tensors, e.g. the parameters) as tensors. It listens to the layers the way every caller in
the package does (:func:`layer_targets`): a zoo model's own taps
(:class:`oversmooth.models.LayerTaps`), else forward hooks on named modules or on every
top-level ``MessagePassing`` layer.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..graph.hetero import is_hetero, target_node_type
from ..metrics import BACKWARD_KEYS
from ..metrics.defaults import PROBE_BACKWARD

__all__ = ["Capture", "capture_layers", "layer_targets", "default_loss", "model_inputs"]


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


def pieces(h) -> list[tuple[str | None, Tensor]]:
    """``[(node type, tensor)]`` of a layer output: ``[(None, h)]`` for a tensor, the items of
    a heterogeneous layer's ``{node type: tensor}``."""
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
        with_grad = [(k, t, v) for k in sorted(live) for t, v in pieces(live[k]) if v.requires_grad]
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
