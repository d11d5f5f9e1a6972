"""The table of published numbers: it loads, its keys are unique, every number has a
source that cites a paper or repository, and the lookups find the rows tables print."""

from __future__ import annotations

import warnings

import pytest

from oversmooth.literature import published as P
from oversmooth.literature.published import (DEPTHS, PUBLISHED, ROW_ORDER, SOURCES, TABLES,
                                             canonical_label, number, numbers, published)


def test_lookup():
    assert published("cora", "GCN+DropEdge", 8) == 75.8
    assert published("citeseer", "IncepGCN", 64) == 67.5
    assert published("cora", "GCNII", 64) == 85.5
    assert published("cora", "JKNet", 2) is None       # the README prints "-"
    assert published("cora", "ResGCN", 4) is None      # no row here
    assert published("cora", "gcn+dropedge=0.3", 8) == 75.8  # flag-made labels find their row
    assert published("CiteSeer", "jknet", 4) == 68.7
    assert published("cora", "GCN", 2) == 81.1                 # DropEdge README ...
    assert published("cora", "GCN", 2, table="best") == 81.5   # ... and Kipf & Welling
    assert published("cora", "gat", 2, table="best") == 83.0
    assert published("texas", "GCNII", 32, table="best") == 77.84
    with pytest.raises(ValueError, match="unknown published table"):
        published("cora", "GCN", 2, table="table9")


def test_the_table_loads_with_unique_keys():
    all_numbers = numbers()
    assert len(all_numbers) == len({n.key for n in all_numbers}) > 80
    assert len(PUBLISHED) == len(numbers("table3")) == 76
    assert set(TABLES) == {"table3", "best", "neighbors-match", "rewiring"}
    for n in all_numbers:
        assert n.metric in ("test_acc", "train_acc") and 0 < n.value <= 100
        assert (n.depth >= 1 or n.table == "rewiring") and n.dataset == n.dataset.lower()
        assert isinstance(n.checked, bool)


def test_every_number_cites_a_paper_or_repository():
    for n in numbers():
        assert n.source.strip() and n.source_short.strip()
        assert "shared/docs" not in n.source and ".md" not in n.source
        assert any(word in n.source for word in ("ICLR", "ICML", "github.com")), n.source
    assert set(SOURCES) == {(n.dataset, n.label) for n in numbers("table3")}


def test_checked_says_what_was_recorded_from_memory():
    # GCNII and GCNII* of the GCNII paper's Table 3 were recorded from memory, except the
    # 64-layer GCNII cell, which the GCNII README prints too
    assert number("cora", "GCNII", 32).checked is False
    assert number("cora", "GCNII*", 64).checked is False
    assert number("cora", "GCNII", 64).checked is True
    assert all(n.checked for n in numbers("table3") if n.source_short == "DropEdge README")


def test_table3_rows_and_depths():
    assert DEPTHS == (2, 4, 8, 16, 32, 64)
    assert {n.label for n in numbers("table3")} <= set(ROW_ORDER)
    assert {n.depth for n in numbers("table3")} == set(DEPTHS)
    for dataset in ("cora", "citeseer"):  # each DropEdge row: original and with DropEdge
        for label in ("GCN", "JKNet", "IncepGCN"):
            for depth in DEPTHS:
                assert (published(dataset, label, depth) is None) == (
                    published(dataset, f"{label}+DropEdge", depth) is None)


def test_canonical_label():
    assert canonical_label("gcn+dropedge=0.3") == "GCN+DropEdge"
    assert canonical_label("jknet") == "JKNet"
    assert canonical_label("my-model") == "my-model"


@pytest.mark.parametrize("broken, message", [
    ('numbers = [{ table = "t", dataset = "cora", label = "GCN", depth = 2, metric = "test_acc", '
     'value = 1.0, source = "s", checked = true }, { table = "t", dataset = "cora", '
     'label = "gcn", depth = 2, metric = "test_acc", value = 2.0, source = "s", checked = true }]',
     "appears twice"),
    ('numbers = [{ table = "t", dataset = "cora", label = "GCN", depth = 2, metric = "test_acc", '
     'value = 1.0, source = "x", checked = true }]', "unknown source"),
    ('numbers = [{ table = "t", dataset = "cora", label = "GCN", depth = 2, value = 1.0, '
     'source = "s", checked = true }]', "missing"),
    ('numbers = []\n[sources.s2]\nshort = "n"\ncitation = "see shared/docs/published-results.md"',
     "cites a file"),
])
def test_the_loader_rejects_a_broken_table(tmp_path, broken, message):
    text = broken + '\n[sources.s]\nshort = "S"\ncitation = "A paper, ICLR 2020"\n[tables.t]\n'
    path = tmp_path / "published.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        P._load(path)


def test_the_old_module_is_a_deprecated_alias():
    import oversmooth.experiments.published as old

    with pytest.warns(DeprecationWarning, match="oversmooth.literature.published.published"):
        assert old.published("cora", "GCN", 8) == 69.5
    with pytest.warns(DeprecationWarning):
        assert old.PUBLISHED is PUBLISHED and old.ROW_ORDER == ROW_ORDER
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            old.nothing


def test_bench_reproduce_takes_its_published_numbers_from_the_table():
    from bench.reproduce import TARGETS

    got = {t.key: t.published for t in TARGETS}  # every target finds its number
    assert got == {"gcn-2": 81.5, "sgc-2": 81.0, "appnp-10": 83.3, "gat-2": 83.0,
                   "gcn-64": 28.7, "jknet-16": 80.2, "gcnii-64": 85.5, "gcnii-texas": 77.84}
    assert all(t.source for t in TARGETS)
