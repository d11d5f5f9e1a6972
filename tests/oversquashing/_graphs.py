"""Small graphs with known structure, as (networkx graph, edge_index, num_nodes)."""

from __future__ import annotations

import networkx as nx
import torch


def to_pyg(g: nx.Graph) -> tuple[torch.Tensor, int]:
    g = nx.convert_node_labels_to_integers(g)
    edges = [(u, v) for u, v in g.edges() if u != v]
    if not edges:
        return torch.zeros(2, 0, dtype=torch.long), g.number_of_nodes()
    e = torch.tensor(edges, dtype=torch.long).T
    return torch.cat([e, e.flip(0)], 1), g.number_of_nodes()


def zoo() -> dict[str, nx.Graph]:
    graphs = {
        "K5": nx.complete_graph(5), "C4": nx.cycle_graph(4), "C7": nx.cycle_graph(7),
        "grid": nx.grid_2d_graph(4, 5), "tree": nx.balanced_tree(2, 3), "barbell": nx.barbell_graph(4, 2),
        "random": nx.gnp_random_graph(30, 0.15, seed=1), "lollipop": nx.lollipop_graph(5, 3),
        "dense": nx.gnp_random_graph(25, 0.5, seed=3),
    }
    # two components plus two isolated nodes
    two = nx.disjoint_union(nx.cycle_graph(5), nx.complete_graph(4))
    two.add_nodes_from([9, 10])
    graphs["components"] = two
    return {k: nx.convert_node_labels_to_integers(g) for k, g in graphs.items()}
