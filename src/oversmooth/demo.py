"""The demo: oversmoothing measured end to end on a graph that needs no download.

:func:`run_demo` runs, on Cora (public split; the copy shipped in the package when no
raw files are at hand, so no download and no mirror are needed):

1. spectrum and pure propagation (with a 200-node complete graph for contrast), and
   over-smoothing beside over-squashing before and after rewiring (SDRF, FoSR);
2. a small depth sweep: GCN, GCN+residual, GCNII, APPNP at depths 2, 8 and 32, plus what
   the Cora claims need (GCN at 64 layers, GCN+residual+DropEdge: :data:`CLAIM_RUNS`), one
   seed, 100 epochs without early stopping (the models' own learning rates, weight decays
   and widths); per-layer metrics of each trained model;
3. backward diagnostics of each model at depth 32 at initialisation;
4. the report (``report.html`` + ``figures/``), built from the sweep's results store.

The epoch budget (100 instead of the models' 200-1500) is what keeps the whole demo
under 5 minutes on two cores; accuracies are therefore a little below the published
ones, while the depth trends the report is about are already clear.
``quick=True`` (the tests' mode) uses depths 2 and 4, 5 epochs and a 300-node graph.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from .metrics.defaults import LAYER_METRICS

__all__ = ["run_demo", "DEMO_MODELS", "DEMO_DEPTHS", "DEMO_EPOCHS", "CLAIM_RUNS"]

#: (row label, model, options) of the demo sweep.
DEMO_MODELS = (("GCN", "gcn", {}), ("GCN+residual", "gcn", {"residual": True}),
               ("GCNII", "gcnii", {}), ("APPNP", "appnp", {}))
DEMO_DEPTHS = (2, 8, 32)
#: Runs beyond the grid that the report's Cora claims need: plain GCN at 64 layers
#: (``acc-64``) and a skip + DropEdge row (``skip-dropedge``), as (label, model, options, depths).
CLAIM_RUNS = (("GCN", "gcn", {}, (2, 8, 32, 64)),
              ("GCN+residual+DropEdge", "gcn", {"residual": True, "dropedge": 0.3}, DEMO_DEPTHS))
DEMO_EPOCHS = 100
METRICS = LAYER_METRICS


def _datasets(quick: bool) -> list[tuple[str, dict]]:
    if quick:
        return [("csbm", {"num_nodes": 300, "num_classes": 3, "avg_degree": 4.0,
                          "homophily": 0.8, "num_features": 32})]
    return [("cora", {})]  # raw files when at hand, else the copy shipped in the package


def _variants(quick: bool) -> list[dict]:
    variants = {label: {"model": m, "label": label, "options": dict(opts)} for label, m, opts in DEMO_MODELS}
    if not quick:  # the quick mode checks the machinery, not the claims
        for label, m, opts, depths in CLAIM_RUNS:
            variants[label] = {"model": m, "label": label, "options": dict(opts), "depths": list(depths)}
    return list(variants.values())


def _config(dataset: str, params: dict, quick: bool):
    from .experiments import config_from_dict

    return config_from_dict({
        "name": "demo-quick" if quick else "demo",
        "datasets": [dataset],
        "dataset_params": {dataset: params} if params else {},
        "variants": _variants(quick),
        "depths": [2, 4] if quick else list(DEMO_DEPTHS),
        "seeds": [0],
        "training": {"epochs": 5 if quick else DEMO_EPOCHS, "patience": 1000},
        "metrics": list(METRICS),
    }, source="demo")


def _backward(dataset: str, params: dict, depth: int) -> pd.DataFrame:
    """Backward diagnostics of every demo model at ``depth``, at initialisation."""
    from . import training
    from .backward import signal_table
    from .datasets import load

    data = training.row_normalize(load(dataset, **params))  # unchanged for signed features
    frames = []
    for label, name, options in DEMO_MODELS:
        model = training.build_seeded(name, data, depth, 0, reset=False, **options)
        table = signal_table(model, data, f"{label} (L={depth}, at init)")
        frames.append(table.assign(dataset=dataset))
    return pd.concat(frames, ignore_index=True)


def _done(text: str):
    from rich.text import Text

    return Text.assemble(("✓ ", "green"), text)


def run_demo(output_dir: str | Path = "oversmooth-demo", quick: bool = False,
             progress: bool = True, jobs: int | None = None) -> Path:
    """Run the demo (see the module docstring) and return the path of ``report.html``.

    Args:
        output_dir: folder for ``results.db``, ``report.html`` and ``figures/`` (created;
            an earlier demo's store there is reused, so a second run only rebuilds what
            is missing).
        quick: the tiny mode for tests (a 300-node CSBM, depths 2 and 4, 5 epochs).
        progress: show rich progress on stderr.
        jobs: parallel training runs (default 2, or 1 in quick mode).
    """
    from rich.console import Console
    from rich.text import Text

    from .datasets import complete_graph, load
    from .experiments import report_inputs, rewiring_comparison, run_sweep
    from .report import build_report
    from .spectral import pure_propagation

    console = Console(stderr=True, quiet=not progress, markup=False)  # paths are never markup
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    store = out / "results.db"
    start = time.perf_counter()
    datasets = _datasets(quick)
    depths = [2, 4] if quick else list(DEMO_DEPTHS)

    def step(text: str):
        return console.status(text) if progress else nullcontext()

    console.print(Text.assemble(("oversmooth demo", "bold"), f" on {', '.join(d for d, _ in datasets)} -> {out}/"))
    propagation = {}
    with step("spectrum and pure propagation"):
        steps = 16 if quick else 64
        for name, params in datasets:
            propagation[name] = pure_propagation(load(name, **params), name, steps=steps)
        propagation["complete (200 nodes)"] = pure_propagation(
            complete_graph(num_nodes=200, num_features=16), "complete (200 nodes)", steps=steps)
    console.print(_done(f"spectrum and pure propagation ({len(propagation)} graphs)"))
    with step("over-smoothing vs over-squashing per rewiring"):
        comparison = {name: rewiring_comparison(load(name, **params)) for name, params in datasets}
    console.print(_done(f"over-smoothing vs over-squashing per rewiring ({len(comparison)} graphs)"))

    for name, params in datasets:
        console.print(f"depth sweep on {name}: {', '.join(v['label'] for v in _variants(quick))} at "
                      f"depths {', '.join(map(str, depths))}" + ("" if quick else " (GCN also at 64)"))
        summary = run_sweep(_config(name, params, quick), store,
                            jobs=jobs or (1 if quick else 2), progress=progress)
        console.print(_done(f"{name}: {summary.done} runs trained, {summary.skipped} already in the "
                            f"store, {summary.failed} failed"))

    with step("backward diagnostics"):
        back = pd.concat([_backward(name, params, depths[-1]) for name, params in datasets],
                         ignore_index=True)
    console.print(_done("backward diagnostics"))

    with step("report"):
        inputs = report_inputs(store, propagation=propagation, backward_rows=back, comparison=comparison)
        result = build_report(inputs, out / "report.html", title="oversmooth demo",
                              notes={"demo budget": f"{5 if quick else DEMO_EPOCHS} epochs, "
                                                    "1 seed, no early stopping"})
    verdicts = ", ".join(f"{c.id}: {c.verdict}" for c in result.claims)
    console.print(_done(f"report with {len(result.figures)} figure files; claims: {verdicts}"))
    console.print(f"done in {time.perf_counter() - start:.0f} s")
    return result.html
