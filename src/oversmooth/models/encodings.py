r"""Structural encodings shared by the attention models: positional encodings (``pe``) and
Graphormer's shortest-path distances, computed from ``edge_index`` once per graph
(in the graph package's structure cache).

* ``"laplacian"``: the ``pe_dim`` eigenvectors of the normalized Laplacian with the
  smallest non-trivial eigenvalues (PyG's ``AddLaplacianEigenvectorPE``; Dwivedi et al.
  2020), signs flipped at random per training step (eigenvectors have no sign);
* ``"random_walk"``: the return probabilities :math:`((D^{-1}A)^k)_{ii}`, ``k = 1..pe_dim``
  (PyG's ``AddRandomWalkPE``; Dwivedi et al., ICLR 2022).

Either is added to the encoder's output through a linear map: ``h = enc(x) + W pe``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ..graph.cache import cached

__all__ = ["PE_KINDS", "check_pe", "positional_encoding", "shortest_paths", "PositionalEncoding"]

PE_KINDS = ("laplacian", "random_walk")


def check_pe(pe: str | None, pe_dim: int) -> str | None:
    """``pe`` checked by name (None or one of :data:`PE_KINDS`), ``pe_dim`` >= 1."""
    if pe in (None, "none"):
        return None
    if pe not in PE_KINDS:
        raise ValueError(f"unknown pe {pe!r}; known: none, {', '.join(PE_KINDS)}")
    if isinstance(pe_dim, bool) or not isinstance(pe_dim, int) or pe_dim < 1:
        raise ValueError(f"pe_dim must be an integer >= 1, got {pe_dim!r}")
    return pe


def positional_encoding(kind: str, edge_index: Tensor, num_nodes: int, dim: int) -> Tensor:
    """``[num_nodes, dim]`` float32 encoding of the graph (cached per graph), on CPU."""
    from torch_geometric.data import Data
    from torch_geometric.transforms import AddLaplacianEigenvectorPE, AddRandomWalkPE

    def make():
        data = Data(edge_index=edge_index.detach().cpu(), num_nodes=num_nodes)
        if kind == "laplacian":
            k = min(dim, num_nodes - 2)
            if k < 1:
                return torch.zeros(num_nodes, dim)
            pe = AddLaplacianEigenvectorPE(k, attr_name="pe", is_undirected=True)(data).pe
        else:
            pe = AddRandomWalkPE(dim, attr_name="pe")(data).pe
        out = torch.zeros(num_nodes, dim)
        out[:, :pe.size(1)] = pe.float()
        return out

    return cached(edge_index, num_nodes, ("pe", kind, dim), make)


def shortest_paths(edge_index: Tensor, num_nodes: int, max_distance: int) -> Tensor:
    """``[N, N]`` long hop distances clipped to ``max_distance``; unreachable pairs get
    ``max_distance + 1`` (cached per graph, on CPU)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    def make():
        ei = edge_index.detach().cpu().numpy()
        adj = sp.csr_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(num_nodes, num_nodes))
        dist = shortest_path(adj, method="D", directed=False, unweighted=True)
        dist[~np.isfinite(dist)] = max_distance + 1
        return torch.from_numpy(np.minimum(dist, max_distance + 1).astype(np.int64))

    return cached(edge_index, num_nodes, ("shortest_paths", max_distance), make)


class PositionalEncoding(torch.nn.Module):
    """``h + W pe`` for the attention models' ``pe`` / ``pe_dim`` options (identity for None)."""

    def __init__(self, kind: str | None, dim: int, hidden_channels: int) -> None:
        super().__init__()
        self.kind, self.dim = check_pe(kind, dim), dim
        self.lin = torch.nn.Linear(dim, hidden_channels) if self.kind else None

    def reset_parameters(self) -> None:
        if self.lin is not None:
            self.lin.reset_parameters()

    def forward(self, h: Tensor, edge_index: Tensor | None) -> Tensor:
        if self.kind is None:
            return h
        if edge_index is None:
            raise ValueError(f"pe={self.kind!r} needs edge_index")
        pe = positional_encoding(self.kind, edge_index, h.size(0), self.dim).to(h.device, h.dtype)
        if self.kind == "laplacian" and self.training:
            pe = pe * (torch.randint(0, 2, (1, self.dim), device=h.device) * 2 - 1).to(h.dtype)
        return h + self.lin(pe)
