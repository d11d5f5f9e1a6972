"""The graph kernel every other package uses: validation, structure, operators, one cache.

>>> import torch
>>> from oversmooth import graph
>>> edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
>>> graph.components(edge_index, 4)[0]          # node 3 is isolated
2
>>> graph.normalized_adjacency(edge_index, 4, "gcn").to_dense()[1, 1].item()
0.3333333432674408
"""

from .cache import CACHE_SIZE, cached, clear_cache
from .flat import from_homogeneous, is_flattened
from .hetero import (cat_by_type, edge_index_dict, flat_edge_index, is_hetero, node_slices, split_by_type,
                     target_node_type, to_homogeneous, type_graph)
from .operators import (MATRIX_OPERATORS, OPERATORS, SPECTRAL_OPERATORS, APPNPOperator, GraphOperator,
                        SGCOperator, SparseOperator, as_csr, check_operator, graph_operator,
                        normalized_adjacency, propagation_operator, spmm)
from .structure import (BASIS_OPERATORS, InvariantBasis, bipartite_components, components, degree, graph_of,
                        half_edges, invariant_basis, is_undirected, num_classes, reachability, simple_edges)
from .validate import check_edge_index, check_edge_type, check_features, check_labels, check_mask, validate

__all__ = [
    "validate", "check_edge_index", "check_edge_type", "check_features", "check_labels", "check_mask",
    "graph_of", "num_classes", "simple_edges", "half_edges", "is_undirected", "degree", "components",
    "reachability", "bipartite_components", "invariant_basis", "InvariantBasis", "BASIS_OPERATORS",
    "normalized_adjacency", "SparseOperator", "spmm", "as_csr", "GraphOperator", "graph_operator",
    "SGCOperator", "APPNPOperator", "propagation_operator", "check_operator",
    "MATRIX_OPERATORS", "OPERATORS", "SPECTRAL_OPERATORS", "cached", "clear_cache", "CACHE_SIZE",
    "is_hetero", "target_node_type", "edge_index_dict", "node_slices", "flat_edge_index", "split_by_type",
    "cat_by_type", "to_homogeneous", "type_graph", "from_homogeneous", "is_flattened",
]
