"""Normalised adjacency operators as sparse CSR tensors, cached per graph.

Full-batch training applies the same operator hundreds of times per epoch, so it is
built once (like ``GCNConv(cached=True)``) and applied with a sparse-dense product.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

__all__ = ["normalized_adjacency", "CachedAdjacency"]


def normalized_adjacency(edge_index: Tensor, num_nodes: int, kind: str = "gcn",
                         dtype: torch.dtype = torch.float32) -> Tensor:
    r"""The propagation matrix of a graph as a sparse CSR tensor on ``edge_index``'s device.

    ``kind``:
      * ``"gcn"``: :math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}` (PyG's ``gcn_norm``),
      * ``"sym"``: :math:`D^{-1/2} A D^{-1/2}` (no self-loops; isolated nodes get a zero row),
      * ``"rw"``: :math:`\tilde D^{-1}(A+I)` (row-stochastic),
      * ``"adj"``: :math:`A` unnormalised (sum aggregation),
      * ``"mean"``: :math:`D^{-1}A` (mean of neighbours).

    Existing self-loops and duplicate edges in ``edge_index`` are dropped first, so
    every node gets exactly one self-loop for ``gcn`` and ``rw``. Row ``i`` of the
    result aggregates over the sources ``j`` of edges ``j -> i``.
    """
    device = edge_index.device
    src, dst = edge_index[0], edge_index[1]
    keep = src != dst
    src, dst = src[keep], dst[keep]
    keys = torch.unique(dst * num_nodes + src)
    row, col = keys // num_nodes, keys % num_nodes
    if kind in ("gcn", "rw"):
        loops = torch.arange(num_nodes, device=device)
        row, col = torch.cat([row, loops]), torch.cat([col, loops])
    elif kind not in ("sym", "adj", "mean"):
        raise ValueError(f"unknown operator kind {kind!r}; known: gcn, sym, rw, adj, mean")
    weight = torch.ones(row.numel(), dtype=torch.float64, device=device)
    deg = torch.zeros(num_nodes, dtype=torch.float64, device=device).index_add_(0, row, weight)
    inv = torch.where(deg > 0, deg.reciprocal(), torch.zeros_like(deg))
    if kind in ("gcn", "sym"):
        weight = inv.sqrt()[row] * inv.sqrt()[col]
    elif kind in ("rw", "mean"):
        weight = inv[row]
    order = torch.argsort(row * num_nodes + col)
    row, col, weight = row[order], col[order], weight[order]
    crow = torch.zeros(num_nodes + 1, dtype=torch.long, device=device)
    crow[1:] = torch.cumsum(torch.bincount(row, minlength=num_nodes), 0)
    with warnings.catch_warnings():  # "sparse CSR support is in beta" on every call
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, weight.to(dtype), (num_nodes, num_nodes),
                                       check_invariants=False)


class CachedAdjacency:
    """Remember the operator of the last graph seen.

    The cache holds the ``edge_index`` tensor itself and its in-place version counter, so a
    freed tensor whose memory is reused, or an edited one, is never mistaken for the cached graph.
    """

    def __init__(self, kind: str = "gcn") -> None:
        self.kind = kind
        self._edge_index: Tensor | None = None
        self._key = None
        self._value: Tensor | None = None

    def __call__(self, edge_index: Tensor, num_nodes: int, dtype: torch.dtype) -> Tensor:
        key = (edge_index._version, num_nodes, dtype)
        if edge_index is not self._edge_index or key != self._key:
            self._value = normalized_adjacency(edge_index, num_nodes, self.kind, dtype)
            self._edge_index, self._key = edge_index, key
        return self._value
