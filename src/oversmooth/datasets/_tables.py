"""Tables as a heterogeneous graph: the one featurisation that :func:`from_sqlite` and
:func:`bank` share, so a generated graph and its database read back are the same graph.

A :class:`Table` is a table's rows in node order, its primary-key values, its foreign keys
already resolved to row numbers of the parent table, and its other columns: float64 (NaN
for NULL, integers included) or object arrays (``str`` or ``None``).

Features (:func:`column_features`), per column in table order:

* numbers are standardised to mean 0 and standard deviation 1 over the non-NULL values (a
  constant column becomes 0); NULL becomes 0, and a column with NULLs gets an indicator
  column ``<column>=NULL`` (1.0 where the value was NULL);
* text is one-hot over its ``max_categories`` most frequent values (ties broken by value),
  one column ``<column>=<value>`` each; a rarer value or NULL is all zeros;
* a column that is NULL in every row gives nothing; a table left without feature columns
  gets one constant column ``constant`` of ones, so every node type has ``x``.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import HeteroData

from .._atomic import check_output_file, write_bytes

__all__ = ["Table", "column_features", "graph", "split_masks", "write_sqlite"]


@dataclass
class Table:
    """One table: ``keys`` (primary-key values, node order), ``columns`` (name -> values) and
    ``foreign`` (column -> (parent table, parent row per row, -1 where NULL))."""

    name: str
    key: str
    keys: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    foreign: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.keys)


def column_features(name: str, values: np.ndarray, max_categories: int) -> tuple[np.ndarray, list[str]]:
    """The feature columns of one table column and their names (rules in the module docstring)."""
    n = len(values)
    if values.dtype == object:
        counts = Counter(v for v in values if v is not None)
        kept = sorted(counts, key=lambda v: (-counts[v], v))[:max_categories]
        index = {v: i for i, v in enumerate(kept)}
        codes = np.fromiter((index.get(v, -1) for v in values), np.int64, n)
        out = np.zeros((n, len(kept)))
        hit = np.flatnonzero(codes >= 0)
        out[hit, codes[hit]] = 1.0
        return out, [f"{name}={v}" for v in kept]
    values = values.astype(np.float64)
    missing = np.isnan(values)
    if missing.all():
        return np.zeros((n, 0)), []
    present = values[~missing]
    std = present.std()
    scaled = (values - present.mean()) / std if std > 0 else np.zeros(n)
    scaled[missing] = 0.0
    if not missing.any():
        return scaled[:, None], [name]
    return np.stack([scaled, missing.astype(np.float64)], axis=1), [name, f"{name}=NULL"]


def _features(table: Table, skip: str | None, max_categories: int) -> tuple[torch.Tensor, list[str]]:
    parts, names = [], []
    for column, values in table.columns.items():
        if column != skip:
            part, part_names = column_features(column, values, max_categories)
            parts.append(part)
            names += part_names
    if not names:
        return torch.ones(len(table), 1), ["constant"]
    return torch.from_numpy(np.concatenate(parts, axis=1).astype(np.float32)), names


def _labels(table: Table, column: str) -> tuple[np.ndarray, list]:
    """Class ids (classes in sorted order) of a label column; one-line errors for NULLs or
    real numbers, which are not classes."""
    values = table.columns[column]
    where = f"target {table.name}.{column}"
    if values.dtype == object:
        missing = np.array([v is None for v in values], bool)
    else:
        missing = np.isnan(values)
    if missing.any():
        first = table.keys[np.flatnonzero(missing)[0]]
        raise ValueError(f"{where} is NULL in {int(missing.sum())} of {len(values)} rows (first at "
                         f"{table.name}.{table.key} = {first!r}); every target row needs a label")
    if values.dtype != object and not np.all(values == np.round(values)):
        raise ValueError(f"{where} holds real numbers; labels must be classes (integers or text)")
    classes, y = np.unique(values, return_inverse=True)
    if values.dtype != object:
        classes = classes.astype(np.int64)
    return y.astype(np.int64), classes.tolist()


def split_masks(y: np.ndarray, train_fraction: float, val_fraction: float, seed: int):
    """Stratified random train/val/test masks: per class, ``round(fraction * size)`` nodes
    to train and to val (in that order of a seeded permutation), the rest to test."""
    for name, value in (("train_fraction", train_fraction), ("val_fraction", val_fraction)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    if train_fraction + val_fraction > 1.0:
        raise ValueError(f"train_fraction + val_fraction must be at most 1, got "
                         f"{train_fraction} + {val_fraction}")
    rng = np.random.default_rng(seed)
    masks = np.zeros((3, len(y)), bool)
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_train = round(train_fraction * len(members))
        n_val = min(round(val_fraction * len(members)), len(members) - n_train)
        masks[0, members[:n_train]] = True
        masks[1, members[n_train:n_train + n_val]] = True
        masks[2, members[n_train + n_val:]] = True
    return tuple(torch.from_numpy(m) for m in masks)


def graph(tables: list[Table], target: tuple[str, str], max_categories: int = 32,
          train_fraction: float = 0.6, val_fraction: float = 0.2, seed: int = 0) -> HeteroData:
    """The tables as a :class:`~torch_geometric.data.HeteroData` (conventions of
    :mod:`oversmooth.graph.hetero`): a node type per table with ``x`` and ``feature_names``;
    per foreign key an edge type ``(child, column, parent)`` (one edge per non-NULL value, in
    row order) and its reverse ``(parent, "rev_" + column, child)``; ``y``, the masks and
    ``classes`` (the label value of each class id) on the target table."""
    if max_categories < 1:
        raise ValueError(f"max_categories must be at least 1, got {max_categories}")
    target_table, target_column = target
    data = HeteroData()
    for table in tables:
        skip = target_column if table.name == target_table else None
        data[table.name].x, data[table.name].feature_names = _features(table, skip, max_categories)
    for table in tables:
        for column, (parent, rows) in table.foreign.items():
            child = np.flatnonzero(rows >= 0)
            edge_index = torch.from_numpy(np.stack([child, rows[child]]).astype(np.int64))
            data[table.name, column, parent].edge_index = edge_index
            data[parent, f"rev_{column}", table.name].edge_index = edge_index.flip(0)
    store = data[target_table]
    y, store.classes = _labels(next(t for t in tables if t.name == target_table), target_column)
    store.y = torch.from_numpy(y)
    store.train_mask, store.val_mask, store.test_mask = split_masks(y, train_fraction, val_fraction, seed)
    data.target_node_type = target_table
    return data


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_type(values: np.ndarray) -> str:
    if values.dtype == object:
        return "TEXT"
    return "INTEGER" if values.dtype.kind in "iu" else "REAL"


def write_sqlite(tables: list[Table], path) -> Path:
    """Write the tables (parents before children) as a SQLite database at ``path``, whole or
    not at all: built in memory, then written atomically. Keys become ``PRIMARY KEY`` and
    foreign keys ``REFERENCES parent(key)``; NaN and ``None`` become NULL."""
    check_output_file(path)  # a bad path is refused before the work of building the database
    by_name = {t.name: t for t in tables}
    connection = sqlite3.connect(":memory:")
    try:
        for table in tables:
            parts = [f"{_quote(table.key)} {_sql_type(table.keys)} PRIMARY KEY"]
            values = [table.keys.tolist()]
            for column, (parent, rows) in table.foreign.items():
                owner = by_name[parent]
                parts.append(f"{_quote(column)} {_sql_type(owner.keys)} "
                             f"REFERENCES {_quote(parent)}({_quote(owner.key)})")
                keys = owner.keys[np.maximum(rows, 0)].astype(object)
                keys[rows < 0] = None
                values.append(keys.tolist())
            for column, column_values in table.columns.items():
                parts.append(f"{_quote(column)} {_sql_type(column_values)}")
                values.append([None if isinstance(v, float) and math.isnan(v) else v
                               for v in column_values.tolist()])
            connection.execute(f"CREATE TABLE {_quote(table.name)} ({', '.join(parts)})")
            marks = ", ".join("?" * len(parts))
            connection.executemany(f"INSERT INTO {_quote(table.name)} VALUES ({marks})", zip(*values))
        connection.commit()
        return write_bytes(path, connection.serialize())
    finally:
        connection.close()
