"""Edge curvature against a by-the-definition reference and values known in closed form."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from oversmooth import oversquashing as osq

from ._graphs import to_pyg, zoo

GRAPHS = zoo()


def naive_balanced_forman(g: nx.Graph, i: int, j: int) -> float:
    """Topping et al. (2022), Definition 1, with Python sets."""
    s = {x: set(g[x]) - {x} for x in g}
    di, dj = len(s[i]), len(s[j])
    if min(di, dj) == 1:
        return 0.0
    tri = len(s[i] & s[j])

    def squares(a, b):
        found, gamma = 0, 0
        for k in s[a] - s[b] - {b}:
            closers = (s[k] & s[b]) - s[a] - {a}
            if closers:
                found += 1
                gamma = max(gamma, len(closers))
        return found, gamma

    qi, gi = squares(i, j)
    qj, gj = squares(j, i)
    gamma = max(gi, gj)
    value = 2 / di + 2 / dj - 2 + 2 * tri / max(di, dj) + tri / min(di, dj)
    if gamma:
        value += (qi + qj) / (gamma * max(di, dj))
    return value


def naive_ollivier(g: nx.Graph, i: int, j: int, alpha: float = 0.0) -> float:
    from scipy.optimize import linprog

    dist = dict(nx.all_pairs_shortest_path_length(g))

    def m(x):
        nb = list(g[x])
        return [x] + nb, [alpha] + [(1 - alpha) / len(nb)] * len(nb)

    si, mi = m(i)
    sj, mj = m(j)
    c = [dist[a][b] for a in si for b in sj]
    a_eq = []
    for r in range(len(si)):
        a_eq.append([1.0 if k // len(sj) == r else 0.0 for k in range(len(c))])
    for col in range(len(sj)):
        a_eq.append([1.0 if k % len(sj) == col else 0.0 for k in range(len(c))])
    return 1 - linprog(c, A_eq=a_eq, b_eq=mi + mj, bounds=(0, None)).fun


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_balanced_forman_matches_definition(name):
    g = GRAPHS[name]
    edge_index, n = to_pyg(g)
    curv = osq.balanced_forman_curvature(edge_index, n)
    assert curv.edges.shape[1] == g.number_of_edges()
    ref = [naive_balanced_forman(g, int(u), int(v)) for u, v in curv.edges.T]
    np.testing.assert_allclose(curv.values.numpy(), ref, atol=1e-12)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_augmented_forman_by_hand(name):
    g = GRAPHS[name]
    edge_index, n = to_pyg(g)
    curv = osq.augmented_forman_curvature(edge_index, n)
    ref = [4 - g.degree(int(u)) - g.degree(int(v)) + 3 * len(set(g[int(u)]) & set(g[int(v)]))
           for u, v in curv.edges.T]
    np.testing.assert_allclose(curv.values.numpy(), ref)


@pytest.mark.parametrize("name", ["K5", "C4", "C7", "tree", "barbell", "components"])
def test_ollivier_ricci_matches_linear_program(name):
    g = GRAPHS[name]
    edge_index, n = to_pyg(g)
    for alpha in (0.0, 0.5):
        curv = osq.ollivier_ricci_curvature(edge_index, n, alpha=alpha)
        ref = [naive_ollivier(g, int(u), int(v), alpha) for u, v in curv.edges.T]
        np.testing.assert_allclose(curv.values.numpy(), ref, atol=1e-9)


@pytest.mark.parametrize("p", [0.6, 0.9])
def test_balanced_forman_on_nearly_complete_graphs(p):
    """The case rewiring by diffusion (GDC) produces: most k are in triangles, few in
    4-cycles, and the three-way correction decides the count."""
    g = nx.gnp_random_graph(40, p, seed=4)
    edge_index, n = to_pyg(g)
    curv = osq.balanced_forman_curvature(edge_index, n)
    ref = [naive_balanced_forman(g, int(u), int(v)) for u, v in curv.edges.T]
    np.testing.assert_allclose(curv.values.numpy(), ref, atol=1e-12)


def test_known_values():
    def values(g, kind):
        ei, n = to_pyg(g)
        return osq.edge_curvature(ei, kind, num_nodes=n).values.numpy()

    for n in (3, 5, 8):
        np.testing.assert_allclose(values(nx.complete_graph(n), "balanced_forman"), n / (n - 1))
        np.testing.assert_allclose(values(nx.complete_graph(n), "ollivier_ricci"), (n - 2) / (n - 1))
        np.testing.assert_allclose(values(nx.complete_graph(n), "augmented_forman"), 4 - 2 * (n - 1) + 3 * (n - 2))
    np.testing.assert_allclose(values(nx.cycle_graph(4), "balanced_forman"), 1.0)
    np.testing.assert_allclose(values(nx.cycle_graph(9), "balanced_forman"), 0.0)
    np.testing.assert_allclose(values(nx.cycle_graph(9), "ollivier_ricci"), 0.0, atol=1e-12)
    # interior edges of a large grid are flat
    grid = nx.convert_node_labels_to_integers(nx.grid_2d_graph(7, 7), label_attribute="pos")
    ei, n = to_pyg(grid)
    curv = osq.balanced_forman_curvature(ei, n)
    pos = nx.get_node_attributes(grid, "pos")
    inner = [all(1 < c < 5 for c in pos[int(u)] + pos[int(v)]) for u, v in curv.edges.T]
    np.testing.assert_allclose(curv.values.numpy()[inner], 0.0, atol=1e-12)
    # a binary tree: inner edges 2/3 + 2/3 - 2 (degree 3) are negative
    tree = values(nx.balanced_tree(2, 4), "balanced_forman")
    assert tree.min() == pytest.approx(4 / 3 - 2)


def test_bridge_is_the_bottleneck():
    g = nx.barbell_graph(5, 0)            # two K5 joined by one edge (4, 5)
    ei, n = to_pyg(g)
    for kind in ("balanced_forman", "augmented_forman", "ollivier_ricci"):
        edges, vals = osq.bottleneck_edges(ei, 1, kind, num_nodes=n)
        assert edges[:, 0].tolist() == [4, 5], kind
    with pytest.raises(ValueError, match="unknown curvature"):
        osq.edge_curvature(ei, "gaussian", num_nodes=n)


def test_no_edges():
    ei, n = to_pyg(nx.empty_graph(3))
    for kind in osq.CURVATURES:
        curv = osq.edge_curvature(ei, kind, num_nodes=n)
        assert curv.values.numel() == 0 and np.isnan(curv.min())
