from pathlib import Path

import pytest

from oversmooth.experiments import expand, load_config, preset
from oversmooth.experiments.config import config_from_dict, parse_options
from oversmooth.experiments.grid import run_key

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.toml"))
BASE = """name = "t"
datasets = ["csbm"]
models = ["gcn"]
depths = [1, 2]
seeds = 2
"""


def write(tmp_path, text):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_configs_parse(path):
    config = load_config(path)
    assert expand(config)


def test_there_are_example_configs():
    assert {p.name for p in CONFIGS} >= {"cora-depth.toml", "heterophily.toml"}


def test_a_preset_file_is_a_sweep_file():
    # the preset files load as --config files too: same runs as the preset
    from oversmooth.literature.presets import preset_path

    from_file = expand(load_config(preset_path("table3")))
    assert [r.key for r in from_file] == [r.key for r in expand(preset("table3"))]


def test_grid_expansion_and_labels(tmp_path):
    config = load_config(write(tmp_path, BASE + 'mitigations = ["none", "dropedge=0.3"]\n'
                               '[dataset_params.csbm]\nnum_nodes = 100\n'))
    runs = expand(config)
    assert len(runs) == 1 * 2 * 2 * 2
    assert {r.label for r in runs} == {"gcn", "gcn+dropedge=0.3"}
    assert all(r.dataset_params == {"num_nodes": 100} for r in runs)
    assert runs[0].training["normalize_features"] is True


def test_run_key_is_deterministic_and_sweep_independent(tmp_path):
    a = expand(load_config(write(tmp_path, BASE)))
    b = expand(config_from_dict({"name": "other", "datasets": ["csbm"], "depths": [2, 1],
                                 "seeds": [1, 0], "variants": [{"model": "gcn", "label": "X"}]}))
    assert {r.key for r in a} == {r.key for r in b}  # name, label and order do not matter
    assert len({r.key for r in a}) == len(a)
    assert run_key({"a": 1, "b": [1, 2]}) == run_key({"b": [1, 2], "a": 1})
    changed = expand(config_from_dict({"datasets": ["csbm"], "models": ["gcn"], "depths": [1],
                                       "training": {"lr": 0.5}}))[0]
    assert changed.key not in {r.key for r in a}


def test_parse_options():
    assert parse_options("none") == {}
    assert parse_options("dropedge=0.3, residual, norm=pair") == {
        "dropedge": 0.3, "residual": True, "norm": "pair"}
    assert parse_options({"dropedge": 0.1}) == {"dropedge": 0.1}


@pytest.mark.parametrize("text, line, message", [
    (BASE + "epoch = 3\n", 6, "unknown key 'epoch'"),
    (BASE + "\n[training]\nlr = 0.1\npatienc = 4\n", 9, "did you mean 'patience'"),
    (BASE.replace('["gcn"]', '["gcn", "gcnn"]'), 3, "unknown model 'gcnn' (did you mean 'gcn'?)"),
    (BASE.replace('["csbm"]', '["cora", "coraa"]'), 2, "unknown dataset 'coraa'"),
    (BASE.replace("[1, 2]", "[0, 2]"), 4, "depths must be >= 1, got 0"),
    (BASE.replace("seeds = 2", "seeds = 0"), 5, "seeds = 0"),
    (BASE + "\n[[variants]]\nmodel = \"sgc\"\nlable = \"S\"\n", 9, "unknown key 'lable' in [[variants]]"),
    (BASE + 'metrics = ["dirichlet_energy", "nope"]\n', 6, "unknown metric 'nope'"),
    (BASE + "\n[training]\nepochs = 0\n", 8, "epochs must be an integer >= 1"),
])
def test_bad_configs_name_the_line(tmp_path, text, line, message):
    with pytest.raises(ValueError) as info:
        load_config(write(tmp_path, text))
    assert f"sweep.toml:{line}:" in str(info.value)
    assert message in str(info.value)


def test_other_bad_configs(tmp_path):
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config(write(tmp_path, "datasets = [\n"))
    with pytest.raises(ValueError, match="no models given"):
        config_from_dict({"datasets": ["csbm"], "depths": [1]})
    with pytest.raises(ValueError, match="share the label"):
        config_from_dict({"datasets": ["csbm"], "depths": [1], "variants": [
            {"model": "gcn", "label": "A"}, {"model": "mlp", "label": "A"}]})
    with pytest.raises(ValueError, match="real dataset and takes no parameters"):
        config_from_dict({"datasets": ["cora"], "models": ["gcn"], "depths": [1],
                          "dataset_params": {"cora": {"num_nodes": 3}}})
    with pytest.raises(ValueError, match="identical"):
        expand(config_from_dict({"datasets": ["csbm"], "depths": [1], "variants": [
            {"model": "gcn", "label": "A"}, {"model": "gcn", "label": "B"}]}))
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")


def test_each_model_runs_on_the_datasets_of_its_kind():
    config = config_from_dict({"datasets": ["bank", "bank-flat"], "models": ["rgcn", "gcn", "mlp"],
                               "depths": [2], "dataset_params": {"bank": {"num_customers": 50},
                                                                 "bank-flat": {"num_customers": 50}}})
    pairs = [(r.dataset, r.model) for r in expand(config)]
    assert pairs == [("bank", "rgcn"), ("bank-flat", "gcn"), ("bank-flat", "mlp")]
    assert expand(config)[1].dataset_params == {"num_customers": 50}


@pytest.mark.parametrize("datasets, models, message", [
    (["cora"], ["rgcn"], "model rgcn is heterogeneous: none of the datasets ['cora'] is (heterogeneous "
                         "datasets: bank)"),
    (["bank"], ["rgcn", "gcn"], "model gcn is homogeneous: none of the datasets ['bank'] is (flattened: "
                                "bank-flat)"),
])
def test_a_model_without_a_dataset_of_its_kind_is_refused(datasets, models, message):
    with pytest.raises(ValueError) as caught:
        config_from_dict({"datasets": datasets, "models": models, "depths": [2]})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_flattened_bank_takes_the_banks_parameters_by_name():
    with pytest.raises(ValueError, match=r"dataset_params.bank-flat\]"):
        config_from_dict({"datasets": ["bank-flat"], "models": ["gcn"], "depths": [2],
                          "dataset_params": {"bank-flat": {"num_nodes": 5}}})
