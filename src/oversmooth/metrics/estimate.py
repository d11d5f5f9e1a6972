"""A sampled value with its standard error."""

from __future__ import annotations

import warnings
from typing import NamedTuple

__all__ = ["Estimate"]


class Estimate(NamedTuple):
    """A metric's value and the standard error of that value (0.0 when it is exact).

    The O(N^2) metrics are exact up to ``MAX_EXACT`` rows and estimated from samples above;
    their ``*_estimate`` functions return this, the plain functions the value alone.
    """

    value: float
    stderr: float

    @property
    def exact(self) -> bool:
        return self.stderr == 0.0


def legacy(estimate: Estimate, return_stderr: bool | None, name: str):
    """The value, or for the deprecated ``return_stderr=True`` the ``(value, stderr)`` tuple."""
    if return_stderr is None:
        return estimate.value
    warnings.warn(f"{name}(return_stderr=...) is deprecated; use {name}_estimate(...)", DeprecationWarning,
                  stacklevel=3)
    return tuple(estimate) if return_stderr else estimate.value
