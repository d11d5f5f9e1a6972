"""Published numbers: one table, each number with its source and whether it was checked.

The numbers live in ``data/published.toml`` (package data), one entry per number:
the published table it belongs to (``"table3"``: accuracy vs depth, the DropEdge README's
rows as reprinted in Table 3 of the GCNII paper; ``"best"``: each paper's headline
result), dataset, row label, depth, metric, value, source (a paper or repository, in
words) and ``checked`` (compared with a copy of the source when entered, or not).

>>> from oversmooth.literature.published import number, published
>>> published("cora", "GCN+DropEdge", 8)               # the table3 row of the DropEdge README
75.8
>>> published("cora", "GCN", 2, table="best")          # Kipf & Welling
81.5
>>> number("cora", "GCNII*", 64).checked                # recorded from memory
False

Rows the literature does not print at some depth (JKNet and IncepGCN at 2 layers) or at
all (ResGCN, APPNP and SGC: no accuracy-vs-depth row here) have no entry: ``None``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PublishedNumber", "numbers", "number", "published", "sources", "canonical_label",
           "PUBLISHED", "SOURCES", "ROW_ORDER", "DEPTHS", "TABLES", "DATA_FILE"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "published.toml"

_ENTRY_KEYS = {"table", "dataset", "label", "depth", "metric", "value", "source", "checked"}
_OPTIONAL_KEYS = {"note"}


@dataclass(frozen=True)
class PublishedNumber:
    """One published number.

    Attributes:
        table: the published table it belongs to (a key of :data:`TABLES`).
        dataset: lower-case dataset name (``"cora"``).
        label: the row name as printed (``"GCN+DropEdge"``).
        depth: layers (propagation steps ``K`` for SGC and APPNP).
        metric: ``"test_acc"`` (percent).
        value: the number.
        source: the paper or repository, in words.
        source_short: the source's short name (``"DropEdge README"``).
        checked: True when compared with a copy of the source when entered; False when
            not (the GCNII paper's GCNII and GCNII* rows were recorded from memory).
        note: anything else worth knowing, or ``""``.
    """

    table: str
    dataset: str
    label: str
    depth: int
    metric: str
    value: float
    source: str
    source_short: str
    checked: bool
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str, int, str]:
        return (self.table, self.dataset, self.label, self.depth, self.metric)


def _load(path: Path = DATA_FILE) -> tuple[tuple[PublishedNumber, ...], dict, dict]:
    """Read and check the data file: known keys and sources, unique entries, non-empty
    citations that name a paper or repository (never a file of this project's docs)."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    where = str(path)
    srcs = raw.get("sources", {})
    tables = raw.get("tables", {})
    for key, src in srcs.items():
        citation = str(src.get("citation", "")).strip()
        if not citation or not str(src.get("short", "")).strip():
            raise ValueError(f"{where}: source {key!r} needs a citation and a short name")
        if "shared/docs" in citation or citation.endswith(".md"):
            raise ValueError(f"{where}: source {key!r} cites a file, not a paper or repository")
    out, seen = [], set()
    for i, entry in enumerate(raw.get("numbers", [])):
        missing = _ENTRY_KEYS - set(entry)
        unknown = set(entry) - _ENTRY_KEYS - _OPTIONAL_KEYS
        if missing or unknown:
            raise ValueError(f"{where}: entry {i} ({entry}): missing {sorted(missing)}, "
                             f"unknown {sorted(unknown)}")
        if entry["source"] not in srcs:
            raise ValueError(f"{where}: entry {i}: unknown source {entry['source']!r}")
        if entry["table"] not in tables:
            raise ValueError(f"{where}: entry {i}: unknown table {entry['table']!r}")
        if not isinstance(entry["checked"], bool):
            raise ValueError(f"{where}: entry {i}: checked must be true or false")
        src = srcs[entry["source"]]
        num = PublishedNumber(entry["table"], entry["dataset"].lower(), entry["label"],
                              int(entry["depth"]), entry["metric"], float(entry["value"]),
                              src["citation"], src["short"], entry["checked"],
                              entry.get("note", ""))
        lower = (num.table, num.dataset, num.label.lower(), num.depth, num.metric)
        if lower in seen:  # labels are looked up in any case
            raise ValueError(f"{where}: entry {i}: {num.key} appears twice")
        seen.add(lower)
        out.append(num)
    return tuple(out), srcs, tables


_NUMBERS, _SOURCES, TABLES = _load()
_INDEX = {(n.table, n.dataset, n.label.lower(), n.depth, n.metric): n for n in _NUMBERS}

#: The order of rows in the literature's accuracy-vs-depth table (GCNII paper, Table 3).
ROW_ORDER: tuple[str, ...] = tuple(TABLES["table3"]["row_order"])
#: The depths of that table.
DEPTHS: tuple[int, ...] = tuple(TABLES["table3"]["depths"])
_BY_LOWER = {label.lower(): label for label in ROW_ORDER}


def numbers(table: str | None = None, dataset: str | None = None) -> tuple[PublishedNumber, ...]:
    """Every published number, in the data file's order (optionally of one table or
    dataset)."""
    return tuple(n for n in _NUMBERS if (table is None or n.table == table)
                 and (dataset is None or n.dataset == dataset.lower()))


def canonical_label(label: str) -> str:
    """The literature's row name for a label: ``"gcn+dropedge=0.3"`` -> ``"GCN+DropEdge"``,
    ``"jknet"`` -> ``"JKNet"``; other labels come back unchanged."""
    bare = "+".join(part.split("=", 1)[0] for part in label.lower().split("+"))
    return _BY_LOWER.get(bare, label)


def number(dataset: str, label: str, depth: int, table: str = "table3",
           metric: str = "test_acc") -> PublishedNumber | None:
    """The published entry of ``label`` at ``depth`` on ``dataset`` (labels as in
    :func:`published`), or None."""
    if table not in TABLES:
        raise ValueError(f"unknown published table {table!r}; tables: {', '.join(TABLES)}")
    return _INDEX.get((table, dataset.lower(), canonical_label(label).lower(), int(depth), metric))


def published(dataset: str, label: str, depth: int, table: str = "table3",
              metric: str = "test_acc") -> float | None:
    """The published test accuracy (%) of ``label`` (any case; option values ignored, so
    ``gcn+dropedge=0.3`` finds the GCN+DropEdge row) at ``depth`` on ``dataset``, or None.
    ``table="best"`` looks among each paper's headline results instead."""
    found = number(dataset, label, depth, table, metric)
    return None if found is None else found.value


def sources(table: str = "table3") -> dict[tuple[str, str], str]:
    """``{(dataset, label): citation}`` of every row of ``table``."""
    return {(n.dataset, n.label): n.source for n in numbers(table)}


#: ``{(dataset, label, depth): value}`` of the accuracy-vs-depth table (table3).
PUBLISHED: dict[tuple[str, str, int], float] = {
    (n.dataset, n.label, n.depth): n.value for n in numbers("table3")}
#: ``{(dataset, label): citation}`` of the accuracy-vs-depth table (table3).
SOURCES: dict[tuple[str, str], str] = sources("table3")
