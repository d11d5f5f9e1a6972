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
    assert code == 2 and "pip install pyarrow" in err
