"""Over-squashing tasks: Tree-NeighborsMatch and the ring / crossed-ring / clique-path transfer."""

import pytest
import torch

from oversmooth import datasets

TASKS = [("tree-neighbors-match", dict(depth=3, num_trees=40)),
         ("ring-transfer", dict(distance=5, num_graphs=30)),
         ("crossed-ring-transfer", dict(distance=5, num_graphs=30)),
         ("clique-path-transfer", dict(distance=5, num_graphs=30))]


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_tree_neighbors_match_structure_and_labels(depth):
    data = datasets.load("tree-neighbors-match", depth=depth, num_trees=20, seed=1)
    leaves, nodes = 2 ** depth, 2 ** (depth + 1) - 1
    assert data.num_nodes == 20 * nodes and data.x.shape[1] == 2 * leaves
    assert data.edge_index.shape[1] == 2 * 20 * (nodes - 1)          # a tree per example
    assert torch.equal(data.target, torch.arange(20) * nodes)         # roots
    assert datasets.hop_distance(data) == data.hop_distance == depth
    assert bool((datasets.hop_distance(data, per_pair=True) == depth).all())
    x = data.x.view(20, nodes, 2 * leaves)
    assert bool((x[:, 1:leaves - 1] == 0).all())                      # inner nodes carry nothing
    keys, labels = x[:, leaves - 1:, :leaves], x[:, leaves - 1:, leaves:]
    assert torch.equal(keys.argmax(-1), torch.arange(leaves).expand(20, -1))
    assert bool((labels.sum(1) == 1).all())                           # labels: a permutation
    root_key = x[:, 0, :leaves].argmax(-1)
    assert bool((x[:, 0, leaves:] == 0).all())
    expected = labels[torch.arange(20), root_key].argmax(-1)          # the matching leaf's label
    assert torch.equal(data.y[data.target], expected)
    assert torch.equal(data.source, data.target + leaves - 1 + root_key)
    masks = data.train_mask.int() + data.val_mask.int() + data.test_mask.int()
    assert torch.equal(masks.nonzero().view(-1), data.target)        # only roots, each once
    assert int(data.train_mask.sum()) == 16


@pytest.mark.parametrize("name,params", TASKS)
def test_tasks_deterministic_by_seed(name, params):
    a, b = datasets.load(name, **params, seed=3), datasets.load(name, **params, seed=3)
    c = datasets.load(name, **params, seed=4)
    for key in ("x", "edge_index", "y", "train_mask", "test_mask"):
        assert torch.equal(a[key], b[key])
    assert not (torch.equal(a.x, c.x) and torch.equal(a.train_mask, c.train_mask))


@pytest.mark.parametrize("name", ["ring-transfer", "crossed-ring-transfer", "clique-path-transfer"])
@pytest.mark.parametrize("distance", [2, 3, 6])
def test_transfer_tasks(name, distance):
    data = datasets.load(name, distance=distance, num_graphs=10, num_classes=3, seed=0)
    assert datasets.hop_distance(data) == data.hop_distance == distance
    x, t, s = data.x, data.target, data.source
    assert bool((x[t] == 0).all())                                    # target: zeros
    assert torch.equal(x[s].argmax(-1), data.y[t]) and bool((x[s].sum(-1) == 1).all())
    others = torch.ones(data.num_nodes, dtype=torch.bool)
    others[t] = others[s] = False
    assert bool((x[others] == 1).all())                               # the rest: ones
    assert int(data.graph.max()) == 9 and datasets.validate(data) is data


def test_transfer_topologies():
    ring = datasets.load("ring-transfer", distance=4, num_graphs=1)
    crossed = datasets.load("crossed-ring-transfer", distance=4, num_graphs=1)
    clique = datasets.load("clique-path-transfer", distance=4, num_graphs=1)
    assert ring.num_nodes == crossed.num_nodes == 8 and ring.edge_index.shape[1] == 16
    assert crossed.edge_index.shape[1] > ring.edge_index.shape[1]
    assert clique.num_nodes == 4 + 3 and clique.edge_index.shape[1] == 2 * (6 + 3)


def test_task_parameters_checked():
    with pytest.raises(ValueError, match="depth must be in 1..12"):
        datasets.load("tree-neighbors-match", depth=13)
    with pytest.raises(ValueError, match="distance must be at least 2"):
        datasets.load("ring-transfer", distance=1)
    with pytest.raises(ValueError, match="num_trees"):
        datasets.load("tree-neighbors-match", num_trees="many")
    assert {"tree-neighbors-match", "ring-transfer", "crossed-ring-transfer",
            "clique-path-transfer"} <= set(datasets.available())
