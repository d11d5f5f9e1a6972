"""Reliability through real processes: SIGKILL and resume, two sweeps on one store."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import torch

from oversmooth.experiments.store import Store
from oversmooth.experiments.tables import render, summarize

SRC = str(Path(__file__).resolve().parents[2] / "src")
SWEEP = ["sweep", "--datasets", "csbm", "-p", "num_nodes=150", "-p", "num_features=8",
         "--models", "gcn,mlp", "--depths", "1,2", "--seeds", "2", "--epochs", "12",
         "--patience", "12", "--hidden", "8", "--metrics", "dirichlet_energy,mad", "--quiet"]


def start(store, *extra):
    # one torch thread: the same arithmetic as the in-process reference below
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "oversmooth", *SWEEP, "--store", str(store),
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def finished(store) -> int:
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def check_complete_rows(store):
    """Every stored run has all its metric rows: no partial run exists."""
    with Store(store) as s:
        assert s._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = s.read("runs")
        assert runs["run_key"].is_unique
        layers = s.read("layer_metrics").groupby("run_key").size()
        history = s.read("history")
        per_epoch = history["metric"].nunique()
        history = history.groupby("run_key").size()
        for _, run in runs.iterrows():
            assert run["status"] == "done"
            assert layers[run["run_key"]] == 2 * run["depth"]
            assert history[run["run_key"]] == per_epoch * run["epochs_run"]
        return runs


def _uninterrupted(store, run_cli):
    """The same sweep, in this process (saves a process start), on one torch thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        code, _, err = run_cli(*SWEEP, "--store", str(store), "--jobs", "1")
    finally:
        torch.set_num_threads(threads)
    assert code == 0, err


def test_sigkill_midway_then_resume_equals_uninterrupted(tmp_path, run_cli):
    killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    proc = start(killed, "--jobs", "1")
    deadline = time.time() + 60
    while finished(killed) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = check_complete_rows(killed)
    assert 2 <= len(partial) < 8
    keys_before = set(partial["run_key"])

    resumed = start(killed, "--jobs", "1")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    assert f"{len(partial)} already in the store" in err.decode()
    assert err.decode().count("done test_acc") == 8 - len(partial)  # finished runs not redone

    _uninterrupted(clean, run_cli)
    a, b = check_complete_rows(killed), check_complete_rows(clean)
    assert len(a) == 8 and keys_before <= set(a["run_key"])
    cols = ["run_key", "test_acc", "val_acc", "train_acc", "best_epoch", "epochs_run"]
    assert a[cols].sort_values("run_key").reset_index(drop=True).equals(
        b[cols].sort_values("run_key").reset_index(drop=True))
    with Store(killed) as s1, Store(clean) as s2:
        assert render(summarize(s1)) == render(summarize(s2))
        for metric in ("dirichlet_energy", "mad"):
            assert render(summarize(s1, metric)) == render(summarize(s2, metric))


def test_two_sweeps_on_one_store_with_workers(tmp_path):
    store = tmp_path / "shared.db"
    first = start(store, "--jobs", "2")
    second = start(store, "--jobs", "1")
    for proc in (first, second):
        _, err = proc.communicate(timeout=150)
        assert proc.returncode == 0, err.decode()
    runs = check_complete_rows(store)
    assert len(runs) == 8


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


import pytest  # noqa: E402


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_sweep_is_killed(tmp_path, sig):
    proc = start(tmp_path / "w.db", "--jobs", "2")
    deadline = time.time() + 60
    workers: set[int] = set()
    while time.time() < deadline and proc.poll() is None:
        # the spawned pool's workers (the resource tracker is a child too: it exits on its own)
        workers = {p for p in _children(proc.pid)
                   if b"spawn_main" in (Path("/proc") / str(p) / "cmdline").read_bytes()}
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the pool did not start"
    os.kill(proc.pid, sig)  # the parent alone, not its process group
    proc.wait(timeout=30)
    # a worker still importing torch when its parent dies exits once it gets control, which
    # takes seconds on a loaded machine: the test waits for that, not for a timing target
    deadline = time.time() + 90
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "a worker outlived the sweep"
