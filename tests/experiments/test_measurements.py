"""report_inputs: a store's tables and the measurements its report shows beside it."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from oversmooth.experiments import ReportInputs, Store, read_store, report_inputs
from oversmooth.experiments.measurements import REFERENCE_GRAPH, spectral_graphs
from oversmooth.spectral import Propagation
from tests.report._stores import make_record


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as s:
        s.save(make_record("a", dataset="ring", depth=2))
        rec = make_record("b", dataset="csbm", depth=2)
        rec.settings["dataset_params"] = {"num_nodes": 60, "num_classes": 2}
        s.save(rec)
        s.save(make_record("c", dataset="no-such-dataset", depth=2))
    return path


def test_measures_each_dataset_and_the_reference(store):
    inputs = report_inputs(store, steps=5)
    assert isinstance(inputs, ReportInputs)
    assert inputs.datasets == ["csbm", "no-such-dataset", "ring"]
    assert list(inputs.propagation) == ["csbm", "ring", REFERENCE_GRAPH]
    assert list(inputs.unavailable) == ["no-such-dataset"]
    assert "no-such-dataset" in inputs.unavailable["no-such-dataset"]
    for name, prop in inputs.propagation.items():
        assert isinstance(prop, Propagation) and prop.name == name
        assert list(prop.table.columns) == ["step", "measured", "predicted"]
        assert list(prop.table["step"]) == list(range(6))
    assert inputs.propagation[REFERENCE_GRAPH].rate == pytest.approx(0.0, abs=1e-9)
    assert sorted(inputs.contents.runs["run_key"]) == ["a", "b", "c"]
    # the rewiring comparison of each dataset, on its largest component
    assert list(inputs.comparison) == ["csbm", "ring"]
    assert list(inputs.comparison_unavailable) == ["no-such-dataset"]
    ring = inputs.comparison["ring"]
    assert list(ring.index) == ["none", "sdrf", "fosr"] and ring.loc["fosr", "num_edges"] > ring.loc["none", "num_edges"]
    # the graphs are the ones the runs used: csbm with its 60 nodes, as the settings say
    graphs = spectral_graphs(inputs.contents, ["csbm"], reference=False)
    assert list(graphs) == ["csbm"] and graphs["csbm"].num_nodes == 60


def test_datasets_restrict_and_given_measurements_are_used(store):
    given = {"ring": Propagation("ring", pd.DataFrame({"step": [0], "measured": [1.0],
                                                       "predicted": [1.0]}))}
    back = pd.DataFrame({"dataset": ["ring"], "series": ["s"], "layer": [1],
                         "metric": ["grad_norm"], "value": [1.0]})
    inputs = report_inputs(store, ["ring"], propagation=given, backward_rows=back)
    assert inputs.datasets == ["ring"] and inputs.propagation == given
    assert inputs.unavailable == {} and inputs.backward_rows is back
    assert report_inputs(store, spectral=False).propagation == {}
    # given measurements: nothing is measured unless asked for
    assert inputs.comparison == {} and report_inputs(store, spectral=False).comparison == {}
    table = pd.DataFrame({"total_resistance": [1.0]}, index=["none"])
    assert report_inputs(store, ["ring"], comparison={"ring": table}).comparison == {"ring": table}
    assert list(report_inputs(store, ["ring"], steps=2, reference=False).propagation) == ["ring"]
    with pytest.raises(ValueError, match="dataset 'cora' is not in the store"):
        report_inputs(store, ["cora"])


def test_rewiring_comparison_uses_the_largest_component():
    import torch
    from torch_geometric.data import Data

    from oversmooth.experiments import rewiring_comparison

    # a 6-cycle and a separate edge: the comparison sees the cycle only
    ring = [(i, (i + 1) % 6) for i in range(6)] + [(6, 7)]
    e = torch.tensor(ring).T
    table = rewiring_comparison(Data(edge_index=torch.cat([e, e.flip(0)], 1), num_nodes=8),
                                {"fosr": {"num_iterations": 1}})
    assert list(table.index) == ["none", "fosr"] and table.loc["none", "num_nodes"] == 6
    assert table.loc["none", "total_resistance"] == pytest.approx(17.5)   # sum over pairs of d(6-d)/6
    assert table.loc["none", "spectral_gap"] > 0


def test_read_store_and_moved_aliases(store):
    contents = read_store(store)
    assert set(contents.summaries) == {"test_acc", "dirichlet_energy", "subspace_distance",
                                       "mean_cosine_similarity", "mad", "effective_rank"}
    assert len(contents.done) == 3
    import oversmooth.report
    import oversmooth.report.build

    for module in (oversmooth.report, oversmooth.report.build):
        with pytest.warns(DeprecationWarning, match="oversmooth.experiments"):
            assert module.read_store is read_store
    with pytest.warns(DeprecationWarning):
        assert oversmooth.report.build.StoreContents is type(contents)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from oversmooth.report import build_report  # noqa: F401  (no warning)


def test_a_heterogeneous_dataset_propagates_flattened(tmp_path):
    path = tmp_path / "bank.db"
    with Store(path) as s:
        rec = make_record("b", dataset="bank", label="R-GCN", model="rgcn")
        rec.settings["dataset_params"] = {"num_customers": 40, "num_merchants": 8, "num_transactions": 200}
        s.save(rec)
    graphs = spectral_graphs(read_store(path), reference=False)
    assert graphs["bank"].node_types[0] == "customer" and graphs["bank"].x.dim() == 2  # to_homogeneous
    inputs = report_inputs(path, steps=4, reference=False)
    assert inputs.propagation["bank"].table["step"].max() == 4 and not inputs.unavailable


def test_read_store_reads_the_history_and_a_claims_run_s_facts(tmp_path, store):
    from tests.report._stores import CLAIMS_FACTS, claims_store

    plain = read_store(store)
    assert plain.facts == {} and plain.history.empty      # no claims run, no history rows
    contents = read_store(claims_store(tmp_path / "claims.db"))
    assert contents.facts == CLAIMS_FACTS
    assert set(contents.history["metric"]) == {"val_loss"} and len(contents.history) == 9
