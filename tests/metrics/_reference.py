"""Graph families and naive dense references, written from the textbook formulas, that
the metric tests compare against."""

from __future__ import annotations

import math

import numpy as np
import torch

from oversmooth.graph import components


def _undirected(pairs, n):
    pairs = [(a, b) for a, b in pairs if a != b]
    both = sorted(set(pairs) | {(b, a) for a, b in pairs})
    return torch.tensor(both, dtype=torch.long).T.reshape(2, -1) if both else torch.zeros(2, 0, dtype=torch.long)


def make_graph(kind: str, dtype, seed: int = 0, n: int = 24, d: int = 5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    if kind == "no_edges":
        ei = torch.zeros(2, 0, dtype=torch.long)
    else:
        # two components (0..9, 10..19) and isolated nodes 20..23
        pairs = [(i, i + 1) for i in range(9)] + [(0, 5), (2, 7)]
        pairs += [(10 + i, 10 + j) for i in range(10) for j in range(i + 1, 10)
                  if torch.rand(1, generator=g) < 0.3] + [(i, i + 1) for i in range(10, 19)]
        ei = _undirected(pairs, n)
    x[3] = 0.0                      # zero row
    x[8] = x[4]                     # duplicate rows
    x[15] = x[12]
    if kind == "scaled_small":
        x = x * 1e-30
    elif kind == "scaled_large":
        x = x * 1e30
    return x.to(dtype), ei


FAMILIES = ["components", "no_edges", "scaled_small", "scaled_large"]
DTYPES = [torch.float32, torch.float64]


def dense(x):
    return x.detach().to(torch.float64).numpy()


def cosine_matrix(x):
    u = dense(x)
    norms = np.linalg.norm(u, axis=1)
    keep = norms > 0
    u = u[keep] / norms[keep, None]
    return u, u @ u.T


def rel_close(a, b, rtol=1e-6, atol=1e-12):
    assert math.isfinite(a), a
    scale = max(abs(a), abs(b))
    assert abs(a - b) <= atol + rtol * scale, (a, b)


def _hop_matrix(ei, n):
    A = np.zeros((n, n), dtype=bool)
    A[ei[0].numpy(), ei[1].numpy()] = True
    A |= A.T
    hop = np.full((n, n), np.inf)
    for s in range(n):  # textbook BFS
        hop[s, s], frontier, h = 0, [s], 0
        while frontier:
            h += 1
            nxt = [v for u in frontier for v in np.nonzero(A[u])[0] if hop[s, v] == np.inf]
            for v in set(nxt):
                hop[s, v] = h
            frontier = list(set(nxt))
    return hop


def mad_reference(x, mask):
    """Chen et al.: D = 1 - cos, masked, row mean over non-zero entries, mean over rows with any."""
    X = dense(x)
    keep = np.linalg.norm(X, axis=1) > 0
    U = X[keep] / np.linalg.norm(X[keep], axis=1, keepdims=True)
    D = 1.0 - U @ U.T
    same = (U[:, None, :] == U[None, :, :]).all(-1)
    D[same] = 0.0  # identical directions are exact zeros (the diagonal included)
    D = D * mask[np.ix_(keep, keep)]
    counts = (D != 0).sum(1)
    rows = D.sum(1)[counts > 0] / counts[counts > 0]
    return float(rows.mean()) if rows.size else 0.0


def gdr_reference(x, y):
    X = dense(x)
    classes = np.unique(y)
    C = len(classes)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    mean = lambda a, b: D[np.ix_(y == a, y == b)].mean()
    num = sum(mean(a, b) for a in classes for b in classes if a != b) / (C - 1) ** 2
    den = sum(mean(a, a) for a in classes) / C
    return num / den


def dense_projection(X, ei, n, operator):
    _, comp = components(ei, n)
    comp = comp.numpy()
    A = np.zeros((n, n))
    A[ei[0].numpy(), ei[1].numpy()] = 1.0
    deg = A.sum(1)
    out = np.zeros_like(X)
    for m in np.unique(comp):
        weight = {"gcn": np.sqrt(deg + 1), "sym": np.sqrt(deg), "rw": 1.0}[operator]
        e = np.where(comp == m, weight, 0.0)
        if e @ e > 0:  # sym: an isolated node has no invariant vector
            out += np.outer(e, e @ X) / (e @ e)
    return out
