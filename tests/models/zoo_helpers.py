"""Shared checks for the zoo model tests: tiny graphs, dense references, a training loop."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F


def tiny_graph(num_features: int = 5, dtype=torch.float64, seed: int = 0):
    """7 nodes: triangle 0-1-2, path 3-4-5, isolated node 6; two equal feature rows."""
    pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5)]
    src = [u for u, v in pairs] + [v for u, v in pairs]
    dst = [v for u, v in pairs] + [u for u, v in pairs]
    edge_index = torch.tensor([src, dst], dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(7, num_features, generator=g, dtype=dtype)
    x[5] = x[4]  # duplicate rows must not confuse anything
    return x, edge_index


def dense_adjacency(edge_index, num_nodes, dtype=torch.float64):
    a = torch.zeros(num_nodes, num_nodes, dtype=dtype)
    a[edge_index[1], edge_index[0]] = 1.0
    return a


def dense_gcn_operator(edge_index, num_nodes, dtype=torch.float64):
    """D~^{-1/2} (A + I) D~^{-1/2} written from the textbook formula."""
    a = dense_adjacency(edge_index, num_nodes, dtype) + torch.eye(num_nodes, dtype=dtype)
    d = a.sum(1).pow(-0.5)
    return d[:, None] * a * d[None, :]


def record_taps(model, x, edge_index):
    """Run the model once and return {layer: tensor} of everything it emitted."""
    seen = {}
    handle = model.add_tap(lambda k, h: seen.__setitem__(k, h.detach().clone()))
    out = model(x, edge_index)
    handle.remove()
    return out, seen


def check_contract(cls, depth: int = 3, hidden: int = 8, **options):
    """Output shape, one tap per propagation layer (1..depth), gradients everywhere."""
    x, edge_index = tiny_graph(num_features=5, dtype=torch.float32)
    torch.manual_seed(0)
    twin = cls(5, hidden, 3, depth, **options).eval()
    torch.manual_seed(0)
    model = cls(5, hidden, 3, depth, **options)
    assert torch.equal(model.eval()(x, edge_index), twin(x, edge_index)), "not deterministic"
    model.train()
    out, seen = record_taps(model, x, edge_index)
    assert out.shape == (7, 3) and torch.isfinite(out).all()
    assert sorted(k for k in seen if k >= 1) == list(range(1, depth + 1))
    assert all(h.size(0) == 7 for h in seen.values())

    model.eval()
    weights = torch.randn(7, 3, generator=torch.Generator().manual_seed(1))
    (model(x, edge_index) * weights).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"no gradient reaches {name}"
        assert torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, f"zero gradient at {name}"

    before = [p.detach().clone() for p in model.parameters()]
    model.reset_parameters()
    after = list(model.parameters())
    assert any(not torch.equal(b, a) for b, a in zip(before, after)), "reset changed nothing"
    assert torch.isfinite(model(x, edge_index)).all()


def check_bad_arguments(cls, **options):
    for args, word in [((5, 8, 3, 0), "depth"), ((5, 0, 3, 2), "hidden_channels"),
                       ((0, 8, 3, 2), "in_channels"), ((5, 8, 0, 2), "out_channels")]:
        with pytest.raises(ValueError, match=word):
            cls(*args, **options)
    with pytest.raises(ValueError, match="dropout"):
        cls(5, 8, 3, 2, dropout=1.5, **options)
    with pytest.raises(TypeError, match="no_such_option"):
        cls(5, 8, 3, 2, no_such_option=1, **options)
    model = cls(5, 8, 3, 2, **options)
    x, edge_index = tiny_graph(num_features=4, dtype=torch.float32)
    with pytest.raises(ValueError, match="in_channels"):
        model(x, edge_index)


def small_csbm():
    """400 nodes, 4 classes, homophily 0.9, weak features: for the O(N^2) attention models,
    whose 30 epochs on full Cora take minutes on two cores."""
    from oversmooth.datasets import csbm

    return csbm(num_nodes=400, num_classes=4, avg_degree=6, homophily=0.9, feature_snr=2.0,
                seed=0)


def train_accuracy(model, data, epochs: int = 30, lr: float = 0.01, weight_decay: float = 5e-4):
    """Plain full-batch Adam on the train mask; returns test accuracy of the last epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        out = model(data.x, data.edge_index)
        F.cross_entropy(out[data.train_mask], data.y[data.train_mask]).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(data.x, data.edge_index).argmax(1)
    return float((pred[data.test_mask] == data.y[data.test_mask]).float().mean())
