"""Model registry: :func:`build`, :func:`available`, :func:`defaults`.

Models are imported lazily from ``"module:Class"`` so that importing the registry stays
cheap and a model's module is loaded only when it is built.
"""

from __future__ import annotations

import importlib
import inspect
import typing

from torch import nn

from .._params import check_value

__all__ = ["MODELS", "build", "available", "defaults", "model_class", "accepted_options", "check_options",
           "TRAINING_KEYS", "is_hetero_model"]

#: name -> "module:Class" (module relative to ``oversmooth.models``), plus fixed options.
MODELS: dict[str, tuple[str, dict]] = {
    "mlp": ("mlp:MLP", {}),
    "gcn": ("gcn:GCN", {}),
    "gat": ("gat:GAT", {}),
    "sage": ("sage:SAGE", {}),
    "gin": ("gin:GIN", {}),
    "resgcn": ("gcn:ResGCN", {}),
    "densegcn": ("gcn:DenseGCN", {}),
    "jknet": ("gcn:JKNet", {}),
    "incepgcn": ("incepgcn:IncepGCN", {}),
    "gcnii": ("gcnii:GCNII", {}),
    "gcnii*": ("gcnii:GCNIIStar", {}),
    "appnp": ("appnp:APPNPNet", {}),
    "sgc": ("sgc:SGC", {}),
    "dagnn": ("dagnn:DAGNN", {}),
    "gprgnn": ("gprgnn:GPRGNN", {}),
    "g2": ("g2:G2", {}),
    "gps": ("gps:GPS", {}),
    "transformer": ("transformer:GraphTransformer", {}),
    "nsd": ("nsd:NSD", {}),
    "graphormer": ("graphormer:Graphormer", {}),
    # heterogeneous (HeteroData): metadata and target_node_type come from the graph
    "rgcn": ("rgcn:RGCN", {}),
    "hgt": ("hgt:HGT", {}),
    "hetero-gcn": ("to_hetero:HeteroGCN", {}),
    "hetero-sage": ("to_hetero:HeteroSAGE", {}),
    "hetero-gat": ("to_hetero:HeteroGAT", {}),
    "hetero-gin": ("to_hetero:HeteroGIN", {}),
}

#: Keys of a model's ``defaults`` that configure training, not the model (``normalize_features``:
#: whether :func:`oversmooth.training.train` row-normalises the features; True when absent).
TRAINING_KEYS = ("lr", "weight_decay", "epochs", "patience", "normalize_features")
_SIZE_KEYS = ("in_channels", "hidden_channels", "out_channels", "depth")


def is_hetero_model(name_or_class) -> bool:
    """Whether a zoo model (a name or a class) takes a HeteroData (``rgcn``, ``hgt``, ``hetero-*``)."""
    cls = model_class(name_or_class) if isinstance(name_or_class, str) else name_or_class
    return bool(getattr(cls, "hetero", False))


def available() -> list[str]:
    """Names accepted by :func:`build`, in the order of the issue."""
    return list(MODELS)


def _check_name(name: str) -> str:
    key = str(name).lower()
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return key


def model_class(name: str) -> type[nn.Module]:
    """The class behind a registered name (imports its module)."""
    target, _ = MODELS[_check_name(name)]
    module, cls = target.split(":")
    return getattr(importlib.import_module(f"oversmooth.models.{module}"), cls)


def _option_annotations(cls: type) -> dict:
    """``{option: annotation}`` of ``cls.__init__`` (following ``**options`` up the hierarchy)."""
    found: dict = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        try:
            hints = typing.get_type_hints(init)
        except Exception:  # noqa: BLE001 -- unresolvable annotations: names only
            hints = {}
        for p in params:
            if (p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in ("self", *_SIZE_KEYS)
                    and p.name not in found):
                found[p.name] = hints.get(p.name, inspect.Parameter.empty)
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return found


def accepted_options(cls: type) -> list[str]:
    """Keyword options of ``cls.__init__`` (following ``**options`` up the class hierarchy)."""
    return list(_option_annotations(cls))


def check_options(name: str, options: dict, where: str = "") -> dict:
    """Model ``name``'s ``options`` checked by name and type before anything is built: an
    unknown option or a value of the wrong type is a one-line ``ValueError``."""
    key = _check_name(name)
    annotations = _option_annotations(model_class(key))
    unknown = [k for k in options if k not in annotations]
    if unknown:
        raise ValueError(f"{where + ': ' if where else ''}option {unknown[0]!r} does not apply to model "
                         f"{key!r}; accepted: {', '.join(annotations) or 'none'}")
    return {k: check_value(k, v, annotations[k], where or key) for k, v in options.items()}


def defaults(name: str) -> dict:
    """A copy of the authors' Cora hyperparameters of a model (model and training keys)."""
    values = dict(getattr(model_class(name), "defaults", {}))
    values.update(MODELS[_check_name(name)][1])
    return values


def build(name: str, in_channels: int, hidden_channels: int | None, out_channels: int, depth: int,
          **options) -> nn.Module:
    """Instantiate a zoo model by name.

    ``hidden_channels=None`` and model options not given take the model's
    :func:`defaults` (training keys such as ``lr`` are ignored here; they belong to
    :func:`oversmooth.training.fit`). An option the model does not have raises a
    ``ValueError`` naming it and listing the accepted ones.

    Heterogeneous models (:func:`is_hetero_model`) take ``in_channels`` as one width, a
    ``{node type: width}`` dict or ``-1`` (widths read on the first forward pass), and the
    options ``metadata=data.metadata()`` and ``target_node_type`` (the type to classify);
    :func:`oversmooth.training.build_seeded` fills all three from a HeteroData.
    """
    key = _check_name(name)
    cls = model_class(key)
    accepted = accepted_options(cls)
    options = check_options(key, options)
    model_defaults = defaults(key)
    if hidden_channels is None:
        hidden_channels = model_defaults.get("hidden_channels", 64)
    hetero = is_hetero_model(cls)
    for size, value in (("in_channels", in_channels), ("hidden_channels", hidden_channels),
                        ("out_channels", out_channels), ("depth", depth)):
        # a heterogeneous model's in_channels may be {node type: width} (the model checks it)
        check_value(size, value, int | dict if hetero and size == "in_channels" else int, key)
    for option, value in model_defaults.items():
        if option in accepted and option not in options:
            options[option] = value
    return cls(in_channels, hidden_channels, out_channels, depth, **options)
