"""The literature: published numbers, named sweeps (presets) and the claims in circulation.

Data, not measurements: every number here was published by someone else, with its source.

* :mod:`.published`: one table of published numbers (``data/published.toml``), each with
  its source and whether it was checked against it:
  ``from oversmooth.literature.published import published; published("cora", "GCN", 8)``
  (the function is not re-exported here: ``literature.published`` is the module).
* :mod:`.presets`: the named sweeps as TOML files (``data/presets/``), returned as plain
  dicts; :func:`oversmooth.experiments.preset` validates them into a sweep configuration.
* :mod:`.claims`: claims about deep GNNs (``data/claims.toml``: text, source, the numbers
  they assert) and the rule that gives each a verdict from a store's measurements.

Nothing here trains or imports the experiments or report packages; submodules load on
first use, so ``import oversmooth.literature`` is cheap.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "number": ("published", "number"),
    "numbers": ("published", "numbers"),
    "sources": ("published", "sources"),
    "canonical_label": ("published", "canonical_label"),
    "PublishedNumber": ("published", "PublishedNumber"),
    "PUBLISHED": ("published", "PUBLISHED"),
    "SOURCES": ("published", "SOURCES"),
    "ROW_ORDER": ("published", "ROW_ORDER"),
    "preset": ("presets", "preset"),
    "preset_names": ("presets", "preset_names"),
    "preset_path": ("presets", "preset_path"),
    "PRESETS": ("presets", "PRESETS"),
    "CLAIMS": ("claims", "CLAIMS"),
    "Claim": ("claims", "Claim"),
    "ClaimSpec": ("claims", "ClaimSpec"),
    "Measurements": ("claims", "Measurements"),
    "evaluate": ("claims", "evaluate"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
