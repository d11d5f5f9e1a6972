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
fastest-smoothing graph there is). :mod:`oversmooth.report` renders the
:class:`ReportInputs` it returns: it loads no dataset and trains nothing.
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
           "REFERENCE_GRAPH"]

#: Name of the reference graph measured beside the store's datasets.
REFERENCE_GRAPH = "complete (200 nodes)"


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
    #: (:func:`oversmooth.experiments.comparison.hetero_comparisons`); empty without such runs
    comparisons: list = field(default_factory=list)

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
    """

    contents: StoreContents
    datasets: list[str]
    propagation: dict = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    backward_rows: pd.DataFrame | None = None


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
        from .comparison import hetero_comparisons

        return StoreContents(path=path, meta=store.meta(), runs=runs, layers=layers,
                             layer_history=store.read("layer_history"), summaries=summaries,
                             tuned=tuned, comparisons=hetero_comparisons(store, runs, layers))


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


def report_inputs(store: str | os.PathLike, datasets: Sequence[str] | None = None, *,
                  spectral: bool = True, steps: int = 64, reference: bool = True,
                  propagation: Mapping | None = None,
                  backward_rows: pd.DataFrame | None = None) -> ReportInputs:
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
    measured, unavailable = dict(propagation or {}), {}
    if propagation is None and spectral:
        from ..spectral import pure_propagation

        for name, graph in spectral_graphs(contents, names, reference).items():
            if isinstance(graph, str):
                unavailable[name] = graph
            else:
                measured[name] = pure_propagation(graph, name, steps=steps)
    return ReportInputs(contents, names, measured, unavailable, backward_rows)
