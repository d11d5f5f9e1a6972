"""Rewiring as an option of `train`, of sweep configs and of the runner."""

from __future__ import annotations

import json

import pytest

from oversmooth.experiments.config import config_from_dict


def test_train_cli_with_rewiring(run_cli):
    code, out, err = run_cli("train", "sbm", "-p", "block_sizes=[20,20]", "--model", "gcn", "--depth", "2",
                             "-o", "rewire=fosr", "-o", "rewire_num_iterations=5", "--epochs", "3", "--json")
    assert code == 0, err
    settings = json.loads(out)["settings"]
    assert settings["rewire"] == "fosr" and settings["rewire_num_iterations"] == 5


@pytest.mark.parametrize("option, message", [
    ("rewire_num_iterations=-1", "non-negative integer"),
    ("rewire_tau=2", "has no parameter 'tau'"),
])
def test_train_cli_rejects_bad_rewiring(run_cli, option, message):
    code, _, err = run_cli("train", "sbm", "-p", "block_sizes=[20,20]", "--model", "gcn", "--depth", "2",
                           "-o", "rewire=fosr", "-o", option, "--epochs", "1")
    assert code == 2 and message in err and "Traceback" not in err


def test_sweep_config_accepts_and_checks_rewiring():
    cfg = config_from_dict({"datasets": ["texas"], "models": ["gcn"], "depths": [2],
                            "mitigations": ["none", "rewire=sdrf,rewire_num_iterations=10"]})
    assert any(v.options.get("rewire") == "sdrf" for v in cfg.variants)
    with pytest.raises(ValueError, match="unknown rewiring"):
        config_from_dict({"datasets": ["texas"], "models": ["gcn"], "depths": [2], "mitigations": ["rewire=magic"]})
