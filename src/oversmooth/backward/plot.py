"""Two-panel figure of a :class:`~oversmooth.backward.DiagnosisResult`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["plot"]


def plot(results: dict, path: str | os.PathLike, title: str | None = None) -> Path:
    """Write a PNG: left, gradient norms per layer (log scale: :math:`\\|B^{(k)}\\|_F` and the
    layer's weight gradient relative to the last layer's); right, the smoothness of
    :math:`B^{(k)}` (``grad_subspace_rel`` and ``grad_energy_rel``, 0 = smooth).

    ``results`` maps a label (e.g. the model name) to a :class:`DiagnosisResult`; one line per
    label and quantity. The file is written atomically (temporary file in the same folder,
    then renamed). Returns the path. Raises ``ValueError`` for an empty ``results`` or a
    path whose folder does not exist.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not results:
        raise ValueError("nothing to plot: results is empty")
    path = Path(path)
    if not path.parent.exists():
        raise ValueError(f"folder {path.parent} does not exist")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, result in results.items():
        t = result.table
        line, = left.plot(t["layer"], t["grad_norm"].where(t["grad_norm"] > 0), marker="o", ms=3,
                          label=f"{label}: ||B(k)||")
        rel = t["weight_grad_rel"].where(t["weight_grad_rel"] > 0)
        if rel.notna().any():
            left.plot(t["layer"], rel, ls="--", color=line.get_color(), marker="s", ms=3,
                      label=f"{label}: ||dL/dW(k)|| / last")
        right.plot(t["layer"], t["grad_subspace_rel"], marker="o", ms=3, color=line.get_color(),
                   label=f"{label}: d_M(B)^2/||B||^2")
        right.plot(t["layer"], t["grad_energy_rel"], ls="--", color=line.get_color(),
                   label=f"{label}: E(B)/||B||^2")
    left.set_yscale("log")
    left.set(xlabel="layer k (output on the right)", ylabel="gradient norm", title="gradient size")
    right.set(xlabel="layer k (output on the right)", ylabel="relative smoothness (0 = smooth)",
              title="backward smoothness", ylim=(-0.02, None))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title or "Backward oversmoothing per layer")
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=120)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
