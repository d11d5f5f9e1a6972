"""Optional dependencies: one error that names the extra to install."""

from __future__ import annotations

import importlib

__all__ = ["MissingExtra", "require"]


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def require(module: str, extra: str, purpose: str):
    """Import ``module``, or raise :class:`MissingExtra` saying ``purpose`` needs ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{purpose} needs {module}, an optional extra: "
                           f"pip install 'oversmooth[{extra}]'") from None
