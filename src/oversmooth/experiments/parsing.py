"""The building blocks of sweep-file validation: typed values, line numbers in errors, TOML reading.

Every check raises a one-line ``ValueError`` naming the file and line of the offending key
(tomllib reports no positions, so :class:`_Locator` finds them in the text).
"""

from __future__ import annotations

import ast
import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from .._params import LIMITS, check_value

__all__ = ["parse_options", "read_toml", "TRAINING_KEYS", "MAX_SEEDS"]

#: A seed count beyond this is a typo, not a plan (each seed is a full set of runs).
MAX_SEEDS = 10_000

# Keys of [training]: arguments of training.fit, the width of the hidden layers, and
# whether features are row-normalised first (the authors' preprocessing, default true).
TRAINING_KEYS = ("epochs", "patience", "lr", "weight_decay", "hidden_channels", "monitor",
                 "normalize_features")


class _Locator:
    """Finds the line of a key or value in the TOML text (tomllib reports no positions)."""

    def __init__(self, text: str | None, source: str) -> None:
        self.lines = text.splitlines() if text else []
        self.source = source

    def where(self, key: str, value: Any = None, table: str | None = None) -> str:
        line = self._find(key, value, table)
        return f"{self.source}:{line}" if line else self.source

    def _find(self, key, value, table) -> int | None:
        key_re = re.compile(rf'(^|[{{,])\s*["\']?{re.escape(key)}["\']?\s*=') if key else None
        value_re = (re.compile(rf'(?<![\w.-]){re.escape(_toml_repr(value))}(?![\w.-])')
                    if value is not None else None)
        header_re = re.compile(r"^\s*\[\[?\s*([^\]=]+?)\s*\]\]?\s*$")
        current, best = None, (-1, None)
        for number, raw in enumerate(self.lines, 1):
            text = raw.split("#", 1)[0]
            header = header_re.match(text)
            if header:
                current = header.group(1)
                if not key and current == table:
                    return number
                continue
            in_table = (current is None) if table is None else (
                current is not None and (current == table or current.startswith(f"{table}.")))
            has_key = bool(key_re and key_re.search(text))
            if value_re is not None:
                if not value_re.search(text):
                    continue
                score = 2 * has_key + in_table
            elif has_key:
                score = int(in_table)
            else:
                continue
            if score > best[0]:
                best = (score, number)
        return best[1]


def _toml_repr(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _unknown_key(key: str, allowed, where: str, what: str) -> ValueError:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ValueError(f"{where}: unknown key {key!r} in {what}{hint}; "
                      f"allowed: {', '.join(allowed)}")


def parse_options(text: str | dict | None) -> dict:
    """Turn ``"dropedge=0.3,residual"`` (or an inline table) into ``{"dropedge": 0.3,
    "residual": True}``; ``"none"`` and ``""`` mean no options."""
    if text is None:
        return {}
    if isinstance(text, dict):
        return dict(text)
    if not isinstance(text, str):
        raise ValueError(f"options must be a string like 'dropedge=0.3' or a table, got {text!r}")
    if text.strip().lower() in ("", "none"):
        return {}
    options: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not key:
            raise ValueError(f"option {item!r} is not of the form KEY=VALUE or KEY")
        if not sep:
            options[key] = True
            continue
        try:
            options[key] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            options[key] = {"true": True, "false": False}.get(value.strip().lower(), value.strip())
    return options


def _int_list(value, key: str, loc: _Locator, minimum: int) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool) and key == "seeds":
        if not 1 <= value <= MAX_SEEDS:
            raise ValueError(f"{loc.where(key)}: seeds = {value}: give a count from 1 to {MAX_SEEDS} or a list")
        return list(range(value))
    if not isinstance(value, list) or not value:
        raise ValueError(f"{loc.where(key)}: {key} must be a non-empty list of integers, "
                         f"got {value!r}")
    out = []
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool):
            raise ValueError(f"{loc.where(key)}: {key} must hold integers, got {item!r}")
        if item < minimum:
            raise ValueError(f"{loc.where(key)}: {key} must be >= {minimum}, got {item}")
        check_value(key.removesuffix("s"), item, int, loc.where(key))  # depth, seed: size limits
        out.append(item)
    if len(set(out)) != len(out):
        raise ValueError(f"{loc.where(key)}: {key} lists a value twice: {out}")
    return out


def _str_list(value, key: str, loc: _Locator) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{loc.where(key)}: {key} must be a list of names, got {value!r}")
    return list(value)


def _check_training(training, loc: _Locator, table: str) -> dict:
    if not isinstance(training, dict):
        raise ValueError(f"{loc.where('training')}: training must be a table, got {training!r}")
    for key, value in training.items():
        if key not in TRAINING_KEYS:
            raise _unknown_key(key, TRAINING_KEYS, loc.where(key, table=table), f"[{table}]")
        if key in ("epochs", "patience", "hidden_channels") and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{loc.where(key, table=table)}: {key} must be an integer >= 1, "
                             f"got {value!r}")
        if key in ("lr", "weight_decay") and (
                not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
            raise ValueError(f"{loc.where(key, table=table)}: {key} must be a number >= 0, "
                             f"got {value!r}")
        if key in LIMITS:
            check_value(key, value, int, loc.where(key, table=table))
        if key == "normalize_features" and not isinstance(value, bool):
            raise ValueError(f"{loc.where(key, table=table)}: normalize_features must be true "
                             f"or false, got {value!r}")
        if key == "monitor" and value not in ("val_loss", "val_acc"):
            raise ValueError(f"{loc.where(key, table=table)}: monitor must be 'val_loss' or "
                             f"'val_acc', got {value!r}")
    return dict(training)


def _check_name(name: str, known: list[str], kind: str, key: str, loc: _Locator) -> str:
    if name in known:
        return name
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{loc.where(key, value=name)}: unknown {kind} {name!r}{hint}; "
                     f"known: {', '.join(known)}")


def _backward_epochs(value: Any, loc: _Locator) -> list:
    """Epochs (0 = at initialisation) and/or "best" at which backward metrics are stored."""
    items = value if isinstance(value, list) else [value]
    epochs: list = []
    for item in items:
        if item == "best" or (isinstance(item, int) and not isinstance(item, bool) and item >= 0):
            if item not in epochs:
                epochs.append(item)
        else:
            raise ValueError(f"{loc.where('backward_epochs')}: backward_epochs takes integers "
                             f">= 0 and \"best\", got {item!r}")
    return epochs


def read_toml(path: str | Path) -> tuple[dict, str]:
    """The parsed content and the text of a TOML file (one-line errors when unreadable)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file {path} not found")
    text = path.read_text()
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
