"""Small heterogeneous graphs built by hand for the graph, metrics and datasets tests."""

from __future__ import annotations

import torch
from torch_geometric.data import HeteroData


def both(pairs):
    """``edge_index`` of the pairs and of their reverses, as two tensors."""
    if not pairs:
        empty = torch.zeros(2, 0, dtype=torch.long)
        return empty, empty.clone()
    forward = torch.tensor(pairs, dtype=torch.long).T.contiguous()
    return forward, forward.flip(0).contiguous()


def shop(seed: int = 0, dtype=torch.float32) -> HeteroData:
    """Customers (target, 5 nodes), merchants (4) and a city (1).

    Merchant 3 is isolated; ``('merchant', 'refers', 'merchant')`` is an empty edge type;
    customers 1 and 3 both pay merchant 0 and also know each other through
    ``('customer', 'knows', 'customer')`` (listed in both directions in that one type);
    customer 0 is linked to merchant 1 by two relations (``pays`` and ``rates``), so the
    flattened graph has a duplicate pair. The city is linked to merchants 0 and 1.
    """
    g = torch.Generator().manual_seed(seed)
    data = HeteroData()
    data["customer"].x = torch.randn(5, 3, generator=g, dtype=dtype)
    data["customer"].y = torch.tensor([0, 1, 0, 1, 1])
    data["customer"].train_mask = torch.tensor([True, True, False, False, False])
    data["customer"].val_mask = torch.tensor([False, False, True, False, False])
    data["customer"].test_mask = torch.tensor([False, False, False, True, True])
    data["merchant"].x = torch.randn(4, 2, generator=g, dtype=dtype)
    data["city"].x = torch.ones(1, 1, dtype=dtype)
    pays, paid_by = both([(0, 1), (1, 0), (2, 2), (3, 0), (4, 1)])
    rates, rated_by = both([(0, 1)])
    data["customer", "pays", "merchant"].edge_index = pays
    data["merchant", "paid_by", "customer"].edge_index = paid_by
    data["customer", "rates", "merchant"].edge_index = rates
    data["merchant", "rated_by", "customer"].edge_index = rated_by
    knows = torch.cat(both([(1, 3), (0, 4)]), 1)
    data["customer", "knows", "customer"].edge_index = knows
    data["merchant", "refers", "merchant"].edge_index = torch.zeros(2, 0, dtype=torch.long)
    located, hosts = both([(0, 0), (1, 0)])
    data["merchant", "in", "city"].edge_index = located
    data["city", "hosts", "merchant"].edge_index = hosts
    return data


def dense_union(data) -> torch.Tensor:
    """Dense float64 adjacency of the union of all edge types, by a loop over every edge."""
    offsets, start = {}, 0
    for t in data.node_types:
        offsets[t] = start
        start += data[t].num_nodes
    a = torch.zeros(start, start, dtype=torch.float64)
    for s, r, d in data.edge_types:
        for i, j in data[s, r, d].edge_index.T.tolist():
            if offsets[s] + i != offsets[d] + j:
                a[offsets[s] + i, offsets[d] + j] = 1.0
    return a
