"""What a report's "Heterogeneous vs flattened" section shows, read from a store.

For each heterogeneous dataset whose flattened form (:data:`oversmooth.datasets.FLATTENED`)
the store also holds, run with the same generator parameters (``bank`` and ``bank-flat``
from ``oversmooth sweep --preset hetero-bank``): both datasets' rows side by side, as one
dataset named ``"bank vs bank-flat"`` (the row labels tell the models apart), so the
accuracy table and figure and the per-layer figure are the store's own, and the verdict
of the claim ``heterogeneous`` on them (:mod:`oversmooth.literature.claims.hetero`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from .store import Store
from .tables import summarize

__all__ = ["HeteroVsFlat", "hetero_vs_flat"]


@dataclass
class HeteroVsFlat:
    """One heterogeneous graph against itself flattened.

    Attributes:
        name: ``"<typed> vs <flat>"``, the dataset name every frame below uses.
        typed, flat: the two datasets; ``target``: the labelled node type.
        accuracy: :func:`~oversmooth.experiments.summarize` rows of test accuracy (%) of both.
        metric: the per-layer metric compared: the target type's mean cosine similarity
            (``mean_cosine_similarity[customer]``), or None when the store has none.
        last_layer: ``summarize`` rows of ``metric`` at each run's deepest layer.
        runs, layers: both datasets' runs and per-layer rows (what the figures read).
        claim: :class:`~oversmooth.literature.claims.Claim` ``heterogeneous`` on these runs.
    """

    name: str
    typed: str
    flat: str
    target: str
    accuracy: pd.DataFrame
    metric: str | None
    last_layer: pd.DataFrame
    runs: pd.DataFrame
    layers: pd.DataFrame
    claim: object


def _params(runs: pd.DataFrame) -> set[str]:
    return {json.dumps(json.loads(s).get("dataset_params", {}), sort_keys=True) for s in runs["settings_json"]}


def hetero_vs_flat(store: Store, runs: pd.DataFrame | None = None,
                       layers: pd.DataFrame | None = None) -> list[HeteroVsFlat]:
    """Every heterogeneous-vs-flattened pair the store holds (``runs``/``layers``: its tables,
    when already read). A pair whose runs used different generator parameters (not one
    graph) or several is left out."""
    from ..datasets import FLATTENED, HETEROGENEOUS
    from ..literature.claims import CLAIMS, Measurements

    runs = store.read("runs") if runs is None else runs
    layers = store.read("layer_metrics") if layers is None else layers
    out = []
    for flat, typed in FLATTENED.items():
        both = runs[runs["dataset"].isin([typed, flat])]
        a, b = both[both["dataset"] == typed], both[both["dataset"] == flat]
        if a.empty or b.empty or _params(a) != _params(b) or len(_params(a)) != 1:
            continue
        name, target = f"{typed} vs {flat}", HETEROGENEOUS[typed]
        keys = set(both["run_key"])
        metric = f"mean_cosine_similarity[{target}]"
        chosen = layers[layers["run_key"].isin(keys)]
        if not (chosen["metric"] == metric).any():
            metric = None

        def merged(frame: pd.DataFrame) -> pd.DataFrame:
            frame = frame[frame["dataset"].isin([typed, flat])]
            return frame.assign(dataset=name, published=None) if len(frame) else frame

        claim = next(c for c in CLAIMS if c.id == "heterogeneous").evaluate(Measurements(both, chosen))
        out.append(HeteroVsFlat(
            name=name, typed=typed, flat=flat, target=target, accuracy=merged(summarize(store, "test_acc", keys)),
            metric=metric, last_layer=merged(summarize(store, metric, keys)) if metric else pd.DataFrame(),
            runs=both.assign(dataset=name), layers=chosen, claim=claim))
    return out
