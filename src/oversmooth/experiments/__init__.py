"""Depth sweeps: grids of runs, a resumable SQLite results store, literature tables, and
per-cell hyperparameter tuning on validation (:mod:`.tune`).

>>> import os, tempfile
>>> from oversmooth.experiments import config_from_dict, run_sweep, Store, summarize, render
>>> config = config_from_dict({"datasets": ["karate"], "models": ["gcn"], "depths": [2, 4],
...                            "seeds": [0], "training": {"epochs": 5}})  # or load_config(path), preset(name)
>>> store = os.path.join(tempfile.mkdtemp(), "results.db")
>>> run_sweep(config, store, quiet=True, progress=False).done
2
>>> print(render(summarize(Store(store))).splitlines()[2])
| model | 2 | 4 | deepest within 1 pt |
>>> inputs = report_inputs(store)                    # what oversmooth.report renders
"""

from .config import SweepConfig, Variant, config_from_dict, load_config, parse_options
from .export import export
from .grid import RunSpec, expand, run_key
from .own import save_probe
from .measurements import ReportInputs, StoreContents, read_store, report_inputs, rewiring_comparison
from .presets import PRESETS, preset
from .runner import execute, measure_layers
from .store import SCHEMA_VERSION, RunRecord, Store, StoreVersionError
from .sweep import SweepSummary, run_sweep
from .tables import deepest_within, render, summarize
from .tune import TuneSummary, run_tune
from .tune_config import TuneConfig, TuneSettings, load_tune_config, tune_config_from_dict
from .tune_table import render_tuned, tuned_summary

__all__ = [
    "SweepConfig", "Variant", "config_from_dict", "load_config", "parse_options", "export",
    "RunSpec", "expand", "run_key", "PRESETS", "preset", "execute", "measure_layers",
    "SCHEMA_VERSION", "RunRecord", "Store", "StoreVersionError", "SweepSummary", "run_sweep",
    "deepest_within", "render", "summarize", "ReportInputs", "StoreContents", "read_store",
    "report_inputs", "rewiring_comparison", "save_probe", "run_tune", "TuneSummary", "TuneConfig", "TuneSettings", "load_tune_config",
    "tune_config_from_dict", "tuned_summary", "render_tuned",
]
