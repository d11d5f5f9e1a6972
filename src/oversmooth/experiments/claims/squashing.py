"""The over-squashing claim's measurements (:mod:`oversmooth.oversquashing` and the transfer
tasks of :mod:`oversmooth.datasets`): fact ``squashing`` of
:class:`oversmooth.literature.claims.Measurements`, keys as documented in
:mod:`oversmooth.literature.claims.distinct`.

* ``influence``: nodes per hop shell and Jacobian influence per hop (in total and per node)
  of a GCN at initialisation on the budget's dataset;
* ``transfer``: the best training accuracy of a GCN on ring transfer by distance (depth =
  distance), on three topologies at one distance, and at twice that depth; the effective
  resistance between each topology's target and source;
* ``bottleneck``: total resistance, spectral gap and smallest curvature of the largest
  component before and after FoSR, beside its smoothing (rate, d_M(P^10 X)/d_M(X)).
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils import subgraph

from ... import datasets, spectral, training
from ...graph.structure import components
from ...oversquashing import (balanced_forman_curvature, cheeger_bounds, effective_resistance, hop_distances,
                              influence_profile, rewire, total_resistance)

__all__ = ["squashing_facts", "largest_component"]

#: The transfer tasks (Di Giovanni et al., ICML 2023): one hop distance, three topologies.
TOPOLOGIES = {"ring": "ring-transfer", "crossed ring": "crossed-ring-transfer",
              "clique path": "clique-path-transfer"}
#: Training of the transfer tasks: no regularisation (the question is whether the source's
#: class reaches the target at all, so the training accuracy is what counts, as in Alon &
#: Yahav's NeighborsMatch), Adam at lr 0.01, full batch.
TRANSFER_TRAINING = {"lr": 0.01, "weight_decay": 0.0, "dropout": 0.0, "patience": None, "monitor": "val_acc"}
#: FoSR iterations (edges added) on the bottleneck graph.
FOSR_EDGES = 50


def largest_component(data) -> Data:
    """The largest connected component of ``data`` (features kept, nodes renumbered)."""
    _, labels = components(data.edge_index, data.num_nodes)
    keep = labels == int(torch.bincount(labels).argmax())
    edge_index, _ = subgraph(keep, data.edge_index, relabel_nodes=True, num_nodes=data.num_nodes)
    return Data(x=data.x[keep], edge_index=edge_index, num_nodes=int(keep.sum()))


def _influence(budget) -> dict:
    data = datasets.load(budget.dataset)
    depth, n = budget.influence_depth, data.num_nodes
    model = training.build_seeded("gcn", data, depth, 0, hidden_channels=budget.hidden_channels, reset=False)
    profile = influence_profile(model, data, max_hops=depth, num_samples=budget.influence_targets, seed=0)
    dist = hop_distances(data.edge_index, n, profile.targets.numpy(), depth)
    counts = np.stack([(dist == h).sum(1) for h in range(depth + 1)], axis=1)
    raw = profile.per_node.numpy()
    # per source node: a target's hop-h influence over its hop-h shell, averaged over the
    # targets that have one (a target in a small component may have none)
    per_node = np.array([(raw[counts[:, h] > 0, h] / counts[counts[:, h] > 0, h]).mean()
                         if (counts[:, h] > 0).any() else np.nan for h in range(depth + 1)])
    return {"graph": budget.dataset,
            "setup": f"GCN, {depth} layers, hidden {budget.hidden_channels}, at initialisation (seed 0), "
                     f"{profile.targets.numel()} random targets, L1 Jacobian norms",
            "nodes_per_hop": [round(float(c), 2) for c in counts.mean(0)],
            "per_hop": [float(v) for v in profile.per_hop],
            "per_node": [float(v) for v in per_node / per_node[0]]}


def _fit(task: str, distance: int, depth: int, budget) -> float:
    """Best training accuracy (%) over the epochs, mean over the budget's seeds."""
    data = datasets.load(task, distance=distance, num_graphs=budget.transfer_graphs, seed=0)
    best = []
    for seed in budget.seeds:
        _, result = training.train("gcn", data, depth, seed, hidden_channels=budget.hidden_channels,
                                   normalize_features=False, epochs=budget.transfer_epochs, **TRANSFER_TRAINING)
        best.append(max(row["train_acc"] for row in result.history))
    return round(100.0 * float(np.mean(best)), 1)


def _transfer(budget) -> dict:
    r = budget.transfer_distance
    by_distance = {str(d): _fit(TOPOLOGIES["ring"], d, d, budget) for d in budget.transfer_distances}
    by_topology, deeper, resistance = {}, {}, {}
    for name, task in TOPOLOGIES.items():
        by_topology[name] = (by_distance[str(r)] if name == "ring" and str(r) in by_distance
                             else _fit(task, r, r, budget))
        deeper[name] = _fit(task, r, 2 * r, budget)
        one = datasets.load(task, distance=r, num_graphs=1, seed=0)
        resistance[name] = round(float(effective_resistance(one, [[int(one.target[0])], [int(one.source[0])]])[0]), 4)
    return {"setup": f"GCN, hidden {budget.hidden_channels}, {budget.transfer_epochs} full-batch epochs, "
                     f"Adam lr 0.01, no dropout or weight decay, {budget.transfer_graphs} graphs (80 % train), "
                     f"seeds {', '.join(map(str, budget.seeds))}; best training accuracy (%), 5 classes "
                     "(chance 20 %)",
            "distance": r, "by_distance": by_distance, "by_topology": by_topology,
            "at_twice_the_depth": deeper, "resistance": resistance}


def _bottleneck(data, name: str) -> dict:
    graph = largest_component(data)
    out = {"graph": f"{name}, largest component ({graph.num_nodes} nodes)", "fosr_edges": FOSR_EDGES}
    for key, g in (("original", graph), ("fosr", rewire(graph, "fosr", seed=0, num_iterations=FOSR_EDGES))):
        smooth = spectral.propagate(Data(x=graph.x, edge_index=g.edge_index, num_nodes=g.num_nodes), "gcn",
                                    steps=10, metrics=[])
        out[key] = {"total_resistance": total_resistance(g.edge_index, g.num_nodes, method="exact"),
                    "spectral_gap": cheeger_bounds(g.edge_index, g.num_nodes)["spectral_gap"],
                    "min_curvature": balanced_forman_curvature(g.edge_index, g.num_nodes).min(),
                    "rate": float(smooth.report.rate),
                    "relative_distance_10": float(smooth.table["relative_distance"].iloc[-1])}
    return out


def squashing_facts(budget) -> dict:
    """Fact ``squashing``: ``influence``, ``transfer`` and ``bottleneck`` (on the budget's
    dataset, or on a CSBM graph of ``synthetic_nodes`` when the budget does not rewire it)."""
    graph = (datasets.load(budget.dataset), budget.dataset) if budget.rewire_dataset else (
        datasets.load("csbm", num_nodes=budget.synthetic_nodes, avg_degree=5.0, seed=0),
        f"csbm ({budget.synthetic_nodes} nodes)")
    return {"influence": _influence(budget), "transfer": _transfer(budget), "bottleneck": _bottleneck(*graph)}
