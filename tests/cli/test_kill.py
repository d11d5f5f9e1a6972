"""Commands killed at random moments leave whole files or none, no debris, no process."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")
SWEEP = ["sweep", "--datasets", "csbm", "-p", "num_nodes=120", "-p", "num_features=8", "--models", "gcn,mlp",
         "--depths", "1,2", "--seeds", "1", "--epochs", "3", "--hidden", "8", "--metrics", "dirichlet_energy",
         "--quiet", "--jobs", "1"]


def _env():
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "OMP_NUM_THREADS": "1"}


def _run(args, check=True):
    proc = subprocess.run([sys.executable, "-m", "oversmooth", *args], env=_env(), capture_output=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def _kill_after(args, delay: float, sig) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "oversmooth", *args], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=60)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("kill") / "r.db"
    _run([*SWEEP, "--store", str(path)])
    return path


@pytest.mark.slow
def test_killed_exports_leave_whole_csv_files(store, tmp_path):
    reference = tmp_path / "reference"
    _run(["export", str(store), "--out", str(reference)])
    expected = {p.name: len(pd.read_csv(p)) for p in reference.iterdir()}
    out = tmp_path / "out"
    rng = random.Random(0)
    for attempt in range(4):
        _kill_after(["export", str(store), "--out", str(out)], rng.uniform(0.5, 3.0),
                    rng.choice([signal.SIGKILL, signal.SIGTERM]))
        if out.exists():
            for path in out.iterdir():
                assert path.name in expected, f"debris: {path.name}"
                assert len(pd.read_csv(path)) == expected[path.name]  # whole, never truncated


@pytest.mark.slow
def test_killed_reports_leave_a_whole_page_and_whole_figures(store, tmp_path):
    rng = random.Random(1)
    page = tmp_path / "site" / "report.html"
    for attempt in range(3):
        _kill_after(["report", str(store), "-o", str(page), "--no-spectral"], rng.uniform(1.0, 6.0),
                    rng.choice([signal.SIGKILL, signal.SIGTERM]))
        for path in (tmp_path / "site").rglob("*") if (tmp_path / "site").exists() else []:
            assert not path.name.startswith("."), f"debris: {path}"
            if path.suffix == ".html":
                assert path.read_text().rstrip().endswith("</html>")
            if path.suffix == ".png":
                assert path.read_bytes()[-8:-4] == b"IEND"  # the PNG's closing chunk: written whole
    _run(["report", str(store), "-o", str(page), "--no-spectral"])
    assert page.read_text().rstrip().endswith("</html>")
