import pytest

SWEEP = ["sweep", "--datasets", "csbm", "-p", "num_nodes=100", "-p", "num_features=8",
         "--models", "gcn", "--depths", "1,2", "--seeds", "1", "--epochs", "5", "--hidden", "8",
         "--metrics", "dirichlet_energy", "--jobs", "1"]


def test_sweep_table_export(run_cli, tmp_path):
    store = str(tmp_path / "r.db")
    code, out, err = run_cli(*SWEEP, "--store", store, "--quiet")
    assert code == 0, err
    assert "2 done, 0 failed" in err
    code, out, err = run_cli(*SWEEP, "--store", store, "--dry-run")
    assert code == 0 and "2 runs, 2 in" in out and out.count("done ") == 2
    code, out, _ = run_cli("table", store)
    assert code == 0 and "| gcn |" in out and "deepest within 1 pt" in out
    code, out, _ = run_cli("table", store, "--metric", "dirichlet", "--format", "csv")
    assert code == 0 and out.startswith("dataset,label,depth,mean")
    code, out, _ = run_cli("table", store, "--format", "latex")
    assert code == 0 and "\\begin{tabular}" in out
    code, out, _ = run_cli("export", store, "--out", str(tmp_path / "csv"))
    assert code == 0 and (tmp_path / "csv" / "runs.csv").is_file()


@pytest.mark.parametrize("args, message", [
    (["sweep", "--datasets", "csbm", "--models", "gcnn", "--depths", "2"], "unknown model 'gcnn'"),
    (["sweep", "--datasets", "nope", "--models", "gcn", "--depths", "2"], "unknown dataset 'nope'"),
    (["sweep", "--datasets", "csbm", "--models", "gcn", "--depths", "0,2"], "depths must be >= 1"),
    (["sweep"], "nothing to sweep"),
    (["sweep", "--preset", "table9"], "unknown preset 'table9'"),
    (["table", "missing.db"], "store missing.db not found"),
])
def test_bad_input_exits_2_before_running(run_cli, tmp_path, args, message):
    code, out, err = run_cli(*args, "--store", str(tmp_path / "r.db")) if args[0] == "sweep" \
        else run_cli(*args)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "r.db").exists()  # nothing ran, no store was created


def test_config_error_names_file_and_line(run_cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('datasets = ["csbm"]\nmodels = ["gcn"]\ndepths = [2]\ndepht = 3\n')
    code, _, err = run_cli("sweep", "--config", str(path), "--store", str(tmp_path / "r.db"))
    assert code == 2 and "bad.toml:4: unknown key 'depht'" in err


def test_parquet_export_without_pyarrow(run_cli, tmp_path, monkeypatch):
    import sys

    from oversmooth.experiments.store import Store

    Store(tmp_path / "r.db").close()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _, err = run_cli("export", str(tmp_path / "r.db"), "--format", "parquet")
    assert code == 2 and "pip install 'oversmooth[parquet]'" in err


def test_reading_commands_do_not_write(run_cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for args in (["table", str(empty)], ["export", str(empty), "--out", str(tmp_path / "out")]):
        code, _, err = run_cli(*args)
        assert code == 2 and "empty" in err and len(err.strip().splitlines()) == 1
    assert empty.read_bytes() == b"" and not (tmp_path / "out").exists()
    code, out, _ = run_cli(*SWEEP, "--store", str(tmp_path / "new.db"), "--dry-run")
    assert code == 0 and "2 to run" in out and not (tmp_path / "new.db").exists()


def test_export_replaces_a_link_instead_of_writing_through_it(run_cli, tmp_path):
    store = str(tmp_path / "r.db")
    assert run_cli(*SWEEP, "--store", store, "--quiet")[0] == 0
    out = tmp_path / "csv"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (out / "runs.csv").symlink_to(precious)
    code, _, err = run_cli("export", store, "--out", str(out))
    assert code == 0, err
    assert precious.read_text() == "keep me"
    assert not (out / "runs.csv").is_symlink() and (out / "runs.csv").read_text().startswith("run_key")


def test_user_text_is_never_markup(run_cli):
    code, _, err = run_cli("info", "[/x]bad[bold]")
    assert code == 2 and "[/x]bad[bold]" in err and "Traceback" not in err
