r"""Oversmoothing measures of a heterogeneous graph: per node type, per pair of node types,
per edge type, and on the whole (flattened) graph.

The input is what a heterogeneous layer outputs: a dict ``x_dict`` of representations
``{node type: Tensor[n_t, F]}`` of one width ``F``, and the graph: a
:class:`~torch_geometric.data.HeteroData`, or its ``edge_index_dict`` (node counts are then
the rows of ``x_dict``, node order ``x_dict``'s). Whole-graph values are those of the
flattened graph (:mod:`oversmooth.graph.hetero`): rows concatenated in node-type order, every
edge type's edges in one ``edge_index``, whose operator is the normalized adjacency of the
union of the edge types.

Conventions shared with :mod:`oversmooth.metrics`: inputs are detached, accumulated in
float64, float64 input at extreme scales is rescaled by a power of two first; a node type
with no rows, an edge type with no edges, zero rows and types with one node give finite
values (0.0 where a mean has no term).

>>> import torch
>>> from torch_geometric.data import HeteroData
>>> from oversmooth import metrics
>>> data = HeteroData()
>>> data["customer"].x = torch.zeros(2, 1)
>>> data["customer"].y = torch.tensor([0, 1])
>>> data["merchant"].x = torch.zeros(1, 1)
>>> data["customer", "pays", "merchant"].edge_index = torch.tensor([[0, 1], [0, 0]])
>>> data["merchant", "paid_by", "customer"].edge_index = torch.tensor([[0, 0], [0, 1]])
>>> x_dict = {"customer": torch.tensor([[1.0, 0.0], [1.0, 0.0]]), "merchant": torch.tensor([[0.0, 2.0]])}
>>> metrics.cosine_similarity_by_type(x_dict)
{'customer': 1.0, 'merchant': 0.0, ('customer', 'merchant'): 0.0}
>>> energy = metrics.dirichlet_energy_per_edge_type(x_dict, data)
>>> energy[("customer", "pays", "merchant")]          # (5 + 5) / 3 nodes
3.3333333333333335
>>> out = metrics.compute_hetero(x_dict, data, metrics=["dirichlet_energy"])
>>> out["dirichlet_energy"] == sum(energy.values())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import torch
from torch import Tensor

from ..graph import cat_by_type, cached, degree, flat_edge_index, is_hetero, node_slices, target_node_type
from ..graph.hetero import edge_index_dict as _edge_index_dict
from ..graph.validate import check_features
from ._utils import check_labels_for, check_name, scale_exponent, sharing, sq_norm, unscale
from .energy import _EdgeList, _edge_sum
from .mad import _cross_mad, _global_mad
from .similarity import _cross_cosine, _mean_cosine
from .subspace import OPERATORS, _distance

__all__ = ["dirichlet_energy_per_edge_type", "cosine_similarity_by_type", "mad_by_type",
           "subspace_distance_hetero", "compute_hetero", "PER_TYPE_METRICS", "scope_name"]

#: Metrics of :func:`oversmooth.metrics.compute` that :func:`compute_hetero` also reports per
#: edge type (the energies), per node type and pair of types (cosine, MAD), or on the target
#: type's rows (group distance ratio, which needs the target's labels).
PER_TYPE_METRICS = ("dirichlet_energy", "dirichlet_energy_sym", "mean_cosine_similarity", "mad",
                    "group_distance_ratio")


class _Input:
    """Validated ``x_dict`` and graph: the rows detached and concatenated in node order
    (``data``'s node types for a ``HeteroData``, else ``x_dict``'s), scaled by
    ``2**-exponent`` (0 unless float64 at an extreme scale), and per-type views of them."""

    def __init__(self, x_dict: Mapping[str, Tensor], data=None) -> None:
        if not isinstance(x_dict, Mapping) or not x_dict:
            raise ValueError("x_dict must be a non-empty dict {node type: Tensor[num_nodes, F]}")
        for t, x in x_dict.items():
            check_features(x, f"x_dict[{t!r}]")
        devices = sorted({str(x.device) for x in x_dict.values()})
        if len(devices) > 1:
            raise ValueError(f"x_dict holds tensors on {', '.join(devices)}; move them to one device")
        graph = data if is_hetero(data) else None
        self.slices = node_slices(x_dict if graph is None else graph)
        self.x = cat_by_type({t: x.detach() for t, x in x_dict.items()}, graph)  # checks rows and widths
        if self.x.size(0) == 0:
            raise ValueError("x_dict has no rows: the graph is empty")
        self.unscaled = self.x
        self.exponent = scale_exponent(self.x)
        if self.exponent:
            self.x = torch.ldexp(self.x, torch.tensor(-self.exponent, device=self.x.device))
        self.parts = {t: self.x[rows] for t, rows in self.slices.items()}
        self.counts = {t: rows.stop - rows.start for t, rows in self.slices.items()}
        self.data = data

    def graph(self) -> tuple[dict, Tensor]:
        """``(edge_index_dict, flattened edge_index)``, the latter on the rows' device."""
        if self.data is None:
            raise ValueError("this metric needs the graph: pass the HeteroData or its edge_index_dict")
        edges = _edge_index_dict(self.data) if is_hetero(self.data) else self.data
        if not isinstance(edges, Mapping):
            raise ValueError(f"expected a HeteroData or an edge_index_dict, got {type(self.data).__name__}")
        flat = flat_edge_index(edges, self.counts)  # checks every edge type against the counts
        if flat.device != self.x.device:
            if flat.numel():
                raise ValueError(f"x_dict is on {self.x.device} but the edges are on {flat.device}; "
                                 "move both to the same device")
            flat = flat.to(self.x.device)
        return edges, flat


def scope_name(name: str, scope) -> str:
    """The name of metric ``name`` measured on one scope: a node type ``t`` (``NAME[t]``), a
    pair of types or an edge type (a tuple, written ``NAME[s,t]``, ``NAME[s,rel,d]``). The one
    spelling of :func:`compute_hetero`'s keys, the probe's tables and a results store's rows.

    >>> scope_name("mean_cosine_similarity", "customer"), scope_name("mad", ("customer", "merchant"))
    ('mean_cosine_similarity[customer]', 'mad[customer,merchant]')
    """
    return f"{name}[{scope if isinstance(scope, str) else ','.join(scope)}]"


def _scoped(name: str, values: dict) -> dict[str, float]:
    """``{"name[scope]": value}`` (:func:`scope_name`)."""
    return {scope_name(name, k): v for k, v in values.items()}


# --------------------------------------------------------------------------- energy
def _type_edges(flat: Tensor, n: int, cols: tuple[int, int], operator: str | None) -> _EdgeList:
    """One edge type's columns of the flattened graph: as given (survey form), or its simple
    edge list (no self-loops or duplicates, as the ``gcn`` operator sees them)."""
    src, dst = flat[0, cols[0]:cols[1]], flat[1, cols[0]:cols[1]]
    if operator is None:
        return _EdgeList(src, dst)
    keep = src != dst
    keys = torch.unique(src[keep] * n + dst[keep])
    return _EdgeList(keys // n, keys % n)


def _per_edge_type(inp: _Input, operator: str | None, scale_free: bool) -> dict:
    edges, flat = inp.graph()
    n = inp.x.size(0)
    if operator is not None:
        weight = cached(flat, n, "gcn_rsqrt", lambda: (degree(flat, n) + 1.0).rsqrt())
    norm = sq_norm(inp.x) if scale_free else None
    out, start = {}, 0
    for edge_type, ei in edges.items():
        cols = (start, start + ei.size(1))
        start = cols[1]
        pairs = cached(flat, n, ("edge_type_pairs", operator, cols), lambda: _type_edges(flat, n, cols, operator))
        value = _edge_sum(inp.x, pairs) / n if operator is None else 0.5 * _edge_sum(inp.x, pairs, weight)
        if scale_free:
            out[edge_type] = float(value / norm) if bool(norm > 0) else 0.0
        else:
            out[edge_type] = unscale(float(value), 2 * inp.exponent, "dirichlet_energy")
    return out


def dirichlet_energy_per_edge_type(x_dict: Mapping[str, Tensor], edge_index_dict, operator: str | None = None,
                                   scale_free: bool = False) -> dict[tuple[str, str, str], float]:
    r"""Dirichlet energy of the representations over each edge type, as its share of the
    whole graph's energy.

    ``edge_index_dict``: the graph's ``edge_index_dict``, or the ``HeteroData`` itself.
    With :math:`N` the number of nodes of *all* types and :math:`E_r` the columns of edge type
    :math:`r = (s, \mathrm{rel}, d)` (:math:`x_i` a row of type :math:`s`, :math:`x_j` of :math:`d`):

    * ``operator=None`` (survey form of :func:`~oversmooth.metrics.dirichlet_energy`):
      :math:`E_r = \frac1N \sum_{(i,j)\in E_r} \|x_i - x_j\|^2` over the columns as given;
    * ``operator="gcn"`` (Cai & Wang): :math:`E_r = \frac12 \sum \|x_i/\sqrt{1+d_i} -
      x_j/\sqrt{1+d_j}\|^2` over the edge type's distinct non-loop columns, :math:`d` the
      degrees of the heterogeneous operator (distinct neighbours in the union of all edge
      types).

    One :math:`N` for every edge type makes the values add up: their sum is the energy of
    the flattened graph (:func:`~oversmooth.metrics.dirichlet_energy` of
    :func:`~oversmooth.graph.to_homogeneous`'s graph), exactly for the survey form, and for
    ``"gcn"`` whenever no node pair is listed by two edge types. A relation and its reverse
    list the same pairs, so each holds half of their joint energy. ``scale_free=True``
    divides by :math:`\|X\|_F^2` over all types.

    Oversmoothed: every edge type's energy decays to 0. Degenerate input: an edge type
    without edges, or equal rows across its edges, gives 0.0.
    """
    if operator is not None:
        check_name(operator, ("gcn",), "operator")
    return _per_edge_type(_Input(x_dict, edge_index_dict), operator, scale_free)


# --------------------------------------------------------------------------- cosine, MAD
def _cosine_by_type(inp: _Input, exclude_self: bool = True) -> dict:
    with sharing():
        out: dict = {t: _mean_cosine(x, exclude_self) for t, x in inp.parts.items()}
        for s, t in combinations(inp.parts, 2):
            out[(s, t)] = _cross_cosine(inp.parts[s], inp.parts[t])
    return out


def cosine_similarity_by_type(x_dict: Mapping[str, Tensor], exclude_self: bool = True) -> dict:
    r"""Mean cosine similarity within each node type and across each pair of node types.

    * ``t``: :func:`~oversmooth.metrics.mean_cosine_similarity` of the rows of type ``t``
      (ordered pairs of distinct non-zero rows; all :math:`n_t^2` pairs with
      ``exclude_self=False``);
    * ``(s, t)``, each unordered pair once in ``x_dict``'s order: the mean of
      :math:`\cos(x_i, x_j)` over the pairs of a non-zero row of ``s`` and one of ``t`` (no
      self-pairs exist across types), exactly :math:`\bar u_s \cdot \bar u_t` with
      :math:`\bar u` a type's mean unit row.

    Oversmoothed: near 1, across types too (all types collapsed onto one direction).
    Degenerate input: zero rows are ignored; a type with fewer than two non-zero rows gets
    0.0 within (see ``mean_cosine_similarity``), a pair involving a type without non-zero
    rows 0.0.
    """
    return _cosine_by_type(_Input(x_dict), exclude_self)


def _mad_by_type(inp: _Input) -> dict:
    with sharing():
        out: dict = {t: _global_mad(x) for t, x in inp.parts.items()}
        for s, t in combinations(inp.parts, 2):
            out[(s, t)] = _cross_mad(inp.parts[s], inp.parts[t])
    return out


def mad_by_type(x_dict: Mapping[str, Tensor]) -> dict:
    r"""Mean Average Distance (Chen et al., AAAI 2020) within each node type and across each
    pair of node types.

    :math:`D_{ij} = 1 - \cos(x_i, x_j)`; each row's mean over its non-zero masked entries,
    then the mean over the rows that have any, with the conventions of
    :func:`~oversmooth.metrics.mad` (zero rows take no part; an entry is zero exactly when the
    two rows have bitwise identical directions, e.g. duplicate rows):

    * ``t``: the global MAD of the rows of type ``t``;
    * ``(s, t)``, each unordered pair once in ``x_dict``'s order: the mask of pairs joining a
      row of ``s`` and a row of ``t``, so the rows of both types are rows of :math:`D`, each
      with the other type's rows as partners. Exact in O((n_s + n_t) d).

    Oversmoothed: near 0. Degenerate input: 0.0 when no row has a non-zero entry.
    """
    return _mad_by_type(_Input(x_dict))


# --------------------------------------------------------------------------- subspace
def _subspace(inp: _Input, operator: str, relative: bool) -> float:
    _, flat = inp.graph()
    value = _distance(inp.x, flat, operator, relative)
    return value if relative else unscale(value, inp.exponent, "subspace_distance")


def subspace_distance_hetero(x_dict: Mapping[str, Tensor], data, operator: str = "gcn",
                             relative: bool = False) -> float:
    r"""Distance of the representations to the invariant subspace of the heterogeneous operator.

    The operator is the normalized adjacency (``operator`` ``"gcn"``, ``"sym"`` or ``"rw"``)
    of the union of all edge types: what a relational GCN sums over, without relation
    weights (``propagation_operator(data, operator)``). Its invariant subspace has one vector
    per connected component of the flattened graph, across node types (entries
    :math:`\sqrt{1+d_i}` for ``"gcn"``). The value is
    :func:`~oversmooth.metrics.subspace_distance` of the rows concatenated in node-type order
    on the flattened graph: :math:`\|X - \Pi X\|_F` (``relative=True``: over :math:`\|X\|_F`).

    ``data``: the ``HeteroData`` or its ``edge_index_dict``. Oversmoothed: close to 0.
    Degenerate input: all-zero rows, or no edges at all, give 0.0.
    """
    check_name(operator, OPERATORS, "operator")
    return _subspace(_Input(x_dict, data), operator, relative)


# --------------------------------------------------------------------------- everything
def _target_labels(data) -> tuple[str, Tensor] | None:
    if not is_hetero(data):
        return None
    try:
        target = target_node_type(data)
    except ValueError:
        return None
    y = getattr(data[target], "y", None)
    return None if y is None else (target, y)


def compute_hetero(x_dict: Mapping[str, Tensor], data, metrics=None) -> dict[str, float]:
    """Whole-graph and per-type metrics of the representations of a heterogeneous graph.

    Whole graph: :func:`oversmooth.metrics.compute` on the flattened graph (the rows of
    ``x_dict`` concatenated in node-type order, :func:`~oversmooth.graph.flat_edge_index`),
    under its plain keys and equal to it. Labels are not passed there (only the target type
    has them).

    Then ``NAME[scope]`` keys for the names in :data:`PER_TYPE_METRICS`:

    * ``dirichlet_energy[s,rel,d]`` and ``dirichlet_energy_sym[s,rel,d]`` per edge type
      (:func:`dirichlet_energy_per_edge_type`, survey and ``"gcn"`` forms: they add up to the
      whole-graph value);
    * ``mean_cosine_similarity[t]``, ``mean_cosine_similarity[s,t]``, ``mad[t]`` and
      ``mad[s,t]`` per node type and pair of types (:func:`cosine_similarity_by_type`,
      :func:`mad_by_type`);
    * ``group_distance_ratio[target]`` and ``group_distance_ratio_stderr[target]`` on the
      target type's rows and labels (``data`` a ``HeteroData`` whose target has ``y``).

    ``data``: the ``HeteroData`` or its ``edge_index_dict``. ``metrics`` selects names of
    :func:`oversmooth.metrics.compute` (default: all; ``group_distance_ratio`` only with
    labels, and then only its target-type value); an unknown name raises ``ValueError``.
    """
    from . import _compute, compute, resolve

    names = resolve(metrics)
    inp = _Input(x_dict, data)
    labels = _target_labels(data)
    if "group_distance_ratio" in names and labels is None:
        if metrics is not None:
            raise ValueError("group_distance_ratio needs the target type's labels: pass the HeteroData "
                             "with y on its target type")
        names = [m for m in names if m != "group_distance_ratio"]
    whole = [m for m in names if m != "group_distance_ratio"]
    _, flat = inp.graph()
    out = compute(inp.unscaled, flat, None, whole) if whole else {}
    for name in names:
        if name in ("dirichlet_energy", "dirichlet_energy_sym"):
            out.update(_scoped(name, _per_edge_type(inp, None if name == "dirichlet_energy" else "gcn", False)))
        elif name == "mean_cosine_similarity":
            out.update(_scoped(name, _cosine_by_type(inp)))
        elif name == "mad":
            out.update(_scoped(name, _mad_by_type(inp)))
        elif name == "group_distance_ratio":
            target, y = labels
            x = inp.unscaled[inp.slices[target]]
            gdr = _compute(x, None, check_labels_for(y, x), [name])  # it reads no edges
            out[scope_name(name, target)] = gdr[name]
            out[scope_name(f"{name}_stderr", target)] = gdr[f"{name}_stderr"]
    return out
