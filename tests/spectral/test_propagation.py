import json
import math

import numpy as np
import pytest
import torch

from oversmooth import datasets, metrics, spectral




def _x(n, d=16, seed=0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_table_layout_and_step_zero():
    data = datasets.ring_graph(30, num_features=4)
    result = spectral.propagate(data, "gcn", steps=12)
    t = result.table
    assert list(t.index) == list(range(13)) and t.index.name == "step"
    for column in spectral.DEFAULT_METRICS + ("subspace_distance", "relative_distance",
                                              "predicted_distance", "predicted_relative"):
        assert column in t.columns
    assert t["relative_distance"].iloc[0] == 1.0 and t["predicted_relative"].iloc[0] == 1.0
    d0 = metrics.subspace_distance(data.x, data.edge_index, operator="gcn")
    assert t["subspace_distance"].iloc[0] == pytest.approx(d0, rel=1e-12)
    # the measured distance respects the spectral bound at every step (symmetric operator)
    assert np.all(t["subspace_distance"] <= t["predicted_distance"] * (1 + 1e-9))
    assert result.fitted_rate is not None and result.fit_range == (10, 12)


def test_rows_are_powers_of_the_operator():
    data = datasets.csbm(num_nodes=200, avg_degree=5, num_features=3, seed=1)
    for kind in ("gcn", "sym", "rw"):
        t = spectral.propagate(data, kind, steps=3, metrics=[]).table
        h = data.x.double()
        p = spectral.operator(data, kind)
        for _ in range(3):
            h = p @ h
        proj = (metrics.subspace_distance(h, data.edge_index, operator="rw") if kind == "rw"
                else float((h - spectral.analyze(data, kind).projection(h)).norm()))
        assert t["subspace_distance"].iloc[3] == pytest.approx(proj, rel=1e-10)
    sgc = spectral.propagate(data, "sgc", steps=2, K=3, metrics=[]).table
    gcn = spectral.propagate(data, "gcn", steps=6, metrics=[]).table
    assert sgc["subspace_distance"].iloc[2] == pytest.approx(gcn["subspace_distance"].iloc[6], rel=1e-10)


@pytest.mark.parametrize("make", [
    lambda: datasets.load("cora"),
    lambda: datasets.csbm(num_nodes=3000, avg_degree=10, num_features=8, seed=0),
], ids=["cora", "csbm"])
def test_fitted_rate_matches_spectral_rate(make, cora):
    data = make()
    result = spectral.propagate(data, "gcn", steps=64, metrics=[], x=_x(data.num_nodes))
    assert result.fit_range[0] == 10
    assert result.fitted_rate == pytest.approx(result.report.rate, rel=0.05)


def test_cora_measured_limit_matches_predicted_projection(cora):
    report = spectral.analyze(cora, "gcn")
    x = _x(cora.num_nodes, 4)
    steps = report.steps_to(0.1)  # full convergence (1e-4) is checked in test_spectral_analysis
    result = spectral.propagate(cora, "gcn", steps=steps, metrics=[], x=x, report=report)
    assert result.table["relative_distance"].iloc[-1] <= 0.1
    predicted = metrics.invariant_projection(x, cora.edge_index, operator="gcn")
    np.testing.assert_allclose(report.limit(x).numpy(), predicted.numpy(), atol=1e-12)


def test_fit_stops_at_the_noise_floor():
    result = spectral.propagate(datasets.complete_graph(30), "gcn", steps=20, metrics=[])
    assert result.table["relative_distance"].iloc[1] < 1e-12
    assert result.fitted_rate is None and result.fit_range is None
    rate, span = spectral.fit_rate([1.0, 0.5, 0.25, 0.125, 1e-14, 1e-15], start=0)
    assert rate == pytest.approx(0.5) and span == (0, 3)


def test_appnp_stays_away_from_the_invariant_subspace():
    data = datasets.csbm(num_nodes=500, avg_degree=8, num_features=8, seed=3)
    result = spectral.propagate(data, "appnp", steps=128, alpha=0.1, metrics=[])
    rel = result.table["relative_distance"]
    low, high = result.report.limit_distance_bounds
    assert rel.iloc[64] == pytest.approx(rel.iloc[128], rel=1e-3)  # converged, not to 0
    assert low * 0.99 <= rel.iloc[128] <= high * 1.01 and rel.iloc[128] > 0.05
    assert "depends on the input" in result.report.note
    gcn = spectral.propagate(data, "gcn", steps=128, metrics=[]).table["relative_distance"]
    assert gcn.iloc[128] < 1e-6


def test_sym_bipartite_does_not_decay():
    result = spectral.propagate(datasets.ring_graph(20), "sym", steps=40, metrics=[])
    assert result.table["relative_distance"].iloc[-1] > 0.1
    assert result.fitted_rate == pytest.approx(1.0, abs=0.02)


def test_bad_input():
    data = datasets.ring_graph(8)
    with pytest.raises(ValueError, match="steps"):
        spectral.propagate(data, steps=-1)
    with pytest.raises(ValueError, match="unknown metric"):
        spectral.propagate(data, metrics=["nope"])
    with pytest.raises(ValueError, match="rows"):
        spectral.propagate(data, x=torch.zeros(3, 2))
    with pytest.raises(ValueError, match="NaN"):
        spectral.propagate(data, x=torch.full((8, 2), float("nan")))
    with pytest.raises(ValueError, match="report is for"):
        spectral.propagate(data, "rw", report=spectral.analyze(data, "gcn"))


def test_pure_propagation_is_propagate_measured_beside_predicted():
    data = datasets.ring_graph(30, num_features=4)
    result = spectral.propagate(data, "gcn", steps=12, metrics=[])
    prop = spectral.pure_propagation(data, "ring", steps=12)
    assert isinstance(prop, spectral.Propagation) and prop.name == "ring"
    assert list(prop.table.columns) == ["step", "measured", "predicted"]
    assert prop.table["step"].tolist() == list(range(13))
    np.testing.assert_allclose(prop.table["measured"], result.table["relative_distance"])
    np.testing.assert_allclose(prop.table["predicted"], result.table["predicted_relative"])
    assert prop.rate == result.report.rate and prop.note == result.report.note
    assert prop.info == {"fitted_rate": result.fitted_rate}
    rw = spectral.pure_propagation(data, "ring", 12, "rw")
    with pytest.warns(DeprecationWarning, match="operator="):
        old = spectral.pure_propagation(data, "ring", steps=12, kind="rw")
    assert old.table.equals(rw.table)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        spectral.pure_propagation(data, "ring", steps=0)


def test_pure_propagation_moved_from_report():
    import oversmooth.report
    import oversmooth.report.measure

    for module in (oversmooth.report, oversmooth.report.measure):
        for name in ("pure_propagation", "Propagation"):
            with pytest.warns(DeprecationWarning, match=f"oversmooth.spectral.{name}"):
                assert getattr(module, name) is getattr(spectral, name)


def test_cli_spectrum(run_cli):
    code, out, _ = run_cli("spectrum", "ring", "-p", "num_nodes=12", "--operator", "sym", "--json")
    report = json.loads(out)
    assert code == 0 and report["rate"] == 1.0 and report["smallest_eigenvalue"] == -1.0
    assert report["steps_to"]["0.001"] is None  # never: printed as null
    code, out, _ = run_cli("spectrum", "complete")
    assert code == 0 and "rate" in out and "multiplicity one" in out
    code, _, err = run_cli("spectrum", "ring", "--operator", "bogus")
    assert code == 2 and "unknown operator" in err and "Traceback" not in err


def test_cli_propagate_json_and_plot(run_cli, tmp_path):
    target = tmp_path / "curves.png"
    code, out, _ = run_cli("propagate", "ring", "--steps", "12", "--json", "--plot", str(target),
                           "--metrics", "mad,dirichlet_energy")
    result = json.loads(out)
    assert code == 0 and len(result["table"]) == 13 and "mad" in result["table"][0]
    assert result["report"]["operator"] == "gcn" and result["fitted_rate"] > 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temp file left behind
    code, out, _ = run_cli("propagate", "path", "--steps", "3", "--operator", "rw")
    assert code == 0 and "fitted rate" in out


def test_cli_propagate_bad_plot_path(run_cli, tmp_path):
    code, _, err = run_cli("propagate", "ring", "--steps", "2", "--plot", str(tmp_path / "x.txt"))
    assert code == 2 and "plot file" in err
    code, _, err = run_cli("propagate", "ring", "--steps", "2", "--plot",
                           str(tmp_path / "missing" / "x.png"))
    assert code == 2 and "does not exist" in err
    assert not any(tmp_path.iterdir())
