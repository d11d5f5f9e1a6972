"""Metric-vs-step curves of a pure-propagation experiment (matplotlib, Agg backend)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["plot_propagation"]


def plot_propagation(result, path, title: str | None = None) -> Path:
    """Draw every metric of ``result.table`` (a :class:`~oversmooth.spectral.PropagationResult`)
    against the step on a log scale, each divided by its value at step 0 so they share the
    axis, with the spectral prediction ``predicted_relative`` dashed.

    Non-positive values (a metric that reached exactly 0, or a signed one such as
    ``mad_gap``) cannot be shown on a log axis and are left out of its curve. The file is
    written atomically: a temporary file in the same folder, renamed on success, removed
    on failure. Returns the path written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ValueError(f"plot file must end in .png, .pdf or .svg, got {path.name!r}")
    if not path.parent.is_dir():
        raise ValueError(f"folder {str(path.parent)!r} does not exist")
    table = result.table
    skip = {"subspace_distance", "predicted_distance", "predicted_relative"}
    fig, ax = plt.subplots(figsize=(8, 5))
    try:
        steps = table.index.to_numpy()
        for column in table.columns:
            if column in skip or column.endswith("_stderr"):
                continue
            values = table[column].to_numpy(dtype=np.float64)
            if not values.size or not values[0] > 0:
                continue
            scaled = values / values[0]
            scaled[~(scaled > 0)] = np.nan
            label = "distance to invariant subspace" if column == "relative_distance" else column
            ax.plot(steps, scaled, label=label, linewidth=2.2 if column == "relative_distance" else 1.2)
        predicted = table["predicted_relative"].to_numpy(dtype=np.float64).copy()
        predicted[~(predicted > 0)] = np.nan
        report = result.report
        ax.plot(steps, predicted, "k--", label=f"predicted (rate {report.rate:.4g})")
        ax.set_yscale("log")
        ax.set_xlabel("propagation step k")
        ax.set_ylabel("metric at step k / metric at step 0 (log scale)")
        fitted = f", fitted rate {result.fitted_rate:.4g}" if result.fitted_rate else ""
        ax.set_title(title or f"pure propagation with {report.operator}{fitted}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=120, bbox_inches="tight")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        plt.close(fig)
    return path
