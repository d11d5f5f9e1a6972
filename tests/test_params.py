"""Typed parameters and size limits are checked by name before anything runs."""

from __future__ import annotations

import pytest

from oversmooth import datasets, models
from oversmooth._params import check_value
from oversmooth.experiments import config_from_dict

BASE = {"datasets": ["csbm"], "models": ["gcn"], "depths": [2]}


@pytest.mark.parametrize("params, match", [
    ({"num_nodes": "abc"}, "num_nodes must be an integer, got 'abc'"),
    ({"num_nodes": 10**10}, "num_nodes must be at most 100,000,000"),
    ({"num_nodes": 2.5}, "num_nodes must be an integer"),
    ({"homophily": "high"}, "homophily must be a finite number"),
    ({"homophily": float("nan")}, "homophily must be a finite number"),
    ({"seed": 10**20}, "seed must be at most"),
    ({"seed": True}, "seed must be an integer"),
])
def test_generator_parameters_are_typed(params, match):
    with pytest.raises(ValueError, match=match):
        datasets.load("csbm", **params)


def test_sbm_block_sizes_must_be_integers():
    with pytest.raises(ValueError, match="block_sizes must be a list of integers"):
        datasets.load("sbm", block_sizes=[10, "a"])
    assert datasets.load("sbm", block_sizes=[10, 10]).num_nodes == 20


@pytest.mark.parametrize("options, match", [
    ({"dropout": "x"}, "dropout must be a finite number, got 'x'"),
    ({"residual": "yes"}, "residual must be true or false"),
    ({"jk": 3}, "jk must be a string or none"),
    ({"lr": 0.1}, "option 'lr' does not apply"),
])
def test_model_options_are_typed(options, match):
    with pytest.raises(ValueError, match=match):
        models.build("gcn", 4, 8, 2, 2, **options)


@pytest.mark.parametrize("sizes, match", [
    ((4, 10**9, 2, 2), "hidden_channels must be at most 65,536"),
    ((4, 8, 2, 10**20), "depth must be at most 1,024"),
])
def test_model_sizes_have_limits(sizes, match):
    with pytest.raises(ValueError, match=match):
        models.build("gcn", *sizes)


@pytest.mark.parametrize("changes, match", [
    ({"dataset_params": {"csbm": 5}}, "dataset_params.csbm must be a table"),
    ({"dataset_params": {"csbm": {"num_nodes": "abc"}}}, "num_nodes must be an integer"),
    ({"options": {"dropout": "x"}}, "dropout must be a finite number"),
    ({"depths": [10**20]}, "depth must be at most 1,024"),
    ({"seeds": [10**20]}, "seed must be at most"),
    ({"seeds": 10**9}, "give a count from 1 to 10000"),
    ({"training": {"hidden_channels": 10**9}}, "hidden_channels must be at most"),
    ({"training": {"lr": "abc"}}, "lr must be a number"),
])
def test_configs_are_checked_before_any_run(changes, match):
    with pytest.raises(ValueError, match=match):
        config_from_dict({**BASE, **changes})


def test_check_value_widens_integers_for_floats():
    assert check_value("lr", 1, float) == 1.0 and isinstance(check_value("lr", 1, float), float)
    assert check_value("x", None, int | None) is None
