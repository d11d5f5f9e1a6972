"""The presets are data files of the package: they load, resolve their base, validate as
sweep configurations, keep the literature's rows, and ship in the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from oversmooth.experiments import expand
from oversmooth.experiments import presets as experiment_presets
from oversmooth.literature import presets as P
from oversmooth.literature.published import ROW_ORDER, numbers, published

ROOT = Path(__file__).resolve().parents[2]


def rows(config: dict) -> list[tuple]:
    return [(v["label"], v["model"], v.get("options", {})) for v in config["variants"]]


def test_names_and_files():
    assert P.preset_names() == ["hetero-bank", "table3", "table3-quick", "table3-tuned"]
    assert list(P.PRESETS) == P.preset_names()
    assert P.preset_path("table3").parent == P.PRESET_DIR
    with pytest.raises(ValueError, match="unknown preset 'table9'; presets: hetero-bank, table3, table3-quick"):
        P.preset("table9")


def test_presets_validate_and_expand():
    quick = expand(experiment_presets.preset("table3-quick"))
    assert len(quick) == 2 * 10 * 6
    assert len(expand(experiment_presets.preset("table3"))) == 2 * 10 * 6 * 5
    assert "effective_rank" not in quick[0].metrics  # SGC's wide layers: see the file
    assert experiment_presets.PRESETS is P.PRESETS
    assert experiment_presets.preset_dict("table3") == P.preset("table3")


def test_quick_is_table3_with_a_smaller_budget():
    full, quick = P.preset("table3"), P.preset("table3-quick")
    assert "base" not in quick
    assert rows(quick) == rows(full)  # the rows are written once, in table3.toml
    assert (quick["datasets"], quick["depths"]) == (full["datasets"], full["depths"])
    assert (full["seeds"], quick["seeds"]) == (5, 1)
    assert full["training"] == {"hidden_channels": 64, "epochs": 400, "patience": 100}
    assert quick["training"] == {"hidden_channels": 64, "epochs": 200, "patience": 50}
    budget = {v["label"]: v.get("training") for v in quick["variants"]}
    assert budget["GCNII"] == budget["GCNII*"] == {"epochs": 300, "patience": 50}
    assert budget["GCN"] is None
    assert {v["label"]: v.get("training") for v in full["variants"]}["GCNII"] == {
        "epochs": 1500, "patience": 100}


def test_preset_returns_a_fresh_copy():
    P.preset("table3-quick")["variants"][0]["label"] = "changed"
    assert P.preset("table3-quick")["variants"][0]["label"] == "GCN"


def test_every_published_table3_number_has_its_run():
    config = P.preset("table3")
    labels = [v["label"] for v in config["variants"]]
    assert set(labels) <= set(ROW_ORDER)
    runs = {(d, label, depth) for d in config["datasets"] for label in labels
            for depth in config["depths"]}
    for n in numbers("table3"):
        if n.label in labels:
            assert (n.dataset, n.label, n.depth) in runs
    with_numbers = {label for label in labels if any(
        published(d, label, depth) is not None for d in config["datasets"]
        for depth in config["depths"])}
    # rows the stored sources print no accuracy-vs-depth numbers for
    assert set(labels) - with_numbers == {"ResGCN", "APPNP", "SGC"}


def write(tmp_path, name, text):
    (tmp_path / f"{name}.toml").write_text(text)


def test_base_merge_rules(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "PRESET_DIR", tmp_path)
    write(tmp_path, "a", 'name = "a"\nseeds = 3\n[training]\nepochs = 10\nlr = 0.1\n'
          '[[variants]]\nmodel = "gcn"\nlabel = "G"\ntraining = { epochs = 5, patience = 2 }\n'
          '[[variants]]\nmodel = "sgc"\nlabel = "S"\n')
    write(tmp_path, "b", 'base = "a"\nname = "b"\n[training]\nepochs = 20\n'
          '[[variants]]\nlabel = "G"\ntraining = { epochs = 7 }\n')
    got = P._resolve("b")
    assert got["name"] == "b" and got["seeds"] == 3
    assert got["training"] == {"epochs": 20, "lr": 0.1}
    assert got["variants"] == [{"model": "gcn", "label": "G",
                                "training": {"epochs": 7, "patience": 2}},
                               {"model": "sgc", "label": "S"}]
    write(tmp_path, "c", 'base = "a"\n[[variants]]\nlabel = "X"\n')
    with pytest.raises(ValueError, match="variant 'X' is not a variant of the base"):
        P._resolve("c")
    write(tmp_path, "d", 'base = "e"\n')
    write(tmp_path, "e", 'base = "d"\n')
    with pytest.raises(ValueError, match="cycle"):
        P._resolve("d")


def test_package_data_ships_every_data_file():
    package = ROOT / "src" / "oversmooth" / "literature"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["oversmooth.literature"]
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    assert shipped == {p for p in (package / "data").rglob("*") if p.is_file()}
    assert P.preset_path("table3") in shipped and P.preset_path("table3-quick") in shipped


def test_no_copy_of_a_preset_in_configs():
    for path in (ROOT / "configs").glob("*.toml"):
        name = tomllib.loads(path.read_text()).get("name")
        assert name not in P.PRESETS, f"{path.name} copies preset {name}"


def test_hetero_bank_runs_each_model_on_the_bank_or_its_flattened_form():
    config = experiment_presets.preset("hetero-bank")
    runs = expand(config)
    on = {(r.label, r.dataset) for r in runs}
    assert on == {("R-GCN", "bank"), ("HGT", "bank"), ("hetero-GCN", "bank"),
                  ("GCN (flat)", "bank-flat"), ("MLP (flat)", "bank-flat")}
    assert len(runs) == 5 * len(config.depths) * len(config.seeds)
    bank, flat = config.dataset_params["bank"], config.dataset_params["bank-flat"]
    assert bank == flat  # one graph, twice
    assert {r.options["dropout"] for r in runs} == {0.0}
