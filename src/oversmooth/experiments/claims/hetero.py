"""The claims' measurements on heterogeneous graphs: ``heterogeneous`` (a slice of the
``hetero-bank`` preset, trained) and ``bank-graph`` (R-GCN at initialisation on a bank of
the budget's size). The verdict rules are :mod:`oversmooth.literature.claims.hetero`."""

from __future__ import annotations

from ... import datasets
from ...literature.claims import CLAIMS
from ...literature.claims.hetero import HETERO_PAIR
from ..config import config_from_dict
from ..presets import preset_dict

__all__ = ["hetero_sweep_config", "bank_graph_facts", "BANK_GRAPH_MODEL"]

#: The model ``bank-graph`` is measured with: the relational GCN, the canonical GNN of a
#: typed graph; untrained, so the cosine is the graph's and the architecture's, not a task's.
BANK_GRAPH_MODEL = "rgcn"


def hetero_sweep_config(budget):
    """The runs ``heterogeneous`` reads: the ``hetero-bank`` preset's hetero-GCN (on the bank)
    and GCN (on it flattened) rows, at the budget's ``hetero_depths``, seeds, epochs and
    patience; per layer the customers' cosine only. Same graph and settings as the preset,
    so with the default budget's epochs a store holding the preset's runs already holds these."""
    raw = preset_dict("hetero-bank")
    variants = [v for v in raw["variants"] if v["model"] in HETERO_PAIR]
    training = {**raw["training"], "epochs": budget.epochs, "patience": budget.patience}
    return config_from_dict({**raw, "name": f"claims-{budget.name}-hetero", "variants": variants,
                             "depths": list(budget.hetero_depths), "seeds": list(budget.seeds),
                             "training": training, "metrics": ["mean_cosine_similarity"]},
                            source="claims (hetero-bank)")


def bank_graph_facts(budget) -> dict:
    """Fact ``bank_graph``: the customers' mean cosine similarity at the output of layer
    ``k`` (before its ReLU) of an untrained ``k``-layer R-GCN, for each ``k`` the claim names,
    on a bank of ``budget.bank_graph`` = (customers, merchants, transactions), seed 0."""
    from ...metrics import mean_cosine_similarity
    from ...probe import capture_layers
    from ...training import build_seeded

    customers, merchants, transactions = budget.bank_graph
    data = datasets.bank(num_customers=customers, num_merchants=merchants, num_transactions=transactions, seed=0)
    claim = next(c for c in CLAIMS if c.id == "bank-graph")
    cosine = {}
    for depth in sorted(int(k) for k in claim.asserts["cosine"]):
        model = build_seeded(BANK_GRAPH_MODEL, data, depth, seed=0, hidden_channels=budget.hidden_channels)
        cosine[depth] = mean_cosine_similarity(capture_layers(model, data).outputs[depth]["customer"])
    edges = sum(data[e].edge_index.size(1) for e in data.edge_types) // 2
    setup = (f"R-GCN at initialisation (seed 0, width {budget.hidden_channels}), layer k of a k-layer model, "
             f"on datasets.bank with {customers:,} customers, {merchants:,} merchants, {transactions:,} "
             f"transactions ({data.num_nodes:,} nodes, {edges:,} undirected edges), seed 0")
    return {"cosine": cosine, "setup": setup}
