"""Every figure has a title, labelled axes with units, a legend, and log scales where
values span orders of magnitude; 10 models stay distinguishable."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from oversmooth.experiments import Store, summarize
from oversmooth.literature.published import published
from oversmooth.report import plots
from oversmooth.report.style import line_style, save, use_log_scale
from tests.report._stores import TEN_MODELS, ten_model_store


@pytest.fixture(scope="module")
def ten(tmp_path_factory):
    path = ten_model_store(tmp_path_factory.mktemp("ten") / "ten.db")
    with Store(path) as store:
        return store.read("runs"), store.read("layer_metrics"), summarize(store)


def legend_labels(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_accuracy_vs_depth_ten_models(ten):
    _, _, summary = ten
    fig = plots.accuracy_vs_depth(summary)
    (ax,) = fig.axes
    assert ax.get_title() == "Test accuracy vs depth: cora"
    assert ax.get_ylabel() == "test accuracy (%)"
    assert "depth" in ax.get_xlabel()
    assert ax.get_xscale() == "log"  # depths 2 .. 64 span a factor 32
    labels = legend_labels(fig)
    assert [l for l in labels if not l.startswith("published")] == [m[0] for m in TEN_MODELS]
    assert "published (dashed, open markers)" in labels
    # the GCN published line is drawn dashed at the DropEdge README's numbers
    dashed = [l for l in ax.get_lines() if l.get_linestyle() == "--" and len(l.get_xdata()) == 6]
    gcn = [published("cora", "GCN", d) for d in (2, 4, 8, 16, 32, 64)]
    assert any(np.allclose(l.get_ydata(), gcn) for l in dashed)


def test_ten_lines_are_distinguishable():
    styles = [line_style(i) for i in range(12)]
    pairs = {(s["color"], s["marker"]) for s in styles}
    assert len(pairs) == 12
    assert len({s["color"] for s in styles[:10]}) == 10
    assert len({s["marker"] for s in styles[:10]}) == 10


def test_layer_metrics_scales_and_labels(ten):
    runs, layers, _ = ten
    fig = plots.layer_metrics(layers, runs, "cora")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 5
    by_title = {ax.get_title(): ax for ax in axes}
    energy = by_title["Dirichlet energy: cora"]
    assert energy.get_yscale() == "log" and "log scale" in energy.get_ylabel()
    assert "feature units" in energy.get_ylabel()
    cosine = by_title["mean cosine similarity: cora"]
    assert cosine.get_yscale() == "linear"
    assert all(ax.get_xlabel().startswith("layer k") for ax in axes)
    assert energy.get_xscale() == "log"  # 64 layers
    assert len(legend_labels(fig)) == 10
    assert all(label.endswith("(L=64)") for label in legend_labels(fig))


def test_layer_metrics_missing_parts_raise(ten):
    runs, layers, _ = ten
    with pytest.raises(ValueError, match="no finished runs on dataset 'citeseer'"):
        plots.layer_metrics(layers, runs, "citeseer")
    with pytest.raises(ValueError, match="no per-layer metrics"):
        plots.layer_metrics(layers.iloc[0:0], runs, "cora")
    with pytest.raises(ValueError, match="no accuracy to plot"):
        plots.accuracy_vs_depth(pd.DataFrame(columns=["dataset", "label", "depth", "mean"]))


def test_spectral_vs_measured_marks_exact_zeros():
    steps = np.arange(0, 11)
    sparse = pd.DataFrame({"step": steps, "measured": 0.9 ** steps, "predicted": 0.92 ** steps})
    complete = pd.DataFrame({"step": steps, "measured": [1.0] + [0.0] * 10,
                             "predicted": [1.0] + [0.0] * 10})
    fig = plots.spectral_vs_measured({"cora": sparse, "complete": complete},
                                     {"cora": 0.92, "complete": 0.0})
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()
    assert ax.get_title() and "propagation steps" in ax.get_xlabel()
    labels = legend_labels(fig)
    assert "cora: predicted λᵏ, λ = 0.92" in labels
    assert "complete: measured exactly 0" in labels
    with pytest.raises(ValueError):
        plots.spectral_vs_measured({})


def test_backward_figure(tmp_path):
    rows = [("GCN (L=16)", k, "grad_norm", 1e-6 * 3.0 ** k) for k in range(1, 17)]
    rows += [("GCN (L=16)", k, "grad_energy_rel", 0.5 + 0.01 * k) for k in range(1, 17)]
    table = pd.DataFrame(rows, columns=["series", "layer", "metric", "value"])
    fig = plots.backward(table, title="cora")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["cora: gradient norm ‖∂L/∂H‖_F",
                                               "cora: gradient Rayleigh quotient"]
    assert axes[0].get_yscale() == "log" and axes[1].get_yscale() == "linear"
    for fmt in ("png", "svg", "pdf"):
        path = save(fig, tmp_path / f"b.{fmt}")
        assert path.stat().st_size > 1000
    with pytest.raises(ValueError, match="unknown figure format"):
        save(fig, tmp_path / "b.gif")


@pytest.mark.parametrize("values, expected", [
    ([1.0, 50.0], False), ([1e-3, 1.0], True), ([0.0, 1e3], False), ([math.nan, 1, 1e4], True),
    ([], False)])
def test_use_log_scale(values, expected):
    assert use_log_scale(values) is expected


@pytest.fixture(scope="module")
def ring_propagation():
    from oversmooth.datasets import load
    from oversmooth.spectral import propagate

    return propagate(load("ring", num_nodes=30), "gcn", steps=24,
                     metrics=["dirichlet_energy", "mad"])


def test_propagation_curves(ring_propagation):
    fig = plots.propagation_curves(ring_propagation, title="ring: pure propagation")
    (ax,) = fig.axes
    assert ax.get_title() == "ring: pure propagation"
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()
    assert ax.get_xlabel() == "propagation steps k"
    labels = legend_labels(fig)
    assert "distance to invariant subspace" in labels and "dirichlet_energy" in labels
    assert any(l.startswith("predicted λᵏ (rate ") for l in labels)
    # the report's style: colours and markers of line_style, in order
    solid = [l for l in ax.get_lines() if l.get_linestyle() == "-"]
    assert [l.get_color() for l in solid] == [line_style(i)["color"] for i in range(len(solid))]
    assert solid[0].get_marker() == line_style(0)["marker"]
    default = plots.propagation_curves(ring_propagation)
    assert default.axes[0].get_title().startswith("Pure propagation with gcn, fitted rate ")


def test_backward_diagnosis_figure():
    from types import SimpleNamespace

    layers = list(range(0, 9))
    table = pd.DataFrame({"layer": layers, "grad_norm": [10.0 ** -k for k in layers],
                          "weight_grad_rel": [0.0] + [2.0 ** -k for k in layers[1:]],
                          "grad_subspace_rel": [0.5 / (k + 1) for k in layers],
                          "grad_energy_rel": [0.3 / (k + 1) for k in layers]})
    fig = plots.backward_diagnosis({"gcn": SimpleNamespace(table=table),
                                    "gcnii": SimpleNamespace(table=table * 1.0)}, title="cora")
    size, smooth = fig.axes
    assert [size.get_title(), smooth.get_title()] == ["cora: gradient size",
                                                      "cora: backward smoothness"]
    assert size.get_yscale() == "log" and smooth.get_yscale() == "linear"
    assert "log scale" in size.get_ylabel() and "0 = smooth" in smooth.get_ylabel()
    labels = legend_labels(fig)
    assert "gcn: ‖B(k)‖" in labels and "gcnii: E(B)/‖B‖²" in labels
    assert len(labels) == 8  # 4 quantities x 2 models, each once
    colours = {l.get_label().split(":")[0]: l.get_color() for l in size.get_lines()}
    assert colours == {"gcn": line_style(0)["color"], "gcnii": line_style(1)["color"]}
    with pytest.raises(ValueError, match="results is empty"):
        plots.backward_diagnosis({})


def test_save_is_atomic_and_checks_the_path(tmp_path, ring_propagation):
    fig = plots.propagation_curves(ring_propagation)
    with pytest.raises(ValueError, match="unknown figure format 'txt' of plot file"):
        save(fig, tmp_path / "x.txt")
    with pytest.raises(ValueError, match="does not exist"):
        save(fig, tmp_path / "missing" / "x.png")
    assert save(fig, tmp_path / "x.svg").read_bytes()[:5] == b"<?xml"
    assert [p.name for p in tmp_path.iterdir()] == ["x.svg"]  # no temporary file left


def test_plot_propagation_alias_warns_and_draws(tmp_path, ring_propagation):
    from oversmooth.spectral.plot import plot_propagation

    with pytest.warns(DeprecationWarning, match="report.plots.propagation_curves"):
        path = plot_propagation(ring_propagation, tmp_path / "p.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rewiring_tradeoff_figure():
    frame = pd.DataFrame({"smoothing_gap": [0.05, 0.1], "total_resistance": [2000.0, 1500.0]},
                         index=["none", "fosr"])
    fig = plots.rewiring_tradeoff(frame, title="toy")
    (ax,) = fig.axes
    assert ax.get_title() == "toy" and "resistance" in ax.get_xlabel() and "1 − λ" in ax.get_ylabel()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["no rewiring", "FoSR"]
    assert len(ax.texts) == 1  # one arrow, from no rewiring to FoSR
    with pytest.raises(ValueError, match="no rewiring comparison"):
        plots.rewiring_tradeoff(frame.iloc[:0])


def test_claim_figures_label_their_claims_and_refuse_nothing():
    from tests.report._stores import CLAIMS_FACTS as F

    P = plots.claims
    figs = {
        "spectrum": P.spectrum_range(F["spectrum"], (0.0, 2.0)),
        "rows": P.limit_rows(**{"degree": F["limit"]["rows"]["degree"], "gcn": F["limit"]["rows"]["gcn_norm"],
                               "rw": F["limit"]["rows"]["rw_norm"]}),
        "field": P.receptive_field(F["coverage"], {"cora": F["rates"]["cora"]["relative_distance"]}, (5, 10), 0.9, 0.1),
        "acc": P.accuracy_against_claims({"GCN": {2: 81.0, 8: 40.0}}, {"GCN": {2: 81.5, 8: 70.1}}, tolerance=3.0,
                                         peak=(2, 3), collapse=(8, 30.0)),
        "cos": P.cosine_vs_accuracy(pd.DataFrame({"label": ["GCN", "GCN"], "gap": [0.0, 40.0], "value": [0.3, 0.95]}),
                                    0.5, 0.9, 5.0, 20.0),
        "layers": P.layer_curves({"GCN": [0.5, 0.3, 0.2]}, "subspace_distance_rel", "t"),
        "squash": P.oversquashing(F["squashing"]["influence"], F["squashing"]["transfer"]),
    }
    for name, fig in figs.items():
        assert all(ax.get_title() and ax.get_xlabel() for ax in fig.axes), name
        # what is claimed is drawn where the claim asserts a value or a range
        assert any("claim" in l for l in legend_labels(fig)) or name in ("layers", "squash"), name
    assert "GCN: claimed (± 3 points)" in legend_labels(figs["acc"])
    assert figs["field"].axes[1].get_yscale() == "log"
    with pytest.raises(ValueError, match="no spectrum"):
        P.spectrum_range({}, (0.0, 2.0))
    with pytest.raises(ValueError, match="no measured accuracy"):
        P.accuracy_against_claims({"GCN": {}})
    with pytest.raises(ValueError, match="no per-layer"):
        P.layer_curves({"GCN": None}, "subspace_distance_rel", "t")
