"""Named sweeps of the literature, as TOML data files inside the package.

``data/presets/<name>.toml`` is a sweep file (the keys of
:mod:`oversmooth.experiments.config`). A preset may name a ``base`` preset and list only
what it changes: its keys replace the base's, its ``[training]``, ``[options]`` and
``[dataset_params]`` tables are merged into the base's, and each of its ``[[variants]]``
entries changes the base's variant with the same ``label``.

This module returns plain dicts: it is data, read by :mod:`oversmooth.experiments.presets`,
which validates them into a :class:`~oversmooth.experiments.config.SweepConfig`
(``oversmooth.experiments.preset(name)``). Importing the config parser here would make
the literature depend on the experiments package that reads it.

>>> from oversmooth.literature import preset, preset_names
>>> preset_names()
['hetero-bank', 'table3', 'table3-quick', 'table3-tuned']
>>> preset("table3-quick")["seeds"]
1
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

__all__ = ["PRESETS", "PRESET_DIR", "preset", "preset_names", "preset_path"]

PRESET_DIR = Path(__file__).resolve().parent / "data" / "presets"
_MERGED_TABLES = ("training", "options", "dataset_params")


def preset_names() -> list[str]:
    """The names of the presets, sorted."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def preset_path(name: str) -> Path:
    """The data file of preset ``name``."""
    path = PRESET_DIR / f"{name}.toml"
    if not path.is_file():
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(preset_names())}")
    return path


def _merge_variants(base: list[dict], changes: list[dict], where: str) -> list[dict]:
    merged = copy.deepcopy(base)
    by_label = {v.get("label"): v for v in merged}
    for change in changes:
        label = change.get("label")
        if label not in by_label:
            raise ValueError(f"{where}: variant {label!r} is not a variant of the base preset "
                             f"(labels: {', '.join(map(str, by_label))})")
        target = by_label[label]
        for key, value in change.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = copy.deepcopy(value)
    return merged


def _resolve(name: str, seen: tuple[str, ...] = ()) -> dict:
    if name in seen:
        raise ValueError(f"preset {name!r}: base presets form a cycle ({' -> '.join(seen)})")
    path = preset_path(name)
    with open(path, "rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from None
    base_name = raw.pop("base", None)
    if base_name is None:
        return raw
    config = _resolve(base_name, seen + (name,))
    for key, value in raw.items():
        if key == "variants":
            config["variants"] = _merge_variants(config.get("variants", []), value, str(path))
        elif key in _MERGED_TABLES and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return config


def preset(name: str) -> dict:
    """The configuration of preset ``name`` as a plain dict (base presets resolved; a
    fresh copy, safe to change)."""
    if name not in PRESETS:
        preset_path(name)  # raises, naming the presets
    return copy.deepcopy(PRESETS[name])


#: ``{name: configuration dict}`` of every preset (base presets resolved).
PRESETS: dict[str, dict] = {name: _resolve(name) for name in preset_names()}
