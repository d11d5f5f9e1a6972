"""`oversmooth backward`."""

from __future__ import annotations

import json

import pytest
import torch

from oversmooth.backward import initialize, stationarity
from oversmooth import datasets
from oversmooth.models import build


def test_table(run_cli):
    code, out, err = run_cli("backward", "csbm", "-p", "num_nodes=120", "--depth", "3", "--hidden", "8")
    assert code == 0, err
    assert "dM(B)" in out and "|dW|/last" in out


def test_json_and_plot(run_cli, tmp_path):
    png = tmp_path / "b.png"
    code, out, err = run_cli("backward", "csbm", "-p", "num_nodes=120", "--model", "gcnii",
                             "--depth", "3", "--hidden", "8", "--json", "--plot", str(png))
    assert code == 0, err
    payload = json.loads(out)
    assert [row["layer"] for row in payload["layers"]] == [0, 1, 2, 3]
    assert payload["parameters"][-1]["group"] == "lin_out"
    assert png.stat().st_size > 0


def test_stationarity_json(run_cli):
    code, out, err = run_cli("backward", "csbm", "-p", "num_nodes=80", "--stationarity", "--depth", "3",
                             "--hidden", "4", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert isinstance(payload["gnn_stationary"], bool) and "Reference" in payload["verdict"]


@pytest.mark.parametrize("args", [
    ("backward", "csbm", "--model", "nope"),
    ("backward", "csbm", "--depth", "0"),
    ("backward", "csbm", "--init", "zeros"),
    ("backward", "csbm", "-o", "nonsense=1"),
    ("backward", "ring", "--depth", "2"),
    ("backward", "csbm", "--stationarity", "--plot", "x.png"),
])
def test_bad_input_exits_2(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2 and "error" in err and "Traceback" not in err


def test_initialize_same_weights_for_gcn_and_mlp():
    gcn = initialize(build("gcn", 5, 4, 2, 3), "glorot", 7)
    mlp = initialize(build("mlp", 5, 4, 2, 3), "glorot", 7)
    for conv, lin in zip(gcn.convs, mlp.lins):
        assert torch.equal(conv.lin.weight, lin.weight)
    with pytest.raises(ValueError, match="unknown init"):
        initialize(gcn, "zeros")


def test_stationarity_bad_input():
    data = datasets.csbm(num_nodes=50, seed=0)
    with pytest.raises(ValueError, match="depth"):
        stationarity("gcn", data, depth=0)
    with pytest.raises(ValueError, match="unknown model"):
        stationarity("nope", data, depth=2)


def test_width_is_a_deprecated_alias_of_hidden(run_cli):
    args = ("backward", "csbm", "-p", "num_nodes=80", "--depth", "2", "--json")
    code, new, err = run_cli(*args, "--hidden", "6")
    assert code == 0 and "deprecated" not in err, err
    code, old, err = run_cli(*args, "--width", "6")
    assert code == 0 and "--width is deprecated; use --hidden" in err
    assert json.loads(old) == json.loads(new) and json.loads(new)["hidden_channels"] == 6
    code, _, err = run_cli(*args, "--width", "6", "--hidden", "8")
    assert code == 2 and "pass --hidden only" in err


def test_stationarity_width_is_a_deprecated_alias():
    data = datasets.csbm(num_nodes=60, seed=0)
    new = stationarity("gcn", data, depth=2, hidden_channels=4, max_steps=1)
    with pytest.warns(DeprecationWarning, match=r"stationarity\(width=...\) is deprecated; use hidden_channels"):
        old = stationarity("gcn", data, depth=2, width=4, max_steps=1)
    assert old.table.equals(new.table) and old.verdict == new.verdict
    assert new.settings["hidden_channels"] == 4
    with pytest.raises(ValueError, match="pass hidden_channels= only"):
        stationarity("gcn", data, depth=2, width=4, hidden_channels=8)
