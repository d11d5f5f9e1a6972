"""Writing a report: figures rendered once, in memory (PNG bytes for the page, files for
papers), and every file written whole at the end, the page last.

Nothing is staged on disk: each file goes through :func:`oversmooth._atomic.write_bytes`
(an unnamed temporary file renamed into place), so a report killed at any moment leaves the
earlier files or the new ones, never a torn file or temporary debris.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .._atomic import check_output_file, check_output_folder, write_bytes, write_text
from . import html as H
from .style import to_bytes

__all__ = ["Figures", "publish", "safe_name"]


class Figures:
    """Renders each figure once per format and keeps the bytes until :func:`publish`."""

    def __init__(self, formats: Sequence[str]) -> None:
        self.formats = tuple(formats)
        self.files: dict[str, bytes] = {}

    @property
    def written(self) -> list[str]:
        return list(self.files)

    def add(self, fig, name: str, alt: str, caption: str | None = None) -> str:
        """Render ``fig`` as ``name.<format>`` for each format; return its ``<figure>``."""
        import matplotlib.pyplot as plt

        png = to_bytes(fig, "png")
        for fmt in self.formats:  # the PNG embedded in the page is the PNG file too
            self.files[f"{name}.{fmt}"] = png if fmt == "png" else to_bytes(fig, fmt)
        plt.close(fig)
        return H.figure(png, alt, caption)


def safe_name(name: str) -> str:
    """``name`` as a file name: letters, digits, ``-`` and ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_") or "graph"


def check_output(output: Path) -> Path:
    """``output`` and the ``figures/`` folder beside it are usable (one-line ``ValueError``)."""
    output = check_output_file(output, create_folder=True)
    figures = output.parent / "figures"
    if figures.exists() and not figures.is_dir():
        raise ValueError(f"{figures} is a file; the report writes its figures into a folder of that name")
    return output


def publish(page: str, output: Path, figures: Figures) -> list[Path]:
    """Write the figures into ``figures/`` beside ``output``, then the page last (each file
    atomically). Returns the figure paths."""
    output = check_output(output)
    folder = check_output_folder(output.parent / "figures", create=True)
    written = [write_bytes(folder / name, data) for name, data in figures.files.items()]
    write_text(output, page)
    return written
