"""The report's table sections: the sweep's tables in the literature's layout
(:func:`oversmooth.experiments.tables.layout`, rendered cell by cell, every cell escaped)
and every run's settings."""

from __future__ import annotations

import json
import math

import pandas as pd

from . import html as H
from ..experiments.tables import layout

__all__ = ["tables", "settings", "RUN_SETTINGS_COLUMNS"]

RUN_SETTINGS_COLUMNS = ("dataset", "label", "model", "depth", "seed", "status", "test_acc",
                        "best_epoch", "epochs_run", "wall_time", "host", "finished_at")


def tables(inputs) -> H.Section:
    contents, names = inputs.contents, inputs.datasets
    sec = H.Section("tables", "Tables")
    if contents.runs.empty:
        return sec.add(H.missing("no runs, no tables"))
    for metric, table in contents.summaries.items():
        table = table[table["dataset"].isin(names)]
        if table.empty:
            continue
        sec.add(f"<h3>{H.escape(metric)}</h3>")
        for caption, frame in layout(table, metric, show_published=metric == "test_acc"):
            sec.add(H.frame(frame, caption=caption))
    if len(contents.summaries) == 1:
        sec.add(H.missing("no per-layer metric tables: the store holds no per-layer metrics"))
    return sec


def settings(inputs) -> H.Section:
    runs = inputs.contents.runs
    sec = H.Section("settings", "Run settings")
    if runs.empty:
        return sec.add(H.missing("no runs"))
    return sec.add(_settings_table(runs))


def _settings_table(runs: pd.DataFrame) -> str:
    rows = []
    for _, run in runs.iterrows():
        values = []
        for column in RUN_SETTINGS_COLUMNS:
            value = run.get(column)
            if column == "test_acc" and value is not None and not pd.isna(value):
                value = f"{100 * float(value):.1f}%"
            elif column == "wall_time" and value is not None and not pd.isna(value):
                value = f"{float(value):.1f} s"
            elif isinstance(value, float) and math.isnan(value):
                value = None
            values.append(H.escape("–" if value is None else value))
        settings_json = json.dumps(json.loads(run["settings_json"]), indent=1, sort_keys=True)
        extra = f"<pre>{H.escape(settings_json)}</pre>"
        if isinstance(run.get("error"), str) and run["error"]:
            extra = f"<pre>{H.escape(run['error'])}</pre>" + extra
        values.append(H.details(run["run_key"][:12], extra))
        rows.append(values)
    header = ["dataset", "row", "model", "depth", "seed", "status", "test acc", "best epoch",
              "epochs", "train time", "host", "finished", "settings (run key)"]
    return H.table(header, rows, raw_columns=tuple(range(len(header))))
