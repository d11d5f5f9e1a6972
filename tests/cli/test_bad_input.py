"""Hostile input on every command: exit code 2, one line on stderr, no traceback, nothing written.

Hypothesis generates the values: generator parameters (``-p``) and model options (``-o``) of
the wrong type or beyond their limits, unknown names, flags of the wrong type, and paths of
every wrong kind for ``--store``, ``--out``/``--output`` and ``--root``.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from oversmooth.datasets import synthetic_parameters
from oversmooth.models import model_class
from oversmooth.models.registry import _option_annotations

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# text that no Python literal parser turns into a number, a list or a boolean
words = st.text(string.ascii_letters, min_size=1, max_size=8).filter(
    lambda w: w not in ("True", "False", "None", "inf", "nan", "e", "E"))
huge = st.integers(min_value=10**19, max_value=10**30)  # beyond every size limit, 64-bit seeds too
negative = st.integers(max_value=-1)


def check(result, *, created=()):
    code, out, err = result
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert len(err.strip().splitlines()) == 1, err
    for path in created:
        assert not path.exists(), path


CSBM = {k: v for k, v in synthetic_parameters("csbm").items()}


@SETTINGS
@given(key=st.sampled_from(sorted(CSBM)), value=st.one_of(words, huge.map(str), st.just("[1, 'a']")))
def test_generator_parameters_of_the_wrong_type_or_size(run_cli, key, value):
    if key in ("homophily", "feature_snr", "avg_degree") and value.lstrip("-").isdigit():
        value = "1e400"  # a float parameter: an integer is a fine value, infinity is not
    for command in ("info", "measure", "spectrum"):
        check(run_cli(command, "csbm", "-p", f"{key}={value}"))


@SETTINGS
@given(name=words.map(lambda w: w + "-nope"))
def test_unknown_names(run_cli, name):
    check(run_cli("info", name))
    check(run_cli("info", "csbm", "-p", f"{name}=1"))
    check(run_cli("train", "karate", "--model", name))
    check(run_cli("train", "karate", "-o", f"{name.replace('-', '_')}=1"))
    check(run_cli("measure", "karate", "--metrics", name))
    check(run_cli("spectrum", "karate", "--operator", name))


GCN_OPTIONS = _option_annotations(model_class("gcn"))


def _wrong_value(annotation) -> st.SearchStrategy:
    text = str(annotation)
    if "str" in text:  # a string option: an integer is the wrong type
        return st.integers(min_value=2, max_value=10**6).map(str)
    return words


@SETTINGS
@given(data=st.data())
def test_model_options_of_the_wrong_type(run_cli, data):
    key = data.draw(st.sampled_from(sorted(k for k in GCN_OPTIONS if k != "adjacency")))
    value = data.draw(_wrong_value(GCN_OPTIONS[key]))
    check(run_cli("train", "karate", "--epochs", "1", "-o", f"{key}={value}"))


@SETTINGS
@given(flag=st.sampled_from(["--depth", "--seed", "--hidden", "--epochs", "--lr", "--patience"]),
       value=st.one_of(words, huge.map(str)))
def test_flags_of_the_wrong_type_or_beyond_limits(run_cli, flag, value):
    if flag == "--lr" and value.isdigit():
        value = "fast"  # a huge learning rate is a legal (if foolish) number
    check(run_cli("train", "karate", "--epochs", "1", flag, value) if flag != "--epochs"
          else run_cli("train", "karate", flag, value))


@pytest.mark.parametrize("key", ["epochs", "lr", "weight_decay", "patience", "hidden_channels", "seed"])
def test_an_option_that_duplicates_a_flag(run_cli, key):
    check(run_cli("train", "karate", "-o", f"{key}=1"))
    check(run_cli("sweep", "--datasets", "karate", "--models", "gcn", "--depths", "2", "--dry-run",
                  "-o", f"{key}=1"))


def _bad_paths(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    afile = tmp_path / "a-file"
    afile.write_text("not what you expect")
    return {"folder": folder, "file-parent": afile / "below", "missing-parent": tmp_path / "no" / "x",
            "empty": ""}


@pytest.mark.parametrize("kind", ["folder", "file-parent", "missing-parent", "empty"])
def test_store_paths_of_every_wrong_kind(run_cli, tmp_path, kind):
    path = str(_bad_paths(tmp_path)[kind])
    before = sorted(p.name for p in tmp_path.rglob("*"))
    check(run_cli("table", path))
    check(run_cli("export", path, "--out", str(tmp_path / "out")))
    check(run_cli("report", path, "-o", str(tmp_path / "r.html")))
    check(run_cli("sweep", "--datasets", "karate", "--models", "gcn", "--depths", "2", "--epochs", "1",
                  "--store", path))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing half-written


@pytest.mark.parametrize("kind", ["file-parent", "empty"])
def test_output_paths_of_every_wrong_kind(run_cli, tmp_path, kind):
    paths = _bad_paths(tmp_path)
    target = str(paths[kind])
    check(run_cli("propagate", "karate", "--steps", "2", "--plot", target + ("" if kind == "empty" else ".png")))
    check(run_cli("info", "karate", "--root", target))


def test_plot_onto_a_folder(run_cli, tmp_path):
    check(run_cli("propagate", "karate", "--steps", "2", "--plot", str(_bad_paths(tmp_path)["folder"])))
