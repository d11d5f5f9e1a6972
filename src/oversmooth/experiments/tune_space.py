"""Search spaces of :mod:`.tune`: data per model family, checked by name before a search.

The shipped spaces are ``data/search_spaces.toml`` (next to this module: a space says
how to search, not what was published, so it lives with the experiments that use it;
the authors' values it must contain come from :func:`oversmooth.models.defaults`). A
sweep file changes them per row label or model in ``[tune.space.<label or model>]``::

    [tune.space.GCN]
    lr = { low = 0.005, high = 0.02, log = true }   # a float range
    hidden_channels = { choices = [64, 128] }       # a choice
    patience = 100                                  # fixed: not searched
    operator = "off"                                # not searched: the row's own value

>>> space = search_space("gcn", {"dropedge": 0.3})
>>> sorted(space)[:4]
['dropedge', 'dropout', 'epochs', 'hidden_channels']
>>> space["lr"]
{'low': 0.001, 'high': 0.05, 'log': True}
"""

from __future__ import annotations

import difflib
import tomllib
from functools import lru_cache
from pathlib import Path

from .parsing import TRAINING_KEYS, _check_training

__all__ = ["SPACES_PATH", "search_space", "check_space", "distributions", "inside",
           "MITIGATION_RATES", "split_params"]

SPACES_PATH = Path(__file__).resolve().parent / "data" / "search_spaces.toml"

#: Options searched only for rows that turn the mitigation on.
MITIGATION_RATES = ("dropedge", "dropnode", "dropmessage")
_SEARCHED_TRAINING = ("lr", "weight_decay", "hidden_channels", "epochs", "patience")
_RANGE_KEYS = ("low", "high", "log", "int")
#: Hyperparameters that are probabilities or mixing weights: values in [0, 1].
PROBABILITIES = ("dropout", "input_dropout", "dropedge", "dropnode", "dropmessage",
                 "edge_dropout", "alpha")


@lru_cache(maxsize=1)
def _families() -> dict[str, dict]:
    with open(SPACES_PATH, "rb") as handle:
        return tomllib.load(handle)


def _family(model: str) -> dict:
    for family in _families().values():
        if model in family["models"]:
            return {k: v for k, v in family.items() if k != "models"}
    return {}


def check_entry(model: str, key: str, entry, where: str) -> None:
    """One hyperparameter's entry: a known name, a sane range or non-empty choices, values
    the model or ``fit`` accepts. Raises a one-line ``ValueError`` naming ``key``."""
    from .. import models

    options = models.accepted_options(models.model_class(model))
    known = list(_SEARCHED_TRAINING) + [o for o in options if o not in ("adjacency", "norm_options")]
    if key not in known:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{where}: unknown hyperparameter {key!r} for model {model!r}{hint}; "
                         f"searchable: {', '.join(known)}")
    if isinstance(entry, dict):
        extra = [k for k in entry if k not in (*_RANGE_KEYS, "choices")]
        if extra or ("choices" in entry and len(entry) > 1):
            raise ValueError(f"{where}: {key} = {entry!r}: give {{ low, high[, log, int] }} or "
                             f"{{ choices = [...] }}")
        if "choices" in entry:
            values = entry["choices"]
            if not isinstance(values, list) or not values:
                raise ValueError(f"{where}: {key}: choices must be a non-empty list, got {values!r}")
        else:
            low, high = entry.get("low"), entry.get("high")
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
            if not numbers or not low < high:
                raise ValueError(f"{where}: {key}: bad range low = {low!r}, high = {high!r}; "
                                 "need numbers with low < high")
            if entry.get("log") and low <= 0:
                raise ValueError(f"{where}: {key}: a log range needs low > 0, got {low!r}")
            if entry.get("int") and not (isinstance(low, int) and isinstance(high, int)):
                raise ValueError(f"{where}: {key}: an integer range needs integer bounds")
            values = [low, high]
    else:
        values = [entry]
    for value in values:  # every value the search may try is one the model or fit accepts
        if key in PROBABILITIES and isinstance(value, (int, float)) and not 0 <= value <= 1:
            raise ValueError(f"{where}: {key}: {value!r} is outside [0, 1]")
        try:
            if key in TRAINING_KEYS:
                _check_training({key: value}, _NoLines(where), "tune.space")
            else:
                models.check_options(model, {key: value})
        except ValueError as exc:
            raise ValueError(f"{where}: {key}: {str(exc).split(': ', 1)[-1]}") from None


class _NoLines:
    def __init__(self, where: str) -> None:
        self.source = where

    def where(self, *_args, **_kwargs) -> str:
        return self.source


def search_space(model: str, options: dict | None = None, override: dict | None = None,
                 where: str = "tune.space") -> dict:
    """The space searched for a row of ``model`` with ``options``: the family's entries,
    changed by ``override`` (``"off"`` removes one), mitigation rates only where ``options``
    turn them on, every entry checked (:func:`check_entry`)."""
    options = options or {}
    space = _family(model)
    for key, entry in (override or {}).items():
        if entry == "off":
            space.pop(key, None)
            continue
        check_entry(model, key, entry, where)
        space[key] = entry
    for rate in MITIGATION_RATES:
        if rate in space and not options.get(rate):
            space.pop(rate)
    for key, entry in space.items():
        check_entry(model, key, entry, where)
    return space


def check_space(space: dict, where: str = "tune.space") -> None:
    """A space must search something."""
    if not any(isinstance(e, dict) for e in space.values()):
        raise ValueError(f"{where}: the search space is empty (no range or choices to search)")


def distributions(space: dict) -> dict:
    """Optuna distributions of the searched entries (fixed values are not searched)."""
    from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                      IntDistribution)

    out = {}
    for key, entry in space.items():
        if not isinstance(entry, dict):
            continue
        if "choices" in entry:
            out[key] = CategoricalDistribution(list(entry["choices"]))
        elif entry.get("int"):
            out[key] = IntDistribution(entry["low"], entry["high"], log=bool(entry.get("log")))
        else:
            out[key] = FloatDistribution(float(entry["low"]), float(entry["high"]),
                                         log=bool(entry.get("log")))
    return out


def fixed_values(space: dict) -> dict:
    """The entries given as plain values (set on every trial, not searched)."""
    return {k: v for k, v in space.items() if not isinstance(v, dict)}


def inside(space: dict, params: dict) -> bool:
    """Whether ``params`` (a value for every searched entry) lies in ``space``."""
    for key, entry in space.items():
        if not isinstance(entry, dict):
            continue
        if key not in params:
            return False
        value = params[key]
        if "choices" in entry:
            if value not in entry["choices"]:
                return False
        elif not (isinstance(value, (int, float)) and entry["low"] <= value <= entry["high"]):
            return False
    return True


def split_params(params: dict) -> tuple[dict, dict]:
    """``(training, options)``: a trial's parameters as training keys and model options."""
    training = {k: v for k, v in params.items() if k in TRAINING_KEYS}
    return training, {k: v for k, v in params.items() if k not in TRAINING_KEYS}
