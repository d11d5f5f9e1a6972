"""Per cell: fixed-settings accuracy, tuned accuracy, the published number, and how much
the settings matter there (spread of validation accuracy over the trials, fANOVA's most
important hyperparameters). What ``oversmooth table --tuned`` prints and the report shows.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from ..literature.published import published
from .store import Store
from .tune_config import TUNED

__all__ = ["tuned_summary", "render_tuned", "importances", "COLUMNS"]

COLUMNS = ["dataset", "label", "depth", "fixed_mean", "fixed_std", "fixed_n", "tuned_mean",
           "tuned_std", "tuned_n", "published", "trials", "pruned", "val_best", "val_spread",
           "importance", "best_params"]


def importances(trials: pd.DataFrame, top: int = 2) -> str:
    """The ``top`` hyperparameters by Optuna's fANOVA importance over a cell's complete
    trials, as ``"lr 0.52, dropout 0.21"`` ("" with fewer than 3 complete trials)."""
    done = trials[(trials["state"] == "complete") & trials["value"].notna()]
    if len(done) < 3:
        return ""
    try:
        import optuna
    except ImportError:  # the report of a store tuned elsewhere: no importances here
        return ""
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances
    from optuna.trial import create_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = [json.loads(p) for p in done["params_json"]]
    keys = sorted(set.intersection(*(set(p) for p in params)))
    dists = {}
    for key in keys:
        values = [p[key] for p in params]
        if len(set(map(str, values))) < 2:
            continue  # not varied over these trials: no importance to speak of
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            dists[key] = FloatDistribution(min(values), max(values))
        else:
            dists[key] = CategoricalDistribution(sorted(set(values), key=str))
    if not dists:
        return ""
    study = optuna.create_study(direction="maximize")
    for p, value in zip(params, done["value"]):
        study.add_trial(create_trial(value=float(value), distributions=dists,
                                     params={k: (float(p[k]) if isinstance(dists[k], FloatDistribution)
                                                 else p[k]) for k in dists}))
    try:
        ranked = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    except (ValueError, RuntimeError, ImportError):
        return ""
    return ", ".join(f"{k} {v:.2f}" for k, v in list(ranked.items())[:top])


def _stats(runs: pd.DataFrame) -> tuple[float, float, int]:
    ok = runs[runs["status"] == "done"]["test_acc"].dropna() * 100.0
    if not len(ok):
        return math.nan, math.nan, 0
    return float(ok.mean()), float(ok.std(ddof=0)), int(len(ok))


def tuned_summary(store: Store, fixed_keys=None, tuned_keys=None) -> pd.DataFrame:
    """One row per tuned cell (columns :data:`COLUMNS`, accuracies in percent).

    Tuned runs are those labelled ``"<row> (tuned)"`` (or with ``tuned_keys``), fixed runs
    those labelled ``"<row>"``; ``tuned_keys`` / ``fixed_keys`` (a sweep's own runs) keep
    only those of a row's runs. When the best
    trial is trial 0 -- the fixed settings -- both columns are the same runs.
    """
    trials = store.read("trials")
    if trials.empty:
        return pd.DataFrame(columns=COLUMNS)
    runs = store.read("runs")
    rows = []
    for (dataset, label, depth), cell in trials.groupby(["dataset", "label", "depth"], sort=False):
        here = runs[(runs["dataset"] == dataset) & (runs["depth"] == depth)]
        tuned = here[here["label"] == label + TUNED]
        fixed = here[here["label"] == label]
        # keys narrow a row's own runs (a preset's keys cover every row of a depth)
        if tuned_keys is not None:
            tuned = tuned[tuned["run_key"].isin(set(tuned_keys))]
        if fixed_keys is not None:
            fixed = fixed[fixed["run_key"].isin(set(fixed_keys))]
        done = cell[(cell["state"] == "complete") & cell["value"].notna()]
        best = done.sort_values(["value", "val_loss", "trial"], ascending=[False, True, True]).head(1)
        if len(best) and int(best["trial"].iloc[0]) == 0:  # the fixed settings won
            tuned = tuned if len(tuned) else fixed
            fixed = fixed if len(fixed) else tuned
        values = done["value"] * 100.0
        # pruned trials count in the spread: their value (best so far when stopped) is what
        # those settings reached, and leaving them out would hide the worst settings
        reached = cell[cell["state"].isin(["complete", "pruned"])]["value"].dropna() * 100.0
        f_mean, f_std, f_n = _stats(fixed)
        t_mean, t_std, t_n = _stats(tuned)
        rows.append({"dataset": dataset, "label": label, "depth": int(depth),
                     "fixed_mean": f_mean, "fixed_std": f_std, "fixed_n": f_n,
                     "tuned_mean": t_mean, "tuned_std": t_std, "tuned_n": t_n,
                     "published": published(dataset, label, int(depth)),
                     "trials": int(cell["state"].isin(["complete", "pruned", "failed"]).sum()),
                     "pruned": int((cell["state"] == "pruned").sum()),
                     "val_best": float(values.max()) if len(values) else math.nan,
                     "val_spread": float(reached.max() - reached.min()) if len(reached) else math.nan,
                     "importance": importances(cell),
                     "best_params": best["params_json"].iloc[0] if len(best) else ""})
    return pd.DataFrame(rows, columns=COLUMNS)


def _pm(mean: float, std: float, n: int) -> str:
    if not n:
        return "–"
    return f"{mean:.1f}" + (f" ± {std:.1f}" if n > 1 else "")


def layout_tuned(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as strings: one line per cell."""
    out = []
    for _, r in frame.iterrows():
        pub = r["published"]
        out.append({"dataset": r["dataset"], "model": r["label"], "depth": str(r["depth"]),
                    "fixed": _pm(r["fixed_mean"], r["fixed_std"], r["fixed_n"]),
                    "tuned": _pm(r["tuned_mean"], r["tuned_std"], r["tuned_n"]),
                    "published": "–" if pub is None or pd.isna(pub) else f"{pub:.1f}",
                    "trials (pruned)": f"{r['trials']} ({r['pruned']})",
                    "val spread": "–" if pd.isna(r["val_spread"]) else f"{r['val_spread']:.1f}",
                    "top fANOVA importance": r["importance"] or "–"})
    return pd.DataFrame(out, dtype=object)


def render_tuned(frame: pd.DataFrame, fmt: str = "markdown") -> str:
    """Markdown or CSV of :func:`tuned_summary`."""
    if fmt == "csv":
        return frame.to_csv(index=False, float_format="%.6g")
    if fmt != "markdown":
        raise ValueError(f"--tuned prints markdown or csv, not {fmt!r}")
    if frame.empty:
        return "(the store holds no trials: run `oversmooth tune` first)\n"
    table = layout_tuned(frame)
    lines = ["test accuracy (%), mean ± std over seeds; val spread: max - min validation "
             "accuracy over the complete and pruned trials (points)", "",
             "| " + " | ".join(table.columns) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * (len(table.columns) - 2)) + "|"]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
              for row in table.values.tolist()]
    return "\n".join(lines) + "\n"
