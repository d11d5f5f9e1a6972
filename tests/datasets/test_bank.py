"""The synthetic bank: sizes, conventions, seeds, and fraud planted three hops from a customer."""

from __future__ import annotations

import sqlite3

import pytest
import torch
from torch_geometric.transforms import ToUndirected

from oversmooth import datasets
from oversmooth.datasets import bank, bank_to_sqlite
from oversmooth.graph.hetero import is_hetero, target_node_type

SMALL = dict(num_customers=500, num_merchants=100, num_transactions=10_000)


def per_transaction(data):
    """The customer and the merchant of every transaction (customer <- account <- transaction -> merchant)."""
    spend = data["transaction", "account_id", "account"].edge_index
    shop = data["transaction", "merchant_id", "merchant"].edge_index
    owner = data["account", "customer_id", "customer"].edge_index
    account = torch.empty(data["transaction"].num_nodes, dtype=torch.long)
    account[spend[0]] = spend[1]
    merchant = torch.empty_like(account)
    merchant[shop[0]] = shop[1]
    customer_of = torch.empty(data["account"].num_nodes, dtype=torch.long)
    customer_of[owner[0]] = owner[1]
    return customer_of[account], merchant


def mean_by(index, values, size):
    total = torch.zeros(size, dtype=torch.float64).index_add_(0, index, values.double())
    count = torch.zeros(size, dtype=torch.float64).index_add_(0, index, torch.ones(len(index), dtype=torch.float64))
    return total / count.clamp(min=1)


def fraud_exposure_gap(data):
    """How much more of fraud customers' spending than of others' goes to merchants whose
    customers are fraudulent: the label homophily of the customer-merchant-customer path."""
    y = data["customer"].y
    customer, merchant = per_transaction(data)
    fraud_share = mean_by(merchant, y[customer], data["merchant"].num_nodes)
    exposure = mean_by(customer, fraud_share[merchant], data["customer"].num_nodes)
    return float(exposure[y == 1].mean() - exposure[y == 0].mean())


def test_sizes_and_the_conventions_of_a_heterogeneous_graph():
    data = bank(**SMALL, seed=0)
    assert is_hetero(data) and target_node_type(data) == "customer"
    assert [data[t].num_nodes for t in ("customer", "merchant", "transaction")] == [500, 100, 10_000]
    assert int(data["customer"].y.sum()) == 50 and data["customer"].classes == [0, 1]
    for node_type in data.node_types:
        x = data[node_type].x
        assert x.dtype == torch.float32 and x.size(0) == data[node_type].num_nodes
        assert len(data[node_type].feature_names) == x.size(1)
    forward = data.clone()
    for edge_type in [e for e in data.edge_types if e[1].startswith("rev_")]:
        del forward[edge_type]
    undirected = ToUndirected()(forward)  # both directions, named as PyG names them
    assert set(undirected.edge_types) == set(data.edge_types)
    for edge_type in data.edge_types:
        assert torch.equal(undirected[edge_type].edge_index, data[edge_type].edge_index)
    owners = data["account", "customer_id", "customer"].edge_index[1]
    assert owners.unique().numel() == 500  # every customer holds an account
    store = data["customer"]
    assert (store.train_mask.int() + store.val_mask.int() + store.test_mask.int()).eq(1).all()
    assert int(store.train_mask.sum()) == 300


def test_deterministic_by_seed():
    first, again, other = bank(**SMALL, seed=4), bank(**SMALL, seed=4), bank(**SMALL, seed=5)
    for node_type in first.node_types:
        assert torch.equal(first[node_type].x, again[node_type].x)
    for edge_type in first.edge_types:
        assert torch.equal(first[edge_type].edge_index, again[edge_type].edge_index)
    assert torch.equal(first["customer"].y, again["customer"].y)
    assert not torch.equal(first["customer"].y, other["customer"].y)


def test_fraud_shows_three_hops_away():
    data = bank(**SMALL, homophily=0.5, seed=0)
    y = data["customer"].y
    merchant_store = data["merchant"]
    risk = merchant_store.x[:, merchant_store.feature_names.index("risk_score")]
    customer, merchant = per_transaction(data)
    reached = mean_by(customer, risk[merchant], data["customer"].num_nodes)  # customer <- ... -> merchant
    top = reached >= reached.quantile(0.9)
    assert float(y[top].float().mean()) > 5 * float(y[~top].float().mean())
    own = data["customer"].x[:, data["customer"].feature_names.index("credit_score")]
    gap_own = float(own[y == 0].mean() - own[y == 1].mean())
    gap_reached = float(reached[y == 1].mean() - reached[y == 0].mean())
    assert 0 < gap_own < gap_reached  # the customer's own column is the weaker signal


def test_homophily_moves_how_much_fraud_customers_share_merchants():
    gaps = [fraud_exposure_gap(bank(**SMALL, homophily=h, seed=0)) for h in (0.0, 0.2, 0.5, 0.9)]
    assert gaps == sorted(gaps) and abs(gaps[0]) < 0.03 and gaps[-1] > 0.4


def test_degree_skew_concentrates_transactions_on_few_merchants():
    def top_share(skew):
        data = bank(**SMALL, degree_skew=skew, homophily=0.0, seed=0)
        degree = torch.bincount(data["transaction", "merchant_id", "merchant"].edge_index[1], minlength=100)
        return float(degree.sort(descending=True).values[:10].sum() / degree.sum())
    shares = [top_share(skew) for skew in (0.0, 1.0, 2.0)]
    assert shares == sorted(shares) and shares[0] < 0.15 and shares[-1] > 0.8


def test_load_by_name_checks_parameters():
    data = datasets.load("bank", num_customers=50, num_merchants=10, num_transactions=200)
    assert is_hetero(data) and data["customer"].num_nodes == 50
    for params, message in [({"num_customers": 0}, "num_customers must be an integer >= 1"),
                            ({"homophily": 1.5}, "homophily must lie in [0, 1]"),
                            ({"accounts_per_customer": 0.5}, "accounts_per_customer must lie in [1, 1000]"),
                            ({"num_transactions": 10**9}, "nodes in all, more than 100,000,000"),
                            ({"num_customers": "many"}, "num_customers must be an integer"),
                            ({"customers": 5}, "bank has no parameter 'customers'")]:
        with pytest.raises(ValueError) as caught:
            datasets.load("bank", **params)
        assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_database_schema(tmp_path):
    path = bank_to_sqlite(tmp_path / "bank.db", num_customers=30, num_merchants=5, num_transactions=100)
    with sqlite3.connect(path) as connection:
        tables = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {t: [r[1] for r in connection.execute(f'PRAGMA table_info("{t}")')] for t in tables}
        keys = {t: {(r[3], r[2], r[4]) for r in connection.execute(f'PRAGMA foreign_key_list("{t}")')}
                for t in tables}
        assert connection.execute('SELECT count(*) FROM "transaction"').fetchone() == (100,)
        assert connection.execute("SELECT min(id) FROM customer").fetchone() == (1,)
    connection.close()
    assert tables == ["customer", "account", "merchant", "transaction"]
    assert columns["merchant"] == ["id", "category", "risk_score"]  # compromised merchants stay hidden
    assert keys["transaction"] == {("account_id", "account", "id"), ("merchant_id", "merchant", "id")}
    assert keys["account"] == {("customer_id", "customer", "id")}


def test_writing_refuses_bad_input_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="bank has no parameter 'customers'"):
        bank_to_sqlite(tmp_path / "a.db", customers=10)
    with pytest.raises(ValueError, match="homophily must lie in"):
        bank_to_sqlite(tmp_path / "b.db", homophily=-1.0)
    with pytest.raises(ValueError, match="does not exist"):
        bank_to_sqlite(tmp_path / "missing" / "c.db", num_customers=10)
    assert list(tmp_path.iterdir()) == []
    old = tmp_path / "old.db"
    old.write_text("previous content")
    bank_to_sqlite(old, num_customers=10, num_merchants=3, num_transactions=20)
    assert old.read_bytes().startswith(b"SQLite format 3")


def test_bank_flat_is_the_bank_flattened():
    from oversmooth.graph import to_homogeneous

    params = dict(num_customers=60, num_merchants=10, num_transactions=300, seed=3)
    flat = datasets.load("bank-flat", **params)
    expected = to_homogeneous(bank(**params))
    assert not is_hetero(flat) and flat.name == "bank-flat"
    for name in ("x", "edge_index", "y", "train_mask", "val_mask", "test_mask", "edge_type"):
        assert torch.equal(flat[name], expected[name])
    assert flat.node_types == ["customer", "account", "merchant", "transaction"]
    assert datasets.synthetic_parameters("bank-flat") == datasets.synthetic_parameters("bank")
    with pytest.raises(ValueError, match="homophily must lie in"):
        datasets.load("bank-flat", homophily=2.0)
    with pytest.raises(ValueError, match="num_customers must be an integer"):
        datasets.check_synthetic("bank-flat", {"num_customers": "many"})


def test_which_datasets_are_heterogeneous():
    assert datasets.is_heterogeneous("bank") and datasets.is_heterogeneous("BANK")
    assert not datasets.is_heterogeneous("bank-flat") and not datasets.is_heterogeneous("cora")
    assert datasets.FLATTENED == {"bank-flat": "bank"}
    assert datasets.HETEROGENEOUS == {"bank": target_node_type(bank(num_customers=5, num_merchants=2,
                                                                    num_transactions=5))}
    with pytest.raises(ValueError, match="unknown dataset 'bnak'"):
        datasets.is_heterogeneous("bnak")

