"""The report's sections with figures: each a function of the measurements
(:class:`oversmooth.experiments.ReportInputs`) that returns an :class:`.html.Section` and
appends what it lacks to ``missing``. The claims are in :mod:`.verdicts`, tables and run
settings in :mod:`.tables`."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Mapping

import pandas as pd

from . import html as H
from . import plots
from .output import Figures, safe_name

__all__ = ["overview", "accuracy", "tuned", "heterogeneous", "layers", "spectral", "backward", "backward_rows"]

BACKWARD_COLUMNS = ["dataset", "series", "layer", "metric", "value"]


def _sweep_hint(inputs) -> str:
    return f"oversmooth sweep --store {inputs.contents.path}"


def overview(inputs, claims, missing: list[str], extra: Mapping) -> H.Section:
    from .. import __version__

    contents = inputs.contents
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


def accuracy(inputs, figs: Figures, missing: list[str]) -> H.Section:
    names = inputs.datasets
    sec = H.Section("accuracy", "Accuracy vs depth")
    summary = inputs.contents.summaries["test_acc"]
    summary = summary[summary["dataset"].isin(names)] if len(summary) else summary
    if len(summary) and summary["mean"].notna().any():
        shown = [d for d in names if summary[(summary["dataset"] == d)]["mean"].notna().any()]
        sec.add(figs.add(plots.accuracy_vs_depth(summary, datasets=shown),
                         "accuracy_vs_depth", "Test accuracy against depth, one line per model",
                         "Mean test accuracy over seeds (± std where several seeds); dashed "
                         "lines with open markers are published numbers where they exist."))
    else:
        missing.append("accuracy vs depth: no finished run")
        sec.add(H.missing("no finished run in the store", f"{_sweep_hint(inputs)} --datasets "
                          "cora --models gcn --depths 2,4,8"))
    return sec


def tuned(inputs, figs: Figures, missing: list[str]) -> H.Section | None:
    """Fixed vs tuned vs published per tuned cell (``oversmooth tune``); None without trials."""
    from ..experiments.tune_table import layout_tuned

    frame = getattr(inputs.contents, "tuned", None)
    if frame is None or frame.empty:
        return None
    frame = frame[frame["dataset"].isin(inputs.datasets)]
    sec = H.Section("tuned", "Tuned per cell: does the collapse come from the settings?")
    sec.add(H.paragraph(
        "Per cell, a search on validation accuracy (trial 0 = the fixed settings; test "
        "accuracy never seen), then the best configuration on the same seeds. Val spread: "
        "max - min validation accuracy over the complete and pruned trials, in points; "
        "importance: Optuna's fANOVA over the complete trials."))
    try:
        sec.add(figs.add(plots.tuned_vs_depth(frame), "tuned_vs_depth",
                         "Test accuracy against depth: fixed, tuned, published",
                         "Solid: fixed settings; dashed: tuned per cell; dotted, open "
                         "markers: published. Mean ± std over seeds."))
    except ValueError as exc:
        missing.append(f"tuned vs depth: {exc}")
    sec.add(H.frame(layout_tuned(frame)))
    return sec


def heterogeneous(inputs, figs: Figures, missing: list[str]) -> H.Section | None:
    """Heterogeneous models on a graph against homogeneous ones on it flattened
    (:func:`oversmooth.experiments.hetero_vs_flat.hetero_vs_flat`); None without such runs."""
    from ..experiments.tables import layout

    comparisons = getattr(inputs.contents, "hetero_vs_flat", None) or []
    if not comparisons:
        return None
    sec = H.Section("heterogeneous", "Heterogeneous vs flattened")
    for comp in comparisons:
        sec.add(f"<h3>{H.escape(comp.name)}</h3>")
        sec.add(H.paragraph(
            f"The same graph twice: as a heterogeneous graph ({comp.typed}: node and edge types kept) for "
            f"the heterogeneous models, and flattened to one homogeneous graph ({comp.flat}: one index "
            f"space, each type's features in its own columns) for the homogeneous ones. Accuracy is the "
            f"{comp.target}s' (the labelled type). Per-layer values of a flattened model's layer are "
            "measured on the same rows and graphs as a heterogeneous model's, so they compare one to one."))
        sec.add(figs.add(plots.accuracy_vs_depth(comp.accuracy, published=False),
                         f"hetero_accuracy_{safe_name(comp.name)}",
                         f"Test accuracy against depth: {comp.name}",
                         "Mean test accuracy over seeds (± std): heterogeneous models on "
                         f"{comp.typed}, homogeneous ones on {comp.flat}."))
        for note, frame in layout(comp.accuracy, "test_acc", show_published=False):
            sec.add(H.frame(frame, caption=note))
        if comp.metric is None:
            missing.append(f"heterogeneous vs flattened on {comp.name}: no per-layer mean_cosine_similarity")
            sec.add(H.missing(f"no per-layer {comp.target} cosine similarity in the store",
                              f"{_sweep_hint(inputs)} --preset hetero-bank"))
        else:
            shown = [m for m in (comp.metric, "mean_cosine_similarity") if (comp.layers["metric"] == m).any()]
            sec.add(figs.add(plots.layer_metrics(comp.layers, comp.runs, comp.name, metrics=shown),
                             f"hetero_layers_{safe_name(comp.name)}", f"Per-layer cosine similarity: {comp.name}",
                             f"Each model at its deepest depth (mean over seeds): the {comp.target}s' mean cosine "
                             "similarity and the whole graph's. A homogeneous GCN's last layer is its output "
                             "layer (one channel per class), a heterogeneous model's a hidden one before a "
                             "linear head: compare the layers before the last."))
            for note, frame in layout(comp.last_layer, comp.metric, show_published=False):
                sec.add(H.frame(frame, caption=note + " (at each run's last layer)"))
        claim = comp.claim
        sec.add(f"<p><strong>Reading</strong> (claim “{H.escape(claim.text)}”): {H.badge(claim.verdict)} "
                f"{H.escape(claim.explanation)}</p>")
        if claim.numbers:
            sec.add(H.definition_list(claim.numbers))
    return sec


def layers(inputs, figs: Figures, missing: list[str]) -> H.Section:
    contents, names = inputs.contents, inputs.datasets
    sec = H.Section("layers", "Per-layer metrics")
    for name in names:
        sec.add(f"<h3>{H.escape(name)}</h3>")
        try:
            fig = plots.layer_metrics(contents.layers, contents.runs, name)
        except ValueError as exc:
            missing.append(f"per-layer metrics on {name}: {exc}")
            sec.add(H.missing(str(exc), f"{_sweep_hint(inputs)} --datasets {name} --metrics "
                              "dirichlet_energy,subspace_distance,mean_cosine_similarity,"
                              "mad,effective_rank ..."))
            continue
        sec.add(figs.add(fig, f"layers_{safe_name(name)}", f"Per-layer metrics on {name}",
                         "Each model at its deepest depth (mean over seeds): layer k is the "
                         "output of the k-th propagation layer of the trained model."))
    if not names:
        sec.add(H.missing("no runs in the store"))
        missing.append("per-layer metrics: no runs")
    return sec


def spectral(inputs, figs: Figures, missing: list[str]) -> H.Section:
    sec = H.Section("spectral", "Spectral prediction vs measurement")
    for name, why in inputs.unavailable.items():
        missing.append(f"pure propagation on {name}: {why}")
        sec.add(H.missing(f"{name} could not be loaded: {why}"))
    props = inputs.propagation
    if not props:
        missing.append("spectral prediction vs measurement: not measured")
        sec.add(H.missing("no pure-propagation measurement",
                          f"oversmooth report {inputs.contents.path} (without --no-spectral)"))
        return sec
    sec.add(H.paragraph(
        "Pure propagation applies the GCN operator P = D̃^-1/2 (A+I) D̃^-1/2 to the "
        "features k times (no weights, no nonlinearity). The spectrum predicts that the "
        "distance to the invariant subspace shrinks like λᵏ (Oono & Suzuki, ICLR 2020), "
        "λ the largest eigenvalue modulus outside that subspace."))
    sec.add(figs.add(plots.spectral_vs_measured(
        {n: p.table for n, p in props.items()}, {n: p.rate for n, p in props.items()}),
        "spectral_vs_measured", "Spectral prediction next to measured pure propagation"))
    rows = []
    for n, p in props.items():
        at = p.table.set_index("step")["measured"]
        rows.append((n, p.rate if p.rate is not None else math.nan,
                     *(float(at.get(k, math.nan)) for k in (1, 2, 8, 32)), p.note))
    sec.add(H.table(["graph", "λ (rate)", "d after 1 step", "after 2", "after 8",
                     "after 32", "note"], rows))
    without = [n for n, p in props.items() if p.rate is None]
    if without:
        missing.append(f"spectral prediction: no rate for {', '.join(without)}, only the "
                       "measured curve is drawn")
    return sec


def backward_rows(inputs) -> pd.DataFrame:
    """The backward diagnostics to draw: ``grad_*`` rows of the store's runs at each
    label's deepest depth, then the rows measured outside the store."""
    contents, frames = inputs.contents, []
    layers = contents.layers
    if not layers.empty:
        grads = layers[layers["metric"].str.startswith("grad_")]
        if not grads.empty:
            for name in inputs.datasets:
                chosen = plots.deepest_runs(contents.runs, name)
                part = grads.merge(chosen[["run_key", "label", "depth"]], on="run_key")
                if part.empty:
                    continue
                part = part.assign(dataset=name, series=part["label"] + " (L="
                                   + part["depth"].astype(str) + ", trained)")
                frames.append(part[BACKWARD_COLUMNS])
    extra = inputs.backward_rows
    if extra is not None and not extra.empty:
        frames.append(extra[BACKWARD_COLUMNS])
    if not frames:
        return pd.DataFrame(columns=BACKWARD_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def backward(inputs, figs: Figures, missing: list[str]) -> H.Section:
    sec = H.Section("backward", "Backward diagnostics")
    back = backward_rows(inputs)
    if back.empty:
        missing.append("backward diagnostics: none stored or measured")
        sec.add(H.missing("no backward diagnostics (grad_* metrics) in the store and none "
                          "measured", "oversmooth demo, or oversmooth plot backward cora "
                          "--model gcn --depth 32"))
        return sec
    sec.add(H.paragraph(
        "Smoothness of the gradients ∂L/∂H⁽ᵏ⁾ of the training loss with respect to each "
        "layer's output (Keriven 2025, backward oversmoothing): their norm, Rayleigh "
        "quotient and the fraction of their energy outside the invariant subspace."))
    for name, part in back.groupby("dataset", sort=False):
        sec.add(f"<h3>{H.escape(name)}</h3>")
        sec.add(figs.add(plots.backward(part, title=name), f"backward_{safe_name(name)}",
                         f"Backward diagnostics on {name}"))
    return sec
