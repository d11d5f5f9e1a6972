"""experiments.typed: per-layer metrics of heterogeneous models on a HeteroData and of
homogeneous ones on the flattened graph, in one layout (whole graph, then NAME[type])."""

from __future__ import annotations

import math

import pytest
import torch

from oversmooth import datasets, metrics
from oversmooth.experiments import config_from_dict, expand
from oversmooth.experiments.runner import execute, layer_outputs
from oversmooth.experiments.typed import is_typed, typed_layer_metrics
from oversmooth.graph import cat_by_type, to_homogeneous, type_graph
from oversmooth.training import build_seeded

BANK = dict(num_customers=60, num_merchants=10, num_transactions=300, fraud_rate=0.5, seed=1)
NAMES = ["mean_cosine_similarity", "subspace_distance", "group_distance_ratio"]


def random_rows(data, width=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {t: torch.randn(data[t].num_nodes, width, generator=g, dtype=torch.float64) for t in data.node_types}


def test_the_same_rows_measure_the_same_on_the_graph_and_its_flattened_form():
    data = datasets.bank(**BANK)
    flat = to_homogeneous(data)
    x_dict = random_rows(data)
    hetero = typed_layer_metrics({1: x_dict}, data, NAMES)
    flattened = typed_layer_metrics({1: cat_by_type(x_dict, data)}, flat, NAMES)
    assert [(k, name) for k, name, _ in hetero] == [(k, name) for k, name, _ in flattened]
    assert [v for *_, v in hetero] == pytest.approx([v for *_, v in flattened], rel=1e-12)
    values = {name: v for _, name, v in hetero}
    # the whole graph: metrics.compute on the flattened graph, without labels
    expected = metrics.compute(cat_by_type(x_dict, data), flat.edge_index, None, NAMES[:2])
    assert values["mean_cosine_similarity"] == pytest.approx(expected["mean_cosine_similarity"], rel=1e-12)
    assert values["subspace_distance"] == pytest.approx(expected["subspace_distance"], rel=1e-12)
    assert "group_distance_ratio" not in values
    # a node type: its rows on its own graph, labels on the target only
    merchant = metrics.compute(x_dict["merchant"], type_graph(data, "merchant"), None, NAMES[:2])
    assert values["subspace_distance[merchant]"] == pytest.approx(merchant["subspace_distance"], rel=1e-12)
    customer = metrics.compute(x_dict["customer"], type_graph(data, "customer"), data["customer"].y,
                               ["group_distance_ratio"])
    assert values["group_distance_ratio[customer]"] == pytest.approx(customer["group_distance_ratio"])
    assert "group_distance_ratio[merchant]" not in values
    assert values["subspace_distance[customer]"] == 0.0  # customers share no account: no edges


def test_a_layer_without_every_type_or_with_inf_has_no_whole_graph_value():
    data = datasets.bank(**BANK)
    x_dict = random_rows(data)
    partial = {t: x for t, x in x_dict.items() if t != "account"}
    broken = dict(x_dict, merchant=torch.full_like(x_dict["merchant"], math.inf))
    rows = {(k, name): v for k, name, v in typed_layer_metrics({1: partial, 2: broken}, data, NAMES[:1])}
    assert math.isnan(rows[(1, "mean_cosine_similarity")]) and math.isnan(rows[(2, "mean_cosine_similarity")])
    assert (1, "mean_cosine_similarity[account]") not in rows
    assert not math.isnan(rows[(2, "mean_cosine_similarity[customer]")])
    assert math.isnan(rows[(2, "mean_cosine_similarity[merchant]")])


def test_what_is_measured_per_type():
    data = datasets.bank(**BANK)
    assert is_typed(data) and is_typed(to_homogeneous(data))
    assert not is_typed(datasets.load("karate"))


@pytest.mark.parametrize("dataset, model", [("bank", "rgcn"), ("bank-flat", "gcn")])
def test_a_sweep_run_stores_whole_graph_and_per_type_rows(dataset, model):
    config = config_from_dict({"datasets": [dataset], "models": [model], "depths": [2],
                               "training": {"epochs": 2}, "metrics": NAMES[:1],
                               "dataset_params": {dataset: BANK}})
    record = execute(expand(config)[0])
    assert record.status == "done", record.error
    names = {name for _, name, _ in record.layer_metrics}
    assert names == {"mean_cosine_similarity"} | {f"mean_cosine_similarity[{t}]" for t in
                                                  ("customer", "account", "merchant", "transaction")}
    assert {layer for layer, _, _ in record.layer_metrics} == {1, 2}
    graph = datasets.load(dataset, **BANK)
    model_ = build_seeded(model, graph, 2, seed=0, hidden_channels=8)
    assert typed_layer_metrics(layer_outputs(model_, graph), graph, NAMES[:1])  # an untrained model too
