"""oversmooth: measure, explain and benchmark oversmoothing in graph neural networks."""

from .validation import validate

__version__ = "0.1.0"

__all__ = ["validate", "__version__"]
