"""Command-line interface: ``oversmooth COMMAND --help`` explains each command."""

# Each import registers its commands on ``app``; the order is the order of ``--help``.
from . import datasets  # noqa: F401
from . import measure  # noqa: F401
from . import spectral  # noqa: F401
from . import squash  # noqa: F401
from . import train  # noqa: F401
from . import experiments  # noqa: F401
from . import tune  # noqa: F401
from . import backward  # noqa: F401
from . import diagnose  # noqa: F401
from . import report  # noqa: F401
from . import claims  # noqa: F401
from ._app import app, main

__all__ = ["app", "main"]
