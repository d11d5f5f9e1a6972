"""Writing a report: figures rendered once (PNG bytes for the page, files for papers), and
everything staged in a temporary folder beside the output, moved into place at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from . import html as H
from .style import save, to_bytes

__all__ = ["Figures", "staging", "publish", "safe_name"]


class Figures:
    """Renders figures once, keeps PNG bytes for the page and writes png/svg files."""

    def __init__(self, folder: Path, formats: Sequence[str]) -> None:
        self.folder, self.formats = folder, tuple(formats)
        self.written: list[str] = []

    def add(self, fig, name: str, alt: str, caption: str | None = None) -> str:
        """Write ``fig`` as ``name.<format>`` for each format; return its ``<figure>``."""
        import matplotlib.pyplot as plt

        self.folder.mkdir(parents=True, exist_ok=True)
        png = to_bytes(fig, "png")
        for fmt in self.formats:
            if fmt == "png":  # the bytes embedded in the page, not a second rendering
                (self.folder / f"{name}.png").write_bytes(png)
            else:
                save(fig, self.folder / f"{name}.{fmt}", fmt)
            self.written.append(f"{name}.{fmt}")
        plt.close(fig)
        return H.figure(png, alt, caption)


def safe_name(name: str) -> str:
    """``name`` as a file name: letters, digits, ``-`` and ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_") or "graph"


@contextmanager
def staging(output: Path) -> Iterator[Path]:
    """A temporary folder beside ``output``, removed at the end whatever happens: a
    failure leaves nothing half-written (files of an earlier report stay as they were)."""
    temp = Path(tempfile.mkdtemp(prefix=".oversmooth-report-", dir=output.parent))
    try:
        yield temp
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def publish(temp: Path, output: Path, figures: Figures) -> list[Path]:
    """Move the staged figures into ``figures/`` beside ``output``, then the page (staged
    as ``temp / output.name``) last. Returns the figure paths."""
    final_figures = output.parent / "figures"
    final_figures.mkdir(exist_ok=True)
    written = []
    for name in figures.written:
        os.replace(figures.folder / name, final_figures / name)
        written.append(final_figures / name)
    os.replace(temp / output.name, output)
    return written
