import pytest
import torch

from oversmooth import datasets as D


@pytest.mark.parametrize("homophily", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("num_classes", [2, 5])
def test_csbm_hits_degree_and_homophily(homophily, num_classes):
    data = D.csbm(num_nodes=4000, num_classes=num_classes, avg_degree=8.0, homophily=homophily,
                  seed=1)
    s = D.summary(data)
    assert s["avg_degree"] == pytest.approx(8.0, rel=0.05)
    assert s["edge_homophily"] == pytest.approx(homophily, abs=0.03)
    assert s["num_classes"] == num_classes and not s["directed"] and s["self_loops"] == 0


def test_csbm_deterministic_by_seed_and_features_carry_signal():
    a, b, c = (D.csbm(num_nodes=500, seed=s, feature_snr=4.0) for s in (3, 3, 4))
    assert torch.equal(a.edge_index, b.edge_index) and torch.equal(a.x, b.x)
    assert not torch.equal(a.edge_index, c.edge_index)
    means = torch.stack([a.x[a.y == k].mean(0) for k in range(2)])
    assert float((means[0] - means[1]).norm()) == pytest.approx(4.0, rel=0.15)


def test_cora_like_matches_cora_shape():
    s = D.summary(D.load("cora-like"))
    assert s["num_nodes"] == 2708 and s["num_classes"] == 7
    assert s["avg_degree"] == pytest.approx(3.90, rel=0.05)
    assert s["edge_homophily"] == pytest.approx(0.81, abs=0.03)


def test_small_sbm_exact_sampler():
    data = D.sbm(block_sizes=[100, 100], p_in=0.2, p_out=0.0, seed=0)
    s = D.summary(data)
    assert s["edge_homophily"] == 1.0 and s["connected_components"] == 2
    assert s["num_edges"] == pytest.approx(0.2 * 2 * 100 * 99 / 2, rel=0.1)


@pytest.mark.parametrize("name, params, edges, components", [
    ("complete", {"num_nodes": 10}, 45, 1),
    ("path", {"num_nodes": 10}, 9, 1),
    ("ring", {"num_nodes": 10}, 10, 1),
    ("grid", {"rows": 3, "cols": 4}, 3 * 3 + 2 * 4, 1),
    ("barabasi-albert", {"num_nodes": 200, "num_edges": 3}, 3 + 3 * 196, 1),
])
def test_deterministic_graphs(name, params, edges, components):
    s = D.summary(D.load(name, **params))
    assert s["num_edges"] == edges and s["connected_components"] == components


def test_erdos_renyi_degree():
    s = D.summary(D.erdos_renyi(num_nodes=3000, avg_degree=6, seed=2))
    assert s["avg_degree"] == pytest.approx(6, rel=0.05)


@pytest.mark.parametrize("call, message", [
    (lambda: D.csbm(homophily=1.5), "homophily must lie in"),
    (lambda: D.csbm(num_nodes=0), "num_nodes must be at least 1"),
    (lambda: D.csbm(num_nodes=20, avg_degree=50), "edge probability above 1"),
    (lambda: D.ring_graph(2), "at least 3 nodes"),
    (lambda: D.load("csbm", nodes=3), "csbm has no parameter 'nodes'"),
    (lambda: D.load("cora", num_nodes=3), "takes no parameters"),
])
def test_bad_generator_parameters(call, message):
    with pytest.raises(ValueError, match=message):
        call()
