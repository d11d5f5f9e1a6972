"""Synthetic graphs, deterministic by seed.

Every generator returns a :class:`torch_geometric.data.Data` with an undirected,
coalesced ``edge_index`` without self-loops and Gaussian features ``x``; the
block models also carry labels ``y`` and train/val/test masks.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch_geometric.data import Data

__all__ = [
    "csbm", "sbm", "cora_like", "complete_graph", "path_graph", "ring_graph", "grid_graph",
    "erdos_renyi", "barabasi_albert", "tree_neighbors_match", "ring_transfer",
    "crossed_ring_transfer", "clique_path_transfer", "hop_distance",
]

# Pair counts up to this size are enumerated and sampled exactly; larger ones are
# sampled as Binomial(pairs, p) uniform pairs (duplicates, O(m^2 / pairs), are removed).
_EXACT_PAIRS = 4_000_000


def _undirected(u: np.ndarray, v: np.ndarray, num_nodes: int) -> torch.Tensor:
    """Symmetric, sorted, duplicate- and self-loop-free ``edge_index`` from pairs (u, v)."""
    keep = u != v
    u, v = u[keep], v[keep]
    low, high = np.minimum(u, v), np.maximum(u, v)
    keys = np.unique(low.astype(np.int64) * num_nodes + high)
    low, high = keys // num_nodes, keys % num_nodes
    rows = np.concatenate([low, high])
    cols = np.concatenate([high, low])
    order = np.lexsort((cols, rows))
    return torch.from_numpy(np.stack([rows[order], cols[order]]))


def _block_pairs(members_a, members_b, same: bool, prob: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Sample the edges between two blocks (or inside one), each pair with probability ``prob``."""
    na, nb = len(members_a), len(members_b)
    pairs = na * (na - 1) // 2 if same else na * nb
    if pairs == 0 or prob <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if pairs <= _EXACT_PAIRS:
        if same:
            iu, ju = np.triu_indices(na, k=1)
        else:
            iu, ju = np.divmod(np.arange(pairs, dtype=np.int64), nb)
        hit = rng.random(pairs) < prob
        return members_a[iu[hit]], members_b[ju[hit]]
    count = rng.binomial(pairs, prob)
    i = rng.integers(0, na, count)
    j = rng.integers(0, nb, count)
    return members_a[i], members_b[j]


def _sample_sbm(y: np.ndarray, probs: np.ndarray, rng) -> torch.Tensor:
    num_nodes = len(y)
    members = [np.flatnonzero(y == c) for c in range(probs.shape[0])]
    us, vs = [], []
    for a in range(len(members)):
        for b in range(a, len(members)):
            u, v = _block_pairs(members[a], members[b], a == b, float(probs[a, b]), rng)
            us.append(u)
            vs.append(v)
    return _undirected(np.concatenate(us), np.concatenate(vs), num_nodes)


def _gaussian_features(num_nodes: int, num_features: int, rng) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal((num_nodes, num_features), dtype=np.float32))


def _masks(y: np.ndarray, num_classes: int, rng, train_per_class=20, num_val=500, num_test=1000):
    """Planetoid-style split: ``train_per_class`` per class (at most 60% of it), then val, test."""
    num_nodes = len(y)
    train = np.zeros(num_nodes, bool)
    for c in range(num_classes):
        idx = rng.permutation(np.flatnonzero(y == c))
        train[idx[: min(train_per_class, int(0.6 * len(idx)))]] = True
    rest = rng.permutation(np.flatnonzero(~train))
    n_val = min(num_val, len(rest) // 2)
    n_test = min(num_test, len(rest) - n_val)
    val = np.zeros(num_nodes, bool)
    test = np.zeros(num_nodes, bool)
    val[rest[:n_val]] = True
    test[rest[n_val:n_val + n_test]] = True
    return torch.from_numpy(train), torch.from_numpy(val), torch.from_numpy(test)


def _check_positive(**values) -> None:
    for name, value in values.items():
        if value is None or value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")


def _labelled_graph(y, edge_index, x, num_classes, rng, **attrs) -> Data:
    train, val, test = _masks(y, num_classes, rng)
    return Data(x=x, edge_index=edge_index, y=torch.from_numpy(y.astype(np.int64)),
                train_mask=train, val_mask=val, test_mask=test, **attrs)


def csbm(num_nodes: int = 1000, num_classes: int = 2, avg_degree: float = 10.0,
         homophily: float = 0.8, num_features: int = 32, feature_snr: float = 1.0,
         seed: int = 0) -> Data:
    r"""Contextual stochastic block model (Deshpande et al. 2018).

    Nodes are split into ``num_classes`` balanced classes at random. Each pair of
    nodes is joined with probability :math:`p` inside a class and :math:`q`
    across classes, chosen so that the expected average degree is ``avg_degree``
    and the expected edge homophily (fraction of edges inside a class) is
    ``homophily``:

    .. math::
        p = \frac{h\,\bar d\,N}{\sum_c n_c(n_c-1)}, \qquad
        q = \frac{(1-h)\,\bar d\,N}{N^2 - \sum_c n_c^2}.

    Features are :math:`x_i = \mu_{y_i} + \varepsilon_i`, :math:`\varepsilon_i\sim
    \mathcal N(0, I_d)`, with class means :math:`\mu_c` of norm
    ``feature_snr / sqrt(2)`` in random directions, so that two class means lie
    about ``feature_snr`` noise standard deviations apart. Sampling is
    :math:`O(N + E)`, so millions of nodes take seconds.
    """
    _check_positive(num_nodes=num_nodes, num_classes=num_classes, num_features=num_features)
    if num_classes > num_nodes:
        raise ValueError(f"num_classes ({num_classes}) exceeds num_nodes ({num_nodes})")
    if not 0.0 <= homophily <= 1.0:
        raise ValueError(f"homophily must lie in [0, 1], got {homophily}")
    if avg_degree < 0 or not math.isfinite(avg_degree):
        raise ValueError(f"avg_degree must be a finite number >= 0, got {avg_degree}")
    if feature_snr < 0 or not math.isfinite(feature_snr):
        raise ValueError(f"feature_snr must be a finite number >= 0, got {feature_snr}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(num_nodes) % num_classes)
    sizes = np.bincount(y, minlength=num_classes).astype(np.float64)
    intra_pairs = float((sizes * (sizes - 1)).sum())
    inter_pairs = float(num_nodes**2 - (sizes**2).sum())
    p = homophily * avg_degree * num_nodes / intra_pairs if intra_pairs else 0.0
    q = (1 - homophily) * avg_degree * num_nodes / inter_pairs if inter_pairs else 0.0
    if p > 1 or q > 1:
        raise ValueError(
            f"avg_degree {avg_degree} with homophily {homophily} needs an edge probability "
            f"above 1 (p={p:.3g}, q={q:.3g}); lower avg_degree or use more nodes"
        )
    probs = np.full((num_classes, num_classes), q)
    np.fill_diagonal(probs, p)
    edge_index = _sample_sbm(y, probs, rng)
    means = rng.standard_normal((num_classes, num_features))
    means *= (feature_snr / math.sqrt(2)) / np.linalg.norm(means, axis=1, keepdims=True)
    x = _gaussian_features(num_nodes, num_features, rng)
    x += torch.from_numpy(means.astype(np.float32))[torch.from_numpy(y)]
    return _labelled_graph(y, edge_index, x, num_classes, rng, name="csbm")


def cora_like(seed: int = 0, num_features: int = 256, feature_snr: float = 1.5) -> Data:
    """A CSBM matching Cora: 2708 nodes, 7 classes, average degree 3.90, edge homophily 0.81."""
    data = csbm(num_nodes=2708, num_classes=7, avg_degree=2 * 5278 / 2708, homophily=0.81,
                num_features=num_features, feature_snr=feature_snr, seed=seed)
    data.name = "cora-like"
    return data


def sbm(block_sizes: list[int] | tuple[int, ...] = (50, 50), p_in: float = 0.1,
        p_out: float = 0.01, num_features: int = 16, seed: int = 0) -> Data:
    """Plain stochastic block model: blocks of the given sizes, pairs joined with
    probability ``p_in`` inside a block and ``p_out`` across; features are pure noise,
    labels are the blocks."""
    if not block_sizes:
        raise ValueError("block_sizes must list at least one block")
    for size in block_sizes:
        _check_positive(block_size=size)
    for name, prob in (("p_in", p_in), ("p_out", p_out)):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {prob}")
    _check_positive(num_features=num_features)
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(block_sizes)), block_sizes)
    probs = np.full((len(block_sizes),) * 2, p_out)
    np.fill_diagonal(probs, p_in)
    edge_index = _sample_sbm(y, probs, rng)
    x = _gaussian_features(len(y), num_features, rng)
    return _labelled_graph(y, edge_index, x, len(block_sizes), rng, name="sbm")


def _unlabelled(u, v, num_nodes: int, num_features: int, seed: int, name: str) -> Data:
    _check_positive(num_features=num_features)
    rng = np.random.default_rng(seed)
    edge_index = _undirected(np.asarray(u, np.int64), np.asarray(v, np.int64), num_nodes)
    return Data(x=_gaussian_features(num_nodes, num_features, rng), edge_index=edge_index,
                num_nodes=num_nodes, name=name)


def complete_graph(num_nodes: int = 20, num_features: int = 16, seed: int = 0) -> Data:
    """Every pair of distinct nodes joined."""
    _check_positive(num_nodes=num_nodes)
    u, v = np.triu_indices(num_nodes, k=1)
    return _unlabelled(u, v, num_nodes, num_features, seed, "complete")


def path_graph(num_nodes: int = 20, num_features: int = 16, seed: int = 0) -> Data:
    """Nodes 0 - 1 - ... - (n-1) in a line."""
    _check_positive(num_nodes=num_nodes)
    u = np.arange(num_nodes - 1)
    return _unlabelled(u, u + 1, num_nodes, num_features, seed, "path")


def ring_graph(num_nodes: int = 20, num_features: int = 16, seed: int = 0) -> Data:
    """A cycle on ``num_nodes`` nodes (at least 3)."""
    if num_nodes < 3:
        raise ValueError(f"a ring needs at least 3 nodes, got {num_nodes}")
    u = np.arange(num_nodes)
    return _unlabelled(u, (u + 1) % num_nodes, num_nodes, num_features, seed, "ring")


def grid_graph(rows: int = 10, cols: int = 10, num_features: int = 16, seed: int = 0) -> Data:
    """A ``rows`` x ``cols`` 2-D lattice with 4-neighbourhoods; node ``r * cols + c``."""
    _check_positive(rows=rows, cols=cols)
    ids = np.arange(rows * cols).reshape(rows, cols)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    return _unlabelled(u, v, rows * cols, num_features, seed, "grid")


def erdos_renyi(num_nodes: int = 100, avg_degree: float = 5.0, num_features: int = 16,
                seed: int = 0) -> Data:
    """G(n, p) with p = avg_degree / (n - 1)."""
    _check_positive(num_nodes=num_nodes, num_features=num_features)
    prob = avg_degree / (num_nodes - 1) if num_nodes > 1 else 0.0
    if not 0.0 <= prob <= 1.0:
        raise ValueError(f"avg_degree must lie in [0, num_nodes - 1], got {avg_degree}")
    rng = np.random.default_rng(seed)
    edge_index = _sample_sbm(np.zeros(num_nodes, np.int64), np.array([[prob]]), rng)
    return Data(x=_gaussian_features(num_nodes, num_features, rng), edge_index=edge_index,
                num_nodes=num_nodes, name="erdos-renyi")


def barabasi_albert(num_nodes: int = 100, num_edges: int = 2, num_features: int = 16,
                    seed: int = 0) -> Data:
    """Preferential attachment: each new node joins ``num_edges`` existing nodes chosen
    with probability proportional to their degree (Batagelj-Brandes sampling)."""
    _check_positive(num_nodes=num_nodes, num_edges=num_edges)
    if num_edges >= num_nodes:
        raise ValueError(f"num_edges ({num_edges}) must be below num_nodes ({num_nodes})")
    rng = np.random.default_rng(seed)
    m = num_edges
    # Start from a star on the first m + 1 nodes, then attach the rest.
    ends = list(np.repeat(np.arange(1, m + 1), 2))
    ends[1::2] = [0] * m
    for node in range(m + 1, num_nodes):
        picks = set()
        while len(picks) < m:
            picks.add(ends[rng.integers(len(ends))])
        for target in picks:
            ends.extend((node, target))
    ends = np.asarray(ends, np.int64)
    return _unlabelled(ends[0::2], ends[1::2], num_nodes, num_features, seed, "barabasi-albert")


# -- over-squashing tasks (issue #18) ---------------------------------------------------------
#
# Each task is one disjoint union of many small graphs. Every graph has one *target* node (the
# only labelled node: train/val/test masks select targets) and one *source* node holding what
# the target must predict. ``data.target`` and ``data.source`` are the paired node indices
# (one pair per graph), ``data.graph`` the graph of each node and ``data.hop_distance`` the
# model-independent number of hops the task needs (the target-source distance, the same in
# every graph); :func:`hop_distance` recomputes it from the edges.

#: Largest tree depth :func:`tree_neighbors_match` builds (2^12 leaves, 2^12 classes per tree).
MAX_TREE_DEPTH = 12


def _task_masks(num_graphs: int, rng, train_fraction: float, val_fraction: float):
    if not (0.0 < train_fraction and 0.0 <= val_fraction and train_fraction + val_fraction <= 1.0):
        raise ValueError(f"need 0 < train_fraction and train_fraction + val_fraction <= 1, got "
                         f"{train_fraction} and {val_fraction}")
    order = rng.permutation(num_graphs)
    n_train = max(1, int(round(train_fraction * num_graphs)))
    n_val = min(int(round(val_fraction * num_graphs)), num_graphs - n_train)
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def _union(edges: np.ndarray, nodes_per_graph: int, num_graphs: int) -> torch.Tensor:
    """``edge_index`` of ``num_graphs`` disjoint copies of the pairs ``edges`` ([m, 2])."""
    offsets = (np.arange(num_graphs, dtype=np.int64) * nodes_per_graph)[:, None]
    u = (edges[None, :, 0] + offsets).ravel()
    v = (edges[None, :, 1] + offsets).ravel()
    return _undirected(u, v, nodes_per_graph * num_graphs)


def _task_data(x, edges, nodes_per_graph, num_graphs, target, source, y_graph, num_classes, rng,
               train_fraction, val_fraction, name, distance, **attrs) -> Data:
    """The disjoint union as a node-classification :class:`Data` (labels on targets only)."""
    from .._params import check_value

    num_nodes = check_value("num_nodes", nodes_per_graph * num_graphs)
    offsets = np.arange(num_graphs, dtype=np.int64) * nodes_per_graph
    targets, sources = offsets + target, offsets + np.asarray(source, np.int64)
    y = np.zeros(num_nodes, np.int64)
    y[targets] = y_graph
    masks = []
    for part in _task_masks(num_graphs, rng, train_fraction, val_fraction):
        mask = np.zeros(num_nodes, bool)
        mask[targets[part]] = True
        masks.append(torch.from_numpy(mask))
    return Data(x=x, edge_index=_union(edges, nodes_per_graph, num_graphs), y=torch.from_numpy(y),
                train_mask=masks[0], val_mask=masks[1], test_mask=masks[2], num_nodes=num_nodes,
                target=torch.from_numpy(targets), source=torch.from_numpy(sources),
                graph=torch.arange(num_graphs).repeat_interleave(nodes_per_graph),
                num_classes=num_classes, hop_distance=int(distance),
                name=name, **attrs)


def hop_distance(data, per_pair: bool = False):
    """Hops between each target node and its source (``data.target``, ``data.source``) along
    ``data.edge_index``, by breadth-first search: the smallest depth of a message-passing model
    that can solve the task at all, whatever the model. Returns the largest over the pairs (an
    ``int``; -1 if some source is unreachable) or, with ``per_pair=True``, one per pair (a
    ``LongTensor``).

    >>> from oversmooth import datasets
    >>> data = datasets.load("ring-transfer", distance=4, num_graphs=3)
    >>> datasets.hop_distance(data), data.hop_distance
    (4, 4)
    """
    import scipy.sparse as sp

    n = int(data.num_nodes)
    ei = data.edge_index.numpy()
    adj = sp.csr_matrix((np.ones(ei.shape[1], bool), (ei[0], ei[1])), shape=(n, n))
    indptr, indices = adj.indptr, adj.indices
    out = []
    for t, s in zip(data.target.tolist(), data.source.tolist()):
        seen = {t}
        frontier, hops = [t], 0
        while frontier and s not in seen:
            nxt = []
            for u in frontier:
                for w in indices[indptr[u]:indptr[u + 1]].tolist():
                    if w not in seen:
                        seen.add(w)
                        nxt.append(w)
            frontier, hops = nxt, hops + 1
        out.append(hops if s in seen else -1)
    result = torch.tensor(out, dtype=torch.long)
    if per_pair:
        return result
    return -1 if bool((result < 0).any()) else int(result.max()) if len(out) else 0


def tree_neighbors_match(depth: int = 3, num_trees: int = 1000, train_fraction: float = 0.8,
                         val_fraction: float = 0.1, seed: int = 0) -> Data:
    """Tree-NeighborsMatch (Alon & Yahav, ICLR 2021, Sec. 4): ``num_trees`` complete binary trees
    of depth ``depth`` (r) as one disjoint union; the roots are the labelled nodes.

    In every tree each of the ``L = 2^r`` leaves has a *number of blue neighbours* (its key: the
    leaf's index among the leaves, 1..L, as in the authors' code) and a *label* (a class in
    0..L-1; a random permutation of the classes over the leaves). The root gets one key drawn at
    random; its target is the label of the leaf whose key (number of blue neighbours) matches
    the root's -- the root node gets that leaf's label. The blue neighbours are not attached as
    nodes: the count is a feature (as in the authors' code). Features (``2L`` columns): one-hot
    key in columns ``0..L-1`` (root and leaves), one-hot label in columns ``L..2L-1`` (leaves);
    inner nodes are all zero. ``y`` holds the roots' targets (0 elsewhere), ``L`` classes.

    Differences from the authors' code, by design: edges are undirected (theirs point from child
    to parent, with self-loops), and examples are ``num_trees`` random (key, permutation) draws
    (theirs: every key with ``L!`` permutations for r <= 3, and ``min(1000, L!, 32000 // L)``
    permutations for r >= 4; 80 % of examples train, 20 % test, training accuracy reported).
    The task needs ``r`` hops (``data.hop_distance``; ``data.target`` are the roots and
    ``data.source`` the matching leaves); Alon & Yahav use ``r + 1`` layers.
    Masks: ``train_fraction`` / ``val_fraction`` / the rest of the roots.
    """
    if not 1 <= depth <= MAX_TREE_DEPTH:
        raise ValueError(f"depth must be in 1..{MAX_TREE_DEPTH} (2^depth leaves), got {depth}")
    _check_positive(num_trees=num_trees)
    rng = np.random.default_rng(seed)
    leaves = 2 ** depth
    nodes = 2 * leaves - 1                      # heap order: children of i are 2i+1, 2i+2
    child = np.arange(1, nodes, dtype=np.int64)
    edges = np.stack([child, (child - 1) // 2], axis=1)
    first_leaf = leaves - 1
    labels = np.argsort(rng.random((num_trees, leaves)), axis=1)   # a permutation per tree
    keys = rng.integers(0, leaves, num_trees)                       # the root's key
    x = np.zeros((num_trees, nodes, 2 * leaves), np.float32)
    trees = np.arange(num_trees)
    leaf_ids = first_leaf + np.arange(leaves)
    x[:, leaf_ids, np.arange(leaves)] = 1.0                              # leaf keys
    x[trees[:, None], leaf_ids[None, :], leaves + labels] = 1.0          # leaf labels
    x[trees, 0, keys] = 1.0                                              # root key
    y_graph = labels[trees, keys]
    return _task_data(torch.from_numpy(x.reshape(num_trees * nodes, 2 * leaves)), edges, nodes,
                      num_trees, 0, first_leaf + keys, y_graph, leaves, rng, train_fraction,
                      val_fraction, "tree-neighbors-match", depth, tree_depth=depth)


def _transfer(edges, nodes, source, num_graphs, num_classes, train_fraction, val_fraction, seed,
              name, distance) -> Data:
    """Di Giovanni et al. (ICML 2023) graph transfer: in each graph the target (node 0) has
    all-zero features, the source a one-hot class, every other node all ones; the target must
    output the source's class."""
    _check_positive(num_graphs=num_graphs, num_classes=num_classes)
    rng = np.random.default_rng(seed)
    y_graph = rng.integers(0, num_classes, num_graphs)
    x = np.ones((num_graphs, nodes, num_classes), np.float32)
    x[:, 0] = 0.0
    x[:, source] = 0.0
    x[np.arange(num_graphs), source, y_graph] = 1.0
    return _task_data(torch.from_numpy(x.reshape(num_graphs * nodes, num_classes)),
                      np.asarray(edges, np.int64), nodes, num_graphs, 0, np.full(num_graphs, source),
                      y_graph, num_classes, rng, train_fraction, val_fraction, name, distance)


def _check_distance(distance: int, least: int) -> None:
    if distance < least:
        raise ValueError(f"distance must be at least {least}, got {distance}")


def ring_transfer(distance: int = 5, num_graphs: int = 500, num_classes: int = 5,
                  train_fraction: float = 0.8, val_fraction: float = 0.1, seed: int = 0) -> Data:
    """Ring transfer (Di Giovanni et al., ICML 2023, Sec. 6): a cycle of ``2 * distance`` nodes,
    target node 0, source node ``distance`` (opposite): the task needs ``distance`` hops.
    ``num_graphs`` copies, classes drawn uniformly; see :func:`tree_neighbors_match` for the
    attributes (``target``, ``source``, ``graph``, ``hop_distance``, masks over targets)."""
    _check_distance(distance, 2)
    n = 2 * distance
    u = np.arange(n)
    return _transfer(np.stack([u, (u + 1) % n], 1), n, distance, num_graphs, num_classes,
                     train_fraction, val_fraction, seed, "ring-transfer", distance)


def crossed_ring_transfer(distance: int = 5, num_graphs: int = 500, num_classes: int = 5,
                          train_fraction: float = 0.8, val_fraction: float = 0.1,
                          seed: int = 0) -> Data:
    """Crossed-ring transfer (Di Giovanni et al., ICML 2023): the ring of :func:`ring_transfer`
    (``2 * distance`` nodes, target 0, source ``distance``) plus "crosses": node ``i`` joined to
    ``n - 1 - i`` and ``n + 1 - i`` (``n = 2 * distance``, ``1 <= i < distance``), nodes at
    distance ``i`` from the target to nodes at ``i +- 1``. More paths, same hop distance."""
    _check_distance(distance, 2)
    n = 2 * distance
    u = np.arange(n)
    pairs = [np.stack([u, (u + 1) % n], 1)]
    i = np.arange(1, distance)
    pairs.append(np.stack([i, n - 1 - i], 1))
    j = np.arange(2, distance)
    pairs.append(np.stack([j, n + 1 - j], 1))
    return _transfer(np.concatenate(pairs), n, distance, num_graphs, num_classes,
                     train_fraction, val_fraction, seed, "crossed-ring-transfer", distance)


def clique_path_transfer(distance: int = 5, clique_size: int | None = None, num_graphs: int = 500,
                         num_classes: int = 5, train_fraction: float = 0.8,
                         val_fraction: float = 0.1, seed: int = 0) -> Data:
    """Clique-path ("lollipop") transfer (Di Giovanni et al., ICML 2023): a clique on nodes
    ``0..c-1`` (``c = clique_size``, default ``distance``) and a path of ``distance - 1`` more
    nodes hanging from node ``c - 1``; target node 0 (in the clique), source the path's end, at
    ``distance`` hops (one clique edge, then the path)."""
    _check_distance(distance, 2)
    c = distance if clique_size is None else clique_size
    if c < 2:
        raise ValueError(f"clique_size must be at least 2, got {c}")
    iu, ju = np.triu_indices(c, k=1)
    path = np.arange(c - 1, c + distance - 2)
    edges = np.concatenate([np.stack([iu, ju], 1), np.stack([path, path + 1], 1)])
    n = c + distance - 1
    return _transfer(edges, n, n - 1, num_graphs, num_classes, train_fraction, val_fraction,
                     seed, "clique-path-transfer", distance)
