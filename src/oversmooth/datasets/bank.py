r"""A synthetic bank: customers, accounts, merchants and transactions, with planted fraud that
shows only three hops away from a customer.

>>> from oversmooth import datasets
>>> data = datasets.bank(num_customers=200, num_merchants=50, num_transactions=2000, seed=0)
>>> data.node_types
['customer', 'account', 'merchant', 'transaction']
>>> data["customer"].num_nodes, data["merchant"].num_nodes, data["transaction"].num_nodes
(200, 50, 2000)
>>> int(data["customer"].y.sum())  # fraud_rate 0.1
20
"""

from __future__ import annotations

import inspect
import math
import os
from pathlib import Path

import numpy as np
from torch_geometric.data import Data, HeteroData

from .._params import LIMITS
from ._tables import Table, graph, write_sqlite

__all__ = ["bank", "bank_flat", "bank_to_sqlite", "TARGET"]

#: The label of the bank: ``(table, column)``, ``"customer.fraud"`` for :func:`from_sqlite`.
TARGET = ("customer", "fraud")

_SEGMENTS = (("retail", "premium", "business"), (0.7, 0.2, 0.1))
_KINDS = (("checking", "savings", "credit"), (0.6, 0.25, 0.15))
_CHANNELS = (("card", "online", "atm"), (0.6, 0.3, 0.1))
_CATEGORIES = ("grocery", "fuel", "restaurant", "travel", "electronics", "clothing", "online", "utilities")
#: typical log-amount per merchant category (groceries ~ 33, travel ~ 400 in currency units)
_LOG_AMOUNT = np.array([3.5, 3.9, 3.3, 6.0, 5.5, 4.2, 3.8, 4.5])
_AGE_MISSING = 0.03  # customers without a recorded age: NULLs the loader must handle


def bank(num_customers: int = 1000, num_merchants: int = 500, num_transactions: int = 50_000,
         accounts_per_customer: float = 1.5, fraud_rate: float = 0.1,
         compromised_fraction: float = 0.05, homophily: float = 0.5, degree_skew: float = 1.0,
         feature_snr: float = 0.5, seed: int = 0) -> HeteroData:
    r"""A bank as a heterogeneous graph; the label is ``customer.fraud``.

    Tables (node types), generated in this order from one seeded generator:

    * ``customer``: ``fraud`` (the label, exactly ``round(fraud_rate * num_customers)``
      customers at random), ``age`` (3 % NULL), ``segment`` (text), ``credit_score``
      (lower for fraud customers by ``feature_snr / 2`` standard deviations: weak alone);
    * ``account``: ``customer_id`` (each customer holds ``1 + Poisson(accounts_per_customer
      - 1)`` accounts), ``kind`` (text), ``balance``;
    * ``merchant``: ``category`` (text), ``risk_score`` (higher at compromised merchants by
      ``feature_snr`` standard deviations); ``round(compromised_fraction * num_merchants)``
      merchants (at least one) are compromised, which no column states;
    * ``transaction``: ``account_id`` (uniform over accounts), ``merchant_id``, ``amount``
      (by merchant category), ``channel`` (text).

    The plant: a merchant is drawn by popularity, proportional to ``rank ** -degree_skew``
    over a random ranking (``degree_skew=0``: uniform; larger: a few merchants take most
    transactions), except that each transaction of a fraud customer goes, with
    probability ``homophily``, to a compromised merchant (drawn by popularity among them).
    So fraud customers share merchants, and a customer's label is read from the merchants
    its transactions reach, three hops away (customer <- account <- transaction -> merchant),
    where ``risk_score`` is the signal; ``homophily=0`` leaves structure independent of the
    label. Transaction and account columns carry no label signal.

    The graph is what :func:`~oversmooth.datasets.from_sqlite` reads from
    :func:`bank_to_sqlite`'s database with the same ``seed``: keys ``1..n`` in generation
    order, features by the loader's rules, edge types ``(child, fk, parent)`` with
    ``rev_<fk>`` reverses, a stratified 60/20/20 split seeded by ``seed``. Generation is
    vectorised: 10,000 customers, 5,000 merchants and 500,000 transactions take seconds.
    """
    tables = _generate(num_customers, num_merchants, num_transactions, accounts_per_customer,
                       fraud_rate, compromised_fraction, homophily, degree_skew, feature_snr, seed)
    data = graph(tables, TARGET, seed=seed)
    data.name = "bank"
    return data


def bank_flat(**params) -> Data:
    """The bank of :func:`bank` (same ``params``) flattened to one homogeneous graph
    (:func:`oversmooth.graph.to_homogeneous`): every node type's rows in one index space,
    each type's features in its own columns, the customers' labels and split on their rows.
    The same graph a homogeneous model (``gcn``, ``mlp``) trains on and is compared with the
    heterogeneous models on ``bank``; accuracy is the customers' (the masks select them).

    >>> flat = bank_flat(num_customers=200, num_merchants=50, num_transactions=2000, seed=0)
    >>> flat.num_nodes, flat.node_types[0], int(flat.train_mask.sum())
    (2546, 'customer', 120)
    """
    from ..graph import to_homogeneous

    flat = to_homogeneous(bank(**params))
    flat.name = "bank-flat"
    return flat


# the generator's parameters are bank's: read by synthetic_parameters and check_synthetic
bank_flat.__signature__ = inspect.signature(bank).replace(return_annotation="Data")
bank_flat.__annotations__ = dict(bank.__annotations__, **{"return": "Data"})


def bank_to_sqlite(path: str | os.PathLike, **params) -> Path:
    """Generate the bank of :func:`bank` (same ``params``) and write it as a SQLite database
    at ``path``, whole or not at all (an existing file is replaced). Tables have
    ``id INTEGER PRIMARY KEY`` (``1..n``) and ``REFERENCES`` for each foreign key; the
    compromised merchants are not stored. Returns the path."""
    signature = inspect.signature(bank)
    try:
        bound = signature.bind(**params)
    except TypeError:
        unknown = sorted(set(params) - set(signature.parameters))
        raise ValueError(f"bank has no parameter {unknown[0]!r}; it takes: "
                         f"{', '.join(signature.parameters)}") from None
    bound.apply_defaults()
    return write_sqlite(_generate(**bound.arguments), path)


def _check(num_customers, num_merchants, num_transactions, accounts_per_customer, fraud_rate,
           compromised_fraction, homophily, degree_skew, feature_snr) -> None:
    for name, value in (("num_customers", num_customers), ("num_merchants", num_merchants),
                        ("num_transactions", num_transactions)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if not 1.0 <= accounts_per_customer <= 1000:
        raise ValueError(f"accounts_per_customer must lie in [1, 1000], got {accounts_per_customer}")
    largest = LIMITS["num_nodes"][1]
    total = num_customers * (1 + accounts_per_customer) + num_merchants + num_transactions
    if total > largest:
        raise ValueError(f"bank: about {total:,.0f} nodes in all, more than {largest:,} "
                         f"({LIMITS['num_nodes'][2]}); lower the sizes")
    for name, value in (("fraud_rate", fraud_rate), ("compromised_fraction", compromised_fraction),
                        ("homophily", homophily)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    for name, value in (("degree_skew", degree_skew), ("feature_snr", feature_snr)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def _text(rng, choices: tuple, size: int) -> np.ndarray:
    names, probs = choices
    return np.array(names, dtype=object)[rng.choice(len(names), size=size, p=probs)]


def _generate(num_customers, num_merchants, num_transactions, accounts_per_customer, fraud_rate,
              compromised_fraction, homophily, degree_skew, feature_snr, seed) -> list[Table]:
    _check(num_customers, num_merchants, num_transactions, accounts_per_customer, fraud_rate,
           compromised_fraction, homophily, degree_skew, feature_snr)
    rng = np.random.default_rng(seed)
    fraud = np.zeros(num_customers, np.int64)
    fraud[rng.choice(num_customers, round(fraud_rate * num_customers), replace=False)] = 1
    age = np.round(np.clip(rng.normal(45, 15, num_customers), 18, 95))
    age[rng.random(num_customers) < _AGE_MISSING] = np.nan
    credit = np.round(650 + 60 * (rng.standard_normal(num_customers) - 0.5 * feature_snr * fraud))
    customer = Table("customer", "id", np.arange(1, num_customers + 1), {
        "age": age, "segment": _text(rng, _SEGMENTS, num_customers), "credit_score": credit,
        "fraud": fraud})

    holdings = 1 + rng.poisson(accounts_per_customer - 1, num_customers)
    owner = np.repeat(np.arange(num_customers), holdings)
    num_accounts = len(owner)
    account = Table("account", "id", np.arange(1, num_accounts + 1), {
        "kind": _text(rng, _KINDS, num_accounts),
        "balance": np.round(rng.lognormal(7.0, 1.2, num_accounts), 2)})
    account.foreign["customer_id"] = ("customer", owner)

    compromised = np.zeros(num_merchants, bool)
    compromised[rng.choice(num_merchants, max(1, round(compromised_fraction * num_merchants)),
                           replace=False)] = True
    popularity = (1.0 + rng.permutation(num_merchants)) ** -degree_skew
    category = rng.integers(0, len(_CATEGORIES), num_merchants)
    merchant = Table("merchant", "id", np.arange(1, num_merchants + 1), {
        "category": np.array(_CATEGORIES, dtype=object)[category],
        "risk_score": np.round(rng.standard_normal(num_merchants) + feature_snr * compromised, 4)})

    spender = rng.integers(0, num_accounts, num_transactions)
    shop = rng.choice(num_merchants, num_transactions, p=popularity / popularity.sum())
    planted = (fraud[owner[spender]] == 1) & (rng.random(num_transactions) < homophily)
    targets = np.flatnonzero(compromised)
    weights = popularity[targets] / popularity[targets].sum()
    shop[planted] = targets[rng.choice(len(targets), int(planted.sum()), p=weights)]
    amount = np.round(rng.lognormal(_LOG_AMOUNT[category[shop]], 0.8), 2)
    transaction = Table("transaction", "id", np.arange(1, num_transactions + 1), {
        "amount": amount, "channel": _text(rng, _CHANNELS, num_transactions)})
    transaction.foreign["account_id"] = ("account", spender)
    transaction.foreign["merchant_id"] = ("merchant", shop)
    return [customer, account, merchant, transaction]
