"""Exporting a store to pandas-friendly files: one CSV or Parquet file per table."""

from __future__ import annotations

import os
from pathlib import Path

from .._atomic import atomic_output, check_output_folder
from .._extras import require
from .store import Store

__all__ = ["export", "TABLES", "PARQUET_MISSING"]

TABLES = ("runs", "layer_metrics", "layer_history", "history")
PARQUET_MISSING = "--format parquet needs pyarrow, an optional extra: pip install 'oversmooth[parquet]'"


def export(store: Store | str | os.PathLike, out_dir: str | os.PathLike, fmt: str = "csv",
           tables: tuple[str, ...] = TABLES) -> list[Path]:
    """Write each table of ``store`` to ``out_dir/<table>.<fmt>``; returns the paths.

    Read them back with ``pandas.read_csv`` / ``pandas.read_parquet``. ``runs`` keeps
    ``options_json`` and ``settings_json`` as JSON text; metric tables are long format
    (one row per run, [epoch,] layer, metric).

    Each file is written to a temporary file in ``out_dir`` and renamed into place: a killed
    export leaves the previous complete file or the new one.

    Raises:
        ValueError: unknown format or table, or an unusable ``out_dir``.
        MissingExtra: ``fmt="parquet"`` without pyarrow installed.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r}; choose csv or parquet")
    if fmt == "parquet":
        require("pyarrow", "parquet", "--format parquet")
    for table in tables:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    own = not isinstance(store, Store)
    store = Store(store, readonly=True) if own else store
    try:
        out = check_output_folder(out_dir, create=True)
        paths = []
        for table in tables:
            frame = store.read(table)
            path = out / f"{table}.{fmt}"
            # each file appears whole or not at all; an existing link is replaced, not followed
            with atomic_output(path, binary=fmt == "parquet") as handle:
                if fmt == "csv":
                    frame.to_csv(handle, index=False)
                else:
                    frame.to_parquet(handle, index=False)
            paths.append(path)
        return paths
    finally:
        if own:
            store.close()
