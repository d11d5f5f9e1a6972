"""report/ renders only: no module of it imports datasets, models, training, spectral
propagation or over-squashing measures, nor importlib (read from the sources, so a lazy import inside a function
counts too), and importing it loads none of them."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oversmooth.report

REPORT = Path(oversmooth.report.__file__).resolve().parent
FORBIDDEN = ("oversmooth.datasets", "oversmooth.models", "oversmooth.training",
             "oversmooth.spectral", "oversmooth.oversquashing", "importlib")
SOURCES = sorted(REPORT.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(REPORT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str | None = None) -> list[tuple[str, int, str]]:
    """``(module, line, enclosing function)`` of every import in ``path`` (or in
    ``source``, read as that file), resolved to absolute names; ``from X import y``
    counts as importing ``X`` and ``X.y``."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []

    def visit(node, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                found.append((base, child.lineno, function))
                found.extend((f"{base}.{a.name}", child.lineno, function) for a in child.names)
            elif isinstance(child, ast.Call) and getattr(child.func, "id", None) == "__import__":
                found.append(("__import__", child.lineno, function))
            visit(child, inner)

    visit(tree, "")
    return found


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN) or name == "__import__"


def test_the_sources_are_all_found():
    names = {module_name(p) for p in SOURCES}
    assert {"oversmooth.report.build", "oversmooth.report.sections", "oversmooth.report.tables",
            "oversmooth.report.plots.spectrum", "oversmooth.report.style"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPORT)))
def test_report_imports_nothing_that_computes(path):
    """The only exception: module ``__getattr__`` functions that resolve a deprecated
    alias (a name moved to spectral) and warn while doing it."""
    bad = [(name, line) for name, line, function in imported(path)
           if forbidden(name) and function != "__getattr__"]
    assert bad == [], f"{path.name} imports {bad}"
    if any(forbidden(name) for name, _, _ in imported(path)):
        assert "DeprecationWarning" in path.read_text(encoding="utf-8")


def test_the_checker_catches_forbidden_imports():
    """The checks above can fail: a lazy relative import inside a function and an
    importlib import are both found."""
    source = ("import importlib\n\ndef f():\n    from ..datasets import load\n"
              "    from .. import spectral\n    return load, spectral\n")
    names = {name for name, _, _ in imported(REPORT / "sections.py", source)}
    assert {"importlib", "oversmooth.datasets", "oversmooth.spectral"} <= names
    assert all(forbidden(n) for n in ("importlib", "oversmooth.datasets.load",
                                      "oversmooth.spectral"))


def test_importing_report_loads_nothing_that_computes():
    code = ("import sys, oversmooth.report, oversmooth.report.plots, oversmooth.report.sections\n"
            "print('\\n'.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(REPORT.parent.parent)})
    loaded = set(done.stdout.split())
    assert "oversmooth.report.sections" in loaded
    assert not [m for m in loaded if forbidden(m) and m != "importlib"
                and not m.startswith("importlib.")]
