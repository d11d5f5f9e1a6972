"""Jacobian sensitivity against explicit autograd Jacobians and PyG's total_influence."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.utils import total_influence

from oversmooth import models
from oversmooth import oversquashing as osq

from ._graphs import to_pyg, zoo


def _model(name, in_ch, depth, seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return models.build(name, in_ch, 8, 3, depth).to(dtype).eval()


def _data(g, features=4, seed=0, dtype=torch.float64):
    ei, n = to_pyg(g)
    gen = torch.Generator().manual_seed(seed)
    return Data(x=torch.randn(n, features, generator=gen, dtype=dtype), edge_index=ei, num_nodes=n)


def naive_sensitivity(model, data):
    jac = torch.autograd.functional.jacobian(lambda x: model(x, data.edge_index), data.x)   # [N, C, N, F]
    return jac.abs().sum(dim=(1, 3))


@pytest.mark.parametrize("name", ["gcn", "gin", "gat"])
def test_sensitivity_matches_autograd(name):
    data = _data(zoo()["lollipop"])
    model = _model(name, 4, 3)
    ref = naive_sensitivity(model, data)
    n = data.num_nodes
    pairs = np.array([(v, u) for v in range(n) for u in range(n)]).T
    got = osq.jacobian_sensitivity(model, data.x, data.edge_index, pairs, batch_size=3)
    np.testing.assert_allclose(got.numpy(), ref.numpy().ravel(), rtol=1e-10, atol=1e-14)
    # nothing travels farther than the depth
    dist = dict(nx.all_pairs_shortest_path_length(zoo()["lollipop"]))
    far = [(v, u) for v in range(n) for u in range(n) if dist[v][u] > 3]
    assert float(ref[tuple(np.array(far).T)].abs().max()) == 0.0


def test_frobenius_norm():
    data = _data(zoo()["C7"])
    model = _model("gcn", 4, 2)
    jac = torch.autograd.functional.jacobian(lambda x: model(x, data.edge_index), data.x)
    got = osq.jacobian_sensitivity(model, data.x, data.edge_index, [[0, 0], [1, 3]], norm="fro")
    np.testing.assert_allclose(got.numpy(), [jac[0, :, 1].norm(), jac[0, :, 3].norm()], rtol=1e-10)


def _components_with_isolated_inside():
    # PyG's k_hop_subgraph infers num_nodes from edge_index, so total_influence fails on an
    # isolated *last* node; keep the isolated nodes inside the index range
    g = nx.Graph()
    g.add_nodes_from(range(11))
    g.add_edges_from([(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)])               # C5
    g.add_edges_from([(a, b) for a in (7, 8, 9, 10) for b in (7, 8, 9, 10) if a < b])   # K4
    return g                                                                  # 0 and 6 isolated


@pytest.mark.parametrize("name", ["gcn", "gin"])
def test_profile_matches_pyg_total_influence(name):
    # max_hops at least the components' diameter: PyG's subgraph is the whole component
    # float32: PyG's receptive field mixes a float32 hop vector with the data's dtype
    data = _data(_components_with_isolated_inside(), dtype=torch.float32)
    model = _model(name, 4, 2, dtype=torch.float32)
    ref_mean, ref_r = total_influence(model, data, max_hops=4, num_samples=None, normalize=True)
    ours = osq.influence_profile(model, data, max_hops=4, batch_size=3)
    full = osq.influence_profile(model, data, max_hops=4, subgraph_hops=None, batch_size=5)
    np.testing.assert_allclose(full.per_node.numpy(), ours.per_node.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.per_hop.numpy(), ref_mean.numpy(), rtol=1e-5)
    assert ours.receptive_field == pytest.approx(ref_r, rel=1e-5)
    # a subgraph of depth + 1 hops gives the same numbers
    sub = osq.influence_profile(model, data, max_hops=4, subgraph_hops=3, batch_size=4)
    np.testing.assert_allclose(sub.per_node.numpy(), ours.per_node.numpy(), rtol=1e-5, atol=1e-7)
    # isolated nodes only influence themselves
    iso = ours.per_node[(ours.targets == 0) | (ours.targets == 6)]
    assert float(iso[:, 1:].abs().sum()) == 0.0 and bool((iso[:, 0] > 0).all())


def test_profile_on_larger_graph_equals_pyg_when_subgraph_covers_the_field():
    g = nx.convert_node_labels_to_integers(nx.random_regular_graph(3, 60, seed=2))
    data = _data(g, dtype=torch.float32)
    model = _model("gcn", 4, 2, dtype=torch.float32)
    targets = torch.arange(0, 60, 6)
    ours = osq.influence_profile(model, data, max_hops=3, targets=targets, normalize=False, batch_size=4)
    full = osq.influence_profile(model, data, max_hops=3, targets=targets, normalize=False, subgraph_hops=None)
    np.testing.assert_allclose(full.per_node.numpy(), ours.per_node.numpy(), rtol=1e-5)
    from torch_geometric.utils.influence import jacobian_l1_agg_per_hop
    ref = torch.stack([jacobian_l1_agg_per_hop(model, data, 3, int(v), "cpu") for v in targets])
    # PyG's 3-hop subgraph holds the 2-layer GCN's field plus one hop: identical
    np.testing.assert_allclose(ours.per_node.numpy(), ref.numpy(), rtol=1e-5)


def test_batches_cut_by_size_give_the_same_profile(monkeypatch):
    from oversmooth.oversquashing import influence

    assert influence._batches([5, 5, 5, 20, 1], 2, 12) == [range(0, 2), range(2, 3), range(3, 4), range(4, 5)]
    assert influence._batches([3, 3, 3], 10, 100) == [range(0, 3)] and influence._batches([], 4, 9) == []
    g = nx.convert_node_labels_to_integers(nx.random_regular_graph(3, 60, seed=2))
    data = _data(g, dtype=torch.float32)
    model = _model("gcn", 4, 2, dtype=torch.float32)
    whole = osq.influence_profile(model, data, max_hops=3, num_samples=12, normalize=False)
    monkeypatch.setattr(influence, "BATCH_ENTRIES", 1)                       # one target a batch
    alone = osq.influence_profile(model, data, max_hops=3, num_samples=12, normalize=False)
    np.testing.assert_allclose(alone.per_node.numpy(), whole.per_node.numpy(), rtol=1e-6)


def test_profile_follows_pyg_subgraph_definition_when_they_differ():
    # max_hops = depth: the outer hop's degrees are truncated in PyG's subgraph, and in ours
    g = nx.convert_node_labels_to_integers(nx.random_regular_graph(3, 40, seed=4))
    data = _data(g, dtype=torch.float32)
    model = _model("gcn", 4, 2, dtype=torch.float32)
    targets = torch.arange(0, 40, 5)
    ours = osq.influence_profile(model, data, max_hops=2, targets=targets, normalize=False)
    from torch_geometric.utils.influence import jacobian_l1_agg_per_hop
    ref = torch.stack([jacobian_l1_agg_per_hop(model, data, 2, int(v), "cpu") for v in targets])
    np.testing.assert_allclose(ours.per_node.numpy(), ref.numpy(), rtol=1e-5)
    full = osq.influence_profile(model, data, max_hops=2, targets=targets, normalize=False, subgraph_hops=None)
    assert not np.allclose(full.per_node.numpy(), ref.numpy(), rtol=1e-3)


def test_bound_is_the_propagation_matrix_power():
    data = _data(zoo()["barbell"])
    from oversmooth.graph import normalized_adjacency

    p = normalized_adjacency(data.edge_index, data.num_nodes, "gcn", dtype=torch.float64).to_dense()
    pairs = [[0, 3, 9], [9, 5, 0]]
    got = osq.sensitivity_bound(data, 3, pairs)
    p3 = torch.linalg.matrix_power(p, 3)
    np.testing.assert_allclose(got.numpy(), [p3[0, 9], p3[3, 5], p3[9, 0]], atol=1e-14)


def test_bad_input():
    data = _data(zoo()["C4"])
    model = _model("gcn", 4, 2)
    with pytest.raises(ValueError, match="out of range"):
        osq.jacobian_sensitivity(model, data.x, data.edge_index, [[0], [4]])
    with pytest.raises(ValueError, match="max_hops"):
        osq.influence_profile(model, data, -1)
