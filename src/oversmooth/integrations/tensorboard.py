"""TensorBoard event files from a probe and from a sweep (extra ``oversmooth[tensorboard]``).

* :func:`write_probe` (what :meth:`oversmooth.Probe.write_tensorboard` calls): one scalar
  per layer and metric, ``<metric>/layer_<k>``, with the epoch as the step, for the
  forward metrics and the gradient measures alike;
* :func:`write_sweep` (what ``oversmooth sweep --tensorboard DIR`` calls): the
  accuracy-vs-depth figure and ``test_acc/<dataset>/<label>`` scalars with the depth as
  the step in ``DIR``; each run's training history and per-layer metrics in
  ``DIR/<dataset>/<label>/depth<d>-seed<s>/`` (so that TensorBoard overlays the runs);
* :func:`read_scalars`: the scalars of event files back as a tidy frame.

Files are written with :class:`torch.utils.tensorboard.SummaryWriter`; view them with
``tensorboard --logdir DIR``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .._extras import MissingExtra

__all__ = ["require", "layer_tag", "write_tables", "write_probe", "write_sweep", "read_scalars"]

_EXTRA = "pip install 'oversmooth[tensorboard]'"


def layer_tag(metric: str, layer: int, prefix: str = "") -> str:
    """The scalar name of one metric at one layer: ``<prefix><metric>/layer_<layer>``.

    TensorBoard groups scalars by the part before the first ``/``: one panel per metric,
    one chart per layer. The Lightning callback logs under the same names.
    """
    return f"{prefix}{metric}/layer_{int(layer)}"


def require() -> type:
    """``SummaryWriter``, or a :class:`~oversmooth._extras.MissingExtra` naming the extra."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:  # tensorboard itself is missing
        raise MissingExtra(f"TensorBoard output needs the tensorboard package: {_EXTRA}") from exc
    return SummaryWriter


def _summary_writer(log_dir: str | os.PathLike):
    return require()(log_dir=str(log_dir))


def write_tables(writer, *tables: pd.DataFrame, prefix: str = "") -> int:
    """Add tidy ``epoch, layer, metric, value`` frames to ``writer`` as per-layer scalars
    (step = epoch); returns the number of scalars written."""
    count = 0
    for table in tables:
        if table is None or table.empty:
            continue
        for epoch, layer, metric, value in table[["epoch", "layer", "metric", "value"]].itertuples(
                index=False):
            writer.add_scalar(layer_tag(metric, layer, prefix), float(value), global_step=int(epoch))
            count += 1
    return count


def write_probe(probe, log_dir: str | os.PathLike, prefix: str = "") -> Path:
    """Write everything ``probe`` recorded (forward and backward) to event files in
    ``log_dir``: scalar ``<prefix><metric>/layer_<k>`` at step ``epoch``. Returns ``log_dir``.

    Calling it again on the same folder adds a new event file; TensorBoard shows both.
    """
    log_dir = Path(log_dir)
    with _summary_writer(log_dir) as writer:
        write_tables(writer, *probe.scoped_tables(), prefix=prefix)
    return log_dir


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+=,-]+", "_", str(text)) or "_"


def write_sweep(store, log_dir: str | os.PathLike, keys=None) -> Path:
    """Write a results store (or the runs ``keys`` of it) to TensorBoard event files.

    In ``log_dir``: the accuracy-vs-depth figure (image ``accuracy_vs_depth``, the report's
    figure) and scalars ``test_acc/<dataset>/<label>`` (mean over seeds, percent) at
    step = depth. In ``log_dir/<dataset>/<label>/depth<d>-seed<s>/`` for each finished run:
    its history (``train_loss``, ``val_loss``, ``val_acc``, ...) per epoch, per-layer
    metrics during training (``<metric>/layer_<k>`` per epoch, when the sweep tracked them)
    and of the trained model (``final/<metric>`` at step = layer).

    Args:
        store: a :class:`oversmooth.experiments.Store` or the path of one.
        log_dir: folder for the event files (created).
        keys: restrict to these run keys (default: every run of the store).

    Raises:
        ValueError: the store holds no finished run (among ``keys``).
    """
    from ..experiments import Store, summarize
    from ..report import plots  # the report's style: Agg backend

    log_dir = Path(log_dir)
    own = not isinstance(store, Store)
    store = Store(store) if own else store
    try:
        summary = summarize(store, "test_acc", keys=keys)
        runs = store.read("runs")
        if keys is not None:
            runs = runs[runs["run_key"].isin(set(keys))]
        runs = runs[runs["status"] == "done"]
        if runs.empty or summary["mean"].notna().sum() == 0:
            raise ValueError(f"the store {store.path} holds no finished run to write to TensorBoard")
        with _summary_writer(log_dir) as writer:
            for row in summary.dropna(subset=["mean"]).itertuples(index=False):
                writer.add_scalar(f"test_acc/{row.dataset}/{row.label}", float(row.mean),
                                  global_step=int(row.depth))
            writer.add_figure("accuracy_vs_depth", plots.accuracy_vs_depth(summary), close=True)
        empty = pd.DataFrame(columns=["epoch", "layer", "metric", "value"])
        history, layer_history, layers = (
            dict(tuple(store.read(t).groupby("run_key")))
            for t in ("history", "layer_history", "layer_metrics"))
        for run in runs.itertuples(index=False):
            folder = log_dir / _safe(run.dataset) / _safe(run.label) / f"depth{run.depth}-seed{run.seed}"
            with _summary_writer(folder) as writer:
                rows = history.get(run.run_key, empty)
                for epoch, metric, value in rows[["epoch", "metric", "value"]].itertuples(index=False):
                    writer.add_scalar(metric, float(value), global_step=int(epoch))
                write_tables(writer, layer_history.get(run.run_key, empty))
                rows = layers.get(run.run_key, empty)
                for layer, metric, value in rows[["layer", "metric", "value"]].itertuples(index=False):
                    writer.add_scalar(f"final/{metric}", float(value), global_step=int(layer))
    finally:
        if own:
            store.close()
    return log_dir


def read_scalars(log_dir: str | os.PathLike) -> pd.DataFrame:
    """Every scalar in the event files under ``log_dir`` (recursively): columns ``run``
    (the folder relative to ``log_dir``, ``.`` for the top), ``tag``, ``step``, ``value``."""
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as exc:
        raise MissingExtra(f"reading event files needs the tensorboard package: {_EXTRA}") from exc
    log_dir = Path(log_dir)
    rows = []
    folders = sorted({p.parent for p in log_dir.rglob("events.out.tfevents.*")})
    for folder in folders:
        acc = EventAccumulator(str(folder), size_guidance={"scalars": 0})
        acc.Reload()
        run = str(folder.relative_to(log_dir))
        for tag in acc.Tags()["scalars"]:
            rows.extend((run, tag, e.step, e.value) for e in acc.Scalars(tag))
    return pd.DataFrame(rows, columns=["run", "tag", "step", "value"])
