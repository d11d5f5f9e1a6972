"""Typed parameters checked by name at the boundary, before anything runs.

Generator parameters (``-p``), model options and training settings (``-o``, configs) are
checked against the annotations of the function that takes them, and against the limits
below, so ``num_nodes=abc`` or ``depth=10**20`` is refused up front with one line naming the
parameter, instead of failing inside a run (or in every run of a sweep).
"""

from __future__ import annotations

import inspect
import math
import types
import typing
from typing import Any, Callable

__all__ = ["LIMITS", "check_value", "check_arguments"]

#: Inclusive ranges of the sizes that decide memory and time, with why they stop there.
LIMITS: dict[str, tuple[float, float, str]] = {
    "num_nodes": (1, 100_000_000, "a graph of more nodes does not fit in memory here"),
    "num_features": (1, 1_000_000, "the feature matrix would not fit in memory"),
    "num_classes": (1, 100_000, ""),
    "depth": (1, 1024, "deeper stacks than 1024 layers are not a use this tool serves"),
    "hidden_channels": (1, 65_536, "a wider layer would not fit in memory"),
    "epochs": (1, 10_000_000, ""),
    "patience": (1, 10_000_000, ""),
    "seed": (0, 2**63 - 1, "seeds are stored as 64-bit integers"),
    "heads": (1, 1024, ""),
}


_NAMES = {int: "an integer", float: "a finite number", bool: "true or false", str: "a string",
          dict: "a table of key = value", type(None): "none"}


def _type_name(annotation) -> str:
    if annotation in _NAMES:
        return _NAMES[annotation]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(_type_name(a) for a in typing.get_args(annotation)))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return "a list" + (f" of {_type_name(args[0]).removeprefix('an ').removeprefix('a ')}s" if args else "")
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _matches(value, annotation) -> tuple[bool, Any]:
    """Whether ``value`` fits ``annotation`` and the value to use (ints widen to floats)."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True, value
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arm in typing.get_args(annotation):
            ok, out = _matches(value, arm)
            if ok:
                return True, out
        return False, value
    if annotation is type(None):
        return value is None, value
    if annotation is bool:
        return isinstance(value, bool), value
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, value
        return math.isfinite(value), float(value)
    if annotation is str:
        return isinstance(value, str), value
    if origin in (list, tuple) or annotation in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False, value
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        if args:
            items = [_matches(v, args[0]) for v in value]
            if not all(ok for ok, _ in items):
                return False, value
            value = type(value)(v for _, v in items)
        return True, value
    if origin is dict or annotation is dict:
        return isinstance(value, dict), value
    return True, value  # an annotation this checker does not know: the callee checks


def check_value(name: str, value, annotation=inspect.Parameter.empty, where: str = "") -> Any:
    """``value`` if it fits ``annotation`` and :data:`LIMITS`, else a one-line ``ValueError``."""
    prefix = f"{where}: " if where else ""
    ok, out = _matches(value, annotation)
    if not ok:
        raise ValueError(f"{prefix}{name} must be {_type_name(annotation)}, got {value!r}")
    if name in LIMITS and isinstance(out, (int, float)) and not isinstance(out, bool):
        low, high, why = LIMITS[name]
        if out < low:
            kind = "an integer" if isinstance(out, int) else "a number"
            raise ValueError(f"{prefix}{name} must be {kind} >= {low}, got {out!r}")
        if out > high:
            reason = f" ({why})" if why else ""
            raise ValueError(f"{prefix}{name} must be at most {high:,}{reason}, got {out!r}")
    return out


def _hints(fn: Callable) -> dict:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 -- unresolvable annotations: check names only
        return {}


def check_arguments(fn: Callable, params: dict, where: str = "", skip: tuple[str, ...] = ()) -> dict:
    """``params`` checked against the keyword parameters of ``fn``: known names, right types,
    within :data:`LIMITS`. Returns them (ints given for floats widened)."""
    signature = inspect.signature(fn)
    hints = _hints(fn)
    out = {}
    for name, value in params.items():
        if name in skip:
            out[name] = value
            continue
        parameter = signature.parameters.get(name)
        annotation = hints.get(name, inspect.Parameter.empty) if parameter is not None else inspect.Parameter.empty
        out[name] = check_value(name, value, annotation, where)
    return out
