"""The series the claims' figures draw, read from :class:`Measurements` with the same
selections as the verdict rules (so a figure shows exactly what its claim was judged on).

Pure functions of the measurements; :mod:`oversmooth.report` draws them.
"""

from __future__ import annotations

import pandas as pd

from .core import (Measurements, _accuracy_by_depth, _has_dropedge, _has_skip, _is_plain_gcn, _select)

__all__ = ["gcn_accuracy", "residual_accuracy", "cosine_runs", "layer_means"]


def gcn_accuracy(m: Measurements, dataset: str) -> dict[int, float]:
    """Plain GCN's mean test accuracy (%) per depth on ``dataset`` (the accuracy claims' row)."""
    return _accuracy_by_depth(_select(m, dataset, _is_plain_gcn))


def residual_accuracy(m: Measurements, dataset: str) -> dict[int, float]:
    """GCN with residual connections (no DropEdge): mean test accuracy (%) per depth."""
    return _accuracy_by_depth(_select(m, dataset, lambda r: r["model"] in ("gcn", "resgcn")
                                      and _has_skip(r) and not _has_dropedge(r)))


def cosine_runs(m: Measurements) -> pd.DataFrame | None:
    """Every finished run with its accuracy and its last layer's mean cosine similarity:
    columns ``dataset``, ``label``, ``depth``, ``acc`` (%), ``value`` (the cosine) and
    ``gap`` (points below the dataset's best run); None without both."""
    done, layers = m.done(), m.layers
    if done.empty or layers is None or layers.empty:
        return None
    cos = layers[layers["metric"] == "mean_cosine_similarity"]
    if cos.empty:
        return None
    last = cos.loc[cos.groupby("run_key")["layer"].idxmax(), ["run_key", "value"]]
    rows = done.merge(last, on="run_key").dropna(subset=["test_acc", "value"])
    if rows.empty:
        return None
    rows = rows.assign(acc=rows["test_acc"] * 100.0)
    return rows.assign(gap=rows.groupby("dataset")["acc"].transform("max") - rows["acc"])


def layer_means(m: Measurements, label: str, depth: int, metric: str) -> list[float] | None:
    """``metric`` per layer (layers in order) of the runs of ``label`` at ``depth``, mean over
    seeds; None when not stored."""
    done, layers = m.done(), m.layers
    runs = done[(done["label"] == label) & (done["depth"] == depth)]
    if runs.empty or layers is None or layers.empty:
        return None
    rows = layers[(layers["metric"] == metric) & layers["run_key"].isin(runs["run_key"])]
    if rows.empty:
        return None
    return [float(v) for v in rows.groupby("layer")["value"].mean().sort_index()]
