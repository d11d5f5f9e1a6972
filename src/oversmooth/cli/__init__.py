"""Command-line interface: ``oversmooth COMMAND --help`` explains each command."""

from . import datasets, spectral  # noqa: F401  (registers commands on ``app``)
from ._app import app, main

__all__ = ["app", "main"]
