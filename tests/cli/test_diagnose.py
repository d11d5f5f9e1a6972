"""`oversmooth diagnose`: zoo models, a user's model file, and one-line errors."""

from __future__ import annotations

import json

import pytest

FACTORY = ("from torch_geometric.nn.models import GCN\n"
           "def build(data):\n"
           "    return GCN(data.num_features, 16, num_layers=16, out_channels=int(data.y.max()) + 1)\n"
           "def plain():\n    return GCN(34, 8, num_layers=2, out_channels=4)\n"
           "def bad(data):\n    return 'not a model'\n")


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(FACTORY)
    return path


def test_zoo_gcn_oversmooths_and_gcnii_does_not(run_cli):
    code, out, _ = run_cli("diagnose", "csbm", "-p", "num_nodes=300", "--model", "gcn", "--depth", "32",
                           "--hidden", "16", "--json")
    gcn = json.loads(out)
    code2, out2, _ = run_cli("diagnose", "csbm", "-p", "num_nodes=300", "--model", "gcnii", "--depth", "32",
                             "--hidden", "16", "--json")
    gcnii = json.loads(out2)
    assert code == code2 == 0
    assert gcn["onset"] is not None and gcnii["onset"] is None
    assert "--datasets csbm -p num_nodes=300" in gcn["mitigations"][0]["command"]


def test_table_and_plot(run_cli, tmp_path):
    code, out, _ = run_cli("diagnose", "karate", "--depth", "24", "--plot", str(tmp_path / "d.png"))
    assert code == 0 and "verdict:" in out and "spectral prediction" in out
    assert (tmp_path / "d.png").stat().st_size > 0


def test_model_file(run_cli, model_file):
    code, out, _ = run_cli("diagnose", "karate", "--model-file", f"{model_file}:build", "--json")
    result = json.loads(out)
    assert code == 0 and result["model"] == "GCN" and result["num_layers"] == 16
    code, out, _ = run_cli("diagnose", "karate", "--model-file", f"{model_file}:plain", "--json",
                           "--no-spectral")
    assert code == 0 and json.loads(out)["rate"] is None


@pytest.mark.parametrize("spec, message", [
    ("{f}:bad", "returned str, not a torch.nn.Module"),
    ("{f}:missing", "defines no 'missing'"),
    ("{d}/absent.py:build", "not found"),
    ("{f}", "PATH.py:FACTORY"),
])
def test_model_file_errors_are_one_line(run_cli, model_file, spec, message):
    code, out, err = run_cli("diagnose", "karate", "--model-file",
                             spec.format(f=model_file, d=model_file.parent))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_model_and_model_file_exclude_each_other(run_cli, model_file):
    code, _, err = run_cli("diagnose", "karate", "--model", "gcn", "--model-file", f"{model_file}:build")
    assert code == 2 and "not both" in err
