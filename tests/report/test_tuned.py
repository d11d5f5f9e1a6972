"""The report's tuned section and `oversmooth table --tuned`: fixed vs tuned vs published."""

import pytest

pytest.importorskip("optuna")

from oversmooth.experiments import report_inputs  # noqa: E402
from oversmooth.experiments.tune import run_tune  # noqa: E402
from oversmooth.experiments.tune_config import tune_config_from_dict  # noqa: E402
from oversmooth.report import build_report, plots  # noqa: E402


@pytest.fixture(scope="module")
def tuned_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("tuned") / "t.db"
    config = tune_config_from_dict({
        "datasets": ["karate"], "depths": [1, 2], "seeds": 2, "metrics": ["dirichlet_energy"],
        "variants": [{"model": "gcn", "label": "GCN"}], "training": {"epochs": 15, "patience": 5},
        "tune": {"trials": 4, "report_every": 5, "warmup": 5}})
    run_tune(config, path, jobs=1, progress=False)
    return path


def test_report_renders_the_tuned_section_and_figure(tuned_store, tmp_path):
    inputs = report_inputs(tuned_store, spectral=False)
    frame = inputs.contents.tuned
    assert list(frame["depth"]) == [1, 2] and (frame["tuned_n"] == 2).all()
    assert (frame["trials"] == 4).all() and frame["val_spread"].notna().all()
    result = build_report(inputs, tmp_path / "report.html")
    html = result.html.read_text()
    assert "Tuned per cell" in html and "val spread" in html
    assert any(p.name == "tuned_vs_depth.png" for p in result.figures)


def test_plot_refuses_nothing_to_draw():
    import pandas as pd

    with pytest.raises(ValueError, match="oversmooth tune"):
        plots.tuned_vs_depth(pd.DataFrame(columns=["fixed_mean", "tuned_mean"]))


def test_table_tuned_prints_fixed_tuned_published(tuned_store, capsys):
    from oversmooth.cli import main

    main(["table", str(tuned_store), "--tuned"])  # success returns normally
    out = capsys.readouterr().out
    assert "| dataset | model | depth | fixed | tuned | published |" in out
    assert "| karate | GCN | 2 |" in out
