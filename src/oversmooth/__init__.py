"""oversmooth: measure, explain and benchmark oversmoothing in graph neural networks."""

from .validation import validate

__version__ = "0.1.0"

__all__ = ["validate", "Probe", "__version__"]


def __getattr__(name):
    # keep `import oversmooth` cheap: the probe (and pandas) load on first use
    if name == "Probe":
        from .probe import Probe

        return Probe
    raise AttributeError(f"module 'oversmooth' has no attribute {name!r}")
