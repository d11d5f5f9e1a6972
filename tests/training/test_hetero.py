"""Training on a HeteroData through the one entry point: learning above chance, the target
type's masks, lazy widths, per-type row normalisation, kind mismatches, reproducibility."""

from __future__ import annotations

import pytest
import torch

from oversmooth.datasets import csbm
from oversmooth.models import build
from oversmooth.training import build_seeded, fit, row_normalize, train
from tests.models.hetero_helpers import learnable_hetero, tiny_hetero


@pytest.mark.parametrize("name,depth", [("rgcn", 2), ("hgt", 2), ("hetero-gcn", 1), ("hetero-sage", 2)])
def test_train_learns_above_chance(name, depth):
    data = learnable_hetero()
    model, result = train(name, data, depth, seed=0, epochs=30, hidden_channels=16)
    assert result.test_acc >= 0.8 and result.train_acc >= 0.8  # chance: 0.5
    assert result.settings["model"] == name and result.settings["target_node_type"] == "customer"
    assert model.target_node_type == "customer" and model.in_channels == {"customer": 4, "merchant": 2}
    assert len(result.history) == 30


def test_one_seed_one_result_and_build_seeded_is_where_train_starts():
    data = learnable_hetero()
    a = train("rgcn", data, 2, seed=3, epochs=5).result
    b = train("rgcn", data, 2, seed=3, epochs=5).result
    assert a.history == b.history
    start = build_seeded("rgcn", data, 2, seed=3)
    again = build_seeded("rgcn", data, 2, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(start.parameters(), again.parameters()))
    assert start.out_channels == 2 and start.metadata == data.metadata()


def test_fit_reads_lazy_widths_and_the_target_masks():
    data = learnable_hetero()
    model = build("rgcn", -1, 16, 2, 2, metadata=data.metadata(), target_node_type="customer")
    result = fit(model, data, epochs=20, seed=0)
    assert model.lin_in.lins["merchant"].weight.shape == (16, 2)
    assert result.test_acc >= 0.8
    data["customer"].train_mask = torch.zeros_like(data["customer"].train_mask)
    with pytest.raises(ValueError, match="train_mask selects no node"):
        fit(model, data, epochs=1)


def test_row_normalize_per_node_type_leaves_the_original_alone():
    data = tiny_hetero()
    data["merchant"].x[0, 0] = -1.0  # a type with a negative feature keeps its features
    out = row_normalize(data)
    torch.testing.assert_close(out["customer"].x.sum(1), torch.ones(5))
    assert out["merchant"].x is data["merchant"].x
    assert not torch.allclose(data["customer"].x.sum(1), torch.ones(5))


def test_kind_mismatches_are_one_line_errors():
    hetero = learnable_hetero()
    with pytest.raises(ValueError, match=r"model 'gcn' is homogeneous but data is a HeteroData; "
                                         r"heterogeneous models: rgcn, hgt, hetero-gcn"):
        train("gcn", hetero, 2, epochs=1)
    homogeneous = csbm(num_nodes=40, num_classes=2, avg_degree=4, seed=0)
    with pytest.raises(ValueError, match="model 'rgcn' is heterogeneous: data must be a HeteroData, got Data"):
        train("rgcn", homogeneous, 2, epochs=1)
    with pytest.raises(ValueError, match="model GCN is homogeneous but data is a HeteroData"):
        fit(build("gcn", 4, 8, 2, 2), hetero, epochs=1)
    with pytest.raises(ValueError, match="model RGCN is heterogeneous"):
        fit(build("rgcn", -1, 8, 2, 2, metadata=hetero.metadata(), target_node_type="customer"),
            homogeneous, epochs=1)
    with pytest.raises(ValueError, match="rewiring applies to homogeneous graphs"):
        train("rgcn", hetero, 2, epochs=1, rewire="fosr")


def test_data_checks_name_the_problem():
    data = learnable_hetero()
    model = build("rgcn", {"customer": 4, "merchant": 2}, 8, 2, 2, metadata=data.metadata(),
                  target_node_type="customer")
    wide = data.clone()
    wide["merchant"].x = torch.rand(12, 5)
    with pytest.raises(ValueError, match="model expects 2 input features for node type 'merchant', data has 5"):
        fit(model, wide, epochs=1)
    unmasked = data.clone()
    del unmasked["customer"].val_mask
    with pytest.raises(ValueError, match="target node type 'customer' has no val_mask"):
        fit(model, unmasked, epochs=1)
    other = data.clone()
    other["merchant"].y = torch.zeros(12, dtype=torch.long)
    other.target_node_type = "merchant"
    with pytest.raises(ValueError, match="model predicts node type 'customer' but the data's target is 'merchant'"):
        fit(model, other, epochs=1)
