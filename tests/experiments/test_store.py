import multiprocessing
import sqlite3

import pytest

from oversmooth.experiments.store import SCHEMA_VERSION, Store, StoreVersionError
from tests.experiments._records import record


def test_new_store_has_schema_version_and_wal(tmp_path):
    path = tmp_path / "r.db"
    with Store(path) as store:
        assert store.meta()["schema_version"] == str(SCHEMA_VERSION)
        assert store.count() == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "runs", "layer_metrics", "layer_history", "history"} <= tables


@pytest.mark.parametrize("version", [0, SCHEMA_VERSION + 1])
def test_other_schema_version_is_refused(tmp_path, version):
    path = tmp_path / "r.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match=f"schema version {version}"):
        Store(path)


def test_foreign_database_and_garbage_are_refused(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="not an oversmooth store"):
        Store(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValueError, match="not a usable oversmooth store"):
        Store(garbage)


def test_save_writes_run_and_metric_rows(tmp_path):
    with Store(tmp_path / "r.db") as store:
        assert store.save(record("a", layers=3))
        runs = store.read("runs")
        assert list(runs["run_key"]) == ["a"] and runs["test_acc"].iloc[0] == pytest.approx(0.8)
        assert store.count("layer_metrics") == 3
        assert store.count("history") == 3
        assert store.count("layer_history") == 1


def test_a_run_is_never_stored_twice_and_success_is_kept(tmp_path):
    with Store(tmp_path / "r.db") as store:
        assert store.save(record("a", status="failed", error="boom"))
        assert not store.save(record("a", status="failed", error="boom again"))
        assert store.save(record("a", test_acc=0.7))  # success replaces failure
        assert not store.save(record("a", test_acc=0.9))  # never overwritten
        assert not store.save(record("a", status="failed", error="late failure"))
        runs = store.read("runs")
        assert len(runs) == 1 and runs["status"].iloc[0] == "done"
        assert runs["test_acc"].iloc[0] == pytest.approx(0.7)
        assert store.count("layer_metrics") == 2


def test_failed_write_leaves_no_partial_row(tmp_path):
    bad = record("a")
    bad.layer_metrics.append(bad.layer_metrics[0])  # duplicate primary key -> IntegrityError
    with Store(tmp_path / "r.db") as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.save(bad)
        assert store.count() == 0 and store.count("layer_metrics") == 0
        assert store.count("history") == 0


def test_non_finite_values_are_stored_as_null(tmp_path):
    rec = record("a")
    rec.test_acc = float("nan")
    rec.layer_metrics = [(1, "dirichlet_energy", float("inf"))]
    with Store(tmp_path / "r.db") as store:
        store.save(rec)
        assert store.read("runs")["test_acc"].isna().all()
        assert store.read("layer_metrics")["value"].isna().all()


def test_delete_failed(tmp_path):
    with Store(tmp_path / "r.db") as store:
        store.save(record("a", status="failed", error="x"))
        store.save(record("b"))
        store.save(record("c", status="failed", error="x"))
        assert store.delete_failed(["a"]) == 1
        assert store.statuses() == {"b": "done", "c": "failed"}


def _writer(path, worker, keys):
    with Store(path, timeout=0.05) as store:  # a short timeout forces the retry path
        for key in keys:
            store.save(record(key, seed=worker, layers=4))


def test_concurrent_writers_lose_nothing_and_store_nothing_twice(tmp_path):
    path = tmp_path / "r.db"
    Store(path).close()
    # 3 processes, 40 runs each, half of them shared with the next process
    keys = [[f"run{(w * 20 + i) % 60}" for i in range(40)] for w in range(3)]
    ctx = multiprocessing.get_context("fork")  # fast start; each child opens its own connection
    procs = [ctx.Process(target=_writer, args=(str(path), w, keys[w])) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store(path) as store:
        runs = store.read("runs")
        assert sorted(runs["run_key"]) == sorted({k for ks in keys for k in ks})
        assert store.count("layer_metrics") == 4 * len(runs)
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("content", ["empty", "foreign", "garbage"])
def test_reading_never_changes_the_file(tmp_path, content):
    path = tmp_path / "x.db"
    if content == "empty":
        path.write_bytes(b"")
    elif content == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError):
        Store(path, readonly=True)
    assert _snapshot(tmp_path) == before
    if content == "foreign":
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL


def test_a_readonly_store_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "r.db"
    with Store(path) as store:
        store.save(record("a"))
    before = _snapshot(tmp_path)
    with Store(path, readonly=True) as store:
        assert store.count() == 1 and len(store.read("runs")) == 1
        with pytest.raises(ValueError, match="open for reading only"):
            store.save(record("b"))
    assert _snapshot(tmp_path) == before
    with pytest.raises(FileNotFoundError, match="not found"):
        Store(tmp_path / "missing.db", readonly=True)


@pytest.mark.parametrize("make, match", [
    (lambda d: d, "is a folder"),
    (lambda d: d / "file.txt" / "r.db", "is a file, not a folder"),
    (lambda d: "", "empty"),
])
def test_unusable_store_paths(tmp_path, make, match):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match=match):
        Store(make(tmp_path))


def _downgrade_to_version_1(path):
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE trials")
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    conn.commit()
    conn.close()


def test_a_version_1_store_is_read_as_it_is_and_migrated_when_written(tmp_path):
    path = tmp_path / "r.db"
    with Store(path) as store:
        store.save(record("a"))
    _downgrade_to_version_1(path)
    with Store(path, readonly=True) as store:  # read-only: untouched, no trials
        assert store.schema_version == 1 and not store.has_trials
        assert store.count("trials") == 0 and store.read("trials").empty
        assert store.count() == 1
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "1"
    conn.close()
    with Store(path) as store:  # written: the trials table is added, the runs kept
        assert store.schema_version == SCHEMA_VERSION == 2 and store.has_trials
        assert store.meta()["schema_version"] == "2" and store.count() == 1


def test_set_meta_keeps_a_value_and_guards_the_schema_keys(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.set_meta("claims_facts", '{"a": 1}')
        store.set_meta("claims_facts", '{"a": 2}')          # replaced, not added
        assert store.meta()["claims_facts"] == '{"a": 2}'
        with pytest.raises(ValueError, match="belongs to the store's schema"):
            store.set_meta("schema_version", "9")
    with Store(tmp_path / "s.db", readonly=True) as store:
        with pytest.raises(ValueError, match="reading only"):
            store.set_meta("x", "1")
