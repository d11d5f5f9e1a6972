"""from_sqlite: tables as node types, foreign keys as edge types, columns as features."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
import torch

from oversmooth.datasets import bank, bank_to_sqlite, from_sqlite

SHOP = [
    "CREATE TABLE customer (id INTEGER PRIMARY KEY, age REAL, city TEXT, vip INTEGER)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id), total REAL)",
    "INSERT INTO customer VALUES (10, 30, 'oslo', 1), (20, NULL, 'rome', 0), (30, 50, 'oslo', 1), "
    "(40, 40, NULL, 0)",
    "INSERT INTO orders VALUES (1, 30, 5.0), (2, 10, 7.0), (3, NULL, 1.0), (4, 30, 2.0)",
]


def database(tmp_path, statements, name="shop.db"):
    path = tmp_path / name
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path


def edges(data, edge_type):
    return set(map(tuple, data[edge_type].edge_index.t().tolist()))


def test_round_trip_of_the_bank_database(tmp_path):
    params = dict(num_customers=300, num_merchants=60, num_transactions=4000, seed=3)
    made = bank(**params)
    read = from_sqlite(bank_to_sqlite(tmp_path / "bank.db", **params), target="customer.fraud", seed=3)
    assert read.node_types == made.node_types and read.edge_types == made.edge_types
    for node_type in made.node_types:
        assert read[node_type].num_nodes == made[node_type].num_nodes
        assert read[node_type].feature_names == made[node_type].feature_names
        torch.testing.assert_close(read[node_type].x, made[node_type].x, rtol=0, atol=0)
    for edge_type in made.edge_types:
        assert edges(read, edge_type) == edges(made, edge_type)
    for key in ("y", "train_mask", "val_mask", "test_mask"):
        assert torch.equal(read["customer"][key], made["customer"][key])
    assert read["customer"].classes == made["customer"].classes == [0, 1]
    assert read.target_node_type == "customer" and read.name == "bank"


def test_nodes_in_key_order_and_edges_per_foreign_key(tmp_path):
    data = from_sqlite(database(tmp_path, SHOP), target="customer.vip")
    assert data.node_types == ["customer", "orders"]
    # keys 10..40 are nodes 0..3; the NULL customer_id of order 3 makes no edge
    assert edges(data, ("orders", "customer_id", "customer")) == {(0, 2), (1, 0), (3, 2)}
    assert edges(data, ("customer", "rev_customer_id", "orders")) == {(2, 0), (0, 1), (2, 3)}
    assert data["customer"].y.tolist() == [1, 0, 1, 0]
    assert "vip" not in data["customer"].feature_names  # the target is no feature


def test_numbers_standardised_with_a_null_indicator_and_text_one_hot(tmp_path):
    data = from_sqlite(database(tmp_path, SHOP), target="customer.vip")
    store = data["customer"]
    assert store.feature_names == ["age", "age=NULL", "city=oslo", "city=rome"]
    ages = np.array([30, 50, 40.0])
    expected = (ages - ages.mean()) / ages.std()
    torch.testing.assert_close(store.x[:, 0], torch.tensor([expected[0], 0.0, expected[1], expected[2]],
                                                           dtype=torch.float32))
    assert store.x[:, 1].tolist() == [0, 1, 0, 0]
    assert store.x[:, 2:].tolist() == [[1, 0], [0, 1], [1, 0], [0, 0]]  # NULL city: all zeros


def test_one_hot_keeps_the_most_frequent_categories(tmp_path):
    path = database(tmp_path, SHOP + ["INSERT INTO customer VALUES (50, 1, 'rome', 1), (60, 1, 'rome', 0), "
                                      "(70, 1, 'kyiv', 0)"])
    data = from_sqlite(path, target="customer.vip", max_categories=1)
    assert data["customer"].feature_names == ["age", "age=NULL", "city=rome"]
    assert data["customer"].x[:, 2].tolist() == [0, 1, 0, 0, 1, 1, 0]


def test_text_keys_text_labels_and_a_table_without_features(tmp_path):
    path = database(tmp_path, [
        "CREATE TABLE person (name TEXT PRIMARY KEY, role TEXT)",
        "CREATE TABLE knows (a TEXT REFERENCES person(name), b TEXT REFERENCES person(name))",
        "INSERT INTO person VALUES ('cy', 'dev'), ('al', 'ops'), ('bo', 'dev')",
        "INSERT INTO knows VALUES ('al', 'bo'), ('cy', 'al')",
    ])
    data = from_sqlite(path, target="person.role", train_fraction=0.5, val_fraction=0.0)
    assert data["person"].classes == ["dev", "ops"] and data["person"].y.tolist() == [1, 0, 0]  # al, bo, cy
    assert edges(data, ("knows", "a", "person")) == {(0, 0), (1, 2)}
    assert edges(data, ("knows", "b", "person")) == {(0, 1), (1, 0)}
    assert data["knows"].feature_names == ["constant"] and data["knows"].x.tolist() == [[1.0], [1.0]]
    assert data["person"].feature_names == ["constant"]


def test_stratified_seeded_split(tmp_path):
    path = bank_to_sqlite(tmp_path / "bank.db", num_customers=500, num_merchants=40, num_transactions=1000)
    data = from_sqlite(path, target="customer.fraud", train_fraction=0.5, val_fraction=0.3, seed=1)
    store = data["customer"]
    masks = torch.stack([store.train_mask, store.val_mask, store.test_mask])
    assert masks.sum(0).eq(1).all()
    assert [int((m & (store.y == 1)).sum()) for m in masks] == [25, 15, 10]
    again = from_sqlite(path, target="customer.fraud", train_fraction=0.5, val_fraction=0.3, seed=1)
    other = from_sqlite(path, target="customer.fraud", train_fraction=0.5, val_fraction=0.3, seed=2)
    assert torch.equal(again["customer"].train_mask, store.train_mask)
    assert not torch.equal(other["customer"].train_mask, store.train_mask)


def test_the_database_is_not_changed(tmp_path):
    path = database(tmp_path, SHOP)
    before = path.read_bytes()
    from_sqlite(path, target="customer.vip")
    assert path.read_bytes() == before


@pytest.mark.parametrize("statements, message", [
    (["CREATE TABLE a (id INTEGER PRIMARY KEY, v REAL)", "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER)"],
     "has no foreign keys, so its tables (a, b) are not linked"),
    (SHOP + ["INSERT INTO orders VALUES (5, 99, 1.0), (6, 98, 1.0)"],
     "dangling foreign key: orders.customer_id = 99 (row orders.id = 5) has no match in customer.id "
     "(2 rows dangle)"),
    (["CREATE TABLE customer (id INTEGER PRIMARY KEY, vip INTEGER)",
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id REFERENCES clients(id))"],
     "foreign key orders.customer_id references table 'clients', which is not in the database"),
    (["CREATE TABLE customer (id INTEGER, code TEXT, vip INTEGER, PRIMARY KEY (id, code))",
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, cid INTEGER, ccode TEXT, "
      "FOREIGN KEY (cid, ccode) REFERENCES customer(id, code))"],
     "orders has a composite foreign key (cid, ccode) referencing customer"),
    (["CREATE TABLE customer (id INTEGER PRIMARY KEY, code TEXT, vip INTEGER)",
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, code TEXT REFERENCES customer(code))",
      "INSERT INTO customer VALUES (1, 'x', 0), (2, 'x', 1)"],
     "foreign key orders.code references customer.code, whose values are not unique"),
    (SHOP + ["UPDATE customer SET vip = NULL WHERE id = 30"],
     "target customer.vip is NULL in 1 of 4 rows (first at customer.id = 30)"),
    (SHOP + ["UPDATE customer SET vip = 0.5 WHERE id = 30"],
     "target customer.vip holds real numbers; labels must be classes"),
])
def test_bad_databases_are_refused_by_name(tmp_path, statements, message):
    with pytest.raises(ValueError) as caught:
        from_sqlite(database(tmp_path, statements), target="customer.vip")
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("target, message", [
    ("vip", "target must be 'table.column'"),
    ("client.vip", "target 'client.vip': no table 'client' in the database; tables: customer, orders"),
    ("customer.vipp", "target customer.vipp: table customer has no column 'vipp'; columns: id, age, city, vip"),
    ("customer.id", "target customer.id is a key column"),
    ("orders.customer_id", "target orders.customer_id is a key column"),
])
def test_unknown_or_unusable_targets(tmp_path, target, message):
    with pytest.raises(ValueError) as caught:
        from_sqlite(database(tmp_path, SHOP), target=target)
    assert message in str(caught.value)


def test_not_a_database(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        from_sqlite(tmp_path / "missing.db", target="a.b")
    with pytest.raises(ValueError, match="is not a file"):
        from_sqlite(tmp_path, target="a.b")
    text = tmp_path / "notes.txt"
    text.write_text("not a database, just some words that are long enough " * 20)
    with pytest.raises(ValueError, match="notes.txt is not a SQLite database"):
        from_sqlite(text, target="a.b")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.db holds no tables"):
        from_sqlite(empty, target="a.b")


def test_blob_columns_are_no_features_nor_labels(tmp_path):
    path = database(tmp_path, SHOP + ["ALTER TABLE customer ADD COLUMN photo BLOB",
                                      "UPDATE customer SET photo = x'00ff'"])
    assert "photo" not in from_sqlite(path, target="customer.vip")["customer"].feature_names
    with pytest.raises(ValueError, match="target customer.photo holds binary data"):
        from_sqlite(path, target="customer.photo")
