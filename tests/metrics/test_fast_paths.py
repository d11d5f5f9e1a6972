"""The fast paths of the metrics (half edge lists, block passes, shared statistics) against references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from oversmooth import metrics as M
from oversmooth.metrics import _utils
from oversmooth.graph import normalized_adjacency
from tests.metrics._reference import dense, dense_projection, mad_reference, make_graph, rel_close


def survey_reference(x, ei):
    """Columns as given, in extended precision."""
    X = dense(x).astype(np.longdouble)
    s, d = ei.numpy()
    return float(((X[s] - X[d]) ** 2).sum() / X.shape[0])


def sym_reference(x, ei):
    """Edge form of tr(X^T (I - P) X) over the simple edge list, in extended precision."""
    n = x.size(0)
    pairs = sorted({(a, b) for a, b in ei.T.tolist() if a != b})
    X = dense(x).astype(np.longdouble)
    deg = np.zeros(n, dtype=np.longdouble)
    for _, b in pairs:
        deg[b] += 1
    S = X / np.sqrt(deg + 1)[:, None]
    return float(0.5 * sum(((S[a] - S[b]) ** 2).sum() for a, b in pairs))


def edge_variants():
    """Undirected coalesced, shuffled, directed, with duplicates and self-loops."""
    _, ei = make_graph("components", torch.float64)
    g = torch.Generator().manual_seed(3)
    shuffled = ei[:, torch.randperm(ei.size(1), generator=g)]
    directed = ei[:, ei[0] < ei[1]]
    loops = torch.arange(0, 24, 5).repeat(2, 1)
    messy = torch.cat([ei, ei[:, :7], loops, directed[:, :3].flip(0)], 1)
    with_loops = torch.tensor(sorted(ei.T.tolist() + loops.T.tolist())).T
    return {"coalesced": ei, "shuffled": shuffled, "directed": directed, "messy": messy,
            "loops_only": loops, "coalesced_with_loops": with_loops}


@pytest.mark.parametrize("variant", list(edge_variants()))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_energies_on_any_edge_list(variant, dtype):
    x, _ = make_graph("components", dtype)
    ei = edge_variants()[variant]
    rel_close(M.dirichlet_energy(x, ei), survey_reference(x, ei), rtol=1e-6)
    rel_close(M.dirichlet_energy(x, ei, operator="gcn"), sym_reference(x, ei), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("steps", [40, 100])
def test_energies_accurate_on_nearly_smooth_input(dtype, steps):
    """P^k X is close to the invariant subspace: the sym energy is tiny next to ||X||^2.

    (1e-6 of it after 40 steps, 1e-13 after 100; float64 input limits the relative
    accuracy of the degree-scaled differences to about 1e-16 ||X||^2 / E.)
    """
    x, ei = make_graph("components", torch.float64)
    P = normalized_adjacency(ei, x.size(0), "gcn", torch.float64).to_dense()
    smooth = (torch.linalg.matrix_power(P, steps) @ x).to(dtype)
    sym = sym_reference(smooth, ei)
    assert sym < 1e-6 * float((smooth.double() ** 2).sum())
    rel_close(M.dirichlet_energy(smooth, ei), survey_reference(smooth, ei), rtol=1e-6)
    rel_close(M.dirichlet_energy(smooth, ei, operator="gcn"), sym, rtol=1e-6)
    rel_close(M.subspace_distance(smooth, ei),
              float(np.linalg.norm(dense(smooth) - dense_projection(dense(smooth), ei, 24, "gcn"))), rtol=1e-6)


def test_float32_difference_overflow_falls_back_to_float64():
    x = torch.tensor([[3e38], [-3e38], [1.0]])
    ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    assert M.dirichlet_energy(x, ei) == pytest.approx(survey_reference(x, ei), rel=1e-6)


@pytest.mark.parametrize("kind", ["components", "scaled_small", "scaled_large", "no_edges"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_block_passes_match_single_block(kind, dtype, monkeypatch):
    """Blocks of 7 entries (rows split over many blocks) give the single-block values."""
    x, ei = make_graph(kind, dtype)
    y = torch.arange(x.size(0)) % 3
    whole = M.compute(x, ei, y)
    squared = M.mean_pairwise_distance(x, squared=True)
    monkeypatch.setattr(_utils, "BLOCK_ELEMENTS", 7)
    blocked = M.compute(x, ei.clone(), y)  # a fresh edge_index: graph cache rebuilt too
    assert blocked.keys() == whole.keys()
    for key in whole:
        rel_close(blocked[key], whole[key], rtol=1e-12, atol=1e-300)
    rel_close(M.mean_pairwise_distance(x, squared=True), squared, rtol=1e-12, atol=1e-300)
    rel_close(M.mad(x), mad_reference(x, np.ones((x.size(0),) * 2)), atol=1e-10)


def test_compute_shares_statistics_but_sees_in_place_changes():
    x, ei = make_graph("components", torch.float64)
    names = ["mean_cosine_similarity", "mad", "numerical_rank", "effective_rank", "feature_correlation"]
    together = M.compute(x, ei, metrics=names)
    alone = {name: M.compute(x, ei, metrics=[name])[name] for name in names}
    assert together == pytest.approx(alone, rel=1e-14)
    before = M.compute(x, ei, metrics=names)
    x[:5] *= -3.0
    after = M.compute(x, ei, metrics=names)
    assert after["mean_cosine_similarity"] != before["mean_cosine_similarity"]
    assert after == pytest.approx({name: M.compute(x.clone(), ei, metrics=[name])[name] for name in names},
                                  rel=1e-14)


def test_shared_memo_only_inside_sharing_block():
    x = torch.ones(3, 2)
    calls = []
    _utils.shared("t", x, lambda: calls.append(1))
    _utils.shared("t", x, lambda: calls.append(1))
    assert len(calls) == 2
    with _utils.sharing():
        _utils.shared("t", x, lambda: calls.append(1))
        _utils.shared("t", x, lambda: calls.append(1))
        x.add_(1.0)  # a new version is a new key
        _utils.shared("t", x, lambda: calls.append(1))
    assert len(calls) == 4


def test_mad_ties_over_many_blocks(monkeypatch):
    monkeypatch.setattr(_utils, "BLOCK_ELEMENTS", 5)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-1, 2, (40, 3), generator=g).double()  # many zero rows and tied directions
    x[7] = 2.5 * x[30]
    rel_close(M.mad(x), mad_reference(x, np.ones((40, 40))), atol=1e-12)


@pytest.mark.parametrize("block", [None, 9])
def test_mean_cosine_of_nearly_parallel_rows(block, monkeypatch):
    """1 - cos ~ 1e-16: the shifted one-pass sum S must keep its digits, in one block or many.

    Global MAD without ties is S / (n - 1) (mean cosine rounds to 1 here).
    """
    if block is not None:
        monkeypatch.setattr(_utils, "BLOCK_ELEMENTS", block)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(1, 3, generator=g, dtype=torch.float64) * 5 + 1e-7 * torch.randn(300, 3, generator=g,
                                                                                      dtype=torch.float64)
    X = dense(x).astype(np.longdouble)
    U = X / np.sqrt((X ** 2).sum(1, keepdims=True))
    spread = float(((U - U.mean(0)) ** 2).sum())  # = (n - 1) (1 - mean cosine)
    assert spread < 1e-12
    rel_close(M.mad(x), spread / 299, rtol=1e-6)
    rel_close(1.0 - M.mean_cosine_similarity(x), spread / 299, atol=1e-15)


@pytest.mark.parametrize("fraction", [0.5, 1.2, 0.8, 1e-3, 1e-9])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_subspace_distance_either_side_of_the_pythagorean_switch(fraction, dtype):
    """d_M^2 = fraction * FAST_FRACTION * ||X||^2: the short form above the switch, the residual below."""
    from oversmooth.metrics.subspace import FAST_FRACTION

    x, ei = make_graph("components", torch.float64)
    X = dense(x)
    inside = dense_projection(X, ei, 24, "gcn")
    outside = X - inside
    target = min(fraction * FAST_FRACTION, 0.9)
    # scale the outside part so that ||outside||^2 / (||inside||^2 + ||outside||^2) = target
    t = np.sqrt(target / (1 - target) * (inside ** 2).sum() / (outside ** 2).sum())
    y = torch.from_numpy(inside + t * outside).to(dtype)
    Y = dense(y).astype(np.longdouble)
    ref = float(np.sqrt(((Y - dense_projection(Y, ei, 24, "gcn")) ** 2).sum()))
    rel_close(M.subspace_distance(y, ei), ref, rtol=1e-9)
    rel_close(M.subspace_distance(y, ei, relative=True), ref / float(np.sqrt((Y ** 2).sum())), rtol=1e-9)


@pytest.mark.parametrize("block", [None, 9])
@pytest.mark.parametrize("spread", [4.0, 1.5, 0.7, 0.2])
def test_mean_cosine_either_side_of_the_one_pass_switch(spread, block, monkeypatch):
    """1 - cos near FAST_SPREAD: the one-pass form above it, the shifted sum below, both accurate."""
    from oversmooth.metrics.similarity import FAST_SPREAD

    if block is not None:
        monkeypatch.setattr(_utils, "BLOCK_ELEMENTS", block)
    g = torch.Generator().manual_seed(4)
    noise = torch.randn(200, 5, generator=g, dtype=torch.float64)
    base = torch.randn(1, 5, generator=g, dtype=torch.float64)

    def reference(x):
        X = dense(x).astype(np.longdouble)
        U = X[np.abs(X).sum(1) > 0]
        U = U / np.sqrt((U ** 2).sum(1, keepdims=True))
        return float(((U - U.mean(0)) ** 2).sum()) / (U.shape[0] - 1)

    # 1 - cos grows with the square of the noise: scale it to land at spread * FAST_SPREAD
    scale = 1e-3 * (spread * FAST_SPREAD / reference(base + 1e-3 * noise)) ** 0.5
    x = base + scale * noise
    x[3] = 0.0  # a zero row is ignored
    one_minus_cos = reference(x)
    assert 0.1 * FAST_SPREAD < one_minus_cos < 10 * FAST_SPREAD
    rel_close(1.0 - M.mean_cosine_similarity(x), one_minus_cos, rtol=1e-8)
    rel_close(M.mad(x), one_minus_cos, rtol=1e-8)  # no ties: global MAD = 1 - mean cosine
