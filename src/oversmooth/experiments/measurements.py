"""What a report renders: a store's tables, and the measurements it needs beyond the store.

>>> from oversmooth.experiments import config_from_dict, report_inputs, run_sweep
>>> from oversmooth.report import build_report
>>> sweep = config_from_dict({"datasets": ["karate"], "models": ["gcn"], "depths": [2],
...                           "training": {"epochs": 5}})
>>> run_sweep(sweep, "results.db", quiet=True, progress=False).done
1
>>> inputs = report_inputs("results.db")        # reads the store, measures pure propagation
>>> build_report(inputs, "report.html").html.name   # renders; computes nothing
'report.html'

:func:`report_inputs` reads every table of a results store and measures pure propagation
(:func:`oversmooth.spectral.pure_propagation`) on each of the store's datasets, with the
generator parameters and split their runs used, and on a 200-node complete graph (the
fastest-smoothing graph there is); and, per dataset, over-smoothing beside over-squashing
before and after rewiring (:func:`rewiring_comparison`). :mod:`oversmooth.report` renders
the :class:`ReportInputs` it returns: it loads no dataset and trains nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from ..metrics.defaults import LAYER_METRICS
from .store import Store
from .tables import summarize

__all__ = ["StoreContents", "ReportInputs", "read_store", "report_inputs", "spectral_graphs",
           "rewiring_comparison", "REFERENCE_GRAPH", "COMPARISON_REWIRINGS", "CLAIMS_FACTS"]

#: Name of the reference graph measured beside the store's datasets.
REFERENCE_GRAPH = "complete (200 nodes)"
#: The meta key under which a claims run keeps its facts (JSON).
CLAIMS_FACTS = "claims_facts"

#: The rewirings of the report's comparison, with budgets a report can afford (SDRF: 20
#: curvature steps, about 3 s on Cora; FoSR: 20 added edges).
COMPARISON_REWIRINGS = {"sdrf": {"num_iterations": 20}, "fosr": {"num_iterations": 20}}
#: Largest component compared (nodes): SDRF's candidate search is Python-level.
COMPARISON_MAX_NODES = 20_000
#: Total resistance is exact up to this many nodes (about 1 s at Cora's 2,485), above it a
#: sketch whose error (about 18 %) hides what a small rewiring budget changes.
COMPARISON_EXACT_NODES = 5_000


@dataclass
class StoreContents:
    """The tables of a store as DataFrames (empty ones when the store has no rows)."""

    path: Path
    meta: dict
    runs: pd.DataFrame
    layers: pd.DataFrame
    layer_history: pd.DataFrame
    summaries: dict[str, pd.DataFrame]  # metric -> experiments.summarize(store, metric)
    #: per tuned cell: fixed vs tuned vs published, spread, importances
    #: (:func:`oversmooth.experiments.tune_table.tuned_summary`); empty without trials
    tuned: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: heterogeneous graphs against themselves flattened
    #: (:func:`oversmooth.experiments.hetero_vs_flat.hetero_vs_flat`); empty without such runs
    hetero_vs_flat: list = field(default_factory=list)
    #: per-epoch training history (``train_loss``, ``val_loss``, ...): the not-overfitting
    #: claim reads the validation loss from it
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the measurements of a claims run that are not runs (spectra, limits, coverage,
    #: over-squashing...), keyed as :class:`oversmooth.literature.claims.Measurements` reads
    #: them; empty for a store no claims run wrote
    facts: dict = field(default_factory=dict)

    @property
    def done(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "done"]


@dataclass
class ReportInputs:
    """Everything :func:`oversmooth.report.build_report` renders.

    Attributes:
        contents: the store's tables.
        datasets: the datasets the per-dataset sections show, in order.
        propagation: ``{graph: Propagation}`` of pure-propagation measurements
            (:class:`oversmooth.spectral.Propagation`); empty when none was measured.
        unavailable: ``{graph: why}`` for the graphs whose propagation could not be
            measured (e.g. a dataset whose files are missing).
        backward_rows: backward diagnostics measured outside the store: columns
            ``dataset``, ``series``, ``layer``, ``metric``, ``value`` (``grad_*`` metrics),
            or None. Backward metrics in the store's ``layer_metrics`` are shown too.
        comparison: ``{graph: DataFrame}`` of over-smoothing beside over-squashing per
            rewiring (:func:`rewiring_comparison`); empty when none was measured.
        comparison_unavailable: ``{graph: why}`` for the graphs not compared.
    """

    contents: StoreContents
    datasets: list[str]
    propagation: dict = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    backward_rows: pd.DataFrame | None = None
    comparison: dict = field(default_factory=dict)
    comparison_unavailable: dict[str, str] = field(default_factory=dict)


def read_store(path: str | os.PathLike) -> StoreContents:
    """Read every table of the store at ``path`` with the store's own readers.

    Raises:
        FileNotFoundError: no file at ``path``.
        oversmooth.experiments.StoreVersionError: a store of another schema version.
        ValueError: the file is not an oversmooth store.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"store {path} not found; create one with `oversmooth sweep "
                                f"--store {path} ...` or run `oversmooth demo`")
    with Store(path) as store:
        runs = store.read("runs")
        layers = store.read("layer_metrics")
        summaries = {"test_acc": summarize(store, "test_acc")}
        for metric in LAYER_METRICS:
            if not layers.empty and (layers["metric"] == metric).any():
                summaries[metric] = summarize(store, metric)
        tuned = pd.DataFrame()
        if store.count("trials"):
            from .tune_table import tuned_summary

            tuned = tuned_summary(store)
        from .hetero_vs_flat import hetero_vs_flat

        meta = store.meta()
        return StoreContents(path=path, meta=meta, runs=runs, layers=layers,
                             layer_history=store.read("layer_history"), summaries=summaries,
                             tuned=tuned, history=store.read("history"),
                             facts=json.loads(meta.get(CLAIMS_FACTS, "{}")),
                             hetero_vs_flat=hetero_vs_flat(store, runs, layers))


def spectral_graphs(contents: StoreContents, datasets: Sequence[str] | None = None,
                    reference: bool = True) -> dict:
    """``{name: Data}`` of the graphs whose pure propagation a report shows: each dataset
    of the store (with the generator parameters and split its runs used; a heterogeneous
    one flattened, :func:`oversmooth.graph.to_homogeneous`) and, with
    ``reference``, a 200-node complete graph. A dataset whose files cannot be loaded
    maps to the error message instead."""
    from ..datasets import complete_graph, load
    from ..graph import is_hetero, to_homogeneous

    graphs: dict = {}
    names = list(datasets) if datasets else sorted(set(contents.runs.get("dataset", [])))
    for name in names:
        rows = contents.runs[contents.runs["dataset"] == name]
        settings = json.loads(rows["settings_json"].iloc[0]) if len(rows) else {}
        try:
            graphs[name] = load(name, split=settings.get("split", 0),
                                **settings.get("dataset_params", {}))
            if is_hetero(graphs[name]):  # propagation reads one x: the heterogeneous operator is the
                graphs[name] = to_homogeneous(graphs[name])  # flattened graph's (graph.hetero)
        except (ValueError, FileNotFoundError, KeyError, OSError) as exc:
            graphs[name] = f"{type(exc).__name__}: {exc}"
    if reference:
        graphs[REFERENCE_GRAPH] = complete_graph(num_nodes=200, num_features=16)
    return graphs


def rewiring_comparison(data, rewirings: Mapping | None = None, *, seed: int = 0) -> pd.DataFrame:
    """:func:`oversmooth.oversquashing.compare` as the report shows it: on the graph's largest
    connected component (on a disconnected graph the spectral gap is 0 and the smoothing rate
    is set by whichever component is slowest, whatever a rewiring does elsewhere), with the
    rewirings of :data:`COMPARISON_REWIRINGS` (or ``rewirings``), total resistance exact up
    to :data:`COMPARISON_EXACT_NODES` nodes.

    Raises:
        ValueError: the largest component has more than :data:`COMPARISON_MAX_NODES` nodes.
    """
    import torch
    from torch_geometric.data import Data
    from torch_geometric.utils import subgraph

    from ..graph import components, graph_of
    from ..oversquashing import compare

    edge_index, n = graph_of(data)
    _, labels = components(edge_index, n)
    keep = labels == torch.bincount(labels).argmax()
    size = int(keep.sum())
    if size > COMPARISON_MAX_NODES:
        raise ValueError(f"its largest component has {size} nodes, more than the report compares "
                         f"({COMPARISON_MAX_NODES}); use oversmooth.oversquashing.compare")
    sub, _ = subgraph(keep, edge_index, relabel_nodes=True, num_nodes=n)
    return compare(Data(edge_index=sub, num_nodes=size), dict(rewirings or COMPARISON_REWIRINGS), seed=seed,
                   resistance_method="exact" if size <= COMPARISON_EXACT_NODES else "sketch")


def report_inputs(store: str | os.PathLike, datasets: Sequence[str] | None = None, *,
                  spectral: bool = True, steps: int = 64, reference: bool = True,
                  propagation: Mapping | None = None,
                  backward_rows: pd.DataFrame | None = None, compare: bool | None = None,
                  comparison: Mapping | None = None) -> ReportInputs:
    """Read the store at ``store`` and measure what its report shows beside it.

    Args:
        store: a results store written by ``oversmooth sweep`` / ``run_sweep``.
        datasets: restrict the per-dataset sections to these (default: all in the store).
        spectral: measure pure propagation (a few seconds per graph) when ``propagation``
            is None.
        steps: propagation steps measured.
        reference: measure the 200-node complete graph too.
        propagation: pure-propagation measurements ``{graph: Propagation}`` made
            elsewhere, used as they are (nothing is measured then).
        backward_rows: backward diagnostics measured outside the store (see
            :class:`ReportInputs`).
        compare: measure :func:`rewiring_comparison` on each dataset (seconds per graph);
            default: when pure propagation is measured here (``spectral`` and no
            ``propagation`` given).
        comparison: comparisons ``{graph: DataFrame}`` made elsewhere, used as they are.

    Returns:
        a :class:`ReportInputs` for :func:`oversmooth.report.build_report`.

    Raises:
        FileNotFoundError: no store at ``store``.
        StoreVersionError: the store has another schema version (``ValueError``).
        ValueError: a dataset of ``datasets`` is not in the store.
    """
    contents = read_store(store)
    held = set(contents.runs["dataset"])
    names = list(datasets) if datasets else sorted(held)
    unknown = [d for d in names if d not in held]
    if datasets and unknown:
        raise ValueError(f"dataset {unknown[0]!r} is not in the store; it holds "
                         f"{', '.join(sorted(held)) or 'no runs'}")
    measure = propagation is None and spectral
    if compare is None:
        compare = measure
    compare = compare and comparison is None
    measured, unavailable = dict(propagation or {}), {}
    compared, not_compared = dict(comparison or {}), {}
    graphs = spectral_graphs(contents, names, reference and measure) if measure or compare else {}
    if measure:
        from ..spectral import pure_propagation

        for name, graph in graphs.items():
            if isinstance(graph, str):
                unavailable[name] = graph
            else:
                measured[name] = pure_propagation(graph, name, steps=steps)
    if compare:
        for name in names:
            graph = graphs[name]
            try:
                if isinstance(graph, str):
                    raise ValueError(graph)
                compared[name] = rewiring_comparison(graph)
            except ValueError as exc:
                not_compared[name] = str(exc)
    return ReportInputs(contents, names, measured, unavailable, backward_rows, compared, not_compared)
