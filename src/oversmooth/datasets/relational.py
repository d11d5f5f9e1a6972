"""A relational database as a graph: :func:`from_sqlite`.

>>> from oversmooth import datasets
>>> path = datasets.bank_to_sqlite("bank.db", num_customers=200, num_merchants=50,
...                                num_transactions=2000)
>>> data = datasets.from_sqlite(path, target="customer.fraud")
>>> data.node_types
['customer', 'account', 'merchant', 'transaction']
>>> data["transaction", "merchant_id", "merchant"].num_edges
2000
>>> data["customer"].feature_names
['age', 'age=NULL', 'segment=retail', 'segment=premium', 'segment=business', 'credit_score']
"""

from __future__ import annotations

import math
import os
import sqlite3
from itertools import chain
from pathlib import Path

import numpy as np
from torch_geometric.data import HeteroData

from ..graph.validate import validate
from ._tables import Table, _quote, graph

__all__ = ["from_sqlite"]


def from_sqlite(path: str | os.PathLike, target: str, max_categories: int = 32,
                train_fraction: float = 0.6, val_fraction: float = 0.2, seed: int = 0) -> HeteroData:
    """Read the tables of a SQLite database as a :class:`~torch_geometric.data.HeteroData`.

    * Every table (SQLite's own and virtual tables aside) is a node type, one node per row,
      numbered ``0..n-1`` in primary-key order (``rowid`` order without a primary key).
    * Every single-column ``FOREIGN KEY`` (``PRAGMA foreign_key_list``) is an edge type
      ``(table, column, parent)`` with one edge per non-NULL value, plus its reverse
      ``(parent, "rev_" + column, table)``, as after ``ToUndirected``.
    * The other columns are features ``x`` (names in ``feature_names``): numbers
      standardised, NULL as 0 plus a ``<column>=NULL`` indicator, text one-hot over the
      ``max_categories`` most frequent values; BLOB columns are left out; a table without
      feature columns gets a constant one (the rules: :mod:`oversmooth.datasets._tables`).
      Primary- and foreign-key columns are identifiers, not features.
    * ``target`` (``"table.column"``) gives the labels: its values (integers or text) in
      sorted order are the classes ``0..k-1`` (``data[table].classes`` holds the values);
      the column is not a feature. Train/val/test masks are a stratified random split,
      ``train_fraction`` and ``val_fraction`` of each class (the rest test), seeded by ``seed``.

    The database is opened read-only and never changed.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: one line naming the problem: not a SQLite database, no tables, no
            foreign keys, a composite foreign key, a key referencing a missing table or
            non-unique column, a dangling foreign key (table, column and value), an unknown
            target table or column, a key column as target, NULL or real-valued labels.
    """
    file = Path(os.fspath(path))
    connection = _connect(file)
    try:
        names = _table_names(connection, file)
        if not any(connection.execute(f"PRAGMA foreign_key_list({_quote(n)})").fetchone() for n in names):
            raise ValueError(f"{file} has no foreign keys, so its tables ({', '.join(names)}) are not "
                             "linked; declare them (column REFERENCES parent(key)) to make edges")
        table, column = _parse_target(connection, target, names)
        raw = {name: _read(connection, name) for name in names}
    except sqlite3.Error as exc:
        raise ValueError(f"{file}: {' '.join(str(exc).split())}") from None
    finally:
        connection.close()
    tables = _tables(raw)
    if column not in next(t for t in tables if t.name == table).columns:
        raise ValueError(f"target {table}.{column} holds binary data (BLOB), not labels")
    data = graph(tables, (table, column), max_categories, train_fraction, val_fraction, seed)
    data.name = file.stem
    return validate(data)


def _connect(file: Path) -> sqlite3.Connection:
    if not file.exists():
        raise FileNotFoundError(f"database {file} does not exist")
    if not file.is_file():
        raise ValueError(f"{file} is not a file; give a SQLite database file")
    connection = None
    try:
        connection = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        if connection is not None:
            connection.close()
        raise ValueError(f"{file} is not a SQLite database (or cannot be read)") from None
    return connection


def _table_names(connection, file: Path) -> list[str]:
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid")]
    if not names:
        raise ValueError(f"{file} holds no tables")
    return names


def _parse_target(connection, target, names: list[str]) -> tuple[str, str]:
    """``(table, column)`` of ``"table.column"``, checked before any row is read."""
    if not isinstance(target, str) or "." not in target:
        raise ValueError(f"target must be 'table.column' (e.g. 'customer.fraud'), got {target!r}")
    # table names may hold dots themselves: the longest table name that prefixes the target
    matches = [n for n in names if target.lower().startswith(n.lower() + ".")]
    if not matches:
        raise ValueError(f"target {target!r}: no table {target.split('.')[0]!r} in the database; "
                         f"tables: {', '.join(names)}")
    table = max(matches, key=len)
    info = connection.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    column = _find_column([row[1] for row in info], target[len(table) + 1:], f"target {target}", table)
    keys = {row[1] for row in info if row[5] > 0}
    keys |= {row[3] for row in connection.execute(f"PRAGMA foreign_key_list({_quote(table)})")}
    if column in keys:
        raise ValueError(f"target {table}.{column} is a key column; the target must be a label "
                         "column (integers or text)")
    return table, column


def _read(connection, name: str) -> tuple[list[str], dict[str, tuple], list[tuple[str, str, str | None]]]:
    """A table's key columns, its columns' values in key order, and its foreign keys as
    (column, parent table, parent column or None for the parent's primary key)."""
    info = connection.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
    columns = [row[1] for row in info]
    key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5] > 0]
    grouped: dict[int, list] = {}
    for row in connection.execute(f"PRAGMA foreign_key_list({_quote(name)})"):
        grouped.setdefault(row[0], []).append(row)
    foreign = []
    for rows in grouped.values():
        if len(rows) > 1:
            raise ValueError(f"{name} has a composite foreign key ({', '.join(r[3] for r in rows)}) "
                             f"referencing {rows[0][2]}; only single-column foreign keys become edges")
        foreign.append((rows[0][3], rows[0][2], rows[0][4]))
    foreign.sort(key=lambda fk: columns.index(fk[0]))  # the pragma lists them last-first
    selected = ([] if key else ["rowid"]) + columns
    order = ", ".join(_quote(c) for c in key) if key else "rowid"
    # a query per column: flattening one-column rows runs in C, transposing wide rows does not
    values = {c: list(chain.from_iterable(connection.execute(
        f"SELECT {_quote(c)} FROM {_quote(name)} ORDER BY {order}"))) for c in selected}
    return key or ["rowid"], values, foreign


def _column(values: list) -> np.ndarray | None:
    """Text (any ``str`` value makes the column text), numbers (float64, NaN for NULL), or
    ``None`` for a BLOB column."""
    kinds = {type(v) for v in values} - {type(None)}
    if bytes in kinds:
        return None
    if str in kinds:
        out = np.empty(len(values), dtype=object)
        out[:] = [None if v is None else str(v) for v in values]
        return out
    return np.fromiter((math.nan if v is None else v for v in values), np.float64, len(values))


def _tables(raw: dict) -> list[Table]:
    by_lower = {name.lower(): name for name in raw}
    tables = {}
    for name, (key, values, foreign) in raw.items():
        keys = np.empty(len(values[key[0]]), dtype=object)
        if len(key) == 1:
            keys[:] = values[key[0]]
        else:  # element by element: numpy would read a list of tuples as a matrix
            for i, composite in enumerate(zip(*(values[k] for k in key))):
                keys[i] = composite
        ids = set(key) | {fk[0] for fk in foreign}
        columns = {c: _column(v) for c, v in values.items() if c not in ids}
        tables[name] = Table(name, "+".join(key), keys,
                             {c: v for c, v in columns.items() if v is not None})
    for name, (key, values, foreign) in raw.items():
        for column, parent, parent_column in foreign:
            if parent.lower() not in by_lower:
                raise ValueError(f"foreign key {name}.{column} references table {parent!r}, "
                                 "which is not in the database")
            parent = by_lower[parent.lower()]
            parent_key, parent_values, _ = raw[parent]
            if parent_column is None:
                if len(parent_key) != 1:
                    raise ValueError(f"foreign key {name}.{column} references {parent}, which has "
                                     "no single-column primary key; name the referenced column")
                parent_column = parent_key[0]
            parent_column = _find_column(parent_values, parent_column, f"foreign key {name}.{column}", parent)
            rows = _resolve(tables[name], column, values[column], parent, parent_column,
                            parent_values[parent_column])
            tables[name].foreign[column] = (parent, rows)
    return list(tables.values())


def _find_column(columns, column: str, where: str, table: str) -> str:
    if column in columns:
        return column
    lower = {c.lower(): c for c in columns}
    if column.lower() in lower:  # SQLite names are case-insensitive
        return lower[column.lower()]
    raise ValueError(f"{where}: table {table} has no column {column!r}; columns: {', '.join(columns)}")


def _resolve(child: Table, column: str, values: list, parent: str, parent_column: str,
             parent_values: list) -> np.ndarray:
    """The parent row of each child row (-1 where NULL); one-line errors for a dangling value
    or a referenced column whose values are not unique."""
    rows = _integer_rows(values, parent_values)
    if rows is None:
        index = dict(zip(parent_values, range(len(parent_values))))
        if len(index) == len(parent_values):
            rows = np.fromiter((-1 if v is None else index.get(v, -2) for v in values), np.int64,
                               len(values))
    if rows is None:
        raise ValueError(f"foreign key {child.name}.{column} references {parent}.{parent_column}, "
                         "whose values are not unique")
    dangling = np.flatnonzero(rows == -2)
    if dangling.size:
        first = dangling[0]
        more = f" ({dangling.size} rows dangle)" if dangling.size > 1 else ""
        raise ValueError(f"dangling foreign key: {child.name}.{column} = {values[first]!r} (row "
                         f"{child.name}.{child.key} = {child.keys[first]!r}) has no match in "
                         f"{parent}.{parent_column}{more}")
    return rows


def _integer_rows(values: list, parent_values: list) -> np.ndarray | None:
    """The fast path of :func:`_resolve` for integer keys without NULLs (a sorted search);
    ``None`` where it does not apply or the parent values repeat (the general path decides)."""
    child, keys = np.array(values), np.array(parent_values)
    if child.dtype != np.int64 or keys.dtype != np.int64 or not len(keys):
        return None
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    if np.any(ranked[1:] == ranked[:-1]):
        return None
    position = np.minimum(np.searchsorted(ranked, child), len(keys) - 1)
    return np.where(ranked[position] == child, order[position], -2)
