"""Tables in the literature's layout: rows model, columns depth, mean ± std over seeds.

:func:`summarize` reduces a store to one row per (dataset, label, depth) cell;
:func:`render` prints it as markdown, LaTeX or CSV with the published number beside
ours (:mod:`oversmooth.literature.published`) and, for accuracies, the deepest depth at
which each row stays within one point of its best. A cell whose runs all failed reads "failed", never a
number; a cell where only some seeds failed says how many.
"""

from __future__ import annotations

import io
import math

import pandas as pd

from ..literature.published import ROW_ORDER, canonical_label, published
from .store import Store

__all__ = ["summarize", "render", "layout", "deepest_within", "RUN_METRICS", "METRIC_ALIASES"]

# Columns of the runs table a table can show; accuracies are printed in percent.
RUN_METRICS = ("test_acc", "val_acc", "train_acc", "best_epoch", "epochs_run", "wall_time",
               "probe_time")
ACCURACIES = ("test_acc", "val_acc", "train_acc")
METRIC_ALIASES = {"dirichlet": "dirichlet_energy", "cosine": "mean_cosine_similarity",
                  "rank": "effective_rank", "accuracy": "test_acc", "acc": "test_acc"}


def _runs_with_metric(store: Store, metric: str, keys=None) -> pd.DataFrame:
    runs = store.read("runs")
    if keys is not None:
        runs = runs[runs["run_key"].isin(set(keys))]
    if metric in RUN_METRICS:
        runs = runs.assign(value=runs[metric].astype(float))
        if metric in ACCURACIES:
            runs["value"] *= 100.0
        return runs
    layers = store.read("layer_metrics")
    known = sorted(layers["metric"].unique())
    if metric not in known:
        raise ValueError(f"unknown metric {metric!r}; the store holds {', '.join(RUN_METRICS)} "
                         f"and per-layer {', '.join(known) or '(none)'}")
    # The representation of the deepest layer a model emits: what the classifier sees.
    layers = layers[layers["metric"] == metric]
    last = layers.loc[layers.groupby("run_key")["layer"].idxmax(), ["run_key", "value"]]
    return runs.merge(last, on="run_key", how="left")


def summarize(store: Store, metric: str = "test_acc", keys=None,
              order: list[str] | None = None) -> pd.DataFrame:
    """One row per (dataset, label, depth): ``mean``, ``std`` (population, ddof=0, as the
    papers' numpy code), ``n`` successful seeds, ``failed`` seeds, ``published``.

    Args:
        store: the results store.
        metric: a runs column (``test_acc`` ...) or a per-layer metric name, read at the
            deepest layer; accuracies are in percent.
        keys: restrict to these run keys (e.g. those of one sweep).
        order: label order of the rows (default: the literature's, then alphabetical).
    """
    metric = METRIC_ALIASES.get(metric, metric)
    runs = _runs_with_metric(store, metric, keys)
    columns = ["dataset", "label", "depth", "mean", "std", "n", "failed", "published", "error"]
    if runs.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (dataset, label, depth), cell in runs.groupby(["dataset", "label", "depth"], sort=False):
        ok = cell[(cell["status"] == "done")]["value"].dropna()
        failed = cell[cell["status"] == "failed"]
        rows.append({
            "dataset": dataset, "label": label, "depth": int(depth),
            "mean": float(ok.mean()) if len(ok) else math.nan,
            "std": float(ok.std(ddof=0)) if len(ok) else math.nan,
            "n": int(len(ok)), "failed": int(len(failed)),
            "published": published(dataset, label, depth) if metric == "test_acc" else None,
            "error": failed["error"].iloc[0] if len(failed) else None,
        })
    table = pd.DataFrame(rows, columns=columns)
    rank = {label: i for i, label in enumerate(order or ROW_ORDER)}
    table["_rank"] = table["label"].map(
        lambda l: (rank.get(l, rank.get(canonical_label(l), len(rank))), l))
    return table.sort_values(["dataset", "_rank", "depth"]).drop(columns="_rank").reset_index(drop=True)


def deepest_within(cells: pd.DataFrame, points: float = 1.0) -> int | None:
    """The deepest depth whose mean lies within ``points`` of the row's best mean."""
    ok = cells.dropna(subset=["mean"])
    if ok.empty:
        return None
    best = ok["mean"].max()
    return int(ok[ok["mean"] >= best - points]["depth"].max())


def _number(value: float, metric: str) -> str:
    if metric in ACCURACIES:
        return f"{value:.1f}"
    if metric in ("best_epoch", "epochs_run"):
        return f"{value:.0f}"
    return f"{value:.3g}"


def _cell(row, metric: str, pm: str, show_published: bool) -> str:
    if row is None:  # not run at this depth
        return "–"
    if row["n"] == 0:
        text = "failed" if row["failed"] else "–"
    else:
        text = _number(row["mean"], metric)
        if row["n"] > 1:
            text += f" {pm} {_number(row['std'], metric)}"
        if row["failed"]:
            text += f" ({row['failed']} failed)"
    if show_published:
        pub = row["published"]
        text += f" [{pub:.1f}]" if pub is not None and not pd.isna(pub) else " [–]"
    return text


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
          "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """``text`` as LaTeX source that prints it literally (every special character escaped)."""
    escaped = "".join(_LATEX.get(c, c) for c in " ".join(str(text).split("\n")))
    return escaped.replace("±", r"$\pm$").replace("–", "--")


def markdown_escape(text: str) -> str:
    """``text`` as one Markdown table cell: ``|`` and ``\\`` escaped, line breaks joined."""
    return " ".join(str(text).splitlines()).replace("\\", "\\\\").replace("|", "\\|")


def layout(summary: pd.DataFrame, metric: str = "test_acc", show_published: bool = True,
           pm: str = "±") -> list[tuple[str, pd.DataFrame]]:
    """The tables of a :func:`summarize` table in the literature's layout, one per dataset:
    ``(caption, frame)`` with a frame of strings, rows model, columns ``model``, each depth
    and, for accuracies, ``deepest within 1 pt``; the published number in brackets
    (accuracies only, with ``show_published``). :func:`render` prints these; the report
    renders them to HTML."""
    metric = METRIC_ALIASES.get(metric, metric)
    accuracy = metric in ACCURACIES
    show_published = show_published and metric == "test_acc"
    out = []
    for dataset, part in summary.groupby("dataset", sort=False):
        depths = sorted(part["depth"].unique())
        header = ["model"] + [str(d) for d in depths] + (["deepest within 1 pt"] if accuracy else [])
        lines = []
        for label, cells in part.groupby("label", sort=False):
            by_depth = {int(r["depth"]): r for _, r in cells.iterrows()}
            row = [label] + [_cell(by_depth.get(d), metric, pm, show_published) for d in depths]
            if accuracy:
                deepest = deepest_within(cells)
                row.append("–" if deepest is None else str(deepest))
            lines.append(row)
        note = (f"{dataset}: {metric}" + (" (%)" if accuracy else "") + ", mean ± std over seeds"
                + ("; published in brackets" if show_published else ""))
        out.append((note, pd.DataFrame(lines, columns=header, dtype=object)))
    return out


def render(summary: pd.DataFrame, metric: str = "test_acc", fmt: str = "markdown",
           show_published: bool = True) -> str:
    """Print a :func:`summarize` table: ``markdown``, ``latex`` (one table per dataset:
    rows model, columns depth, published number in brackets) or ``csv`` (tidy, one line
    per cell with mean, std, n, failed, published)."""
    if fmt == "csv":
        buffer = io.StringIO()
        summary.to_csv(buffer, index=False, float_format="%.6g")
        return buffer.getvalue()
    if fmt not in ("markdown", "latex"):
        raise ValueError(f"unknown format {fmt!r}; choose markdown, latex or csv")
    if summary.empty:
        return "(the store holds no runs)\n"
    out = []
    for note, frame in layout(summary, metric, show_published):  # ± becomes $\pm$ in latex_escape
        header, lines = list(frame.columns), frame.values.tolist()
        if fmt == "markdown":
            out.append(f"**{markdown_escape(note)}**\n")
            out.append("| " + " | ".join(markdown_escape(h) for h in header) + " |")
            out.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
            out.extend("| " + " | ".join(markdown_escape(c) for c in r) + " |" for r in lines)
            out.append("")
        else:
            tex = latex_escape
            out.append("\\begin{table}[t]\n\\centering")
            out.append(f"\\caption{{{tex(note)}}}")
            out.append("\\begin{tabular}{l" + "r" * (len(header) - 1) + "}\n\\toprule")
            out.append(" & ".join(tex(h) for h in header) + " \\\\\n\\midrule")
            out.extend(" & ".join(tex(c) for c in r) + " \\\\" for r in lines)
            out.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n")
    return "\n".join(out)
