"""oversmooth: measure, explain and benchmark oversmoothing in graph neural networks.

``import oversmooth`` is cheap; the subpackages load on first attribute access, as in
PyG and SciPy:

>>> import oversmooth
>>> oversmooth.graph.num_classes(oversmooth.datasets.load("karate"))
4
"""

import importlib

from .graph.validate import validate

__version__ = "0.1.0"

#: Subpackages and modules reachable as attributes of ``oversmooth`` (imported on first use).
SUBMODULES = ("graph", "datasets", "models", "training", "metrics", "spectral", "backward",
              "experiments", "literature", "report", "integrations", "oversquashing")

__all__ = ["validate", "Probe", "diagnose", "__version__", *SUBMODULES]


def __getattr__(name):
    if name == "Probe":
        from .probe import Probe

        return Probe
    if name == "diagnose":
        # the function, bound over the submodule of the same name (which is callable too:
        # importing oversmooth.diagnose first binds the module here, see diagnose.py)
        from .diagnose import diagnose

        globals()["diagnose"] = diagnose
        return diagnose
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'oversmooth' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
