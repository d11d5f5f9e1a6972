"""Depth sweeps: grids of runs, a resumable SQLite results store, literature tables.

>>> from oversmooth.experiments import load_config, run_sweep, Store, summarize, render
>>> config = load_config("configs/cora-depth.toml")     # or preset("table3-quick")
>>> run_sweep(config, "results.db", jobs=2)
>>> print(render(summarize(Store("results.db"))))
>>> inputs = report_inputs("results.db")                 # what oversmooth.report renders
"""

from .config import SweepConfig, Variant, config_from_dict, load_config, parse_options
from .export import export
from .grid import RunSpec, expand, run_key
from .measurements import ReportInputs, StoreContents, read_store, report_inputs
from .presets import PRESETS, preset
from .runner import execute, measure_layers
from .store import SCHEMA_VERSION, RunRecord, Store, StoreVersionError
from .sweep import SweepSummary, run_sweep
from .tables import deepest_within, render, summarize

__all__ = [
    "SweepConfig", "Variant", "config_from_dict", "load_config", "parse_options", "export",
    "RunSpec", "expand", "run_key", "PRESETS", "preset", "execute", "measure_layers",
    "SCHEMA_VERSION", "RunRecord", "Store", "StoreVersionError", "SweepSummary", "run_sweep",
    "deepest_within", "render", "summarize", "ReportInputs", "StoreContents", "read_store",
    "report_inputs",
]
