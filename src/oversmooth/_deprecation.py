"""Deprecated names kept for one release (listed in CHANGELOG.md)."""

from __future__ import annotations

import functools
import warnings

__all__ = ["renamed", "moved"]

_UNSET = object()


def renamed(old: str, new: str, old_value, new_value, default, where: str):
    """The value of a keyword renamed from ``old`` to ``new``: ``old_value`` (with a
    ``DeprecationWarning``) when given, else ``new_value`` (``default`` when neither is)."""
    if old_value is not None:
        if new_value is not None and new_value != default and new_value != old_value:
            raise ValueError(f"{where}: pass {new}= only ({old}= is its deprecated name)")
        warnings.warn(f"{where}({old}=...) is deprecated; use {new}=...", DeprecationWarning, stacklevel=3)
        return old_value
    return default if new_value is None else new_value


def moved(function, old: str, new: str):
    """``function`` under its deprecated name ``old`` (a dotted path): calling it warns with a
    ``DeprecationWarning`` naming ``new`` and returns what ``function`` returns."""

    @functools.wraps(function)
    def alias(*args, **kwargs):
        warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=2)
        return function(*args, **kwargs)

    alias.__doc__ = f"Deprecated alias of :func:`{new}` (kept for one release).\n\n{function.__doc__ or ''}"
    return alias
