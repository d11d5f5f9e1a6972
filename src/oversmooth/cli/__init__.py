"""Command-line interface: ``oversmooth COMMAND --help`` explains each command."""

from . import datasets  # noqa: F401  (registers commands on ``app``)
from . import train  # noqa: F401
from ._app import app, main

__all__ = ["app", "main"]
