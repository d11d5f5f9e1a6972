import pytest
import torch

from oversmooth.datasets import DataUnavailableError, available, load, summary
from tests.conftest import needs_mirror

# name: nodes, undirected edges (after symmetrising, no loops), features, classes,
#       (train, val, test) of split 0, components
KNOWN = {
    "cora": (2708, 5278, 1433, 7, (140, 500, 1000), 78),
    "cora-geom": (2708, 5278, 1433, 7, (1192, 796, 497), 78),
    "citeseer": (3327, 4552, 3703, 6, (120, 500, 1000), 438),
    "texas": (183, 279, 1703, 5, (87, 59, 37), 1),
    "cornell": (183, 277, 1703, 5, (87, 59, 37), 1),
    "wisconsin": (251, 450, 1703, 5, (120, 80, 51), 1),
    "chameleon": (2277, 31371, 2325, 5, (1092, 729, 456), 1),
    "squirrel": (5201, 198353, 2089, 5, (2496, 1664, 1041), 1),
    "actor": (7600, 26659, 932, 5, (3648, 2432, 1520), 1),
    "minesweeper": (10000, 39402, 7, 2, (5000, 2500, 2500), 1),
    "tolokers": (11758, 519000, 10, 2, (5879, 2939, 2940), 1),
    "karate": (34, 78, 34, 4, (4, 15, 15), 1),
}


@needs_mirror
@pytest.mark.parametrize("name", sorted(KNOWN))
def test_real_dataset_statistics(name):
    nodes, edges, features, classes, (tr, va, te), components = KNOWN[name]
    data = load(name)
    s = summary(data)
    assert (s["num_nodes"], s["num_edges"], s["num_features"], s["num_classes"]) == (
        nodes, edges, features, classes)
    assert (s["train_nodes"], s["val_nodes"], s["test_nodes"]) == (tr, va, te)
    assert s["connected_components"] == components
    assert not s["directed"] and s["self_loops"] == 0
    assert data.edge_index.size(1) == 2 * edges
    assert data.x.dtype == torch.float32 and data.y.dtype == torch.long
    assert not bool((data.train_mask & data.test_mask).any())


@needs_mirror
def test_cora_homophily_and_citeseer_isolated():
    assert summary(load("cora"))["edge_homophily"] == pytest.approx(0.810, abs=1e-3)
    assert summary(load("citeseer"))["isolated_nodes"] == 48


@needs_mirror
def test_split_selects_mask_column():
    first, other = load("texas", split=0), load("texas", split=7)
    assert not torch.equal(first.train_mask, other.train_mask)
    with pytest.raises(ValueError, match=r"texas has 10 split\(s\); split must be in 0..9, got 10"):
        load("texas", split=10)
    with pytest.raises(ValueError, match="cora has 1 split"):
        load("cora", split=1)


def test_unknown_name_lists_known():
    with pytest.raises(ValueError) as info:
        load("coraa")
    message = str(info.value)
    assert "unknown dataset 'coraa'" in message and "did you mean 'cora'" in message
    assert all(name in message for name in available())
    assert "\n" not in message


def test_missing_files_name_them_and_both_remedies(tmp_path, monkeypatch):
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError) as info:
        load("pubmed", root=tmp_path)
    message = str(info.value)
    assert "ind.pubmed.x" in message and "OVERSMOOTH_DATA_MIRROR" in message
    assert "\n" not in message
    assert not any(tmp_path.rglob("*raw*"))  # no half-made folders left behind


@needs_mirror
def test_mirror_is_never_written(tmp_path):
    from tests.conftest import mirror_path

    before = sorted(p for p in mirror_path().rglob("*"))
    load("wisconsin", root=tmp_path)
    assert sorted(p for p in mirror_path().rglob("*")) == before
    assert (tmp_path / "WebKB" / "wisconsin" / "raw").is_dir()


def test_root_precedence(tmp_path, monkeypatch):
    from oversmooth.datasets import data_root

    monkeypatch.setenv("OVERSMOOTH_DATA", str(tmp_path / "env"))
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("OVERSMOOTH_DATA")
    assert str(data_root()).endswith(".cache/oversmooth")


def test_pubmed_loads_when_files_present(tmp_path, monkeypatch):
    """PubMed is not mirrored: fake its raw files from a small Planetoid-format graph."""
    import pickle

    import numpy as np
    import scipy.sparse as sp

    raw = tmp_path / "Planetoid" / "PubMed" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    n_all, n_test, f, c = 520, 10, 5, 3  # Planetoid reads 500 val nodes after train
    def onehot(k):
        return np.eye(c)[rng.integers(0, c, k)]
    arrays = {"x": sp.csr_matrix(rng.random((6, f))), "y": onehot(6),
              "allx": sp.csr_matrix(rng.random((n_all, f))), "ally": onehot(n_all),
              "tx": sp.csr_matrix(rng.random((n_test, f))), "ty": onehot(n_test)}
    for key, value in arrays.items():
        with open(raw / f"ind.pubmed.{key}", "wb") as handle:
            pickle.dump(value, handle)
    test_index = np.arange(n_all, n_all + n_test)
    (raw / "ind.pubmed.test.index").write_text("\n".join(map(str, rng.permutation(test_index))))
    graph = {i: [(i + 1) % (n_all + n_test)] for i in range(n_all + n_test)}
    with open(raw / "ind.pubmed.graph", "wb") as handle:
        pickle.dump(graph, handle)
    data = load("pubmed", root=tmp_path)
    assert data.num_nodes == n_all + n_test and data.x.size(1) == f
    assert summary(data)["num_edges"] == n_all + n_test
