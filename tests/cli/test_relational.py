"""`oversmooth bank` writes the synthetic bank as a SQLite database; `oversmooth sqlite` reads one."""

from __future__ import annotations

import json
import sqlite3

import pytest

SIZES = ["-p", "num_customers=60", "-p", "num_merchants=10", "-p", "num_transactions=300"]


def test_write_then_read_the_bank(run_cli, tmp_path):
    path = tmp_path / "bank.db"
    code, out, err = run_cli("bank", str(path), *SIZES, "-p", "seed=2")
    assert code == 0 and err == "" and f"oversmooth sqlite {path} --target customer.fraud" in out
    code, out, _ = run_cli("sqlite", str(path), "--target", "customer.fraud", "--json")
    result = json.loads(out)
    assert code == 0 and result["classes"] == [0, 1]
    assert result["node_types"]["customer"]["rows"] == 60
    assert result["node_types"]["merchant"]["features"][-1] == "risk_score"
    assert {"edge_type": ["transaction", "merchant_id", "merchant"], "edges": 300} in result["edge_types"]
    assert sum(result["split"].values()) == 60
    code, out, _ = run_cli("sqlite", str(path), "-t", "customer.fraud")
    assert code == 0 and "rev_account_id" in out and "train/val/test 36/12/12" in out


@pytest.mark.parametrize("args, message", [
    (["bank", "{tmp}/b.db", "-p", "num_customers=abc"], "num_customers must be an integer"),
    (["bank", "{tmp}/b.db", "-p", "homophily=3"], "homophily must lie in [0, 1]"),
    (["bank", "{tmp}/b.db", "-p", "bogus=1"], "bank has no parameter 'bogus'"),
    (["bank", "{tmp}/no/b.db"], "does not exist"),
    (["sqlite", "{tmp}/none.db", "--target", "a.b"], "does not exist"),
    (["sqlite", "{tmp}/plain.db", "--target", "a.b"], "has no foreign keys"),
    (["sqlite", "{tmp}/dangling.db", "--target", "a.v"], "dangling foreign key: b.a_id = 7"),
    (["sqlite", "{tmp}/dangling.db", "--target", "a.w"], "table a has no column 'w'"),
    (["sqlite", "{tmp}/dangling.db"], "Missing option '--target'"),
])
def test_bad_input_exits_2_with_one_line(run_cli, tmp_path, args, message):
    with sqlite3.connect(tmp_path / "plain.db") as connection:
        connection.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER)")
    connection.close()
    with sqlite3.connect(tmp_path / "dangling.db") as connection:
        connection.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER)")
        connection.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id))")
        connection.execute("INSERT INTO b VALUES (1, 7)")
    connection.close()
    code, out, err = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert code == 2 and message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.db").exists()
