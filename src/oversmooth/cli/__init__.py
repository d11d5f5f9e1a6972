"""Command-line interface: ``oversmooth COMMAND --help`` explains each command."""

from . import datasets, measure  # noqa: F401  (registers commands on ``app``)
from . import experiments  # noqa: F401
from . import report  # noqa: F401
from ._app import app, main

__all__ = ["app", "main"]
