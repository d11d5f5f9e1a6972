"""HTML fragments escape every piece of text they are given; DataFrames render cell by
cell, with no Markdown in between."""

from __future__ import annotations

import re

import pandas as pd

from oversmooth.report import html as H


def cells(fragment: str) -> list[list[str]]:
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", fragment)]


def test_frame_escapes_every_cell_and_keeps_pipes():
    df = pd.DataFrame({"model": ["A | <b>B</b>", "x & y"], "2": ["81.1 ± 0.3 [81.1]", "–"],
                       "<i>col</i>": [1.5, 2]}, dtype=object)
    out = H.frame(df, caption="cora: test_acc | <script>")
    assert "<b>" not in out and "<script>" not in out and "<i>col" not in out
    assert "<caption>cora: test_acc | &lt;script&gt;</caption>" in out
    assert cells(out) == [["model", "2", "&lt;i&gt;col&lt;/i&gt;"],
                          ["A | &lt;b&gt;B&lt;/b&gt;", "81.1 ± 0.3 [81.1]", "1.5"],
                          ["x &amp; y", "–", "2"]]


def test_frame_leaves_the_index_out():
    df = pd.DataFrame({"a": ["1"]}, index=["<idx>"])
    assert "idx" not in H.frame(df)


def test_no_markdown_parser_left():
    assert not hasattr(H, "markdown_tables")
