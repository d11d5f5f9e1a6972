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
