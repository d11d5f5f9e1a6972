import json

import pytest

from tests.conftest import needs_mirror


def test_help_teaches(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0 and "datasets" in out and "info" in out
    code, out, _ = run_cli("info", "--help")
    assert code == 0 and "Examples" in out and "-p" in out


@needs_mirror
def test_datasets_json_reports_presence(run_cli):
    code, out, _ = run_cli("datasets", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    assert rows["cora"]["present"] in ("local", "mirror") and rows["cora"]["num_nodes"] == 2708
    assert rows["karate"]["present"] == "bundled" and rows["csbm"]["kind"] == "synthetic"


def test_datasets_table(run_cli):
    code, out, _ = run_cli("datasets")
    assert code == 0 and "tolokers" in out and "cora-like" in out


@needs_mirror
def test_info_json(run_cli):
    code, out, _ = run_cli("info", "cora", "--json")
    result = json.loads(out)
    assert code == 0 and result["num_nodes"] == 2708 and result["connected_components"] == 78


def test_info_synthetic_parameters(run_cli):
    code, out, _ = run_cli("info", "csbm", "-p", "num_nodes=600", "-p", "homophily=0.3", "--json")
    assert code == 0 and json.loads(out)["num_nodes"] == 600


@pytest.mark.parametrize("args, message", [
    (["info", "coraa"], "unknown dataset 'coraa'"),
    (["info", "csbm", "-p", "homophily=2"], "homophily must lie in [0, 1], got 2"),
    (["info", "csbm", "-p", "bogus"], "is not of the form KEY=VALUE"),
    (["info", "texas", "--split", "12"], "split must be in 0..9"),
])
def test_bad_input_exits_2_with_one_line(run_cli, args, message):
    code, out, err = run_cli(*args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_files_exit_2(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("OVERSMOOTH_DATA_MIRROR", raising=False)
    code, _, err = run_cli("info", "pubmed", "--root", str(tmp_path))
    assert code == 2 and "ind.pubmed" in err and "Traceback" not in err


def test_console_script_exits_2(tmp_path):
    """The installed command itself, in a subprocess: exit code 2 and no traceback."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "oversmooth", "info", "nope"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown dataset 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr
