"""Cora and CiteSeer shipped in the package: identical to PyG's loading, checksummed."""

from __future__ import annotations

import shutil

import pytest
import torch

from oversmooth.datasets import REAL_DATASETS, load, shipped
from oversmooth.datasets.real import is_present, load_pyg
from tests.conftest import needs_mirror

KEYS = ("x", "edge_index", "y", "train_mask", "val_mask", "test_mask")


def _assert_identical(a, b):
    assert sorted(a.keys()) == sorted(b.keys())
    for key in a.keys():
        if isinstance(a[key], torch.Tensor):
            assert a[key].dtype == b[key].dtype, key
            assert torch.equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key


@needs_mirror
@pytest.mark.parametrize("name", sorted(shipped.SHIPPED))
def test_shipped_copy_equals_pyg_from_raw_files(name, tmp_path):
    spec = REAL_DATASETS[name]
    assert is_present(spec, tmp_path) == "mirror"
    from_raw = load_pyg(spec, tmp_path)  # PyG's Planetoid processing the mirrored raw files
    assert (tmp_path / "Planetoid" / shipped.SHIPPED[name] / "processed").is_dir()
    from_copy = shipped.load(name)
    assert set(from_raw.keys()) == set(KEYS)
    _assert_identical(from_raw, from_copy)


@needs_mirror
@pytest.mark.parametrize("name", sorted(shipped.SHIPPED))
def test_load_is_the_same_with_and_without_the_mirror(name, tmp_path, monkeypatch):
    with_mirror = load(name, root=tmp_path / "a")
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR")
    _assert_identical(with_mirror, load(name, root=tmp_path / "b"))


@pytest.mark.parametrize("name", sorted(shipped.SHIPPED))
def test_shipped_copy_used_offline_without_mirror_writes_nothing(name, tmp_path, monkeypatch):
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    monkeypatch.setenv("OVERSMOOTH_OFFLINE", "1")
    assert is_present(REAL_DATASETS[name], tmp_path) == "shipped"
    data = load(name, root=tmp_path)
    spec = REAL_DATASETS[name]
    assert (data.num_nodes, data.num_features, int(data.y.max()) + 1) == (
        spec.num_nodes, data.x.size(1), spec.num_classes)
    assert (int(data.train_mask.sum()), int(data.val_mask.sum()), int(data.test_mask.sum())) == (
        20 * spec.num_classes, 500, 1000)
    assert not any(tmp_path.iterdir())


def test_geom_splits_are_not_shipped(tmp_path, monkeypatch):
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    assert is_present(REAL_DATASETS["cora-geom"], tmp_path) == "no"


def test_local_raw_files_take_precedence(tmp_path, monkeypatch):
    """A complete set of raw files in the data root is what loads; a partial one is not."""
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    raw = tmp_path / "Planetoid" / "Cora" / "raw"
    raw.mkdir(parents=True)
    for suffix in shipped.RAW_FILES[:-1]:
        (raw / f"ind.cora.{suffix}").write_bytes(b"")
    assert is_present(REAL_DATASETS["cora"], tmp_path) == "shipped"
    (raw / "ind.cora.test.index").write_bytes(b"")
    assert is_present(REAL_DATASETS["cora"], tmp_path) == "local"


def test_corrupt_file_is_one_line_error_naming_it(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(shipped.DATA_DIR, copy)
    payload = bytearray((copy / "cora.npz").read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    (copy / "cora.npz").write_bytes(bytes(payload))
    monkeypatch.setattr(shipped, "DATA_DIR", copy)
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    with pytest.raises(ValueError) as info:
        load("cora", root=tmp_path / "root")
    message = str(info.value)
    assert str(copy / "cora.npz") in message and "corrupt" in message and "sha256" in message
    assert "\n" not in message
    (copy / "citeseer.npz").unlink()
    with pytest.raises(ValueError, match=r"citeseer\.npz cannot be read"):
        shipped.load("citeseer")


def test_package_data_is_small_and_checksums_match_files():
    files = {p.name: p.stat().st_size for p in shipped.DATA_DIR.glob("*.npz")}
    assert set(files) == {f"{n}.npz" for n in shipped.SHIPPED} == set(shipped.checksums())
    assert sum(files.values()) < 250_000  # 228,731 bytes when written
    assert (shipped.DATA_DIR / "README.md").is_file()


def _small_graph():
    from torch_geometric.data import Data
    from torch_geometric.utils import to_undirected

    g = torch.Generator().manual_seed(0)
    n, f = 40, 300
    x = (torch.rand(n, f, generator=g) < 0.05).float()
    x[3] = 0  # an empty row
    src = torch.randint(0, n - 2, (60,), generator=g)
    dst = torch.randint(0, n - 2, (60,), generator=g)
    keep = src != dst
    edge_index = to_undirected(torch.stack([src[keep], dst[keep]]), num_nodes=n)  # 2 isolated
    order = torch.argsort(edge_index[1] * n + edge_index[0])  # PyG Planetoid's order
    masks = {m: torch.rand(n, generator=g) < 0.3 for m in ("train_mask", "val_mask", "test_mask")}
    return Data(x=x, edge_index=edge_index[:, order], y=torch.randint(0, 5, (n,), generator=g),
                **masks)


def test_pack_round_trip_and_byte_reproducible_write(tmp_path):
    data = _small_graph()
    _assert_identical(shipped.unpack(shipped.pack(data)), data)
    first = shipped.write(data, tmp_path / "a.npz")
    assert shipped.write(data, tmp_path / "b.npz") == first
    (tmp_path / "SHA256SUMS").write_text(f"{first}  g.npz\n")
    (tmp_path / "a.npz").rename(tmp_path / "g.npz")
    _assert_identical(shipped.load("g", tmp_path), data)


def test_pack_refuses_what_it_cannot_reproduce():
    data = _small_graph()
    weighted = data.clone()
    weighted.x = weighted.x * 0.5
    with pytest.raises(ValueError, match="0/1"):
        shipped.pack(weighted)
    directed = data.clone()
    directed.edge_index = directed.edge_index[:, directed.edge_index[0] < directed.edge_index[1]]
    with pytest.raises(ValueError, match="edge_index would not be reproduced"):
        shipped.pack(directed)
    unsorted = data.clone()
    unsorted.edge_index = unsorted.edge_index.flip(1)
    with pytest.raises(ValueError, match="edge_index would not be reproduced"):
        shipped.pack(unsorted)
