"""The results store: one SQLite file holding every run of every sweep pointed at it.

SQLite is an embedded database, so a store is a single file that needs no server, can
be copied, and can be read with any SQLite client or :func:`read_runs` into pandas.

Schema (version 2)
------------------
``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``schema_version`` (checked on open: a store written by an older or newer schema is
    refused with a message, never silently reinterpreted) and ``created_by``; a claims run
    (``oversmooth claims --store``) adds ``claims_facts``, the JSON of the measurements
    that are not runs (:meth:`Store.set_meta`).
``runs`` -- one row per finished run, keyed by ``run_key``
    ``run_key`` (sha256 of the run's canonical settings, see :mod:`.grid`), ``status``
    (``"done"`` or ``"failed"``), ``dataset``, ``model``, ``label`` (the row name in tables,
    e.g. ``GCN+DropEdge``), ``depth``, ``seed``, ``options_json`` (model options),
    ``settings_json`` (every setting that defines the run, canonical JSON), ``test_acc``,
    ``val_acc``, ``train_acc`` (fractions in [0, 1] at the best epoch), ``best_epoch``,
    ``epochs_run``, ``wall_time`` (training seconds), ``probe_time`` (seconds spent on the
    per-layer metrics), ``error`` (``"ExceptionType: message"`` of a failed run),
    ``started_at``, ``finished_at`` (ISO-8601 UTC), ``host``.
``layer_metrics(run_key, layer, metric, value)``
    Per-layer forward metrics of the trained model (best checkpoint), eval mode.
``layer_history(run_key, epoch, layer, metric, value)``
    The same metrics during training, every ``track_every`` epochs (optional).
``history(run_key, epoch, metric, value)``
    The training history (``train_loss``, ``val_loss``, ``val_acc``, ``test_acc``) per epoch.
``trials`` -- one row per hyperparameter-search trial (:mod:`.tune`), keyed by
    ``(cell_key, trial)``: ``dataset``, ``label``, ``model``, ``depth``, ``state``
    (``running``, ``complete``, ``pruned`` or ``failed``), ``params_json``, ``value``
    (validation accuracy at the best epoch), ``val_loss``, ``best_epoch``, ``epochs_run``,
    ``curve_json`` (best validation accuracy so far at the reported epochs), ``wall_time``,
    ``error``, ``worker`` (``host:pid`` of the process that claimed it), ``heartbeat``
    (unix time, refreshed while it runs), ``started_at``, ``finished_at``. No test accuracy.

Version 2 added ``trials``. A version-1 store opened for writing is migrated in place
(the table is added and the version set to 2; runs are untouched); opened read-only it
is read as it is, with no trials.

Guarantees
----------
A run's row and all its metric rows are written in one ``BEGIN IMMEDIATE`` transaction,
so a reader (or a sweep restarted after ``SIGKILL``) sees a run either completely or not
at all. ``run_key`` is the primary key, so a run is never stored twice: a finished run
is kept as it is, and a ``failed`` row is only ever replaced by a later successful run.
The database runs in WAL mode with a busy timeout, and writes are retried on
``database is locked``, so any number of processes may read and write one store.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

__all__ = ["SCHEMA_VERSION", "Store", "StoreVersionError", "RunRecord"]

SCHEMA_VERSION = 2
#: Older schema versions this oversmooth migrates when it opens a store for writing.
MIGRATABLE = (1,)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_key TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    dataset TEXT NOT NULL,
    model TEXT NOT NULL,
    label TEXT NOT NULL,
    depth INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    options_json TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    test_acc REAL, val_acc REAL, train_acc REAL,
    best_epoch INTEGER, epochs_run INTEGER,
    wall_time REAL, probe_time REAL,
    error TEXT,
    started_at TEXT, finished_at TEXT, host TEXT
);
CREATE TABLE IF NOT EXISTS layer_metrics (
    run_key TEXT NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    layer INTEGER NOT NULL, metric TEXT NOT NULL, value REAL,
    PRIMARY KEY (run_key, layer, metric)
);
CREATE TABLE IF NOT EXISTS layer_history (
    run_key TEXT NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    epoch INTEGER NOT NULL, layer INTEGER NOT NULL, metric TEXT NOT NULL, value REAL,
    PRIMARY KEY (run_key, epoch, layer, metric)
);
CREATE TABLE IF NOT EXISTS history (
    run_key TEXT NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    epoch INTEGER NOT NULL, metric TEXT NOT NULL, value REAL,
    PRIMARY KEY (run_key, epoch, metric)
);
CREATE INDEX IF NOT EXISTS runs_cell ON runs (dataset, label, depth);
""" + "\n"  # the trials table follows (also what a version-1 store gains when migrated)

_TRIALS_SCHEMA = """
CREATE TABLE IF NOT EXISTS trials (
    cell_key TEXT NOT NULL,
    trial INTEGER NOT NULL,
    dataset TEXT NOT NULL, label TEXT NOT NULL, model TEXT NOT NULL, depth INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
    params_json TEXT NOT NULL,
    value REAL, val_loss REAL, best_epoch INTEGER, epochs_run INTEGER,
    curve_json TEXT, wall_time REAL, error TEXT,
    worker TEXT, heartbeat REAL, started_at TEXT, finished_at TEXT,
    PRIMARY KEY (cell_key, trial)
)
"""

TRIAL_COLUMNS = ("cell_key", "trial", "dataset", "label", "model", "depth", "state", "params_json",
                 "value", "val_loss", "best_epoch", "epochs_run", "curve_json", "wall_time",
                 "error", "worker", "heartbeat", "started_at", "finished_at")

RUN_COLUMNS = ("run_key", "status", "dataset", "model", "label", "depth", "seed", "options_json",
               "settings_json", "test_acc", "val_acc", "train_acc", "best_epoch", "epochs_run",
               "wall_time", "probe_time", "error", "started_at", "finished_at", "host")


class StoreVersionError(ValueError):
    """The store was written with a different schema version than this oversmooth reads."""


@dataclass
class RunRecord:
    """Everything stored about one run (see the module docstring for the meaning of fields)."""

    run_key: str
    status: str
    dataset: str
    model: str
    label: str
    depth: int
    seed: int
    options: dict
    settings: dict
    test_acc: float | None = None
    val_acc: float | None = None
    train_acc: float | None = None
    best_epoch: int | None = None
    epochs_run: int | None = None
    wall_time: float | None = None
    probe_time: float | None = None
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    host: str = field(default_factory=socket.gethostname)
    # (layer, metric, value)
    layer_metrics: list[tuple[int, str, float | None]] = field(default_factory=list)
    # (epoch, layer, metric, value)
    layer_history: list[tuple[int, int, str, float | None]] = field(default_factory=list)
    # (epoch, metric, value)
    history: list[tuple[int, str, float | None]] = field(default_factory=list)

    def row(self) -> tuple:
        values = dict(self.__dict__)
        values["options_json"] = _canonical(self.options)
        values["settings_json"] = _canonical(self.settings)
        return tuple(values[c] for c in RUN_COLUMNS)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _finite(value):
    # SQLite stores NaN as NULL anyway; make it explicit and keep inf out of the store.
    if value is None:
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


class Store:
    """A results store at ``path`` (created if missing, unless ``readonly``).

    Args:
        path: the SQLite file.
        timeout: seconds a connection waits on a lock before retrying.
        retries: how many times a write is retried when the database stays locked.
        readonly: open an existing store for reading only: the file is never changed (no
            schema written into an empty or foreign file, no switch to WAL mode), and
            writing raises. What ``table``, ``export``, ``report`` and dry runs use.

    Raises:
        StoreVersionError: the file holds a store of another schema version.
        ValueError: the file exists but is not an SQLite database, or the path is unusable.
        FileNotFoundError: ``readonly`` and there is no file at ``path``.
    """

    def __init__(self, path: str | os.PathLike, timeout: float = 30.0, retries: int = 20,
                 readonly: bool = False) -> None:
        if not os.fspath(path).strip():
            raise ValueError("the store path is empty; give a file name such as results.db")
        self.path = Path(path)
        self.schema_version: int | None = None
        self.retries = retries
        self.readonly = readonly
        if self.path.is_dir():
            raise ValueError(f"store {self.path} is a folder; give a file name such as results.db")
        for parent in self.path.parents:
            if parent.exists() and not parent.is_dir():
                raise ValueError(f"store folder {parent} is a file, not a folder")
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"store folder {self.path.parent} does not exist")
        if readonly:
            self._conn = self._connect_readonly(timeout)
        else:
            self._conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None,
                                         check_same_thread=False)
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if readonly:
                self._check_schema(self._conn)
                return
            self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL"))
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ValueError(f"{self.path} is not a usable oversmooth store: {exc}") from None
        except StoreVersionError:
            self._conn.close()
            raise

    # -- plumbing -------------------------------------------------------------------------
    def _connect_readonly(self, timeout: float) -> sqlite3.Connection:
        if not self.path.is_file():
            raise FileNotFoundError(f"store {self.path} not found; create one with `oversmooth sweep "
                                    f"--store {self.path} ...` or run `oversmooth demo`")
        if self.path.stat().st_size == 0:
            raise ValueError(f"{self.path} is an empty file, not an oversmooth store")
        uri = self.path.resolve().as_uri()
        # without a -wal file no writer is active and the store is read as an immutable file
        # (no lock or side files created); with one, as a read-only WAL database
        flags = "mode=ro" if Path(f"{self.path}-wal").exists() else "mode=ro&immutable=1"
        return sqlite3.connect(f"{uri}?{flags}", uri=True, timeout=timeout, isolation_level=None,
                               check_same_thread=False)

    def _retry(self, fn):
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                message = str(exc)
                if ("locked" not in message and "busy" not in message) or attempt == self.retries:
                    raise
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 2.0)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _write(self, fn) -> Any:
        if self.readonly:
            raise ValueError(f"store {self.path} is open for reading only")

        def attempt():
            with self._transaction() as conn:
                return fn(conn)
        return self._retry(attempt)

    def _check_schema(self, conn) -> bool:
        """Whether the file holds a store of this schema version (``False``: an empty database);
        a foreign database or another version raises."""
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if has_meta:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            found = int(row[0]) if row and str(row[0]).isdigit() else None
            self.schema_version = found
            if found in MIGRATABLE:
                return True
            if found != SCHEMA_VERSION:
                raise StoreVersionError(
                    f"store {self.path} has schema version {found}, this oversmooth reads "
                    f"version {SCHEMA_VERSION}; use the oversmooth version that wrote it "
                    f"(export it with `oversmooth export`) or start a new store")
            return True
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        if tables:
            raise StoreVersionError(
                f"{self.path} is an SQLite database but not an oversmooth store "
                f"(tables: {', '.join(t[0] for t in tables)}); choose another --store path")
        if self.readonly:
            raise ValueError(f"{self.path} is an empty database, not an oversmooth store")
        return False

    def _init_schema(self) -> None:
        def init(conn):
            if self._check_schema(conn):
                if self.schema_version in MIGRATABLE:  # version 1 -> 2: add the trials table
                    conn.execute(_TRIALS_SCHEMA)
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                                 (str(SCHEMA_VERSION),))
                    self.schema_version = SCHEMA_VERSION
                return
            # executescript() would COMMIT mid-transaction, so statements go one by one
            for statement in filter(str.strip, (_SCHEMA + _TRIALS_SCHEMA).split(";")):
                conn.execute(statement)
            self.schema_version = SCHEMA_VERSION
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            from .. import __version__
            conn.execute("INSERT INTO meta VALUES ('created_by', ?)", (f"oversmooth {__version__}",))
        self._write(init)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------
    def save(self, record: RunRecord) -> bool:
        """Store one run with all its metric rows in one transaction.

        Returns ``True`` if the run was written, ``False`` if the store already holds it
        finished (``done``), or holds it ``failed`` and ``record`` failed too: a run is
        never stored twice and a success is never overwritten.
        """
        def write(conn):
            row = conn.execute("SELECT status FROM runs WHERE run_key = ?",
                               (record.run_key,)).fetchone()
            if row is not None:
                if row[0] == "done" or record.status == "failed":
                    return False
                conn.execute("DELETE FROM runs WHERE run_key = ?", (record.run_key,))
            placeholders = ",".join("?" * len(RUN_COLUMNS))
            values = list(record.row())
            for i, column in enumerate(RUN_COLUMNS):
                if column in ("test_acc", "val_acc", "train_acc", "wall_time", "probe_time"):
                    values[i] = _finite(values[i])
            conn.execute(f"INSERT INTO runs ({','.join(RUN_COLUMNS)}) VALUES ({placeholders})",
                         values)
            key = record.run_key
            conn.executemany("INSERT INTO layer_metrics VALUES (?, ?, ?, ?)",
                             [(key, int(l), m, _finite(v)) for l, m, v in record.layer_metrics])
            conn.executemany("INSERT INTO layer_history VALUES (?, ?, ?, ?, ?)",
                             [(key, int(e), int(l), m, _finite(v))
                              for e, l, m, v in record.layer_history])
            conn.executemany("INSERT INTO history VALUES (?, ?, ?, ?)",
                             [(key, int(e), m, _finite(v)) for e, m, v in record.history])
            return True
        return self._write(write)

    def delete_failed(self, keys: Iterable[str] | None = None) -> int:
        """Remove failed runs (all, or those among ``keys``) so a sweep runs them again."""
        def write(conn):
            if keys is None:
                return conn.execute("DELETE FROM runs WHERE status = 'failed'").rowcount
            return sum(conn.execute("DELETE FROM runs WHERE status='failed' AND run_key=?",
                                    (k,)).rowcount for k in keys)
        return self._write(write)

    # -- reading --------------------------------------------------------------------------
    def statuses(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """``{run_key: status}`` of stored runs (restricted to ``keys`` when given)."""
        rows = self._retry(lambda: self._conn.execute(
            "SELECT run_key, status FROM runs").fetchall())
        result = dict(rows)
        if keys is not None:
            wanted = set(keys)
            result = {k: v for k, v in result.items() if k in wanted}
        return result

    def status(self, key: str) -> str | None:
        row = self._retry(lambda: self._conn.execute(
            "SELECT status FROM runs WHERE run_key = ?", (key,)).fetchone())
        return row[0] if row else None

    def count(self, table: str = "runs") -> int:
        if table not in ("runs", "layer_metrics", "layer_history", "history", "trials"):
            raise ValueError(f"unknown table {table!r}")
        if table == "trials" and not self.has_trials:
            return 0
        return self._retry(lambda: self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def read(self, table: str = "runs"):
        """A table of the store as a pandas DataFrame (``runs`` gets ``options``/``settings``
        columns holding the decoded JSON beside the raw JSON columns)."""
        import pandas as pd

        if table not in ("runs", "layer_metrics", "layer_history", "history", "meta", "trials"):
            raise ValueError(f"unknown table {table!r}; tables: runs, layer_metrics, "
                             "layer_history, history, meta, trials")
        if table == "trials" and not self.has_trials:  # a version-1 store read as it is
            return pd.DataFrame(columns=TRIAL_COLUMNS)
        order = {"runs": "dataset, label, depth, seed", "meta": "key",
                 "trials": "dataset, label, depth, trial"}.get(table, "run_key")
        frame = self._retry(lambda: pd.read_sql_query(
            f"SELECT * FROM {table} ORDER BY {order}", self._conn))
        return frame

    @property
    def has_trials(self) -> bool:
        """Whether the store has the trials table (every store but a version-1 one read
        read-only)."""
        return self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='trials'").fetchone() is not None

    def meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key`` in the meta table, replacing what was there; the
        schema's own keys (``schema_version``, ``created_by``) are refused."""
        if key in ("schema_version", "created_by"):
            raise ValueError(f"meta key {key!r} belongs to the store's schema")
        self._write(lambda conn: conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value))))
