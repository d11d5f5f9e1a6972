"""The examples in the package's docstrings run, and print what they say they print."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import pytest

import oversmooth

# Modules that must not be imported for their docstrings: the CLI entry that runs on import,
# and deprecated aliases that warn on import (their targets are collected instead).
NOT_IMPORTED = {"oversmooth.__main__", "oversmooth.validation", "oversmooth.models.propagation",
                "oversmooth.experiments.published", "oversmooth.report.claims"}


def _modules():
    names = ["oversmooth"]
    for info in pkgutil.walk_packages(oversmooth.__path__, "oversmooth."):
        if info.name not in NOT_IMPORTED:
            names.append(info.name)
    return sorted(names)


def _examples():
    finder = doctest.DocTestFinder()
    found = []
    for name in _modules():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            module = importlib.import_module(name)
        found.extend(t for t in finder.find(module, name) if t.examples and t.name.startswith(name))
    return found


EXAMPLES = _examples()


def test_the_package_has_examples():
    assert len(EXAMPLES) >= 6, [t.name for t in EXAMPLES]


@pytest.mark.parametrize("test", EXAMPLES, ids=lambda t: t.name)
def test_docstring_example(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)
