"""Registry: names, defaults, option checking, bad sizes."""

from __future__ import annotations

import pytest
import torch

from oversmooth.models import LayerTaps, available, build, defaults

OURS = ["mlp", "gcn", "gat", "sage", "gin", "resgcn", "densegcn", "jknet", "incepgcn", "gcnii",
        "gcnii*", "appnp", "sgc"]
ZOO = ["dagnn", "gprgnn", "g2", "gps", "transformer", "nsd", "graphormer"]
HETERO = ["rgcn", "hgt", "hetero-gcn", "hetero-sage", "hetero-gat", "hetero-gin"]


def test_available_lists_all_twenty_and_the_heterogeneous_six():
    assert available() == OURS + ZOO + HETERO


def test_unknown_model_lists_known():
    with pytest.raises(ValueError, match=r"unknown model 'gnc'; known: mlp, gcn, gat"):
        build("gnc", 4, 8, 2, 2)


@pytest.mark.parametrize("name", OURS)
def test_defaults_have_training_keys_and_are_copies(name):
    d = defaults(name)
    assert {"hidden_channels", "dropout", "lr", "weight_decay", "epochs", "patience"} <= set(d)
    d["lr"] = -1
    assert defaults(name)["lr"] != -1


@pytest.mark.parametrize("name", OURS)
def test_build_applies_defaults_and_is_a_tap_model(name):
    model = build(name, 6, None, 3, 2)
    assert isinstance(model, LayerTaps)
    d = defaults(name)
    assert model.dropout == d["dropout"]
    if name.startswith("gcnii"):
        assert model.alpha == d["alpha"] and model.theta == d["theta"]


def test_options_that_do_not_apply_are_rejected_by_name():
    with pytest.raises(ValueError, match=r"option 'alpha' does not apply to model 'gcn'; accepted: .*dropedge"):
        build("gcn", 4, 8, 2, 2, alpha=0.1)
    with pytest.raises(ValueError, match=r"option 'initial_residual' does not apply to model 'gat'"):
        build("gat", 4, 8, 2, 2, initial_residual=0.1)
    with pytest.raises(ValueError, match=r"option 'dropedge' does not apply to model 'mlp'"):
        build("mlp", 4, 8, 2, 2, dropedge=0.1)
    with pytest.raises(ValueError, match=r"option 'lr' does not apply"):
        build("gcn", 4, 8, 2, 2, lr=0.1)


@pytest.mark.parametrize("name", OURS)
@pytest.mark.parametrize("sizes,what", [((4, 8, 2, 0), "depth"), ((4, 0, 2, 2), "hidden_channels"),
                                        ((0, 8, 2, 2), "in_channels")])
def test_bad_sizes(name, sizes, what):
    with pytest.raises(ValueError, match=f"{what} must be an integer >= 1"):
        build(name, *sizes)


@pytest.mark.parametrize("name", ["gcn", "gcnii", "appnp", "sgc", "mlp", "gat"])
def test_feature_shape_mismatch(name):
    model = build(name, 5, 8, 2, 2)
    with pytest.raises(ValueError, match=r"features of shape \[num_nodes, 5\]"):
        model(torch.randn(4, 6), torch.tensor([[0, 1], [1, 0]]))


def test_bad_option_values():
    with pytest.raises(ValueError, match="dropedge must be a probability"):
        build("gcn", 4, 8, 2, 2, dropedge=1.5)
    with pytest.raises(ValueError, match="jk must be one of cat, max, lstm"):
        build("gcn", 4, 8, 2, 2, jk="sum")
    with pytest.raises(ValueError, match="unknown norm"):
        build("gcn", 4, 8, 2, 3, norm="layer")


@pytest.mark.parametrize("name", OURS + ZOO)
@pytest.mark.parametrize("bad,message", [
    ([[0, 4], [4, 0]], r"edge_index refers to node 4 but the graph has only 4 nodes"),
    ([[0, -1], [-1, 0]], r"edge_index contains a negative node index \(-1\)"),
    ([[0.0, 1.0], [1.0, 0.0]], r"edge_index must have dtype torch.long"),
    ([[0, 1, 2]], r"edge_index must have shape \[2, num_edges\]"),
])
def test_malformed_edge_index_is_a_value_error_in_every_model(name, bad, message):
    # an out-of-range index would otherwise be torch's IndexError (or, on some sparse paths,
    # a silently wrong result) deep inside a layer
    model = build(name, 5, 8, 2, 2).eval()
    x = torch.randn(4, 5)
    assert model(x, torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]])).shape == (4, 2)
    with pytest.raises(ValueError, match=message):
        model(x, torch.tensor(bad))


@pytest.mark.parametrize("name", OURS + ZOO)
def test_edge_index_none_only_where_the_graph_is_ignored(name):
    model = build(name, 5, 8, 2, 2).eval()
    x = torch.randn(4, 5)
    if name in ("mlp", "transformer"):
        assert model(x, None).shape == (4, 2)
    else:
        with pytest.raises(ValueError, match="needs an edge_index of shape"):
            model(x, None)
