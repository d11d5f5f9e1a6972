"""Named sweeps as validated configurations: ``preset("table3-quick")``.

The presets themselves are data files of :mod:`oversmooth.literature.presets`
(``table3``: the accuracy-vs-depth table of the literature, 5 seeds and the authors'
budget; ``table3-quick``: the same grid with one seed and a smaller budget; ``hetero-bank``:
heterogeneous models on the synthetic bank against homogeneous ones on it flattened); each file's
comments give its settings and why. This module turns them into
:class:`~.config.SweepConfig` objects with the same checks as a ``--config`` file.
"""

from __future__ import annotations

from ..literature import presets as _literature
from .config import SweepConfig, config_from_dict

__all__ = ["PRESETS", "preset", "preset_names", "preset_dict"]

#: ``{name: configuration dict}`` (the literature's presets, base presets resolved).
PRESETS = _literature.PRESETS
preset_names = _literature.preset_names


def preset_dict(name: str) -> dict:
    """The raw configuration of preset ``name`` (to combine with flags)."""
    return _literature.preset(name)


def preset(name: str) -> SweepConfig:
    """The validated :class:`SweepConfig` of preset ``name``."""
    return config_from_dict(preset_dict(name), source=f"preset {name}")
