r"""Structure of a graph given by ``edge_index``: simple edge list, degrees, components,
bipartiteness and the invariant basis of each propagation operator.

Conventions, shared by every package that reads a graph:

* the *simple edge list* drops self-loops and duplicate columns of ``edge_index``;
* a node's *degree* :math:`d_i` is its number of distinct in-neighbours (sources ``j`` of
  edges ``j -> i``; for an undirected PyG graph, its neighbours), self-loops excluded;
* *components* are weakly connected components; an isolated node is its own component.

Every function caches its result per ``edge_index`` tensor (:mod:`oversmooth.graph.cache`)
and returns tensors on ``edge_index``'s device.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .cache import cached
from .hetero import edge_index_dict, flat_edge_index, is_hetero
from .validate import check_edge_index

__all__ = ["graph_of", "num_classes", "simple_edges", "half_edges", "degree", "components",
           "is_undirected", "reachability", "bipartite_components", "invariant_basis",
           "InvariantBasis", "BASIS_OPERATORS"]


def graph_of(data) -> tuple[Tensor, int]:
    """``(edge_index, num_nodes)`` of a :class:`~torch_geometric.data.Data`, checked.

    Of a :class:`~torch_geometric.data.HeteroData`: its flattened graph
    (:func:`~oversmooth.graph.hetero.flat_edge_index`, cached), so every operator, basis and
    structure of this package applies to a heterogeneous graph as the union of its edge types.
    """
    if is_hetero(data):
        counts = data.num_nodes_dict
        edge_index = flat_edge_index(edge_index_dict(data), counts)
        num_nodes = sum(counts.values())
        if num_nodes < 1:
            raise ValueError("the graph must have at least one node, got num_nodes=0")
        return edge_index, num_nodes
    edge_index = getattr(data, "edge_index", None)
    if edge_index is None:
        raise ValueError("the graph has no edge_index; pass a torch_geometric Data object")
    num_nodes = data.num_nodes
    if num_nodes is None or num_nodes < 1:
        raise ValueError(f"the graph must have at least one node, got num_nodes={num_nodes}")
    check_edge_index(edge_index, num_nodes)
    return edge_index, int(num_nodes)


def num_classes(data) -> int:
    """Number of classes of a labelled graph: ``max(y) + 1`` (0 without labels).

    Accepts a :class:`~torch_geometric.data.Data` or the label tensor itself.
    """
    y = data if isinstance(data, Tensor) else getattr(data, "y", None)
    if y is None or y.numel() == 0:
        return 0
    return int(y.max()) + 1


def simple_edges(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """``(src, dst)`` without self-loops and duplicate columns, sorted by ``(src, dst)``."""
    return _simple(edge_index, num_nodes)[0]


def _simple(edge_index: Tensor, num_nodes: int):
    def compute():
        src, dst = edge_index[0], edge_index[1]
        keep = src != dst
        src, dst = src[keep], dst[keep]
        keys = src * num_nodes + dst
        # PyG graphs are coalesced (sorted by source then target, no duplicates): skip the
        # sort when it is
        as_given = keys.numel() < 2 or bool((keys[1:] > keys[:-1]).all())
        if not as_given:
            keys = torch.unique(keys)
            src, dst = keys // num_nodes, keys % num_nodes
        return (src, dst), as_given
    return cached(edge_index, num_nodes, "simple", compute)


def half_edges(edge_index: Tensor, num_nodes: int, as_given: bool = False) -> tuple[Tensor, Tensor] | None:
    """``(src, dst)`` with ``src < dst`` when the simple edge list is symmetric, else ``None``.

    A sum of a symmetric function over a symmetric simple edge list is twice its sum over
    this half. With ``as_given=True`` the half is only returned when the columns of
    ``edge_index`` themselves are that simple list plus possibly self-loops (no duplicate
    column), so that the half also stands for the columns as given.
    """
    (src, dst), simple_as_given = _simple(edge_index, num_nodes)

    def compute():
        # the simple list is sorted by (src, dst); a stable sort by dst orders its transpose
        # by (dst, src): the list is symmetric iff that equals the list itself
        order = torch.sort(dst, stable=True).indices
        if torch.equal(dst.index_select(0, order), src) and torch.equal(src.index_select(0, order), dst):
            upper = src < dst
            return src[upper], dst[upper]
        return None
    half = cached(edge_index, num_nodes, "half", compute)
    if as_given and not simple_as_given:
        return None
    return half


def is_undirected(edge_index: Tensor, num_nodes: int) -> bool:
    """Whether every edge ``i -> j`` (``i != j``) has its reverse ``j -> i``."""
    src, _ = simple_edges(edge_index, num_nodes)
    return src.numel() == 0 or half_edges(edge_index, num_nodes) is not None


def degree(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Number of distinct in-neighbours of every node (self-loops excluded), float64."""
    def compute():
        _, dst = simple_edges(edge_index, num_nodes)
        return torch.bincount(dst, minlength=num_nodes).to(torch.float64)
    return cached(edge_index, num_nodes, "degree", compute)


def _scipy_adjacency(edge_index: Tensor, num_nodes: int):
    import scipy.sparse as sp

    ei = edge_index.detach().cpu().numpy()
    return sp.coo_matrix((np.ones(ei.shape[1], np.int8), (ei[0], ei[1])), shape=(num_nodes, num_nodes))


def components(edge_index: Tensor, num_nodes: int) -> tuple[int, Tensor]:
    """``(count, label per node)`` of the weakly connected components; isolated nodes are their own.

    Computed with scipy on a host copy of ``edge_index``; the labels (int64) are on
    ``edge_index``'s device.
    """
    def compute():
        from scipy.sparse.csgraph import connected_components

        count, labels = connected_components(_scipy_adjacency(edge_index, num_nodes), directed=True,
                                              connection="weak")
        return int(count), torch.from_numpy(labels.astype(np.int64)).to(edge_index.device)
    return cached(edge_index, num_nodes, "components", compute)


def reachability(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Sparse COO matrix with a positive entry for each edge in either direction (hop counts)."""
    def compute():
        src, dst = simple_edges(edge_index, num_nodes)
        idx = torch.stack([torch.cat([src, dst]), torch.cat([dst, src])])
        val = torch.ones(idx.size(1), dtype=torch.float32, device=edge_index.device)
        return torch.sparse_coo_tensor(idx, val, (num_nodes, num_nodes), check_invariants=False).coalesce()
    return cached(edge_index, num_nodes, "reachability", compute)


def bipartite_components(edge_index: Tensor, num_nodes: int) -> int:
    """Components with at least one edge and no odd cycle (each gives ``sym`` eigenvalue -1).

    A component is bipartite iff its bipartite double cover splits in two.
    """
    def compute():
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        count, labels_t = components(edge_index, num_nodes)
        labels = labels_t.cpu().numpy()
        src, dst = (t.cpu().numpy() for t in simple_edges(edge_index, num_nodes))
        if src.size == 0:
            return 0
        n = num_nodes
        rows = np.concatenate([src, src + n])
        cols = np.concatenate([dst + n, dst])
        cover = sp.csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(2 * n, 2 * n))
        _, cover_labels = connected_components(cover, directed=False)
        has_edge = np.zeros(count, bool)
        has_edge[labels[src]] = True
        first = np.full(count, -1, np.int64)
        first[labels[::-1]] = np.arange(n)[::-1]  # a representative node per component
        split = cover_labels[first] != cover_labels[first + n]
        return int(np.count_nonzero(split & has_edge))
    return cached(edge_index, num_nodes, "bipartite_components", compute)


#: Operators whose eigenvalue-1 eigenspace :func:`invariant_basis` knows in closed form.
BASIS_OPERATORS = ("gcn", "sym", "rw")


class InvariantBasis:
    r"""The invariant subspace :math:`\mathcal M` of a propagation operator: one vector
    :math:`e_m` per component, stored as per-node entries ``weights`` (:math:`e_m` restricted
    to its component) with ``labels`` saying which component a node belongs to.

    Attributes:
        count: number of components.
        labels: component of every node (int64).
        weights: unnormalised entries, float64: :math:`\sqrt{1+d_i}` (``gcn``),
            :math:`\sqrt{d_i}` (``sym``; 0 on isolated nodes), 1 (``rw``).
        sq_norms: :math:`\|e_m\|^2` per component (0 for an isolated node under ``sym``).
        dimension: number of non-zero basis vectors (multiplicity of eigenvalue 1).
    """

    def __init__(self, count: int, labels: Tensor, weights: Tensor) -> None:
        self.count, self.labels, self.weights = count, labels, weights
        self.sq_norms = torch.zeros(count, dtype=torch.float64, device=weights.device).index_add_(
            0, labels, weights * weights)
        self.dimension = int((self.sq_norms > 0).sum())

    def unit_weights(self) -> Tensor:
        r"""Entries of the unit-norm basis vectors :math:`e_m/\|e_m\|` (0 where :math:`e_m = 0`)."""
        norms = self.sq_norms.sqrt()[self.labels]
        return torch.where(norms > 0, self.weights / torch.where(norms > 0, norms, 1.0), 0.0)

    def coefficients(self, x: Tensor) -> Tensor:
        r"""``[count, d]`` float64 coefficients :math:`e_m^\top X / \|e_m\|^2` (0 for a zero vector)."""
        x = x.to(torch.float64)
        coef = torch.zeros(self.count, x.size(1), dtype=torch.float64, device=x.device)
        coef.index_add_(0, self.labels.to(x.device), self.weights.to(x.device)[:, None] * x)
        norms = self.sq_norms.to(x.device)
        return torch.where(norms[:, None] > 0, coef / torch.where(norms > 0, norms, 1.0)[:, None], 0.0)

    def project(self, x: Tensor) -> Tensor:
        r"""Orthogonal projection :math:`\Pi X = \sum_m e_m e_m^\top X/\|e_m\|^2`, float64."""
        coef = self.coefficients(x)
        return self.weights.to(coef.device)[:, None] * coef[self.labels.to(coef.device)]


def invariant_basis(edge_index: Tensor, num_nodes: int, operator: str = "gcn") -> InvariantBasis:
    r"""Basis of the eigenvalue-1 eigenspace :math:`\mathcal M` of ``operator`` (Oono & Suzuki,
    ICLR 2020), one vector per connected component :math:`C_m`:

    * ``gcn``, :math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}`: :math:`e_m = \tilde D^{1/2}1_{C_m}`;
    * ``sym``, :math:`D^{-1/2}AD^{-1/2}`: :math:`e_m = D^{1/2}1_{C_m}` (an isolated node is a
      zero row: no eigenvalue 1 there);
    * ``rw``, :math:`\tilde D^{-1}(A+I)`: :math:`e_m = 1_{C_m}` (right eigenvectors; not symmetric).

    Exact for an undirected graph. Cached per ``edge_index``.
    """
    if operator not in BASIS_OPERATORS:
        raise ValueError(f"unknown operator {operator!r} for the invariant basis; known: "
                         f"{', '.join(BASIS_OPERATORS)}")

    def compute():
        count, labels = components(edge_index, num_nodes)
        deg = degree(edge_index, num_nodes)
        if operator == "gcn":
            weights = (deg + 1.0).sqrt()
        elif operator == "sym":
            weights = deg.sqrt()
        else:
            weights = torch.ones(num_nodes, dtype=torch.float64, device=edge_index.device)
        return InvariantBasis(count, labels, weights)
    return cached(edge_index, num_nodes, ("basis", operator), compute)
