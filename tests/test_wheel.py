"""The built wheel, installed offline into a fresh virtual environment, runs the demo.

Fresh means ``python -m venv`` without ``--system-site-packages``: every dependency is
installed into it. Offline means pip sees only the local wheel sources that pip's own
configuration names (``find-links`` folders such as the one holding the local CPU torch
wheel, and ``file://`` indexes), with every other index and config file switched off, and,
where ``unshare`` can make one, everything runs in a network namespace with no network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _local_sources() -> list[str]:
    """pip options that reach only the local wheel sources of pip's configuration."""
    listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True,
                             text=True, check=True).stdout
    indexes, links = [], []
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        values = value.strip().strip("'\"").split()
        name = key.rsplit(".", 1)[-1]
        if name in ("index-url", "extra-index-url"):
            indexes += [v for v in values if v.startswith("file:")]
        elif name == "find-links":
            links += [v for v in values if v.startswith("file:") or Path(v).is_dir()]
    indexes, links = list(dict.fromkeys(indexes)), list(dict.fromkeys(links))
    if not indexes and not links:
        pytest.skip("pip's configuration names no local wheel source (find-links folder or "
                    "file:// index): an offline install has nowhere to take torch from")
    args = ["--index-url", indexes[0]] if indexes else ["--no-index"]
    for url in indexes[1:]:
        args += ["--extra-index-url", url]
    for link in links:
        args += ["--find-links", link]
    return args


def _offline_prefix() -> list[str]:
    """``unshare -rn`` (no network at all) where it works here, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def test_wheel_installs_offline_in_a_fresh_venv_and_runs_the_demo(tmp_path):
    sources = _local_sources()
    offline = _offline_prefix()
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PIP_CONFIG_FILE": os.devnull,
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8"}

    def run(*args, cwd=tmp_path):
        done = subprocess.run([*offline, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                              text=True)
        assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    # build the wheel from a copy of the sources (nothing written into the checkout)
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *sources, "-w", tmp_path / "dist",
        source)
    wheel = next((tmp_path / "dist").glob("oversmooth-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"oversmooth/datasets/data/cora.npz", "oversmooth/datasets/data/citeseer.npz",
            "oversmooth/datasets/data/SHA256SUMS", "oversmooth/datasets/data/README.md"} <= set(names)
    assert wheel.stat().st_size < 1_000_000  # 607,849 bytes at the last count, 228,731 of them data

    # a fresh venv: the base interpreter, no system site-packages, nothing pre-installed
    venv = tmp_path / "venv"
    run(getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv)
    python = venv / "bin" / "python"
    torch_pin = f"torch=={torch.__version__}"  # the local CPU build, never a CUDA one
    run(python, "-m", "pip", "install", "-q", "--no-compile", *sources, wheel, torch_pin)

    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"  # no OVERSMOOTH_DATA_MIRROR, no PYTHONPATH
    work = tmp_path / "run"
    work.mkdir()
    check = ("import json, oversmooth, torch; from oversmooth import datasets; "
             "d = datasets.load('cora'); "
             "print(json.dumps([oversmooth.__file__, torch.__version__, d.num_nodes, d.num_features]))")
    where, version, nodes, features = json.loads(run(python, "-c", check, cwd=work))
    assert where.startswith(str(venv)) and version == torch.__version__
    assert (nodes, features) == (2708, 1433)  # the shipped copy: no mirror, no network
    out = run(venv / "bin" / "oversmooth", "demo", "--quick", "-o", "demo", cwd=work)
    assert out.strip().splitlines()[-1] == "demo/report.html"
    assert (work / "demo" / "report.html").stat().st_size > 10_000
    assert not (home / ".cache" / "oversmooth").exists()  # Cora came from the wheel itself
