"""A self-contained HTML page: inline CSS, images as base64 ``data:`` URIs, no scripts,
no external fonts, no network request when it is opened.

:func:`render` takes a list of :class:`Section` objects; each holds HTML fragments built
with the helpers here (:func:`figure`, :func:`table`, :func:`frame`, :func:`missing`, ...),
which escape every piece of text they are given.
"""

from __future__ import annotations

import base64
import html as _html
from dataclasses import dataclass, field
from typing import Iterable, Sequence

__all__ = ["Section", "SECTIONS", "render", "figure", "table", "missing", "paragraph",
           "details", "escape", "badge", "definition_list", "frame"]

#: (id, heading) of the report's sections, in page order.
SECTIONS = (
    ("overview", "Overview"),
    ("accuracy", "Accuracy vs depth"),
    ("layers", "Per-layer metrics"),
    ("spectral", "Spectral prediction vs measurement"),
    ("backward", "Backward diagnostics"),
    ("squashing", "Over-smoothing vs over-squashing"),
    ("claims", "Claims"),
    ("tables", "Tables"),
    ("settings", "Run settings"),
)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#1d1d1f;background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:1.5rem 2rem 4rem}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.5rem 2rem;
z-index:1;font-size:.9rem}
nav a{margin-right:1rem;color:#0b5cad;text-decoration:none}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.3rem;border-bottom:2px solid #0b5cad;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin-top:1.5rem}
figure{margin:1rem 0;background:#fff;border:1px solid #e3e3e3;padding:.5rem}
figure img{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:.85rem;color:#555;margin-top:.3rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem;background:#fff}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.missing{border-left:4px solid #c77700;background:#fff8ec;padding:.5rem .8rem;margin:.6rem 0}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.8rem;
font-weight:600;color:#fff;white-space:nowrap}
.confirmed{background:#2e7d32}.contradicted{background:#c62828}
.partly{background:#ef6c00}.not-measured{background:#757575}
details summary{cursor:pointer;color:#0b5cad}
pre{background:#f4f4f4;padding:.4rem;overflow-x:auto;font-size:.78rem;margin:.3rem 0}
dl{margin:.2rem 0}dt{font-weight:600}dd{margin:0 0 .2rem 1rem}
.meta{color:#555;font-size:.9rem}
"""


def escape(text) -> str:
    return _html.escape(str(text), quote=True)


@dataclass
class Section:
    """One ``<section id=...>`` with its ``<h2>`` heading and body fragments."""

    id: str
    title: str
    parts: list[str] = field(default_factory=list)

    def add(self, fragment: str) -> "Section":
        self.parts.append(fragment)
        return self


def paragraph(text: str, cls: str | None = None) -> str:
    attr = f' class="{escape(cls)}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def missing(what: str, how: str | None = None) -> str:
    """A visible note that a part of the report has no data, and how to produce it."""
    body = f"<strong>Missing:</strong> {escape(what)}"
    if how:
        body += f"<br>To produce it: <code>{escape(how)}</code>"
    return f'<div class="missing">{body}</div>'


def figure(png: bytes, alt: str, caption: str | None = None, width: int | None = None) -> str:
    """An embedded PNG (``data:image/png;base64``)."""
    data = base64.b64encode(png).decode("ascii")
    style = f' style="max-width:{int(width)}px"' if width else ""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}"{style}>'
            f"{cap}</figure>")


def _cell(value, numeric_format: str = "{:.4g}") -> str:
    if isinstance(value, float):
        if value != value:
            return '<td class="num">–</td>'
        return f'<td class="num">{escape(numeric_format.format(value))}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape('' if value is None else value)}</td>"


def table(header: Sequence[str] | None, rows: Iterable[Sequence], raw_columns: Sequence[int] = (),
          caption: str | None = None) -> str:
    """An HTML table; cells are escaped except those in ``raw_columns`` (already HTML)."""
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    if header:
        out.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = [f"<td>{v}</td>" if i in raw_columns else _cell(v) for i, v in enumerate(row)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def frame(df, caption: str | None = None) -> str:
    """A DataFrame as an HTML table: its columns as the header, one row per row, every
    cell escaped (a label may hold ``|``, ``<`` or ``&``); the index is left out."""
    return table([str(c) for c in df.columns], df.itertuples(index=False, name=None),
                 caption=caption)


def badge(verdict: str) -> str:
    return f'<span class="badge {escape(verdict.replace(" ", "-"))}">{escape(verdict)}</span>'


def definition_list(items: dict) -> str:
    if not items:
        return "–"
    parts = []
    for key, value in items.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        parts.append(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>")
    return "<dl>" + "".join(parts) + "</dl>"


def details(summary: str, body_html: str) -> str:
    return f"<details><summary>{escape(summary)}</summary>{body_html}</details>"


def render(title: str, sections: Sequence[Section], subtitle: str = "") -> str:
    """The whole page."""
    nav = "".join(f'<a href="#{escape(s.id)}">{escape(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{escape(s.id)}"><h2>{escape(s.title)}</h2>'
                   + "".join(s.parts) + "</section>" for s in sections)
    sub = f'<p class="meta">{escape(subtitle)}</p>' if subtitle else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            # no request may leave the page: no favicon fetch, nothing external at all
            "<link rel=\"icon\" href=\"data:,\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<nav>{nav}</nav><main><h1>{escape(title)}</h1>{sub}{body}</main></body></html>\n")
