"""Rewiring transforms: what they change, their reports, option parsing and caching."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from oversmooth import oversquashing as osq

from ._graphs import to_pyg


def _barbell():
    ei, n = to_pyg(nx.barbell_graph(6, 3))
    data = Data(x=torch.randn(n, 3), edge_index=ei, y=torch.zeros(n, dtype=torch.long), num_nodes=n)
    data.train_mask = torch.ones(n, dtype=torch.bool)
    return data


def _undirected(ei):
    return {(min(a, b), max(a, b)) for a, b in ei.T.tolist()}


@pytest.mark.parametrize("name, params", [("sdrf", {"num_iterations": 5}), ("fosr", {"num_iterations": 5}),
                                          ("borf", {"num_batches": 2, "batch_add": 2, "batch_remove": 1}),
                                          ("gdc", {"k": 4})])
def test_report_matches_the_graphs(name, params):
    data = _barbell()
    out = osq.rewire(data, name, seed=0, **params)
    rep = out.rewiring
    before, after = _undirected(data.edge_index), _undirected(out.edge_index)
    assert rep.edges_added == len(after - before) and rep.edges_removed == len(before - after)
    assert rep.num_edges == (len(before), len(after))
    m0, m1 = osq.graph_measures(data.edge_index, data.num_nodes), osq.graph_measures(out.edge_index, out.num_nodes)
    assert rep.spectral_gap == pytest.approx((m0["spectral_gap"], m1["spectral_gap"]))
    assert rep.total_resistance == pytest.approx((m0["total_resistance"], m1["total_resistance"]))
    assert rep.min_curvature == pytest.approx((m0["min_curvature"], m1["min_curvature"]))
    # symmetric output without self-loops
    ei = out.edge_index
    assert _undirected(ei) == {(b, a) if a > b else (a, b) for a, b in ei.flip(0).T.tolist()}
    assert bool((ei[0] != ei[1]).all())


def test_fosr_and_sdrf_relieve_the_bottleneck():
    data = _barbell()
    fosr = osq.rewire(data, "fosr", num_iterations=3).rewiring
    assert fosr.edges_added == 3 and fosr.spectral_gap[1] > fosr.spectral_gap[0]
    assert fosr.total_resistance[1] < fosr.total_resistance[0]
    sdrf = osq.rewire(data, "sdrf", num_iterations=3, removal_bound=10.0).rewiring
    assert sdrf.edges_removed == 0 and sdrf.edges_added >= 1
    assert sdrf.total_resistance[1] < sdrf.total_resistance[0]


def test_virtual_node_pads_node_attributes():
    data = _barbell()
    out = osq.rewire(data, "virtual_node")
    n = data.num_nodes
    assert out.num_nodes == n + 1 and out.x.shape[0] == n + 1 and out.y.shape[0] == n + 1
    assert not bool(out.train_mask[-1]) and out.rewiring.edges_added == n
    assert out.rewiring.spectral_gap[1] > out.rewiring.spectral_gap[0]


def test_cached_per_graph_params_and_seed():
    data = _barbell()
    a = osq.rewire(data, "sdrf", seed=1, num_iterations=3)
    assert osq.rewire(data, "sdrf", seed=1, num_iterations=3) is a
    assert osq.rewire(data, "sdrf", seed=2, num_iterations=3) is not a


def test_options_are_validated_by_name():
    opts, name, params = osq.split_rewire_options({"rewire": "fosr", "rewire_num_iterations": 7, "dropedge": 0.1})
    assert opts == {"dropedge": 0.1} and name == "fosr" and params == {"num_iterations": 7}
    assert osq.split_rewire_options({"rewire": "none"})[1] is None
    with pytest.raises(ValueError, match="has no parameter 'tau'"):
        osq.split_rewire_options({"rewire": "fosr", "rewire_tau": 1})
    with pytest.raises(ValueError, match="unknown rewiring 'magic'"):
        osq.split_rewire_options({"rewire": "magic"})
    with pytest.raises(ValueError, match="without rewire=NAME"):
        osq.split_rewire_options({"rewire_num_iterations": 3})
    with pytest.raises(ValueError, match="non-negative integer"):
        osq.rewire(_barbell(), "sdrf", num_iterations=-1)
    with pytest.raises(ValueError, match="non-negative integer"):
        osq.FoSR(num_iterations=-5)


def test_components_and_isolated_nodes_survive():
    g = nx.disjoint_union(nx.path_graph(6), nx.cycle_graph(5))
    g.add_node(11)
    ei, n = to_pyg(g)
    data = Data(edge_index=ei, num_nodes=n)
    for name in ("sdrf", "fosr", "borf"):
        out = osq.rewire(data, name, seed=0)
        assert out.num_nodes == n and int(out.edge_index.max()) < n
    assert np.isfinite(osq.rewire(data, "fosr").rewiring.total_resistance[1])


def test_compare_puts_both_failures_side_by_side():
    table = osq.compare(_barbell(), rewirings={"fosr": {"num_iterations": 4}, "virtual_node": {}})
    assert list(table.index) == ["none", "fosr", "virtual_node"]
    assert {"smoothing_rate", "spectral_gap", "min_curvature", "total_resistance"} <= set(table.columns)
    # widening the bottleneck lowers resistance and speeds up smoothing (rate falls)
    assert table.loc["fosr", "total_resistance"] < table.loc["none", "total_resistance"]
    assert table.loc["fosr", "smoothing_rate"] < table.loc["none", "smoothing_rate"]


# --- SDRF: the vectorised gains against the per-candidate loop they replaced ------------------

from oversmooth.oversquashing.rewiring import _bfc_after_additions, _bfc_local, _edge_index, _sets  # noqa: E402


class _LoopSDRF(osq.SDRF):
    """The original SDRF step: every candidate added in turn, ``_bfc_local`` recomputed."""

    def _rewire(self, nb, n, rng):
        from oversmooth.oversquashing.curvature import balanced_forman_curvature

        added = removed = 0
        for _ in range(self.num_iterations):
            curv = balanced_forman_curvature(_edge_index(nb), n)
            if curv.values.numel() == 0:
                break
            order = torch.argsort(curv.values)
            i, j = (int(t) for t in curv.edges[:, order[0]])
            base = float(curv.values[order[0]])
            cands, gains = [], []
            for k in nb[i] | {i}:
                for l in nb[j] | {j}:
                    if k == l or l in nb[k]:
                        continue
                    nb[k].add(l)
                    nb[l].add(k)
                    gains.append(_bfc_local(nb, i, j) - base)
                    nb[k].discard(l)
                    nb[l].discard(k)
                    cands.append((k, l))
            gains = np.asarray(gains)
            if gains.size and gains.max() > 0:
                p = np.exp(self.tau * (gains - gains.max()))
                k, l = cands[rng.choice(len(cands), p=p / p.sum())]
                nb[k].add(l)
                nb[l].add(k)
                added += 1
            a, b = (int(t) for t in curv.edges[:, order[-1]])
            if float(curv.values[order[-1]]) > self.removal_bound and b in nb[a]:
                nb[a].discard(b)
                nb[b].discard(a)
                removed += 1
        return nb, added, removed


def _sdrf_graphs():
    hubs = nx.barabasi_albert_graph(60, 2, seed=4)
    star_pair = nx.disjoint_union(nx.star_graph(12), nx.star_graph(9))
    star_pair.add_edges_from([(0, 13), (1, 14), (2, 15), (3, 4)])
    return {"er": nx.gnp_random_graph(40, 0.12, seed=2), "er_dense": nx.gnp_random_graph(25, 0.4, seed=5),
            "ba_hubs": hubs, "ba_hubs_dense": nx.barabasi_albert_graph(80, 4, seed=7),
            "barbell": nx.barbell_graph(6, 3), "stars": star_pair, "path": nx.path_graph(5)}


@pytest.mark.parametrize("name", list(_sdrf_graphs()))
def test_sdrf_gains_equal_the_per_candidate_curvature(name):
    ei, n = to_pyg(_sdrf_graphs()[name])
    nb = _sets(ei, n)
    edges = sorted({(min(a, b), max(a, b)) for a, b in ei.T.tolist()})
    for i, j in edges:  # every edge, both orientations
        for a, b in ((i, j), (j, i)):
            cands, want = [], []
            for k in nb[a] | {a}:
                for l in nb[b] | {b}:
                    if k == l or l in nb[k]:
                        continue
                    nb[k].add(l)
                    nb[l].add(k)
                    want.append(_bfc_local(nb, a, b))
                    nb[k].discard(l)
                    nb[l].discard(k)
                    cands.append((k, l))
            got = _bfc_after_additions(nb, a, b, cands)
            assert got.shape == (len(cands),)
            assert got.tolist() == want, (name, a, b)  # bit-identical floats


@pytest.mark.parametrize("name", ["er", "ba_hubs", "ba_hubs_dense", "barbell", "stars"])
@pytest.mark.parametrize("seed", [0, 3])
def test_sdrf_rewires_exactly_as_the_per_candidate_loop(name, seed):
    ei, n = to_pyg(_sdrf_graphs()[name])
    data = Data(edge_index=ei, num_nodes=n)
    params = dict(num_iterations=15, tau=2.0, removal_bound=0.5)
    fast = osq.rewire(data, "sdrf", seed=seed, **params)
    slow = _LoopSDRF(seed=seed, **params)(data)
    assert torch.equal(fast.edge_index, slow.edge_index)
    assert fast.rewiring.to_dict() == slow.rewiring.to_dict()
