"""The CLI on the heterogeneous bank and its flattened form: info, train, sweep, table."""

from __future__ import annotations

import json

import pytest

SIZES = ["-p", "num_customers=60", "-p", "num_merchants=10", "-p", "num_transactions=300", "-p", "fraud_rate=0.5"]


@pytest.mark.parametrize("name", ["bank", "bank-flat"])
def test_info_summarises_the_bank_and_its_flattened_form(run_cli, name):
    code, out, _ = run_cli("info", name, *SIZES, "--json")
    result = json.loads(out)
    assert code == 0 and result["name"] == name and result["target_node_type"] == "customer"
    assert result["num_nodes"] > 60 and result["train_nodes"] == 36


def test_train_a_heterogeneous_model_and_a_homogeneous_one_on_the_flattened_bank(run_cli):
    code, out, _ = run_cli("train", "bank", "--model", "rgcn", "--depth", "4", "--epochs", "2", *SIZES, "--json")
    result = json.loads(out)
    assert code == 0 and result["settings"]["model"] == "rgcn" and result["settings"]["depth"] == 4
    code, out, _ = run_cli("train", "bank-flat", "--model", "gcn", "--depth", "3", "--epochs", "2", *SIZES, "--json")
    assert code == 0 and 0.0 <= json.loads(out)["test_acc"] <= 1.0
    code, _, err = run_cli("train", "bank", "--model", "gcn", *SIZES)
    assert code == 2 and "bank-flat" in err and len(err.strip().splitlines()) == 1


def test_sweep_and_table_of_the_bank_typed_and_flattened(run_cli, tmp_path):
    store = str(tmp_path / "h.db")
    code, _, err = run_cli("sweep", "--datasets", "bank,bank-flat", "--models", "rgcn,gcn", "--depths", "2",
                           "--epochs", "2", *SIZES, "--metrics", "mean_cosine_similarity", "--store", store,
                           "--jobs", "1", "-q")
    assert code == 0 and "2 runs" in err and "2 done" in err, err
    code, out, _ = run_cli("table", store, "--metric", "mean_cosine_similarity[customer]", "--format", "csv")
    rows = out.strip().splitlines()
    assert code == 0 and len(rows) == 3 and {r.split(",")[0] for r in rows[1:]} == {"bank", "bank-flat"}
    code, _, err = run_cli("sweep", "--datasets", "cora", "--models", "rgcn", "--depths", "2", "--store", store)
    assert code == 2 and "model rgcn is heterogeneous" in err and len(err.strip().splitlines()) == 1
