import sys
import types
from concurrent.futures import Future

import pytest

from oversmooth.experiments import config_from_dict, execute, expand, run_sweep
from oversmooth.experiments.store import Store
from oversmooth.experiments.tables import render, summarize

METRICS = ["dirichlet_energy", "mean_cosine_similarity"]


def tiny(**changes):
    raw = {"name": "tiny", "datasets": ["csbm"],
           "dataset_params": {"csbm": {"num_nodes": 120, "num_features": 8, "seed": 1}},
           "models": ["gcn", "mlp"], "depths": [1, 2], "seeds": 2, "metrics": METRICS,
           "training": {"epochs": 6, "patience": 6, "hidden_channels": 8}}
    raw.update(changes)
    return config_from_dict(raw)


def test_sweep_stores_every_run_with_its_metrics(tmp_path):
    config = tiny(track=["dirichlet_energy"], track_every=2, seeds=1)
    summary = run_sweep(config, tmp_path / "r.db", jobs=1)  # with the rich progress bar
    assert (summary.total, summary.done, summary.failed, summary.skipped) == (4, 4, 0, 0)
    with Store(tmp_path / "r.db") as store:
        runs = store.read("runs")
        assert set(runs["status"]) == {"done"} and runs["run_key"].is_unique
        assert runs["test_acc"].between(0, 1).all() and (runs["wall_time"] > 0).all()
        layers = store.read("layer_metrics")
        for _, run in runs.iterrows():
            mine = layers[layers["run_key"] == run["run_key"]]
            assert set(mine["metric"]) == set(METRICS)
            assert max(mine["layer"]) == run["depth"]  # the deepest layer is measured
        history = store.read("history")
        assert {"train_loss", "val_loss", "val_acc", "test_acc"} <= set(history["metric"])
        tracked = store.read("layer_history")
        assert set(tracked["epoch"]) <= {0, 2, 4, 6} and not tracked.empty
    again = run_sweep(config, tmp_path / "r.db", jobs=1, progress=False)
    assert (again.skipped, again.done) == (4, 0)


def test_same_seed_same_result_on_cpu():
    spec = expand(tiny(models=["gcn"], depths=[2], seeds=[3]))[0]
    first, second = execute(spec), execute(spec)
    assert first.status == "done"
    for field in ("test_acc", "val_acc", "train_acc", "best_epoch", "epochs_run"):
        assert getattr(first, field) == getattr(second, field)
    assert first.layer_metrics == second.layer_metrics
    assert first.history == second.history


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    config = tiny(models=None, depths=[1, 2], seeds=1, variants=[
        {"model": "gcn", "label": "GCN"},
        {"model": "mlp", "label": "MLP+bogus", "options": {"dropout": 2.0}},
        {"model": "gcn", "label": "GCN-lr1e9", "training": {"lr": 1e9}},
    ])
    summary = run_sweep(config, tmp_path / "r.db", jobs=1, progress=False)
    assert summary.done >= 2 and summary.failed >= 2
    with Store(tmp_path / "r.db") as store:
        runs = store.read("runs")
        bogus = runs[runs["label"] == "MLP+bogus"]
        assert set(bogus["status"]) == {"failed"}
        assert bogus["error"].str.contains("dropout").all()
        assert bogus["test_acc"].isna().all()
        assert store.read("layer_metrics")["run_key"].isin(runs[runs["status"] == "done"]["run_key"]).all()
        text = render(summarize(store), fmt="markdown")
    row = next(line for line in text.splitlines() if line.startswith("| MLP+bogus"))
    assert row.count("failed") == 2
    # --retry-failed runs them again (and they fail again, deterministically)
    again = run_sweep(config, tmp_path / "r.db", jobs=1, progress=False, retry_failed=True)
    assert again.failed == summary.failed and again.done == 0


def _fake_ray(calls):
    """A stand-in for the `ray` package that runs remote functions inline."""
    ray = types.ModuleType("ray")
    state = {"up": False}

    def init(address=None, **kwargs):
        calls.append(("init", address))
        state["up"] = True

    def remote(**options):
        def wrap(fn):
            class Remote:
                def remote(self, *args):
                    calls.append(("remote", options))
                    ref = types.SimpleNamespace()
                    future = Future()
                    future.set_result(fn(*args))
                    ref.future = lambda: future
                    return ref
            return Remote()
        return wrap

    ray.init = init
    ray.is_initialized = lambda: state["up"]
    ray.shutdown = lambda: (calls.append(("shutdown", None)), state.update(up=False))
    ray.cluster_resources = lambda: {"CPU": 4.0}
    ray.remote = remote
    return ray


def test_ray_executor_stores_the_same_runs(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, "ray", _fake_ray(calls))
    config = tiny(seeds=1)
    summary = run_sweep(config, tmp_path / "ray.db", executor="ray", ray_address="ray://head:10001",
                        progress=False)
    assert summary.done == 4
    assert calls[0] == ("init", "ray://head:10001") and calls[-1][0] == "shutdown"
    assert sum(c[0] == "remote" for c in calls) == 4 and calls[1][1] == {"num_cpus": 1}
    run_sweep(config, tmp_path / "local.db", jobs=1, progress=False)
    with Store(tmp_path / "ray.db") as a, Store(tmp_path / "local.db") as b:
        cols = ["run_key", "status", "test_acc", "val_acc", "best_epoch", "settings_json"]
        assert a.read("runs")[cols].equals(b.read("runs")[cols])
        assert a.read("layer_metrics").equals(b.read("layer_metrics"))


def test_ray_missing_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install 'oversmooth\[ray\]'"):
        run_sweep(tiny(seeds=1), tmp_path / "r.db", executor="ray", progress=False)


def test_ray_missing_is_one_line_on_the_cli(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    code, _, err = run_cli("sweep", "--datasets", "karate", "--models", "gcn", "--depths", "2",
                           "--executor", "ray", "--store", str(tmp_path / "r.db"))
    assert code == 2 and "pip install 'oversmooth[ray]'" in err and len(err.strip().splitlines()) == 1


def test_executor_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="--jobs must be >= 1"):
        run_sweep(tiny(seeds=1), tmp_path / "r.db", jobs=0, progress=False)
    with pytest.raises(ValueError, match="unknown executor"):
        run_sweep(tiny(seeds=1), tmp_path / "r.db", executor="slurm", progress=False)


def test_backward_metrics_stored_at_chosen_epochs():
    spec = expand(tiny(models=["gcn"], depths=[3], seeds=[0], backward_epochs=[0, 2, "best"],
                       training={"epochs": 6, "patience": 6, "hidden_channels": 8}))[0]
    record = execute(spec)
    assert record.status == "done", record.error
    rows = [r for r in record.layer_history if r[2].startswith(("grad_", "weight_grad"))]
    epochs = {r[0] for r in rows}
    assert {0, 2} <= epochs and epochs <= {0, 2, record.best_epoch}
    at_init = {(r[1], r[2]): r[3] for r in rows if r[0] == 0}
    assert {layer for layer, _ in at_init} == {1, 2, 3}
    assert all(at_init[(k, "grad_norm")] > 0 for k in (1, 2, 3))
    # recording at initialisation does not change the trained result
    plain = execute(expand(tiny(models=["gcn"], depths=[3], seeds=[0],
                                training={"epochs": 6, "patience": 6, "hidden_channels": 8}))[0])
    assert (plain.test_acc, plain.best_epoch) == (record.test_acc, record.best_epoch)


@pytest.mark.parametrize("value", [[-1], ["last"], [1.5]])
def test_bad_backward_epochs_rejected(value):
    with pytest.raises(ValueError, match="backward_epochs takes integers >= 0"):
        tiny(backward_epochs=value)


def test_option_that_does_not_apply_is_rejected_before_running():
    with pytest.raises(ValueError, match="option 'no_such_option' does not apply to model 'mlp'"):
        tiny(models=None, variants=[{"model": "mlp", "options": {"no_such_option": 1}}])


def test_sweep_starts_the_deepest_runs_first(tmp_path):
    from oversmooth.experiments.executors import InlineExecutor

    class Recording(InlineExecutor):
        capacity = 1

        def __init__(self):
            self.depths = []

        def submit(self, spec):
            self.depths.append(spec.depth)
            return super().submit(spec)

    pool = Recording()
    run_sweep(tiny(depths=[1, 3, 2], seeds=1), tmp_path / "r.db", executor=pool, progress=False)
    assert pool.depths == sorted(pool.depths, reverse=True) and pool.depths[0] == 3
