"""The claims run: measure what every claim of :mod:`oversmooth.literature.claims` needs,
within a stated :class:`Budget`, and give each its verdict.

>>> from oversmooth.experiments.claims import budget
>>> budget("default").gcn_depths
(2, 3, 4, 5, 6, 8, 16, 32, 64)

:func:`run_claims` trains (one sweep into a :class:`~oversmooth.experiments.Store`), runs
pure propagation, spectra, hop coverage, rewiring, over-squashing (influence, resistance,
curvature, transfer tasks) and gradient diagnostics, and returns a
:class:`ClaimsRun`: the claims with their verdicts, the measurements behind them and the
settings. Verdicts are the pure functions of :mod:`oversmooth.literature.claims`.
"""

from __future__ import annotations

import contextlib
import json
import platform
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ...literature.claims import Claim, Measurements, evaluate
from ..measurements import CLAIMS_FACTS
from ..store import Store
from ..sweep import run_sweep
from .budget import BUDGETS, Budget, budget
from .graphs import dropedge_facts, graph_facts
from .hetero import bank_graph_facts, hetero_sweep_config
from .squashing import squashing_facts
from .training import gradient_facts, sweep_config

__all__ = ["run_claims", "gather", "ClaimsRun", "Budget", "BUDGETS", "budget", "sweep_config"]


@dataclass
class ClaimsRun:
    """A claims run: ``claims`` (each with its verdict), the ``measurements``, the
    ``settings`` (budget, threads, store, versions) and the wall time in ``seconds``."""

    claims: list[Claim]
    measurements: Measurements
    settings: dict
    seconds: float
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"settings": self.settings, "seconds": round(self.seconds, 1),
                "timings": {k: round(v, 1) for k, v in self.timings.items()},
                "claims": [{"id": c.id, "group": c.group, "verdict": c.verdict, "text": c.text,
                            "source": c.source, "numbers": c.numbers, "explanation": c.explanation,
                            "tolerance": c.tolerance} for c in self.claims]}


class _Stages:
    """Times each stage of :func:`gather` into ``timings``; with ``progress``, a rich status line
    on stderr names the stage running (the sweeps draw their own bars)."""

    def __init__(self, progress: bool) -> None:
        self.console = None
        if progress:
            from rich.console import Console

            self.console = Console(stderr=True, log_path=False)

    @contextlib.contextmanager
    def __call__(self, description: str, timings: dict, key: str):
        start = time.perf_counter()
        if self.console is None:
            yield
        else:
            with self.console.status(f"claims: {description}"):
                yield
            self.console.log(f"claims: {description} ({time.perf_counter() - start:.0f} s)")
        timings[key] = time.perf_counter() - start


def gather(spec: Budget, store: str | Path | None = None, *, jobs: int | None = 1,
           progress: bool = False, timings: dict | None = None) -> Measurements:
    """Every measurement the claims read, within ``spec``. ``store``: where the sweep's runs
    go (a temporary store by default; an existing one resumes)."""
    timings = {} if timings is None else timings
    tmp = None
    if store is None:
        tmp = tempfile.TemporaryDirectory(prefix="oversmooth-claims-")
        store = Path(tmp.name) / "claims.db"
    else:
        with Store(str(store)):  # an unusable path fails now, not after minutes of measuring
            pass
    stage = _Stages(progress)
    try:
        with stage("graphs: spectra, propagation, DropEdge", timings, "graphs"):
            propagation, facts = graph_facts(spec)
            facts["dropedge"] = dropedge_facts(spec)
        with stage("over-squashing measures", timings, "squashing"):
            facts["squashing"] = squashing_facts(spec)
        with stage("gradients", timings, "gradients"):
            facts.update(gradient_facts(spec))
        with stage("training sweep", timings, "training"):
            run_sweep(sweep_config(spec), str(store), jobs=jobs, quiet=not progress, progress=progress)
        # the claims on heterogeneous graphs: the bank, typed and flattened
        with stage("heterogeneous sweep and the bank graph", timings, "heterogeneous"):
            run_sweep(hetero_sweep_config(spec), str(store), jobs=jobs, quiet=not progress, progress=progress)
            facts["bank_graph"] = bank_graph_facts(spec)
        facts["settings"] = {"deep": spec.deep}
        with Store(str(store)) as s:
            # kept beside the runs, so a report of this store shows every claim's figure
            s.set_meta(CLAIMS_FACTS, json.dumps(facts))
            return Measurements(s.read("runs"), s.read("layer_metrics"), propagation, facts,
                                history=s.read("history"))
    finally:
        if tmp is not None:
            tmp.cleanup()


def run_claims(spec: str | Budget = "default", store: str | Path | None = None, *,
               jobs: int | None = 1, progress: bool = False) -> ClaimsRun:
    """Measure and give every claim its verdict within the budget ``spec`` (a name of
    :data:`BUDGETS` or a :class:`Budget`)."""
    spec = budget(spec)
    start = time.perf_counter()
    timings: dict = {}
    m = gather(spec, store, jobs=jobs, progress=progress, timings=timings)
    seconds = time.perf_counter() - start
    settings = {"budget": spec.to_dict(), "torch_threads": torch.get_num_threads(), "jobs": jobs,
                "store": str(store) if store else None, "torch": torch.__version__,
                "python": platform.python_version()}
    return ClaimsRun(evaluate(m), m, settings, seconds, timings)
