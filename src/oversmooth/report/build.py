"""``build_report``: a results store (plus optional measurements) -> one HTML page + figures.

The page is self-contained (see :mod:`.html`); the figures are also written as PNG and
SVG into ``figures/`` beside it, for papers. Everything is written into a temporary
folder next to the output first and moved into place at the end, so a failure leaves
nothing half-written (files of an earlier report stay as they were).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from . import html as H
from . import plots
from ..literature.claims import Measurements, evaluate
from ..spectral import Propagation, pure_propagation
from .style import save, to_bytes

__all__ = ["build_report", "read_store", "StoreContents", "ReportResult", "spectral_graphs"]

RUN_SETTINGS_COLUMNS = ("dataset", "label", "model", "depth", "seed", "status", "test_acc",
                        "best_epoch", "epochs_run", "wall_time", "host", "finished_at")


@dataclass
class StoreContents:
    """The tables of a store as DataFrames (empty ones when the store has no rows)."""

    path: Path
    meta: dict
    runs: pd.DataFrame
    layers: pd.DataFrame
    layer_history: pd.DataFrame
    summaries: dict[str, pd.DataFrame]  # metric -> experiments.summarize(store, metric)

    @property
    def done(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "done"]


@dataclass
class ReportResult:
    html: Path
    figures: list[Path] = field(default_factory=list)
    claims: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def read_store(path: str | os.PathLike) -> StoreContents:
    """Read every table of the store at ``path`` with the store's own readers.

    Raises:
        FileNotFoundError: no file at ``path``.
        oversmooth.experiments.StoreVersionError: a store of another schema version.
        ValueError: the file is not an oversmooth store.
    """
    from ..experiments import Store, summarize

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"store {path} not found; create one with `oversmooth sweep "
                                f"--store {path} ...` or run `oversmooth demo`")
    with Store(path) as store:
        runs = store.read("runs")
        layers = store.read("layer_metrics")
        summaries = {"test_acc": summarize(store, "test_acc")}
        for metric in plots.LAYER_METRICS:
            if not layers.empty and (layers["metric"] == metric).any():
                summaries[metric] = summarize(store, metric)
        return StoreContents(path=path, meta=store.meta(), runs=runs, layers=layers,
                             layer_history=store.read("layer_history"), summaries=summaries)


def spectral_graphs(contents: StoreContents, datasets: Sequence[str] | None = None,
                    reference: bool = True) -> dict:
    """``{name: Data}`` of the graphs whose pure propagation the report measures: each
    dataset of the store (with the generator parameters and split its runs used) and,
    with ``reference``, a 200-node complete graph (the fastest-smoothing graph there is).
    A dataset whose files cannot be loaded maps to the error message instead."""
    from ..datasets import complete_graph, load

    graphs: dict = {}
    names = list(datasets) if datasets else sorted(set(contents.runs.get("dataset", [])))
    for name in names:
        rows = contents.runs[contents.runs["dataset"] == name]
        settings = json.loads(rows["settings_json"].iloc[0]) if len(rows) else {}
        try:
            graphs[name] = load(name, split=settings.get("split", 0),
                                **settings.get("dataset_params", {}))
        except (ValueError, FileNotFoundError, KeyError, OSError) as exc:
            graphs[name] = f"{type(exc).__name__}: {exc}"
    if reference:
        graphs["complete (200 nodes)"] = complete_graph(num_nodes=200, num_features=16)
    return graphs


class _Figures:
    """Renders figures once, keeps PNG bytes for the page and writes png/svg files."""

    def __init__(self, folder: Path, formats: Sequence[str]) -> None:
        self.folder, self.formats = folder, tuple(formats)
        self.written: list[str] = []

    def add(self, fig, name: str, alt: str, caption: str | None = None) -> str:
        import matplotlib.pyplot as plt

        self.folder.mkdir(parents=True, exist_ok=True)
        png = to_bytes(fig, "png")
        for fmt in self.formats:
            if fmt == "png":  # the bytes embedded in the page, not a second rendering
                (self.folder / f"{name}.png").write_bytes(png)
            else:
                save(fig, self.folder / f"{name}.{fmt}", fmt)
            self.written.append(f"{name}.{fmt}")
        plt.close(fig)
        return H.figure(png, alt, caption)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_") or "graph"


def _overview(contents: StoreContents, claims, missing: list[str], extra: Mapping) -> H.Section:
    from .. import __version__

    runs = contents.runs
    sec = H.Section("overview", "Overview")
    done, failed = int((runs["status"] == "done").sum()), int((runs["status"] == "failed").sum())
    rows = [("store", str(contents.path)),
            ("schema / written by", f"version {contents.meta.get('schema_version', '?')}, "
                                    f"{contents.meta.get('created_by', '?')}"),
            ("report by", f"oversmooth {__version__}, "
                          f"{_dt.datetime.now().astimezone().isoformat(timespec='seconds')}"),
            ("runs", f"{len(runs)} ({done} finished, {failed} failed)"),
            ("datasets", ", ".join(sorted(set(runs["dataset"]))) or "–"),
            ("models (rows)", ", ".join(plots.label_order(runs["label"])) or "–"),
            ("depths", ", ".join(str(d) for d in sorted(set(runs["depth"]))) or "–"),
            ("per-layer metric rows", str(len(contents.layers)))]
    rows += [(k, str(v)) for k, v in extra.items()]
    verdicts = pd.Series([c.verdict for c in claims]).value_counts().to_dict() if claims else {}
    rows.append(("claims", ", ".join(f"{v} {k}" for k, v in verdicts.items()) or "–"))
    sec.add(H.table(None, rows))
    if runs.empty:
        sec.add(H.missing("the store holds no runs: every section below is empty",
                          f"oversmooth sweep --store {contents.path} --datasets cora "
                          "--models gcn,gcnii --depths 2,4,8,16"))
    if missing:
        sec.add("<p>Parts without data:</p><ul>" + "".join(f"<li>{H.escape(m)}</li>"
                                                          for m in missing) + "</ul>")
    return sec


def build_report(store_path: str | os.PathLike, output: str | os.PathLike, *,
                 datasets: Sequence[str] | None = None,
                 propagation: Mapping[str, Propagation] | None = None,
                 backward_rows: pd.DataFrame | None = None,
                 spectral: bool = True, spectral_steps: int = 64,
                 formats: Sequence[str] = ("png", "svg"),
                 title: str = "oversmooth report", notes: Mapping[str, str] | None = None
                 ) -> ReportResult:
    """Write the report of the store at ``store_path`` to ``output`` (an ``.html`` file)
    and its figures to ``figures/`` beside it.

    Args:
        store_path: a results store written by ``oversmooth sweep`` / ``run_sweep``.
        output: the HTML file to write (its folder must exist or is created).
        datasets: restrict the per-dataset sections to these (default: all in the store).
        propagation: pure-propagation measurements ``{graph: Propagation}`` to show; when
            None and ``spectral`` is true they are measured here on the store's datasets
            and a 200-node complete graph (a few seconds per graph).
        backward_rows: backward diagnostics measured outside the store: columns
            ``dataset``, ``series``, ``layer``, ``metric``, ``value`` (``grad_*`` metrics).
            Backward metrics stored in the store's ``layer_metrics`` are shown too.
        spectral: measure pure propagation when ``propagation`` is None.
        spectral_steps: propagation steps measured.
        formats: file formats of the figures written beside the HTML.
        title: page title.
        notes: extra lines for the overview table (e.g. the demo's settings).

    Returns:
        a :class:`ReportResult` (paths, the claims with verdicts, what is missing).

    Raises:
        FileNotFoundError: no store at ``store_path``.
        StoreVersionError: the store has another schema version (``ValueError``).
    """
    contents = read_store(store_path)
    output = Path(output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"output {output} must be an .html file")
    output.parent.mkdir(parents=True, exist_ok=True)
    runs, done = contents.runs, contents.done
    names = list(datasets) if datasets else sorted(set(runs["dataset"]))
    unknown = [d for d in names if d not in set(runs["dataset"])]
    if datasets and unknown:
        raise ValueError(f"dataset {unknown[0]!r} is not in the store; it holds "
                         f"{', '.join(sorted(set(runs['dataset']))) or 'no runs'}")

    temp = Path(tempfile.mkdtemp(prefix=".oversmooth-report-", dir=output.parent))
    try:
        figs = _Figures(temp / "figures", formats)
        missing: list[str] = []
        store_cmd = f"oversmooth sweep --store {contents.path}"

        # -- accuracy vs depth ------------------------------------------------------
        acc = H.Section("accuracy", "Accuracy vs depth")
        summary = contents.summaries["test_acc"]
        summary = summary[summary["dataset"].isin(names)] if len(summary) else summary
        if len(summary) and summary["mean"].notna().any():
            shown = [d for d in names if summary[(summary["dataset"] == d)]["mean"].notna().any()]
            acc.add(figs.add(plots.accuracy_vs_depth(summary, datasets=shown),
                             "accuracy_vs_depth", "Test accuracy against depth, one line per model",
                             "Mean test accuracy over seeds (± std where several seeds); dashed "
                             "lines with open markers are published numbers where they exist."))
        else:
            missing.append("accuracy vs depth: no finished run")
            acc.add(H.missing("no finished run in the store", f"{store_cmd} --datasets cora "
                              "--models gcn --depths 2,4,8"))

        # -- per-layer metrics --------------------------------------------------------
        lay = H.Section("layers", "Per-layer metrics")
        for name in names:
            lay.add(f"<h3>{H.escape(name)}</h3>")
            try:
                fig = plots.layer_metrics(contents.layers, runs, name)
            except ValueError as exc:
                missing.append(f"per-layer metrics on {name}: {exc}")
                lay.add(H.missing(str(exc), f"{store_cmd} --datasets {name} --metrics "
                                  "dirichlet_energy,subspace_distance,mean_cosine_similarity,"
                                  "mad,effective_rank ..."))
                continue
            lay.add(figs.add(fig, f"layers_{_safe(name)}", f"Per-layer metrics on {name}",
                             "Each model at its deepest depth (mean over seeds): layer k is the "
                             "output of the k-th propagation layer of the trained model."))
        if not names:
            lay.add(H.missing("no runs in the store"))
            missing.append("per-layer metrics: no runs")

        # -- spectral -------------------------------------------------------------------
        spe = H.Section("spectral", "Spectral prediction vs measurement")
        props = dict(propagation or {})
        if propagation is None and spectral:
            for name, graph in spectral_graphs(contents, names).items():
                if isinstance(graph, str):
                    missing.append(f"pure propagation on {name}: {graph}")
                    spe.add(H.missing(f"{name} could not be loaded: {graph}"))
                    continue
                props[name] = pure_propagation(graph, name, steps=spectral_steps)
        if props:
            spe.add(H.paragraph(
                "Pure propagation applies the GCN operator P = D̃^-1/2 (A+I) D̃^-1/2 to the "
                "features k times (no weights, no nonlinearity). The spectrum predicts that the "
                "distance to the invariant subspace shrinks like λᵏ (Oono & Suzuki, ICLR 2020), "
                "λ the largest eigenvalue modulus outside that subspace."))
            spe.add(figs.add(plots.spectral_vs_measured(
                {n: p.table for n, p in props.items()}, {n: p.rate for n, p in props.items()}),
                "spectral_vs_measured", "Spectral prediction next to measured pure propagation"))
            rows = []
            for n, p in props.items():
                at = p.table.set_index("step")["measured"]
                rows.append((n, p.rate if p.rate is not None else math.nan,
                             *(float(at.get(k, math.nan)) for k in (1, 2, 8, 32)), p.note))
            spe.add(H.table(["graph", "λ (rate)", "d after 1 step", "after 2", "after 8",
                             "after 32", "note"], rows))
            if any(p.rate is None for p in props.values()):
                missing.append("spectral prediction: oversmooth.spectral is not available, only "
                               "the measured curve is drawn")
        else:
            missing.append("spectral prediction vs measurement: not measured")
            spe.add(H.missing("no pure-propagation measurement",
                              f"oversmooth report {contents.path} (without --no-spectral)"))

        # -- backward -------------------------------------------------------------------
        bwd = H.Section("backward", "Backward diagnostics")
        back = _backward_rows(contents, names, backward_rows)
        if back.empty:
            missing.append("backward diagnostics: none stored or measured")
            bwd.add(H.missing("no backward diagnostics (grad_* metrics) in the store and none "
                              "measured", "oversmooth demo, or oversmooth plot backward cora "
                              "--model gcn --depth 32"))
        else:
            bwd.add(H.paragraph(
                "Smoothness of the gradients ∂L/∂H⁽ᵏ⁾ of the training loss with respect to each "
                "layer's output (Keriven 2025, backward oversmoothing): their norm, Rayleigh "
                "quotient and the fraction of their energy outside the invariant subspace."))
            for name, part in back.groupby("dataset", sort=False):
                bwd.add(f"<h3>{H.escape(name)}</h3>")
                bwd.add(figs.add(plots.backward(part, title=name), f"backward_{_safe(name)}",
                                 f"Backward diagnostics on {name}"))

        # -- claims -----------------------------------------------------------------------
        claims = evaluate(Measurements(runs, contents.layers, props))
        cla = H.Section("claims", "Claims")
        cla.add(H.paragraph("Claims in circulation about deep GNNs, each with where it "
                            "circulates, next to what this store measured. Verdicts: "
                            "confirmed, contradicted, not measured."))
        cla.add(H.table(["claim", "verdict", "numbers behind it", "explanation"],
                        [(H.escape(c.text) + f"<br><small>{H.escape(c.id)} · "
                          f"{H.escape(c.source)}</small>", H.badge(c.verdict),
                          H.definition_list(c.numbers),
                          H.escape(c.explanation) + (f"<br><small>tolerance: "
                                                     f"{H.escape(c.tolerance)}</small>"
                                                     if c.tolerance else ""))
                         for c in claims], raw_columns=(0, 1, 2, 3)))

        # -- tables -----------------------------------------------------------------------
        tab = H.Section("tables", "Tables")
        if runs.empty:
            tab.add(H.missing("no runs, no tables"))
        else:
            from ..experiments.tables import layout

            for metric, table in contents.summaries.items():
                table = table[table["dataset"].isin(names)]
                if table.empty:
                    continue
                tab.add(f"<h3>{H.escape(metric)}</h3>")
                for caption, frame in layout(table, metric, show_published=metric == "test_acc"):
                    tab.add(H.frame(frame, caption=caption))
            if len(contents.summaries) == 1:
                tab.add(H.missing("no per-layer metric tables: the store holds no per-layer "
                                  "metrics"))

        # -- settings ---------------------------------------------------------------------
        sett = H.Section("settings", "Run settings")
        if runs.empty:
            sett.add(H.missing("no runs"))
        else:
            sett.add(_settings_table(runs))

        overview = _overview(contents, claims, missing, notes or {})
        page = H.render(title, [overview, acc, lay, spe, bwd, cla, tab, sett],
                        subtitle=f"Generated from {contents.path}")
        (temp / output.name).write_text(page, encoding="utf-8")

        # everything rendered: move into place (figures first, the page last)
        final_figures = output.parent / "figures"
        final_figures.mkdir(exist_ok=True)
        written = []
        for name in figs.written:
            os.replace(temp / "figures" / name, final_figures / name)
            written.append(final_figures / name)
        os.replace(temp / output.name, output)
        return ReportResult(output, written, claims, missing)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _backward_rows(contents: StoreContents, names, extra: pd.DataFrame | None) -> pd.DataFrame:
    frames = []
    layers = contents.layers
    if not layers.empty:
        grads = layers[layers["metric"].str.startswith("grad_")]
        if not grads.empty:
            for name in names:
                chosen = plots.deepest_runs(contents.runs, name)
                part = grads.merge(chosen[["run_key", "label", "depth"]], on="run_key")
                if part.empty:
                    continue
                part = part.assign(dataset=name, series=part["label"] + " (L="
                                   + part["depth"].astype(str) + ", trained)")
                frames.append(part[["dataset", "series", "layer", "metric", "value"]])
    if extra is not None and not extra.empty:
        frames.append(extra[["dataset", "series", "layer", "metric", "value"]])
    if not frames:
        return pd.DataFrame(columns=["dataset", "series", "layer", "metric", "value"])
    return pd.concat(frames, ignore_index=True)


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
        settings = json.dumps(json.loads(run["settings_json"]), indent=1, sort_keys=True)
        extra = f"<pre>{H.escape(settings)}</pre>"
        if isinstance(run.get("error"), str) and run["error"]:
            extra = f"<pre>{H.escape(run['error'])}</pre>" + extra
        values.append(H.details(run["run_key"][:12], extra))
        rows.append(values)
    header = ["dataset", "row", "model", "depth", "seed", "status", "test acc", "best epoch",
              "epochs", "train time", "host", "finished", "settings (run key)"]
    return H.table(header, rows, raw_columns=tuple(range(len(header))))
