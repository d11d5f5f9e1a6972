import json

from oversmooth import metrics as M


def test_measure_synthetic_json_matches_compute(run_cli):
    code, out, err = run_cli("measure", "ring", "-p", "num_nodes=30", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [k for k in result if not k.endswith("_stderr")] == [m for m in M.available()
                                                                if m != "group_distance_ratio"]
    from oversmooth.datasets import load

    data = load("ring", num_nodes=30)
    assert result["dirichlet_energy"] == M.dirichlet_energy(data.x, data.edge_index)


def test_measure_table_and_subset(run_cli):
    code, out, _ = run_cli("measure", "csbm", "-p", "num_nodes=200", "--metrics", "smv,group_distance_ratio")
    assert code == 0
    assert "smv" in out and "group_distance_ratio" in out and "mad" not in out


def test_measure_unknown_metric_exits_2(run_cli):
    code, out, err = run_cli("measure", "ring", "--metrics", "energy")
    assert code == 2 and out == ""
    assert "unknown metric 'energy'" in err and "Traceback" not in err
