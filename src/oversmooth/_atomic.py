"""Outputs written whole or not at all: a temporary file in the target folder, renamed into place.

A killed command (SIGTERM or SIGKILL included) leaves either the previous file or the new
one, never a truncated file, and no temporary debris: on Linux the temporary file has no
name (``O_TMPFILE``) until the moment it is renamed over the target. The rename replaces
the directory entry, so an existing symbolic link at the target is replaced by the new
file; nothing is ever written through it onto the file it points to.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import IO, Iterator

__all__ = ["atomic_output", "write_bytes", "write_text", "check_output_file", "check_output_folder"]


def check_output_folder(folder: str | os.PathLike, create: bool = False) -> Path:
    """``folder`` as a :class:`Path` if outputs can be written into it, else a one-line
    ``ValueError`` naming the problem (``create=True`` makes a missing folder)."""
    text = os.fspath(folder)
    if not text.strip():
        raise ValueError("the output folder is an empty path; give a folder name")
    path = Path(text)
    for parent in [*reversed(path.parents), path]:
        if parent.exists() and not parent.is_dir():
            raise ValueError(f"{parent} is a file, not a folder; choose another output folder")
    if not path.exists():
        if not create:
            raise ValueError(f"folder {path} does not exist; create it first")
        path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"folder {path} is not writable")
    return path


def check_output_file(path: str | os.PathLike, create_folder: bool = False) -> Path:
    """``path`` as a :class:`Path` if a file can be written there, else a one-line ``ValueError``."""
    text = os.fspath(path)
    if not text.strip():
        raise ValueError("the output file is an empty path; give a file name")
    target = Path(text)
    if target.is_dir() and not target.is_symlink():
        raise ValueError(f"{target} is a folder; give a file name")
    check_output_folder(target.parent, create=create_folder)
    return target


def _linkat():
    """libc's ``linkat`` (os.link cannot follow the /proc/self/fd link of an unnamed file)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.linkat
    except (OSError, AttributeError):
        return None


_LINKAT = _linkat()
_AT_FDCWD, _AT_SYMLINK_FOLLOW = -100, 0x400


def _name_unnamed(fd: int, name: str) -> None:
    import ctypes

    if _LINKAT(_AT_FDCWD, f"/proc/self/fd/{fd}".encode(), _AT_FDCWD, os.fsencode(name), _AT_SYMLINK_FOLLOW) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"cannot name the temporary file for {name}: {os.strerror(errno)}")


def _unnamed(folder: Path) -> tuple[int, str | None]:
    """A writable file descriptor in ``folder`` without a name when the system allows it."""
    try:
        if _LINKAT is None:
            raise OSError("no linkat")
        return os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o666), None
    except (AttributeError, OSError):  # not Linux, or a file system without O_TMPFILE
        fd, name = tempfile.mkstemp(dir=folder, prefix=".oversmooth-", suffix=".tmp")
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return fd, name


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, binary: bool = False) -> Iterator[IO]:
    """Open ``path`` for writing; the content appears at ``path`` only when the block ends
    without an exception (then flushed to disk and renamed into place)."""
    target = check_output_file(path)
    fd, name = _unnamed(target.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", closefd=False,
                       **({} if binary else {"encoding": "utf-8", "newline": ""})) as handle:
            yield handle
            handle.flush()
        os.fsync(fd)
        if name is None:  # give the unnamed file a name for the instant before the rename
            name = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
            _name_unnamed(fd, name)
        os.replace(name, target)
        name = None
    finally:
        os.close(fd)
        if name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, binary=True) as handle:
        handle.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path) as handle:
        handle.write(text)
    return Path(path)
