"""Outputs appear whole or not at all, never through a link, without debris."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from oversmooth._atomic import atomic_output, check_output_file, check_output_folder, write_text


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("precious")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    write_text(link, "new")
    assert real.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "real.csv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_writer_leaves_the_old_file_and_no_debris(tmp_path, sig):
    target = tmp_path / "t.csv"
    target.write_text("old")
    script = textwrap.dedent(f"""
        import sys, time
        from oversmooth._atomic import atomic_output
        with atomic_output({str(target)!r}) as handle:
            for _ in range(10000):
                handle.write("x" * 1000)
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    assert child.stdout.readline().strip() == b"writing"
    child.send_signal(sig)
    child.wait(timeout=30)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


@pytest.mark.parametrize("make, match", [
    (lambda d: "", "empty path"),
    (lambda d: d, "is a folder"),
    (lambda d: d / "file.txt" / "out.csv", "is a file, not a folder"),
    (lambda d: d / "missing" / "out.csv", "does not exist"),
])
def test_unusable_output_paths_are_one_line_errors(tmp_path, make, match):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match=match):
        check_output_file(make(tmp_path))


def test_output_folder_is_created_on_request(tmp_path):
    assert check_output_folder(tmp_path / "a" / "b", create=True).is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        check_output_folder(tmp_path / "f" / "g", create=True)
    with pytest.raises(ValueError, match="empty path"):
        check_output_folder(" ")
