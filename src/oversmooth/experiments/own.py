"""A user's own probed training run as a run of a results store.

>>> import os, tempfile, torch
>>> from torch_geometric.nn.models import GCN
>>> from oversmooth import Probe, datasets
>>> from oversmooth.experiments import save_probe
>>> data = datasets.load("karate")
>>> model = GCN(data.num_features, 8, num_layers=4, out_channels=4)
>>> with Probe(model, data) as probe:
...     probe.measure(0)                                  # doctest: +ELLIPSIS
Capture(...)
>>> record = save_probe(probe, os.path.join(tempfile.mkdtemp(), "own.db"), label="my GCN",
...                     dataset="karate")
>>> record.depth, record.label, sorted({m for _, m, _ in record.layer_metrics})[:2]
(4, 'my GCN', ['dirichlet_energy', 'grad_mean_norm'])
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import socket
from typing import Any

from .grid import run_key
from .store import RunRecord, Store

__all__ = ["save_probe"]


def _value(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def save_probe(probe, store: str | os.PathLike | Store, *, label: str, dataset: str = "custom",
               model: str | None = None, depth: int | None = None, seed: int = 0,
               result=None, settings: dict[str, Any] | None = None) -> RunRecord:
    """Write what ``probe`` (an :class:`oversmooth.Probe`) recorded into ``store`` as one run.

    The run's ``layer_metrics`` are the forward and backward rows of the last recorded epoch
    (what the report's per-layer and backward sections draw); its ``layer_history`` every
    recorded row ``(epoch, layer, metric, value)``. ``label`` is its row name in tables and
    figures; ``dataset`` the graph's name (a name ``oversmooth datasets`` knows lets the report
    measure its pure propagation too); ``model`` defaults to the model's class name, ``depth``
    to the number of recorded layers. ``result`` (an :class:`oversmooth.training.FitResult`, or
    anything with ``test_acc``, ``val_acc``, ``train_acc``, ``best_epoch``, ``epochs_run``,
    ``wall_time``, ``history``) adds accuracies and the training history; ``settings`` are
    stored with the run.

    The run key is a hash of the settings and of the recorded rows: saving the same
    measurements twice stores one run, new measurements a new one. Returns the
    :class:`RunRecord` (saved, or the one already there had the same key).

    Raises ``ValueError`` when the probe recorded nothing or ``label``/``dataset`` is empty.
    """
    from ..probe import Probe

    if not isinstance(probe, Probe):
        raise ValueError(f"save_probe needs an oversmooth.Probe, got {type(probe).__name__}")
    for name, text in (("label", label), ("dataset", dataset)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty string, got {text!r}")
    forward, backward = probe.scoped_rows()  # a HeteroData's per-type rows as metric[node type]
    if not forward:
        raise ValueError("the probe recorded nothing: run a pass inside `with Probe(...)` first")
    rows = [(int(e), int(k), str(m), _value(v)) for e, k, m, v in forward + backward]
    last = max(e for e, _, _, _ in rows)
    layers = sorted({k for _, k, _, _ in rows})
    model_name = model or type(probe.model).__name__
    depth = int(depth if depth is not None else len(layers))
    digest = hashlib.sha256(json.dumps(sorted(rows, key=lambda r: r[:3]),
                                       default=str).encode()).hexdigest()[:16]
    run_settings = {"source": "probe", "dataset": dataset, "model": model_name, "label": label,
                    "depth": depth, "seed": int(seed), "metrics": list(probe.metrics),
                    "backward": list(probe.backward_keys), "every": probe.every,
                    "layer_names": {str(k): v for k, v in probe.layer_names.items()},
                    "measurements": digest, **(settings or {})}
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    record = RunRecord(run_key=run_key(run_settings), status="done", dataset=dataset, model=model_name,
                       label=label, depth=depth, seed=int(seed), options={}, settings=run_settings,
                       started_at=now, finished_at=now, host=socket.gethostname())
    seen = {}
    for e, k, m, v in rows:
        if e == last:
            seen[(k, m)] = v  # the last value of a (layer, metric) in the last epoch
    record.layer_metrics = [(k, m, v) for (k, m), v in seen.items()]
    record.layer_history = list({(e, k, m): (e, k, m, v) for e, k, m, v in rows}.values())
    if result is not None:
        for name in ("test_acc", "val_acc", "train_acc", "best_epoch", "epochs_run", "wall_time"):
            value = getattr(result, name, None)
            setattr(record, name, value if value is None or isinstance(value, int) else _value(value))
        record.history = [(int(row["epoch"]), name, row[name]) for row in getattr(result, "history", [])
                          for name in row if name != "epoch" and row[name] is not None]
    if isinstance(store, Store):
        store.save(record)
    else:
        with Store(store) as opened:
            opened.save(record)
    return record
