"""Shared fixtures: datasets come from the read-only mirror through OVERSMOOTH_DATA_MIRROR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

def pytest_configure(config):
    # The tests use small graphs, where a second intra-op thread only adds
    # synchronisation; on a loaded machine it costs up to 30x per op.
    import torch

    torch.set_num_threads(1)


_DEFAULT_MIRROR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def mirror_path() -> Path | None:
    env = os.environ.get("OVERSMOOTH_DATA_MIRROR")
    path = Path(env) if env else _DEFAULT_MIRROR
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def data_root(tmp_path_factory) -> Path:
    """A data root shared by the whole session, filled from the mirror on first use."""
    return tmp_path_factory.mktemp("oversmooth-data")


@pytest.fixture(autouse=True)
def _data_env(monkeypatch, data_root):
    monkeypatch.setenv("OVERSMOOTH_DATA", str(data_root))
    monkeypatch.setenv("OVERSMOOTH_OFFLINE", "1")
    mirror = mirror_path()
    if mirror is not None:
        monkeypatch.setenv("OVERSMOOTH_DATA_MIRROR", str(mirror))


needs_mirror = pytest.mark.skipif(
    mirror_path() is None, reason="dataset mirror not found: set OVERSMOOTH_DATA_MIRROR")


@pytest.fixture(scope="session")
def cora(data_root):
    """Cora (public split) through the mirror."""
    if mirror_path() is None:
        pytest.skip("dataset mirror not found: set OVERSMOOTH_DATA_MIRROR")
    os.environ.setdefault("OVERSMOOTH_DATA_MIRROR", str(mirror_path()))
    from oversmooth.datasets import load

    return load("cora", root=data_root)


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from oversmooth.cli import main

    def run(*args: str):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run
