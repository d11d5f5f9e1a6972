"""Cora and CiteSeer (public Planetoid split) shipped inside the package.

``data/<name>.npz`` holds exactly what PyG's ``Planetoid(root, name)[0]`` builds from
the raw ``ind.<name>.*`` files, in a compact lossless form:

* ``x``: the binary bag-of-words matrix as sorted column indices per row (``x_counts``
  nonzeros per row, ``x_gaps`` the gaps between consecutive indices of a row, the first
  one from 0), every nonzero being 1.0;
* ``edge_index``: undirected and without self-loops, so each edge ``i < j`` is stored
  once, the same way (``edge_counts``, ``edge_gaps``); PyG's column-major order
  (sorted by target, then source) is rebuilt on load;
* ``y`` as uint8, the three masks bit-packed.

:func:`pack` refuses any graph this form would not reproduce exactly, so a file it writes
always unpacks to the tensors it was given. ``data/SHA256SUMS`` holds the checksum of
each file, checked on every load; ``data/README.md`` says where the data comes from and
under which licence. Rebuild the files from PyG's raw files with :func:`build`.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import torch

__all__ = ["SHIPPED", "DATA_DIR", "RAW_FILES", "load", "pack", "unpack", "write", "build",
           "has_raw_files", "checksums"]

#: Dataset name -> PyG Planetoid name, for the datasets shipped in ``data/``.
SHIPPED = {"cora": "Cora", "citeseer": "CiteSeer"}
DATA_DIR = Path(__file__).resolve().parent / "data"
#: The raw files of one Planetoid dataset (``ind.<name>.<suffix>``), as PyG reads them.
RAW_FILES = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_FORMAT = 1
_MASKS = ("train_mask", "val_mask", "test_mask")


def has_raw_files(name: str, root: str | os.PathLike) -> bool:
    """Whether ``root`` (a data root or a mirror) holds every raw file of ``name``."""
    pyg = SHIPPED[name]
    raw = Path(root) / "Planetoid" / pyg / "raw"
    return all((raw / f"ind.{pyg.lower()}.{suffix}").is_file() for suffix in RAW_FILES)


def checksums(directory: str | os.PathLike | None = None) -> dict[str, str]:
    """``{file name: sha256}`` from ``SHA256SUMS`` in ``directory`` (default :data:`DATA_DIR`)."""
    sums = Path(directory or DATA_DIR) / "SHA256SUMS"
    result = {}
    for line in sums.read_text().splitlines():
        if line.strip():
            digest, file = line.split()
            result[file.lstrip("*")] = digest
    return result


# ---------------------------------------------------------------------------- encoding
def _gaps(groups: np.ndarray, members: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(counts per group, gaps): ``members`` sorted within each group, groups ascending."""
    counts = np.bincount(groups, minlength=n)
    gaps = np.diff(members, prepend=0)
    starts = np.cumsum(counts)[:-1][counts[1:] > 0] if n > 1 else np.empty(0, np.int64)
    gaps[starts] = members[starts]  # each group starts again from 0
    if len(members):
        gaps[0] = members[0]
    return counts, gaps


def _ungap(counts: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`_gaps`: (group of each member, member), int64."""
    counts = counts.astype(np.int64)
    groups = np.repeat(np.arange(len(counts)), counts)
    total = np.cumsum(gaps.astype(np.int64))
    ends = np.cumsum(counts)
    base = np.concatenate([[0], total[ends[:-1] - 1]]) if len(total) else np.zeros(len(counts), np.int64)
    base = np.where(ends - counts > 0, base, 0)
    return groups, total - np.repeat(base, counts)


def _small(values: np.ndarray, what: str) -> np.ndarray:
    if len(values) and (values.min() < 0 or values.max() > np.iinfo(np.uint16).max):
        raise ValueError(f"{what} does not fit in uint16")
    return values.astype(np.uint16)


def pack(data) -> dict[str, np.ndarray]:
    """The arrays stored for a PyG Planetoid ``Data`` (see the module docstring).

    Raises:
        ValueError: the graph is not one this form reproduces exactly (non-binary
            features, a directed graph or self-loops, an edge order other than PyG's).
    """
    x = data.x
    n, f = x.shape
    if x.dtype != torch.float32 or not bool(((x == 0) | (x == 1)).all()):
        raise ValueError("x must be a float32 0/1 matrix")
    rows, cols = (t.numpy() for t in x.nonzero(as_tuple=True))  # row-major, sorted
    x_counts, x_gaps = _gaps(rows, cols, n)

    ei = data.edge_index.numpy()
    src, dst = ei
    upper = src < dst
    order = np.lexsort((dst[upper], src[upper]))  # each edge i < j once, by i then j
    e_counts, e_gaps = _gaps(src[upper][order], dst[upper][order], n)
    arrays = {
        "format": np.array([_FORMAT, n, f], dtype=np.int64),
        "x_counts": _small(x_counts, "x row counts"), "x_gaps": _small(x_gaps, "x gaps"),
        "edge_counts": _small(e_counts, "edge counts"), "edge_gaps": _small(e_gaps, "edge gaps"),
        "y": data.y.numpy().astype(np.uint8),
        **{m: np.packbits(getattr(data, m).numpy()) for m in _MASKS},
    }
    if not bool((data.y.numpy() == arrays["y"]).all()):
        raise ValueError("y must hold labels 0..255")
    back = unpack(arrays)
    for key in ("x", "edge_index", "y", *_MASKS):
        if not torch.equal(back[key], data[key]) or back[key].dtype != data[key].dtype:
            raise ValueError(f"{key} would not be reproduced exactly by the packed form")
    return arrays


def unpack(arrays) -> "torch_geometric.data.Data":  # noqa: F821
    """The PyG ``Data`` stored in ``arrays`` (the result of :func:`pack`)."""
    from torch_geometric.data import Data

    fmt, n, f = (int(v) for v in arrays["format"])
    if fmt != _FORMAT:
        raise ValueError(f"shipped data format {fmt} is not {_FORMAT}")
    rows, cols = _ungap(arrays["x_counts"], arrays["x_gaps"])
    x = torch.zeros(n, f, dtype=torch.float32)
    x[torch.from_numpy(rows), torch.from_numpy(cols)] = 1.0
    src, dst = _ungap(arrays["edge_counts"], arrays["edge_gaps"])
    src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    order = np.lexsort((src, dst))  # PyG's order: by target, then source
    edge_index = torch.from_numpy(np.stack([src[order], dst[order]]))
    y = torch.from_numpy(arrays["y"].astype(np.int64))
    masks = {m: torch.from_numpy(np.unpackbits(arrays[m], count=n).astype(bool)) for m in _MASKS}
    return Data(x=x, edge_index=edge_index, y=y, **masks)


# ---------------------------------------------------------------------------- files
def write(data, path: str | os.PathLike) -> str:
    """Write ``pack(data)`` as a compressed ``.npz`` (byte-for-byte reproducible); its sha256."""
    arrays = pack(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            array_bytes = io.BytesIO()
            np.lib.format.write_array(array_bytes, np.ascontiguousarray(value), allow_pickle=False)
            zf.writestr(info, array_bytes.getvalue(), compresslevel=9)
    payload = buffer.getvalue()
    Path(path).write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def load(name: str, directory: str | os.PathLike | None = None):
    """The shipped PyG ``Data`` of ``name`` (``cora`` or ``citeseer``), checksum verified.

    Raises:
        ValueError: (one line, naming the file) the file is missing, fails its checksum
            or cannot be read.
    """
    directory = Path(directory or DATA_DIR)
    path = directory / f"{name}.npz"
    try:
        payload = path.read_bytes()
        expected = checksums(directory).get(path.name)
    except OSError as exc:
        raise ValueError(f"shipped dataset file {path} cannot be read ({exc.strerror or exc}); "
                         f"reinstall oversmooth") from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != expected:
        raise ValueError(f"shipped dataset file {path} is corrupt: sha256 {digest[:16]}... "
                         f"does not match SHA256SUMS ({str(expected)[:16]}...); reinstall oversmooth")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            return unpack({k: arrays[k] for k in arrays.files})
    except Exception as exc:  # noqa: BLE001 -- a checksummed file that does not unpack
        raise ValueError(f"shipped dataset file {path} cannot be unpacked "
                         f"({type(exc).__name__}: {exc})") from exc


def build(root: str | os.PathLike, directory: str | os.PathLike | None = None) -> dict[str, str]:
    """Rebuild every shipped file from the raw Planetoid files under ``root`` (laid out
    like PyG's roots, e.g. a mirror); write ``SHA256SUMS``; return ``{file: sha256}``.

    ``root`` is read only: PyG processes a temporary copy of the raw files.
    """
    import shutil
    import tempfile

    from torch_geometric.datasets import Planetoid

    directory = Path(directory or DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    sums = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, pyg in SHIPPED.items():
            if not has_raw_files(name, root):
                raise ValueError(f"{root} has no Planetoid/{pyg}/raw files")
            shutil.copytree(Path(root) / "Planetoid" / pyg / "raw", Path(tmp) / pyg / "raw")
            data = Planetoid(tmp, pyg)[0]
            sums[f"{name}.npz"] = write(data, directory / f"{name}.npz")
    (directory / "SHA256SUMS").write_text("".join(f"{d}  {f}\n" for f, d in sums.items()))
    return sums
