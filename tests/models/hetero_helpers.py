"""Hand-built heterogeneous graphs for the hetero model, training and probe tests."""

from __future__ import annotations

import torch
from torch_geometric.data import HeteroData


def tiny_hetero(dtype=torch.float32) -> HeteroData:
    """5 customers (3 features, labels), 3 merchants (2 features), purchases in both
    directions and a 'knows' relation among customers; customer 4 knows no one and merchant
    2 sells to customers 0 and 4 only."""
    g = torch.Generator().manual_seed(0)
    data = HeteroData()
    data["customer"].x = torch.rand(5, 3, generator=g, dtype=dtype)
    data["customer"].y = torch.tensor([0, 1, 0, 1, 1])
    data["merchant"].x = torch.rand(3, 2, generator=g, dtype=dtype)
    buys = torch.tensor([[0, 0, 1, 2, 3, 4, 1], [0, 2, 0, 1, 1, 2, 1]])
    data["customer", "buys", "merchant"].edge_index = buys
    data["merchant", "rev_buys", "customer"].edge_index = buys.flip(0)
    data["customer", "knows", "customer"].edge_index = torch.tensor([[0, 1, 1, 2, 3, 3], [1, 0, 3, 3, 1, 2]])
    masks = torch.tensor([True, True, True, False, False]), torch.tensor([False, False, False, True, False])
    data["customer"].train_mask, data["customer"].val_mask = masks
    data["customer"].test_mask = torch.tensor([False, False, False, False, True])
    return data


def learnable_hetero(num_customers: int = 90, num_merchants: int = 12, seed: int = 0) -> HeteroData:
    """Customers of two classes with uninformative features, each buying 4 times, 90% of the
    time from a merchant of its own class's group; merchants' features name their group.
    Only message passing from merchants to customers can classify the customers (chance 0.5)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(num_customers) % 2
    group = torch.arange(num_merchants) % 2
    by_group = [torch.nonzero(group == c).view(-1) for c in (0, 1)]
    src, dst = [], []
    for i in range(num_customers):
        for _ in range(4):
            c = int(y[i]) if float(torch.rand(1, generator=g)) < 0.9 else 1 - int(y[i])
            pool = by_group[c]
            src.append(i)
            dst.append(int(pool[torch.randint(len(pool), (1,), generator=g)]))
    buys = torch.unique(torch.tensor([src, dst]), dim=1)
    data = HeteroData()
    data["customer"].x = torch.rand(num_customers, 4, generator=g)
    data["customer"].y = y
    data["merchant"].x = torch.nn.functional.one_hot(group, 2).float() + 0.1 * torch.rand(num_merchants, 2, generator=g)
    data["customer", "buys", "merchant"].edge_index = buys
    data["merchant", "rev_buys", "customer"].edge_index = buys.flip(0)
    perm = torch.randperm(num_customers, generator=g)
    for name, part in (("train", perm[:40]), ("val", perm[40:60]), ("test", perm[60:])):
        mask = torch.zeros(num_customers, dtype=torch.bool)
        mask[part] = True
        data["customer"][f"{name}_mask"] = mask
    return data


def record(model, data):
    """Run the model once on ``data``; returns ``(logits, {layer: {node type: tensor}})``."""
    seen = {}
    handle = model.add_tap(lambda k, h: seen.__setitem__(k, {t: v.detach().clone() for t, v in h.items()}))
    out = model(data.x_dict, data.edge_index_dict)
    handle.remove()
    return out, seen


def dense_relation(edge_index, num_src: int, num_dst: int, dtype=torch.float64):
    """``A[i, j] = 1`` for every edge ``j -> i`` of one relation (``[num_dst, num_src]``)."""
    a = torch.zeros(num_dst, num_src, dtype=dtype)
    a[edge_index[1], edge_index[0]] = 1.0
    return a


def check_hetero_contract(name: str, depth: int, hidden: int = 8, **options):
    """Logits of the target type, one emitted dict per message-passing layer (1..depth) with
    every node type, determinism under a seed, gradients to every parameter, reset."""
    from oversmooth.models import build

    data = tiny_hetero()
    widths = {t: data[t].x.shape[1] for t in data.node_types}

    def make():
        torch.manual_seed(0)
        return build(name, widths, hidden, 3, depth, metadata=data.metadata(),
                     target_node_type="customer", **options)

    model, twin = make().eval(), make().eval()
    out, seen = record(model, data)
    assert torch.equal(out, twin(data.x_dict, data.edge_index_dict)), "not deterministic"
    assert out.shape == (5, 3) and torch.isfinite(out).all()
    assert sorted(seen) == list(range(1, depth + 1))
    for k, h in seen.items():
        assert set(h) == {"customer", "merchant"}, f"layer {k} misses a node type"
        assert h["customer"].shape[0] == 5 and h["merchant"].shape[0] == 3
        assert all(torch.isfinite(v).all() for v in h.values())
    assert len(model.layers) == depth

    model.train()
    live = []  # every layer output enters the loss: at depth 1 the head reads no merchant
    handle = model.add_tap(lambda k, h: live.extend(h.values()))
    loss = model(data.x_dict, data.edge_index_dict).pow(2).sum() + sum(v.pow(2).sum() for v in live)
    handle.remove()
    loss.backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values()), \
        [n for n, g in grads.items() if g is None]
    assert sum(float(g.abs().sum()) for g in grads.values()) > 0
    before = [p.detach().clone() for p in model.parameters()]
    model.reset_parameters()
    assert any(not torch.equal(b, a) for b, a in zip(before, model.parameters())), "reset changed nothing"
    return model
