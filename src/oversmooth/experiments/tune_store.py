"""Trials in the results store: claiming, finishing and reading them (the ``trials`` table).

A trial is *claimed* in one ``BEGIN IMMEDIATE`` transaction: the cell's trials are read,
the next trial number is taken and its parameters are proposed from that history, and the
row is written ``running`` with the claiming worker (``host:pid``) -- so any number of
processes, on any number of machines sharing the store, never evaluate one trial twice.
A ``running`` trial whose worker is gone (a dead process on this host, or no heartbeat for
``stale_after`` seconds) is claimed again under the same number with the same parameters;
a finished trial (``complete``, ``pruned``, ``failed``) is never run again, and finishing
is conditional on still owning the trial, so a trial is finished at most once.
"""

from __future__ import annotations

import json
import os
import socket
import time
from typing import Callable

from .store import TRIAL_COLUMNS, Store, _finite

__all__ = ["worker_id", "claim_trial", "finish_trial", "heartbeat", "cell_trials", "FINISHED"]

FINISHED = ("complete", "pruned", "failed")


def worker_id() -> str:
    """``host:pid`` of this process: who claims trials."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str | None) -> bool:
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only its heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rows(conn, cell_key: str) -> list[dict]:
    cursor = conn.execute(f"SELECT {','.join(TRIAL_COLUMNS)} FROM trials WHERE cell_key = ? "
                          "ORDER BY trial", (cell_key,))
    rows = [dict(zip(TRIAL_COLUMNS, r)) for r in cursor.fetchall()]
    for row in rows:
        row["params"] = json.loads(row["params_json"])
        row["curve"] = {int(k): v for k, v in json.loads(row["curve_json"] or "{}").items()}
    return rows


def cell_trials(store: Store, cell_key: str) -> list[dict]:
    """The trials of one cell, in trial order (``params`` and ``curve`` decoded)."""
    if not store.has_trials:
        return []
    return store._retry(lambda: _rows(store._conn, cell_key))


def claim_trial(store: Store, cell: dict, budget: int,
                propose: Callable[[int, list[dict]], dict], worker: str | None = None,
                stale_after: float = 300.0) -> tuple[int, dict] | None:
    """Claim the next trial of ``cell`` (``cell_key``, ``dataset``, ``label``, ``model``,
    ``depth``): ``(trial number, parameters)``, or ``None`` when all ``budget`` trials are
    finished or running in live workers. ``propose(number, trials)`` gives a new trial's
    parameters from the cell's trials so far; it runs inside the transaction."""
    worker = worker or worker_id()
    now = time.time()

    def write(conn):
        rows = _rows(conn, cell["cell_key"])
        for row in rows:
            if row["state"] == "running" and (not _alive(row["worker"]) or
                                              (row["heartbeat"] or 0) < now - stale_after):
                conn.execute("UPDATE trials SET worker = ?, heartbeat = ?, started_at = ? "
                             "WHERE cell_key = ? AND trial = ? AND state = 'running'",
                             (worker, now, _iso(), row["cell_key"], row["trial"]))
                return row["trial"], row["params"]
        if len(rows) >= budget:
            return None
        number = len(rows)
        params = propose(number, rows)
        conn.execute("INSERT INTO trials (cell_key, trial, dataset, label, model, depth, state, "
                     "params_json, worker, heartbeat, started_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                     (cell["cell_key"], number, cell["dataset"], cell["label"], cell["model"],
                      int(cell["depth"]), json.dumps(params, sort_keys=True), worker, now, _iso()))
        return number, params
    return store._write(write)


def finish_trial(store: Store, cell_key: str, trial: int, outcome: dict,
                 worker: str | None = None) -> bool:
    """Record a trial's outcome (keys: ``state``, ``value``, ``val_loss``, ``best_epoch``,
    ``epochs_run``, ``curve``, ``wall_time``, ``error``). Only the worker holding the trial
    may finish it; returns whether the row was written (``False``: someone else holds it
    now, or it is finished already)."""
    worker = worker or worker_id()
    if outcome["state"] not in FINISHED:
        raise ValueError(f"a trial finishes as one of {FINISHED}, not {outcome['state']!r}")
    values = (outcome["state"], _finite(outcome.get("value")), _finite(outcome.get("val_loss")),
              outcome.get("best_epoch"), outcome.get("epochs_run"),
              json.dumps({str(k): v for k, v in (outcome.get("curve") or {}).items()}),
              _finite(outcome.get("wall_time")), outcome.get("error"), _iso(),
              cell_key, int(trial), worker)
    return store._write(lambda conn: conn.execute(
        "UPDATE trials SET state = ?, value = ?, val_loss = ?, best_epoch = ?, epochs_run = ?, "
        "curve_json = ?, wall_time = ?, error = ?, finished_at = ? "
        "WHERE cell_key = ? AND trial = ? AND worker = ? AND state = 'running'", values).rowcount == 1)


def heartbeat(store: Store, held: list[tuple[str, int]], worker: str | None = None) -> None:
    """Refresh the heartbeat of the trials ``[(cell_key, trial)]`` this worker runs."""
    worker, now = worker or worker_id(), time.time()
    if held:
        store._write(lambda conn: conn.executemany(
            "UPDATE trials SET heartbeat = ? WHERE cell_key = ? AND trial = ? AND worker = ? "
            "AND state = 'running'", [(now, c, t, worker) for c, t in held]))


def _iso() -> str:
    import datetime as _dt

    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
