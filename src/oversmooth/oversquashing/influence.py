r"""Jacobian sensitivity and the per-hop influence profile of a trained (or untrained) GNN.

Topping et al. (ICLR 2022) measure over-squashing by how much the output of node v after
L layers can change with the input features of node u:

.. math:: S_{vu} = \Big\| \frac{\partial h_v^{(L)}}{\partial x_u} \Big\|_1
          = \sum_{c,f} \Big|\frac{\partial h_{v,c}^{(L)}}{\partial x_{u,f}}\Big|,
          \qquad S_{vu} \le (c\,w)^L (\hat A^L)_{vu}\ \text{(MPNN with Lipschitz bounds)},

where :math:`\hat A` is the normalised propagation matrix; :func:`sensitivity_bound` gives
:math:`(\hat A^L)_{vu}`. Bamberger et al. (2025, "Towards Quantifying Long-Range Interactions
in Graph Machine Learning", the quantity PyG ships as ``torch_geometric.utils.total_influence``)
sum it per hop: for a target v, :math:`I_h(v) = \sum_{u: d(u,v)=h} S_{vu}`, averaged over
sampled targets (optionally divided by the mean :math:`I_0`), and the *influence-weighted
receptive field* :math:`R = \operatorname{mean}_v \sum_h h\,I_h(v) / \sum_h I_h(v)`.

Differences from PyG's ``total_influence``: PyG differentiates the model on each target's
``max_hops``-hop induced subgraph, where nodes on the outer hop lose their outer edges, so
a degree-normalised model (GCN) sees different degrees there; the two coincide when the
subgraph holds the model's whole receptive field plus one hop (or the whole component).
:func:`influence_profile` uses the same per-target subgraphs by default (so it agrees
with PyG), or the full graph (``subgraph_hops=None``); the model runs in eval mode (no
dropout). Speed: the subgraphs of up to ``batch_size`` targets are stacked as one disjoint
batch, so a batch costs one forward pass and ``out_channels`` vector-Jacobian products
batched through ``vmap`` (PyG: a forward pass and a Jacobian per target); a batch is also
cut at :data:`BATCH_ENTRIES` input entries, so that its Jacobian stays cache-sized.
``bench/influence.py`` times both.

>>> import torch
>>> from torch_geometric.nn import GCNConv
>>> from oversmooth.oversquashing import jacobian_sensitivity
>>> conv = GCNConv(1, 1, bias=False, normalize=False)
>>> _ = conv.lin.weight.data.fill_(1.0)
>>> path = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
>>> class Sum(torch.nn.Module):
...     def forward(self, x, edge_index):
...         return conv(x, edge_index)
>>> jacobian_sensitivity(Sum(), torch.ones(3, 1), path, [[1, 0], [0, 2]]).tolist()   # (v, u) pairs
[1.0, 0.0]
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ._graph import as_graph, as_pairs

__all__ = ["jacobian_sensitivity", "influence_profile", "InfluenceProfile", "sensitivity_bound",
           "hop_distances"]


@contextmanager
def _eval(model):
    was = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was)


def _jacobian_rows(model, x: Tensor, edge_index: Tensor, targets: Tensor, reduce: str) -> Tensor:
    """``[len(targets), N]``: per source node, |dh_v/dx_u| summed (L1) or squared-summed."""
    x = x.detach().clone().requires_grad_(True)
    out = model(x, edge_index)
    if out.dim() == 1:
        out = out[:, None]
    picked = out[targets]                                     # [b, C]
    b, c = picked.shape
    eye = torch.zeros(b * c, b, c, dtype=picked.dtype, device=picked.device)
    eye.view(b * c, b * c)[torch.arange(b * c), torch.arange(b * c)] = 1.0
    try:
        (grads,) = torch.autograd.grad(picked, x, eye, is_grads_batched=True, retain_graph=True)
    except (RuntimeError, NotImplementedError):               # custom autograd functions without vmap
        grads = torch.stack([torch.autograd.grad(picked, x, g, retain_graph=True)[0] for g in eye])
    grads = grads.view(b, c, *x.shape).detach()
    if reduce == "l1":
        return grads.abs().sum(dim=(1, 3))
    return grads.pow(2).sum(dim=(1, 3)).sqrt()


def _check_model_input(num_nodes: int, x) -> None:
    if x is None:
        raise ValueError("the graph has no node features x")
    if x.dim() != 2 or x.size(0) != num_nodes:
        raise ValueError(f"x must have shape [num_nodes={num_nodes}, features], got {tuple(x.shape)}")


def jacobian_sensitivity(model, x: Tensor, edge_index: Tensor, pairs, *, norm: str = "l1",
                         batch_size: int = 32) -> Tensor:
    r""":math:`\|\partial h_v / \partial x_u\|` for each ``(v, u)`` column of ``pairs`` (target first).

    ``model(x, edge_index)`` must return node outputs; ``norm`` is ``"l1"`` (sum of absolute
    entries, as PyG) or ``"fro"`` (Frobenius). Exact, on the full graph, in eval mode.
    """
    if norm not in ("l1", "fro"):
        raise ValueError(f"norm must be 'l1' or 'fro', got {norm!r}")
    n = x.size(0)
    as_graph(edge_index, n)
    pairs = as_pairs(pairs, n)
    targets, inverse = np.unique(pairs[0], return_inverse=True)
    out = torch.empty(pairs.shape[1], dtype=torch.float64)
    with _eval(model):
        for start in range(0, targets.size, batch_size):
            batch = targets[start:start + batch_size]
            rows = _jacobian_rows(model, x, edge_index, torch.as_tensor(batch, device=x.device), norm)
            mine = (inverse >= start) & (inverse < start + batch.size)
            idx = np.flatnonzero(mine)
            out[idx] = rows[torch.as_tensor(inverse[idx] - start), torch.as_tensor(pairs[1, idx])].double().cpu()
    return out


def hop_distances(edge_index: Tensor, num_nodes: int, targets, max_hops: int) -> np.ndarray:
    """``[len(targets), N]`` hop distance from every node to each target along edge direction
    (messages flow ``edge_index[0] -> edge_index[1]``); ``-1`` beyond ``max_hops``."""
    import scipy.sparse as sp

    ei = edge_index.detach().cpu().numpy()
    targets = np.asarray(targets, dtype=np.int64)
    # rev[w, u] = 1 for an edge u -> w: one step back from the target towards its sources
    rev = sp.csr_matrix((np.ones(ei.shape[1]), (ei[1], ei[0])), shape=(num_nodes, num_nodes))
    dist = np.full((targets.size, num_nodes), -1, np.int64)
    dist[np.arange(targets.size), targets] = 0
    frontier = sp.csr_matrix((np.ones(targets.size), (np.arange(targets.size), targets)),
                             shape=(targets.size, num_nodes))
    for hop in range(1, max_hops + 1):
        reached = (frontier @ rev).toarray() > 0
        fresh = reached & (dist < 0)
        if not fresh.any():
            break
        dist[fresh] = hop
        frontier = sp.csr_matrix(fresh.astype(np.float64))
    return dist


@dataclass
class InfluenceProfile:
    """Per-hop Jacobian influence of a model.

    Attributes:
        per_hop: ``[max_hops + 1]`` mean :math:`I_h` over targets (divided by the mean
            :math:`I_0` when ``normalize``).
        per_node: ``[num_targets, max_hops + 1]`` raw :math:`I_h(v)`.
        receptive_field: influence-weighted receptive field :math:`R` (mean expected hop).
        targets: the sampled target nodes.
    """

    per_hop: Tensor
    per_node: Tensor
    receptive_field: float
    targets: Tensor

    def to_dict(self) -> dict:
        return {"per_hop": self.per_hop.tolist(), "receptive_field": self.receptive_field,
                "num_targets": int(self.targets.numel())}


#: Largest input-gradient block (copy nodes x features) of one batch of subgraphs. A batch's
#: Jacobian is out_channels times this many floats; past a few MB it leaves the cache and
#: costs more per target, not less (Cora, 2-layer GCN, 3 hops: 64 targets a batch took twice
#: the time of 4), so batches are cut by size as well as by ``batch_size``.
BATCH_ENTRIES = 1 << 20


def _subgraphs(edge_index: Tensor, n: int, targets: Tensor, hops: int) -> list:
    """Each target's induced ``hops``-hop subgraph: ``(nodes, edge_index, root position)``."""
    from torch_geometric.utils import k_hop_subgraph

    out = []
    for t in targets.tolist():
        nodes, sub_ei, mapping, _ = k_hop_subgraph(t, hops, edge_index, relabel_nodes=True, num_nodes=n)
        out.append((nodes, sub_ei, int(mapping[0])))
    return out


def _batches(sizes: list[int], max_targets: int, max_entries: int) -> list[range]:
    """Consecutive runs of at most ``max_targets`` targets and ``max_entries`` summed sizes
    (a target larger than that alone)."""
    out, start, total = [], 0, 0
    for i, size in enumerate(sizes):
        if i > start and (i - start >= max_targets or total + size > max_entries):
            out.append(range(start, i))
            start, total = i, 0
        total += size
    if sizes:
        out.append(range(start, len(sizes)))
    return out


def _copies_profile(model, x, subgraphs, max_hops):
    """Per-hop influence of each target, one forward and C batched VJPs on the disjoint copies
    of the targets' subgraphs."""
    sizes = [nodes.numel() for nodes, _, _ in subgraphs]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    nodes = torch.cat([nodes for nodes, _, _ in subgraphs])
    ei = torch.cat([sub_ei + int(o) for (_, sub_ei, _), o in zip(subgraphs, offsets)], 1)
    roots = torch.tensor([root + int(o) for (_, _, root), o in zip(subgraphs, offsets)])
    owner = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    xb = x[nodes].detach().clone().requires_grad_(True)
    out = model(xb, ei.to(x.device))
    if out.dim() == 1:
        out = out[:, None]
    picked = out[roots.to(out.device)]                                     # [b, C]
    c = picked.size(1)
    cot = torch.eye(c, dtype=picked.dtype, device=picked.device)[:, None, :].expand(c, *picked.shape)
    try:
        (grads,) = torch.autograd.grad(picked, xb, cot, is_grads_batched=True)
    except (RuntimeError, NotImplementedError):
        grads = torch.stack([torch.autograd.grad(picked, xb, g, retain_graph=True)[0] for g in cot])
    # a copy's inputs reach only its own root: the sum over roots separates exactly
    sens = grads.abs_().sum(dim=(0, 2)).double().cpu()                     # [num copy nodes]
    dist = hop_distances(ei, nodes.numel(), roots.numpy(), max_hops)[owner.numpy(), np.arange(nodes.numel())]
    profile = torch.zeros(len(sizes), max_hops + 1, dtype=torch.float64)
    keep = torch.from_numpy(dist >= 0)
    flat = owner[keep] * (max_hops + 1) + torch.from_numpy(dist)[keep]
    profile.view(-1).index_add_(0, flat, sens[keep])
    return profile


def influence_profile(model, data, max_hops: int, num_samples: int | None = None, *, seed: int = 0,
                      normalize: bool = True, subgraph_hops: int | str | None = "max_hops", batch_size: int = 64,
                      targets=None) -> InfluenceProfile:
    r"""Per-hop influence :math:`I_h` averaged over ``num_samples`` random targets (all if ``None``).

    Args:
        model: ``model(x, edge_index) -> [N, C]``.
        data: a ``Data`` with ``x`` and ``edge_index``.
        max_hops: largest hop distance k (influence from farther nodes is not counted).
        subgraph_hops: differentiate each target's output on its induced ``subgraph_hops``-hop
            neighbourhood (default ``max_hops``: PyG's ``total_influence`` definition). The
            neighbourhoods of a batch of targets run as one disjoint batch: one forward pass
            and C vector-Jacobian products per batch. It equals the full-graph Jacobian when
            it covers the model's receptive field plus one hop (degree normalisation).
            ``None``: the exact full-graph Jacobian (C x batch VJPs on the whole graph).
        targets: explicit target nodes (overrides ``num_samples``/``seed``).
    """
    edge_index, n = as_graph(data)
    x = data.x
    _check_model_input(n, x)
    if max_hops < 0:
        raise ValueError(f"max_hops must be >= 0, got {max_hops}")
    if subgraph_hops == "max_hops":
        subgraph_hops = max_hops
    if targets is None:
        gen = torch.Generator().manual_seed(seed)
        order = torch.randperm(n, generator=gen)
        targets = order if num_samples is None else order[:num_samples]
    targets = torch.as_tensor(as_pairs(np.stack([np.asarray(targets)] * 2), n)[0])
    rows = []
    with _eval(model):
        if subgraph_hops is not None:
            subgraphs = _subgraphs(edge_index, n, targets, int(subgraph_hops))
            sizes = [nodes.numel() * x.size(1) for nodes, _, _ in subgraphs]
            for part in _batches(sizes, batch_size, BATCH_ENTRIES):
                rows.append(_copies_profile(model, x, subgraphs[part.start:part.stop], max_hops))
        else:
            for start in range(0, targets.numel(), batch_size):
                batch = targets[start:start + batch_size]
                sens = _jacobian_rows(model, x, edge_index, batch.to(x.device), "l1").double().cpu()
                dist = torch.from_numpy(hop_distances(edge_index, n, batch.numpy(), max_hops))
                profile = torch.zeros(batch.numel(), max_hops + 1, dtype=torch.float64)
                profile.scatter_add_(1, dist.clamp(min=0), torch.where(dist >= 0, sens, 0.0))
                rows.append(profile)
    per_node = torch.cat(rows)
    mean = per_node.mean(0)
    if normalize:
        mean = mean / mean[0]
    hops = torch.arange(max_hops + 1, dtype=torch.float64)
    share = per_node / per_node.sum(1, keepdim=True)
    return InfluenceProfile(mean, per_node, float((share @ hops).mean()), targets)


def sensitivity_bound(data, depth: int, pairs, operator: str = "gcn") -> Tensor:
    r""":math:`(\hat A^L)_{vu}` for ``(v, u)`` pairs: the graph part of Topping et al.'s bound on
    :math:`S_{vu}` (Lemma 1), with :math:`\hat A` from :func:`oversmooth.graph.normalized_adjacency`."""
    from ..graph import normalized_adjacency

    edge_index, n = as_graph(data)
    pairs = as_pairs(pairs, n)
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    mat = normalized_adjacency(edge_index, n, operator, dtype=torch.float64).cpu()
    targets, inverse = np.unique(pairs[0], return_inverse=True)
    # rows of A^L: propagate e_v through the transpose
    h = torch.zeros(n, targets.size, dtype=torch.float64)
    h[torch.as_tensor(targets), torch.arange(targets.size)] = 1.0
    mat_t = mat.to_sparse_coo().t().coalesce()
    for _ in range(depth):
        h = torch.sparse.mm(mat_t, h)
    return h[torch.as_tensor(pairs[1]), torch.as_tensor(inverse)]
