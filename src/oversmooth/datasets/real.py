"""Real benchmark graphs, loaded through PyG's dataset classes.

Where the files come from, in order: the raw files already under the data root;
then a read-only mirror (``OVERSMOOTH_DATA_MIRROR``, laid out like PyG's roots);
then, for Cora and CiteSeer (public split), the copy shipped inside the package
(:mod:`oversmooth.datasets.shipped`, no network, nothing written); then PyG's own
download. The data root is the ``root`` argument, else ``OVERSMOOTH_DATA``, else
``~/.cache/oversmooth``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .shipped import SHIPPED, has_raw_files
from .shipped import load as load_shipped

__all__ = ["RealDataset", "REAL_DATASETS", "DataUnavailableError", "data_root", "mirror_root"]


class DataUnavailableError(FileNotFoundError):
    """Raised when a dataset's raw files are neither local, mirrored, nor downloadable."""


@dataclass(frozen=True)
class RealDataset:
    """How one named dataset maps onto a PyG dataset class."""

    name: str
    pyg_class: str
    subdir: str  # PyG root, relative to the data root (and to the mirror)
    mirror_subdir: str  # the part of the tree this dataset's raw files live in
    kwargs: dict = field(default_factory=dict)
    num_nodes: int = 0
    num_classes: int = 0
    num_splits: int = 1
    description: str = ""

    @property
    def source(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.pyg_class}({args})"


def _planetoid(name: str, pyg_name: str, nodes: int, classes: int, geom: bool) -> RealDataset:
    kwargs = {"name": pyg_name, "split": "geom-gcn" if geom else "public"}
    split_text = "10 geom-gcn 60/20/20 splits" if geom else "public Planetoid split"
    return RealDataset(name, "Planetoid", "Planetoid", f"Planetoid/{pyg_name}", kwargs, nodes,
                       classes, 10 if geom else 1, f"citation graph, {split_text}")


REAL_DATASETS: dict[str, RealDataset] = {
    d.name: d
    for d in [
        _planetoid("cora", "Cora", 2708, 7, geom=False),
        _planetoid("cora-geom", "Cora", 2708, 7, geom=True),
        _planetoid("citeseer", "CiteSeer", 3327, 6, geom=False),
        _planetoid("citeseer-geom", "CiteSeer", 3327, 6, geom=True),
        _planetoid("pubmed", "PubMed", 19717, 3, geom=False),
        *[
            RealDataset(n, "WebKB", "WebKB", f"WebKB/{n}", {"name": n.capitalize()}, nodes, 5, 10,
                        "WebKB university pages, heterophilic")
            for n, nodes in [("texas", 183), ("cornell", 183), ("wisconsin", 251)]
        ],
        *[
            RealDataset(n, "WikipediaNetwork", "WikipediaNetwork", f"WikipediaNetwork/{n}",
                        {"name": n, "geom_gcn_preprocess": True}, nodes, 5, 10,
                        "Wikipedia page network, heterophilic")
            for n, nodes in [("chameleon", 2277), ("squirrel", 5201)]
        ],
        RealDataset("actor", "Actor", "Actor", "Actor", {}, 7600, 5, 10,
                    "actor co-occurrence network, heterophilic"),
        *[
            RealDataset(n, "HeterophilousGraphDataset", "HeterophilousGraphDataset",
                        f"HeterophilousGraphDataset/{n}", {"name": n.capitalize()}, nodes, 2, 10,
                        "heterophilous benchmark (Platonov et al. 2023)")
            for n, nodes in [("minesweeper", 10000), ("tolokers", 11758)]
        ],
        RealDataset("karate", "KarateClub", "", "", {}, 34, 4, 1,
                    "Zachary's karate club, bundled with PyG"),
    ]
}


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: ``root`` if given, else ``$OVERSMOOTH_DATA``, else ``~/.cache/oversmooth``.

    The data root (and the mirror) are trusted input: PyG's Planetoid loader unpickles the raw
    files found there. A root that is a file (or lies under one) is a one-line ``ValueError``.
    """
    if root is not None:
        if not os.fspath(root).strip():
            raise ValueError("the data root is an empty path; give a folder or leave --root out")
        path = Path(root).expanduser()
    else:
        env = os.environ.get("OVERSMOOTH_DATA")
        path = Path(env).expanduser() if env else Path.home() / ".cache" / "oversmooth"
    for folder in [path, *path.parents]:
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"data root {path}: {folder} is a file, not a folder")
    return path


def mirror_root() -> Path | None:
    """The read-only mirror named by ``$OVERSMOOTH_DATA_MIRROR``, or None."""
    env = os.environ.get("OVERSMOOTH_DATA_MIRROR")
    return Path(env).expanduser() if env else None


def _raw_files(tree: Path) -> list[Path]:
    """Files inside any ``raw`` folder under ``tree``, relative to ``tree``."""
    if not tree.is_dir():
        return []
    return sorted(
        p.relative_to(tree) for p in tree.rglob("*") if p.is_file() and "raw" in p.parts
    )


def is_present(spec: RealDataset, root: str | os.PathLike | None = None) -> str:
    """Where ``spec`` loads from right now: 'bundled' (with PyG), 'local' or 'mirror' (its
    raw files), 'shipped' (the copy inside this package), or 'no'."""
    if not spec.mirror_subdir:
        return "bundled"
    mirror = mirror_root()
    if spec.name in SHIPPED:  # only a complete set of raw files is used instead of the copy
        if has_raw_files(spec.name, data_root(root)):
            return "local"
        if mirror is not None and has_raw_files(spec.name, mirror):
            return "mirror"
        return "shipped"
    if _raw_files(data_root(root) / spec.mirror_subdir):
        return "local"
    if mirror is not None and _raw_files(mirror / spec.mirror_subdir):
        return "mirror"
    return "no"


def _copy_from_mirror(spec: RealDataset, root: Path) -> None:
    """Copy raw files missing under ``root`` from the mirror, atomically file by file."""
    mirror = mirror_root()
    if mirror is None:
        return
    source = mirror / spec.mirror_subdir
    target = root / spec.mirror_subdir
    for rel in _raw_files(source):
        dest = target / rel
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".partial-")
        os.close(fd)
        try:
            shutil.copyfile(source / rel, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


@contextlib.contextmanager
def _locked(root: Path):
    """Serialise processing of one data root across processes (sweep workers)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".oversmooth.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _offline_class(base: type, spec: RealDataset, allow_download: bool) -> type:
    """A subclass of a PyG dataset whose failed download names the missing files."""

    def download(self):
        missing = [os.path.relpath(p, self.root) for p in self.raw_paths if not os.path.exists(p)]
        if allow_download:
            try:
                return base.download(self)
            except Exception as exc:  # any network failure becomes one clear error
                reason = f"download failed ({type(exc).__name__})"
        else:
            reason = "downloads are disabled by OVERSMOOTH_OFFLINE"
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise DataUnavailableError(
            f"dataset {spec.name!r}: raw files missing under {self.root} ({shown}); {reason}. "
            f"Put the files there, or set OVERSMOOTH_DATA_MIRROR to a folder laid out like "
            f"PyG's roots (containing {spec.mirror_subdir}/)"
        )

    return type(base.__name__, (base,), {"download": download})


def load_pyg(spec: RealDataset, root: str | os.PathLike | None = None):
    """Load the raw PyG ``Data`` of a real dataset (no post-processing).

    Cora and CiteSeer come from the shipped copy when neither the data root nor the
    mirror holds all their raw files (the same tensors as PyG's processing of them).
    """
    import torch_geometric.datasets as pyg_datasets

    base = getattr(pyg_datasets, spec.pyg_class)
    if not spec.subdir:  # bundled with PyG, no files
        return base()[0]
    if is_present(spec, root) == "shipped":
        return load_shipped(spec.name)
    root_path = data_root(root)
    allow_download = os.environ.get("OVERSMOOTH_OFFLINE", "") in ("", "0")
    with _locked(root_path):
        _copy_from_mirror(spec, root_path)
        cls = _offline_class(base, spec, allow_download)
        try:
            dataset = cls(str(root_path / spec.subdir), **spec.kwargs)
        except DataUnavailableError:
            _remove_empty_dirs(root_path / spec.mirror_subdir)
            raise
        except Exception as exc:
            raise ValueError(
                f"dataset {spec.name!r}: PyG could not process the files under "
                f"{root_path / spec.mirror_subdir} ({type(exc).__name__}: {exc})"
            ) from exc
    return dataset[0]


def _remove_empty_dirs(tree: Path) -> None:
    """Undo the empty folders a failed download leaves behind."""
    for folder in sorted(tree.rglob("*"), key=lambda p: len(p.parts), reverse=True) + [tree]:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def karate_masks(num_nodes: int, train_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Karate club ships only a train mask (one node per class): split the rest half/half."""
    rest = (~train_mask).nonzero().view(-1)
    val = torch.zeros(num_nodes, dtype=torch.bool)
    test = torch.zeros(num_nodes, dtype=torch.bool)
    val[rest[0::2]] = True
    test[rest[1::2]] = True
    return val, test
