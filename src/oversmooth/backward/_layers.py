"""Which parameters belong to which layer: the grouping behind per-layer weight gradients.

Zoo models do not declare which parameters produce their ``k``-th tapped output, so the
grouping is read from the module tree, in registration order (the order of the forward
pass for every zoo model):

* the ``nn.ModuleList`` children of the model (``convs``, ``norms``, ``lins``) are zipped by
  index: group ``k`` holds the ``(k-1)``-th element of each list (``convs[k-1]`` with the norm
  that acts on its output). When a list has ``model.depth`` elements its groups are tied to
  tapped layers ``1 .. depth`` (the zoo's numbering);
* every other child with parameters (``lin_in``, ``lin1``, ``lin2``, ``head``, ``lin_out``)
  is one group, placed before the lists if registered before them and after otherwise;
* parameters owned by the model itself (e.g. a learnable filter) form a last group ``"self"``.

The *last layer* is the last group: the one closest to the logits (``convs[-1]`` of a plain
GCN, ``lins[-1]`` of the MLP, ``lin_out`` of GCNII, ``lin2`` of APPNP, ``head`` of JKNet).
Models whose propagation steps carry no weight (APPNP, SGC) have tapped layers without a
group; their weight gradients are reported as NaN, their backward signals as usual.

Any other model (no taps: PyG's ``GCN``/``GAT``/``GraphSAGE``, a user's own) is listened to
through forward hooks on its layers (:func:`oversmooth.probe.layer_targets`), and
:func:`hooked_groups` groups its parameters by those hooked modules instead: group ``k`` is
the parameters of the ``k``-th hooked module, the last one the layer nearest the logits.
"""

from __future__ import annotations

import dataclasses
from itertools import zip_longest

from torch import nn

__all__ = ["LayerGroup", "layer_groups", "hooked_groups"]


@dataclasses.dataclass
class LayerGroup:
    """Parameters of one layer: ``name`` (e.g. ``"convs.3"``), ``layer`` (the tapped layer
    index it produces, or ``None``), ``params`` (every parameter, in module order)."""

    name: str
    layer: int | None
    params: list[nn.Parameter]


def _params(module: nn.Module) -> list[nn.Parameter]:
    return list(module.parameters())


def layer_groups(model: nn.Module) -> list[LayerGroup]:
    """The parameter groups of ``model``, input side first (see the module docstring).

    Raises ``ValueError`` when the model has no parameter at all.
    """
    depth = getattr(model, "depth", None)
    before: list[LayerGroup] = []
    after: list[LayerGroup] = []
    lists: list[tuple[str, nn.ModuleList]] = []
    for name, child in model.named_children():
        if isinstance(child, nn.ModuleList):
            if _params(child):
                lists.append((name, child))
        elif _params(child):
            (after if lists else before).append(LayerGroup(name, None, _params(child)))
    stacked: list[LayerGroup] = []
    if lists:
        tied = depth is not None and len(lists[0][1]) == depth
        columns = zip_longest(*[list(m) for _, m in lists])
        for i, modules in enumerate(columns):
            params = [p for m in modules if m is not None for p in m.parameters()]
            if params:
                stacked.append(LayerGroup(f"{lists[0][0]}.{i}", i + 1 if tied else None, params))
    own = list(model.parameters(recurse=False))
    groups = before + stacked + after + ([LayerGroup("self", None, own)] if own else [])
    if not groups:
        raise ValueError(f"{type(model).__name__} has no parameter: nothing to take gradients of")
    return groups


def hooked_groups(targets: list[tuple[str, nn.Module]]) -> list[LayerGroup]:
    """One group per hooked module (``(name, module)`` pairs of
    :func:`oversmooth.probe.layer_targets`, numbered 1..L): its parameters, tied to layer
    ``k``. Modules without parameters have no group (their weight gradient is NaN).

    Raises ``ValueError`` when no hooked module has a parameter.
    """
    groups = [LayerGroup(name, k, _params(module)) for k, (name, module) in enumerate(targets, start=1)
              if _params(module)]
    if not groups:
        raise ValueError("none of the hooked layers has a parameter: nothing to take gradients of")
    return groups
