"""Real and synthetic graphs, their statistics, and validation.

>>> from oversmooth import datasets
>>> data = datasets.load("cora")            # PyG Planetoid, public split
>>> data.num_nodes, int(data.train_mask.sum())
(2708, 140)
>>> data = datasets.load("csbm", num_nodes=500, homophily=0.2, seed=0)
>>> round(datasets.summary(data)["edge_homophily"], 2)
0.21
>>> datasets.load("bank", num_customers=100, num_merchants=20, num_transactions=500).node_types
['customer', 'account', 'merchant', 'transaction']
"""

from __future__ import annotations

import difflib
import inspect
import os

from torch_geometric.data import Data, HeteroData
from torch_geometric.utils import remove_self_loops, to_undirected

from .._params import check_arguments
from ..graph.validate import validate
from . import synthetic
from .bank import bank, bank_flat, bank_to_sqlite
from .relational import from_sqlite
from .real import REAL_DATASETS, DataUnavailableError, RealDataset, data_root, is_present, load_pyg
from .real import karate_masks as _karate_masks
from .summary import connected_component_labels, edge_homophily, metapath_homophily, node_homophily, summary
from .synthetic import (barabasi_albert, clique_path_transfer, complete_graph, cora_like,
                        crossed_ring_transfer, csbm, erdos_renyi, grid_graph, hop_distance,
                        path_graph, ring_graph, ring_transfer, sbm, tree_neighbors_match)

__all__ = [
    "load", "available", "summary", "validate", "DataUnavailableError", "REAL_DATASETS",
    "SYNTHETIC", "csbm", "sbm", "cora_like", "complete_graph", "path_graph", "ring_graph",
    "grid_graph", "erdos_renyi", "barabasi_albert", "connected_component_labels",
    "edge_homophily", "node_homophily", "metapath_homophily", "data_root",
    "tree_neighbors_match", "ring_transfer", "crossed_ring_transfer", "clique_path_transfer",
    "hop_distance", "bank", "bank_flat", "bank_to_sqlite", "from_sqlite", "HETEROGENEOUS", "FLATTENED",
    "is_heterogeneous",
]

SYNTHETIC = {
    "cora-like": cora_like,
    "csbm": csbm,
    "sbm": sbm,
    "complete": complete_graph,
    "path": path_graph,
    "ring": ring_graph,
    "grid": grid_graph,
    "erdos-renyi": erdos_renyi,
    "barabasi-albert": barabasi_albert,
    # over-squashing tasks: disjoint unions, targets labelled, ``hop_distance`` hops needed
    "tree-neighbors-match": tree_neighbors_match,
    "ring-transfer": ring_transfer,
    "crossed-ring-transfer": crossed_ring_transfer,
    "clique-path-transfer": clique_path_transfer,
    # relational: a HeteroData (customers, accounts, merchants, transactions), not a Data
    "bank": bank,
    # the same graph flattened to one Data (graph.to_homogeneous), for homogeneous models
    "bank-flat": bank_flat,
}

#: ``{name: target node type}`` of the datasets whose graph is a HeteroData (heterogeneous
#: models train on them, homogeneous ones on their flattened form).
HETEROGENEOUS = {"bank": "customer"}
#: ``{flattened name: the heterogeneous dataset it flattens}``, same generator parameters:
#: what a sweep compares heterogeneous models with homogeneous ones on.
FLATTENED = {"bank-flat": "bank"}


def is_heterogeneous(name: str) -> bool:
    """Whether :func:`load` gives a HeteroData for dataset ``name`` (known without loading)."""
    key = name.lower()
    if key not in REAL_DATASETS and key not in SYNTHETIC:
        raise _unknown(name)
    return key in HETEROGENEOUS


def available() -> list[str]:
    """Every name :func:`load` accepts: real datasets first, then synthetic generators."""
    return list(REAL_DATASETS) + list(SYNTHETIC)


def _unknown(name: str) -> ValueError:
    close = difflib.get_close_matches(name, available(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ValueError(f"unknown dataset {name!r}{hint}; known: {', '.join(available())}")


def synthetic_parameters(name: str) -> dict:
    """The keyword parameters (and defaults) of a synthetic generator."""
    if name not in SYNTHETIC:
        raise _unknown(name)
    return {p.name: p.default for p in inspect.signature(SYNTHETIC[name]).parameters.values()}


def check_synthetic(name: str, params: dict) -> dict:
    """``params`` of generator ``name`` checked by name, type and size limit (one-line
    ``ValueError``), before anything is generated; what sweep configs check up front too."""
    allowed = synthetic_parameters(name)
    bad = sorted(set(params) - set(allowed))
    if bad:
        raise ValueError(f"{name} has no parameter {bad[0]!r}; it takes: {', '.join(allowed)}")
    return check_arguments(SYNTHETIC[name], params, where=name)


def load(name: str, root: str | os.PathLike | None = None, split: int = 0, **params) -> Data | HeteroData:
    """Load a dataset by name as a :class:`~torch_geometric.data.Data` (``bank``: a
    :class:`~torch_geometric.data.HeteroData`; ``bank-flat``: the same graph flattened, a
    ``Data``).

    Real datasets (``cora``, ``citeseer``, ``pubmed``, ``cora-geom``, ``citeseer-geom``,
    ``texas``, ``cornell``, ``wisconsin``, ``chameleon``, ``squirrel``, ``actor``,
    ``minesweeper``, ``tolokers``, ``karate``) come through PyG's dataset classes (Cora and
    CiteSeer from the copy shipped in the package when no raw files are at hand); the
    graph is made undirected with duplicate edges and self-loops removed, features are
    float32, and for sets with 10 splits ``split`` picks the masks. Synthetic names
    (``csbm``, ``cora-like``, ...) call the generator with ``params``.

    Args:
        name: dataset name, see :func:`available`.
        root: data root; default ``$OVERSMOOTH_DATA`` or ``~/.cache/oversmooth``.
        split: which of the 10 splits (0-9) for multi-split datasets; must be 0 otherwise.
        **params: generator parameters, synthetic datasets only.

    Raises:
        ValueError: unknown name, bad split or parameters, malformed files.
        DataUnavailableError: raw files missing and neither mirror nor download worked.
    """
    key = name.lower()
    if key in SYNTHETIC:
        return validate(SYNTHETIC[key](**check_synthetic(key, params)))
    if key not in REAL_DATASETS:
        raise _unknown(name)
    if params:
        raise ValueError(f"{key} is a real dataset and takes no parameters (got {sorted(params)})")
    spec = REAL_DATASETS[key]
    if not 0 <= split < spec.num_splits:
        raise ValueError(f"{key} has {spec.num_splits} split(s); split must be in "
                         f"0..{spec.num_splits - 1}, got {split}")
    data_root(root)  # an unusable root is an error even for a dataset that needs no files
    raw = load_pyg(spec, root)
    return validate(_normalise(raw, spec, split), num_classes=spec.num_classes)


def _normalise(raw: Data, spec: RealDataset, split: int) -> Data:
    n = raw.num_nodes
    edge_index, _ = remove_self_loops(raw.edge_index)
    edge_index = to_undirected(edge_index, num_nodes=n)
    data = Data(x=raw.x.float(), edge_index=edge_index, y=raw.y.long().view(-1), num_nodes=n)
    if spec.pyg_class == "KarateClub":
        data.train_mask = raw.train_mask.clone()
        data.val_mask, data.test_mask = _karate_masks(n, raw.train_mask)
    else:
        for mask in ("train_mask", "val_mask", "test_mask"):
            value = getattr(raw, mask)
            data[mask] = (value[:, split] if value.dim() == 2 else value).bool().clone()
    data.name = spec.name
    return data
