"""oversmooth.experiments.tune: search on validation only, resumable, shared, checked up front."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("optuna")

from oversmooth.experiments.store import Store  # noqa: E402
from oversmooth.experiments.tune import best_trial, run_tune  # noqa: E402
from oversmooth.experiments.tune_config import cells, load_tune_config, tune_config_from_dict  # noqa: E402
from oversmooth.experiments.tune_store import cell_trials, claim_trial  # noqa: E402
from oversmooth.experiments.tune_table import render_tuned, tuned_summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def small(trials=3, epochs=20, pruning=True, seeds=1, **tune):
    return tune_config_from_dict({
        "datasets": ["karate"], "depths": [2], "seeds": seeds, "metrics": ["dirichlet_energy"],
        "variants": [{"model": "gcn", "label": "GCN"}],
        "training": {"epochs": epochs, "patience": 10},
        "tune": {"trials": trials, "pruning": pruning, "report_every": 5, "warmup": 5, **tune}})


def test_tune_runs_trials_then_best_on_seeds(tmp_path):
    summary = run_tune(small(trials=4, seeds=2), tmp_path / "t.db", jobs=1, progress=False)
    assert summary.trials == 4 and summary.runs >= 2
    with Store(tmp_path / "t.db", readonly=True) as store:
        trials = store.read("trials")
        runs = store.read("runs")
        frame = tuned_summary(store)
    assert list(trials["trial"]) == [0, 1, 2, 3]
    assert set(trials["state"]) <= {"complete", "pruned"}
    first = json.loads(trials["params_json"].iloc[0])  # trial 0: the row's fixed settings
    assert first["lr"] == 0.01 and first["dropout"] == 0.5 and first["hidden_channels"] == 16
    assert (runs["status"] == "done").all() and len(runs) >= 2
    assert frame.loc[0, "tuned_n"] == 2 and frame.loc[0, "fixed_n"] == 2
    assert "| karate | GCN | 2 |" in render_tuned(frame)
    again = run_tune(small(trials=4, seeds=2), tmp_path / "t.db", jobs=1, progress=False)
    assert again.trials == 0 and again.runs == 0  # all stored: nothing repeated


def test_search_never_sees_test_accuracy(tmp_path, monkeypatch):
    import oversmooth.training as training
    from oversmooth.experiments import runner

    seen = []
    original = training.train

    def spy(name, data, *args, **kwargs):
        seen.append(int(data.test_mask.sum()))
        return original(name, data, *args, **kwargs)

    monkeypatch.setattr(training, "train", spy)
    config = small(trials=3, pruning=False)
    run_tune(tune_config_from_dict({**_raw(config), "tune": {"trials": 3, "fixed": False}}),
             tmp_path / "a.db", jobs=1, progress=False)
    trial_calls = seen[:3]
    assert trial_calls == [0, 0, 0]  # every trial trained on a graph without test nodes
    with Store(tmp_path / "a.db", readonly=True) as store:
        before = store.read("trials")[["trial", "params_json", "value", "val_loss"]]
    assert not any("test" in c for c in Store(tmp_path / "a.db", readonly=True).read("trials"))
    # scrambling the test labels changes nothing the search records
    graph = runner._graph

    def scrambled(spec):
        data = graph(spec).clone()
        data.y[data.test_mask] = (data.y[data.test_mask] + 1) % int(data.y.max() + 1)
        return data

    monkeypatch.setattr(runner, "_graph", scrambled)
    run_tune(tune_config_from_dict({**_raw(config), "tune": {"trials": 3, "fixed": False}}),
             tmp_path / "b.db", jobs=1, progress=False)
    with Store(tmp_path / "b.db", readonly=True) as store:
        after = store.read("trials")[["trial", "params_json", "value", "val_loss"]]
    assert before.equals(after)


def _raw(config):
    return {"datasets": config.sweep.datasets, "depths": config.sweep.depths, "seeds": 1,
            "metrics": [], "variants": [{"model": "gcn", "label": "GCN"}],
            "training": {"epochs": 20, "patience": 10}}


def test_sigkill_resumes_without_losing_or_repeating_a_trial(tmp_path):
    db = tmp_path / "k.db"
    script = textwrap.dedent(f"""
        from oversmooth.experiments.tune import run_tune
        from oversmooth.experiments.tune_config import tune_config_from_dict
        cfg = tune_config_from_dict({{"datasets": ["karate"], "depths": [2], "seeds": 1,
            "metrics": [], "variants": [{{"model": "gcn", "label": "GCN"}}],
            "training": {{"epochs": 600, "patience": 1000}},
            "tune": {{"trials": 5, "pruning": False}}}})
        run_tune(cfg, {str(db)!r}, jobs=1, progress=False)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    finished_before, deadline = None, time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        if not db.exists():
            continue
        try:
            conn = sqlite3.connect(db)
            rows = conn.execute("SELECT trial, state, params_json, value, finished_at FROM trials "
                                "ORDER BY trial").fetchall()
            conn.close()
        except sqlite3.OperationalError:
            continue
        done = [r for r in rows if r[1] != "running"]
        if len(done) >= 2 and any(r[1] == "running" for r in rows):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            finished_before = done
            break
    assert finished_before is not None, "the tune never had 2 finished trials and a running one"
    cfg = tune_config_from_dict({"datasets": ["karate"], "depths": [2], "seeds": 1, "metrics": [],
                                 "variants": [{"model": "gcn", "label": "GCN"}],
                                 "training": {"epochs": 600, "patience": 1000},
                                 "tune": {"trials": 5, "pruning": False}})
    summary = run_tune(cfg, db, jobs=1, progress=False)
    with Store(db, readonly=True) as store:
        rows = cell_trials(store, cells(cfg)[0].key)
    assert [r["trial"] for r in rows] == [0, 1, 2, 3, 4]  # none lost, none twice
    assert all(r["state"] == "complete" for r in rows)
    by_number = {r["trial"]: r for r in rows}
    for trial, _, params, value, finished_at in finished_before:  # finished: kept as they were
        assert json.loads(params) == by_number[trial]["params"]
        assert value == by_number[trial]["value"] and finished_at == by_number[trial]["finished_at"]
    assert summary.trials == 5 - len(finished_before)  # only the unfinished ones ran


def test_parallel_claims_never_share_a_trial(tmp_path):
    cell = cells(small())[0]
    Store(tmp_path / "c.db").close()
    got, errors = [], []

    def worker():
        try:
            with Store(tmp_path / "c.db") as store:
                while (claimed := claim_trial(store, cell.row(), 20, lambda n, rows: {"n": n})):
                    got.append(claimed[0])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == list(range(20))


def test_two_jobs_share_one_search(tmp_path):
    raw = {**_raw(small()), "depths": [1, 2], "tune": {"trials": 3}}
    summary = run_tune(tune_config_from_dict(raw), tmp_path / "j.db", jobs=2, progress=False)
    assert summary.trials == 6 and summary.failed_trials == 0
    with Store(tmp_path / "j.db", readonly=True) as store:
        trials = store.read("trials")
    assert sorted(trials.groupby("depth")["trial"].apply(list).tolist()) == [[0, 1, 2], [0, 1, 2]]


def test_best_trial_is_chosen_on_validation():
    rows = [{"trial": 0, "state": "complete", "value": 0.7, "val_loss": 1.0},
            {"trial": 1, "state": "pruned", "value": 0.9, "val_loss": 0.5},
            {"trial": 2, "state": "complete", "value": 0.8, "val_loss": 0.9},
            {"trial": 3, "state": "complete", "value": 0.8, "val_loss": 0.7}]
    assert best_trial(rows)["trial"] == 3


@pytest.mark.parametrize("tune, match", [
    ({"trials": 0}, "tune.trials = 0: the trial budget per cell must be an integer >= 1"),
    ({"space": {"GCN": {"lrr": {"low": 0.1, "high": 0.2}}}}, "unknown hyperparameter 'lrr'.*did you mean 'lr'"),
    ({"space": {"GCN": {"lr": {"low": 0.1, "high": 0.01}}}}, "lr: bad range low = 0.1, high = 0.01"),
    ({"space": {"GCN": {"lr": {"low": 0.0, "high": 0.1, "log": True}}}}, "log range needs low > 0"),
    ({"space": {"GCN": {"hidden_channels": {"choices": []}}}}, "choices must be a non-empty list"),
    ({"space": {"GCN": {"dropout": {"low": 0.1, "high": 1.5}}}}, "dropout"),
    ({"space": {"GAT": {"lr": 0.01}}}, "unknown key 'GAT' in \\[tune.space\\]"),
    ({"budget": 3}, "unknown key 'budget' in \\[tune\\]"),
])
def test_bad_spaces_and_budgets_are_rejected_by_name(tune, match):
    with pytest.raises(ValueError, match=match):
        tune_config_from_dict({**_raw(small()), "tune": tune})


def test_a_bad_config_file_names_its_line_and_runs_nothing(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('datasets = ["karate"]\ndepths = [2]\nmodels = ["gcn"]\n\n[tune]\ntrials = 4\n\n'
                    '[tune.space.gcn]\nlr = { low = 0.5, high = 0.05 }\n')
    with pytest.raises(ValueError, match=r"t.toml:9: lr: bad range"):
        load_tune_config(path)
    from oversmooth.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["tune", "--config", str(path), "--store", str(tmp_path / "never.db")])
    assert exit_.value.code == 2 and not (tmp_path / "never.db").exists()


def test_shipped_spaces_hold_the_authors_values():
    from oversmooth.experiments.presets import preset_dict
    from oversmooth.experiments.tune_space import inside

    config = tune_config_from_dict(preset_dict("table3-tuned"), "preset table3-tuned")
    for cell in cells(config):
        assert inside(cell.space, cell.baseline), cell.describe()


def test_keys_narrow_each_row_to_its_own_runs(tmp_path):
    """A preset's keys cover every row at a depth: each row still shows only its own runs."""
    config = tune_config_from_dict({
        "datasets": ["karate"], "depths": [2], "seeds": 1, "metrics": ["dirichlet_energy"],
        "variants": [{"model": "gcn", "label": "GCN"},
                     {"model": "gcn", "label": "GCN+DropEdge", "options": {"dropedge": 0.5}}],
        "training": {"epochs": 20, "patience": 10},
        "tune": {"trials": 1, "pruning": False, "report_every": 5, "warmup": 5}})
    run_tune(config, tmp_path / "t.db", jobs=1, progress=False)
    with Store(tmp_path / "t.db", readonly=True) as store:
        runs = store.read("runs")
        frame = tuned_summary(store, fixed_keys=list(runs["run_key"]))
    own = runs.groupby("label")["test_acc"].first() * 100.0
    assert sorted(frame["label"]) == ["GCN", "GCN+DropEdge"]
    for row in frame.itertuples():
        assert row.fixed_n == 1 and row.fixed_mean == pytest.approx(own[row.label])
