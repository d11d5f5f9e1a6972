"""`oversmooth squash`: table, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest


def test_json_on_a_path(run_cli):
    code, out, err = run_cli("squash", "path", "-p", "num_nodes=6", "--top", "2", "--pair", "0,5", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["total_resistance"] == pytest.approx(35.0)
    assert result["pair_resistance"][0]["resistance"] == pytest.approx(5.0)
    assert len(result["bottlenecks"]) == 2 and result["curvature_min"] == 0.0
    assert result["num_components"] == 1 and result["spectral_gap"] > 0


def test_table_and_model_profile(run_cli):
    code, out, err = run_cli("squash", "ring", "-p", "num_nodes=12", "--model", "gcn", "--depth", "3",
                             "--samples", "4")
    assert code == 0, err
    assert "total resistance" in out and "receptive field" in out


@pytest.mark.parametrize("args, message", [
    (["squash", "sbm", "-p", "block_sizes=[5,5]", "-p", "p_in=1.0", "-p", "p_out=0.0", "--pair", "0,9"],
     "different connected components"),
    (["squash", "path", "-p", "num_nodes=6", "--pair", "0,6"], "out of range"),
    (["squash", "path", "--pair", "0-3"], "not of the form U,V"),
    (["squash", "path", "--curvature", "magic"], "unknown curvature"),
    (["squash", "path", "--top", "-1"], "top must be >= 0"),
])
def test_bad_input_exits_2_with_one_line(run_cli, args, message):
    code, _, err = run_cli(*args)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_rewired_graph_has_less_resistance(run_cli):
    """-o rewire=...: the measures are of the rewired graph, which records what was done."""
    args = ("squash", "path", "-p", "num_nodes=12", "--json")
    code, out, err = run_cli(*args)
    assert code == 0, err
    plain = json.loads(out)
    code, out, err = run_cli(*args, "-o", "rewire=fosr", "-o", "rewire_num_iterations=4")
    assert code == 0, err
    rewired = json.loads(out)
    assert rewired["rewire"] == {"name": "fosr", "num_iterations": 4, "edges_before": 22, "edges_after": 30}
    assert rewired["num_edges"] == plain["num_edges"] + 4  # undirected edges
    assert rewired["total_resistance"] < plain["total_resistance"]
    code, out, err = run_cli("squash", "ring", "-p", "num_nodes=12", "-o", "rewire=fosr", "--model", "gcn",
                             "-o", "residual=True", "--depth", "2", "--samples", "3")
    assert code == 0, err
    assert "rewired by fosr" in out and "receptive field" in out


@pytest.mark.parametrize("args, message", [
    (["squash", "path", "-o", "residual=True"], "is a model option: give --model"),
    (["squash", "path", "-o", "rewire=magic"], "magic"),
    (["squash", "path", "-o", "rewire=fosr", "-o", "rewire_bogus=1"], "has no parameter 'bogus'"),
    (["squash", "path", "-o", "rewire_num_iterations=3"], "without rewire=NAME"),
    (["squash", "path", "--model", "gcn", "-o", "bogus=1"], "option 'bogus' does not apply"),
])
def test_bad_options_exit_2_with_one_line(run_cli, args, message):
    code, _, err = run_cli(*args)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option, message", [("rewire_tau=nan", "rewiring sdrf: tau must be a finite number"),
                                             ("rewire_num_iterations=2.5", "num_iterations must be")])
def test_rewiring_parameters_are_checked_by_type(run_cli, option, message):
    code, _, err = run_cli("squash", "path", "-o", "rewire=sdrf", "-o", option)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
