"""The package layout's rule (docs: architecture): data flows one way, and a lower package
never imports a higher one -- at module level or inside a function.

Each package of ``oversmooth`` has a level; an import must go to a strictly lower level
(or stay inside its own package). The exceptions are the convenience methods that hand a
result to a later stage on the user's request (``Probe.plot`` / ``save`` /
``write_tensorboard``, ``Diagnosis.plot``) and the deprecated plot aliases; each is listed
with the file it lives in, so a new reach-back fails here until it is argued for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import oversmooth

ROOT = Path(oversmooth.__file__).parent

#: package (or top-level module) -> level; imports go strictly down.
LEVELS = {
    "_params": 0, "_atomic": 0, "_deprecation": 0, "_extras": 0, "__version__": 0,
    "graph": 1,
    "datasets": 2, "models": 2, "metrics": 2, "validation": 2,
    "spectral": 3, "literature": 3,
    "oversquashing": 4,  # rewiring transforms the graph before training
    "training": 5,
    "probe": 6,
    "backward": 7,
    "diagnose": 8,
    "experiments": 9,
    "report": 10,
    "integrations": 11,
    "demo": 12,
    "cli": 13, "__main__": 14, "__init__": 14,
}

#: (file relative to the package root, imported package): why the reach-back is allowed.
EXCEPTIONS = {
    ("probe/recorder.py", "report"): "Probe.plot draws the recorded history on request",
    ("probe/recorder.py", "experiments"): "Probe.save writes the recorded run to a store on request",
    ("probe/recorder.py", "integrations"): "Probe.write_tensorboard on request",
    ("diagnose.py", "report"): "Diagnosis.plot on request",
    ("spectral/plot.py", "report"): "deprecated alias of report.plots.propagation_curves",
    ("backward/plot.py", "report"): "deprecated alias of report.plots.backward_diagnosis",
}


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages of ``oversmooth`` that ``path`` imports, anywhere in the file."""
    return _imports(path.read_text(), list(path.relative_to(ROOT).parts[:-1]))


def _imports(source: str, here: list[str]) -> set[str]:
    """The packages ``source`` imports when it lives in the package path ``here``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = here[:len(here) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            names = [target] if node.module or target else [[a.name] for a in node.names]
            found.update(t[0] for t in names if t)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oversmooth."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("oversmooth."))
    return found


def _package(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


FILES = sorted(ROOT.rglob("*.py"))


def test_every_package_has_a_level():
    assert {_package(f) for f in FILES} <= set(LEVELS), "place the new package in LEVELS"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down(path):
    me = _package(path)
    rel = path.relative_to(ROOT).as_posix()
    upward = sorted(other for other in _imported_packages(path) - {me}
                    if LEVELS[other] >= LEVELS[me] and (rel, other) not in EXCEPTIONS)
    assert not upward, f"{rel} ({me}) imports {upward}, a later stage of the flow"


def test_the_exceptions_are_still_needed():
    for rel, other in EXCEPTIONS:
        assert other in _imported_packages(ROOT / rel), f"{rel} no longer imports {other}: drop the exception"


def test_the_checker_sees_an_upward_import():
    """Relative and absolute imports are resolved, at module level and in functions."""
    source = "from ..report import plots\ndef f():\n    import oversmooth.cli\n    from . import ops\n"
    assert _imports(source, ["graph"]) == {"report", "cli", "graph"}
    assert _imports("from .. import metrics, graph\n", ["probe"]) == {"metrics", "graph"}
    assert _imports("from .report import plots\n", []) == {"report"}
