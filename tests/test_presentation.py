"""Tests of bolero_evidence.presentation: the writing rules, and pipe tables that show data as text.

The escaping tests read the table back with pandoc (the reader Quarto and the
fallback use) and check the parsed document, so they hold for every writer
(HTML, Typst, DOCX); each is paired with the same check on the unescaped
table, which must fail, so that the test can tell escaping from no escaping.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pypandoc
import pytest

from bolero_evidence.presentation import (
    MINUS,
    MISSING,
    escape_markdown,
    estimate_with_interval,
    interval,
    number,
    p_value,
    signed,
    yes_no,
)
from bolero_evidence.presentation.text import markdown_text

# ---------------------------------------------------------------------------
# Writing rules
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (2.4643, 2, "2.46"),
    (-7.629, 2, f"{MINUS}7.63"),
    (-0.04, 1, "0.0"),          # rounds to zero: no sign
    (0.0, 0, "0"),
    (math.inf, 1, "∞"),
    (-math.inf, 1, f"{MINUS}∞"),
    (None, 1, MISSING),
    (math.nan, 3, MISSING),
    (np.float64(-1.25), 1, f"{MINUS}1.2"),  # round half to even, as Python's format
])
def test_number(value, digits, expected):
    assert number(value, digits) == expected


def test_number_never_writes_a_hyphen_minus():
    assert "-" not in number(-3.5) + signed(-3.5) + interval(-1.0, -0.5) + p_value(2.4e-14)


@pytest.mark.parametrize(("value", "expected"), [(4.6, "+4.6"), (-2.0, f"{MINUS}2.0"), (0.0, "0.0"), (-0.04, "0.0"),
                                                 (None, MISSING)])
def test_signed(value, expected):
    assert signed(value, 1) == expected


def test_interval_in_words_and_estimate_with_interval():
    assert interval(-0.382565, 7.9695, 1) == f"{MINUS}0.4 to 8.0"
    assert interval(None, None) == MISSING
    assert interval(8.3, math.inf, 1) == "8.3 to ∞"
    assert estimate_with_interval(0.43, 0.35, 0.54, 2) == "0.43 (0.35 to 0.54)"
    assert estimate_with_interval(9.48, 7.03, 12.45, 1, unit="%") == "9.5% (7.0 to 12.4)"
    assert estimate_with_interval(4.1, None, None, 1) == "4.1"


@pytest.mark.parametrize(("flag", "expected"), [(True, "yes"), (False, "no"), (np.bool_(True), "yes"), (None, MISSING)])
def test_yes_no(flag, expected):
    assert yes_no(flag) == expected


def test_p_value():
    assert p_value(2.44e-14) == f"2.4e{MINUS}14"
    assert p_value(0.0123) == "0.012"
    assert p_value(0.001) == "0.001"
    assert p_value(math.nan) == MISSING
    with pytest.raises(ValueError, match="not a probability"):
        p_value(1.5)


# ---------------------------------------------------------------------------
# Escaping: text from the data shows as text
# ---------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "<b>bold</b> & &lt;entity&gt;",
    "a | b",
    "*starred* and __under__ and snake_case_name",
    "`code` and back\\slash \\* and ~~struck~~",
    "$x^2$ and H~2~O and 10^5^",
    "see @sec-discrepancies",
    "<1% and <http://example.org>",
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"note": HOSTILE, "n": [str(i) for i in range(len(HOSTILE))]})


def _cells(markdown: str) -> list[list[tuple[set[str], str]]]:
    """The body cells of the first table as pandoc reads them: (inline node types, text) per cell."""
    document = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    table = next(block for block in document["blocks"] if block["t"] == "Table")

    def inlines(nodes, types, text):
        for node in nodes:
            if not isinstance(node, dict) or "t" not in node:  # e.g. the citation records of a Cite
                continue
            types.add(node["t"])
            if node["t"] == "Str":
                text.append(node["c"])
            elif node["t"] in ("Space", "SoftBreak"):
                text.append(" ")
            elif isinstance(node.get("c"), list):
                inner = [c for c in node["c"] if isinstance(c, list) and c and isinstance(c[0], dict)]
                for part in inner:
                    inlines(part, types, text)

    rows = []
    for body in table["c"][4]:
        for row in body[3]:
            cells = []
            for cell in row[1]:
                types, text = set(), []
                for block in cell[4]:
                    inlines(block["c"], types, text)
                cells.append((types, "".join(text)))
            rows.append(cells)
    return rows


def test_escaped_table_reads_back_as_plain_text_cell_by_cell():
    rows = _cells(markdown_text(_frame()))
    assert len(rows) == len(HOSTILE)
    for (types, text), original in zip((row[0] for row in rows), HOSTILE, strict=True):
        # Only text nodes: no RawInline (HTML), Link, Emph, Strong, Code, Math, Cite, Strikeout...
        assert types <= {"Str", "Space"}, (original, types)
        assert text == original
    assert all(len(row) == 2 for row in rows)  # the pipe in "a | b" did not split a cell


def test_unescaped_table_does_not_read_back_as_text():
    # The same check on pandas' own pipe table fails: this is what the escaping prevents.
    rows = _cells(_frame().to_markdown(index=False, disable_numparse=True))
    node_types = set().union(*(row[0][0] for row in rows))
    assert {"RawInline", "Link", "Emph", "Code", "Math", "Cite"} <= node_types
    assert [row[0][1] for row in rows] != HOSTILE


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.cells, self._in_cell = set(), [], False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "td":
            self._in_cell, self.cells = True, [*self.cells, ""]

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def _html(markdown: str) -> _Tags:
    parser = _Tags()
    parser.feed(pypandoc.convert_text(markdown, "html", format="markdown"))
    return parser


def test_html_shows_the_text_and_makes_no_elements():
    parser = _html(markdown_text(_frame()))
    assert parser.tags <= {"table", "thead", "tbody", "tr", "th", "td"}
    assert [" ".join(c.split()) for c in parser.cells[::2]] == HOSTILE


def test_html_of_the_unescaped_table_has_a_link_and_loses_the_script_text():
    parser = _html(_frame().to_markdown(index=False, disable_numparse=True))
    assert {"a", "b"} <= parser.tags
    # pandoc reads the <script> element as raw HTML: the reader would not see the note at all.
    assert parser.cells[0].strip() != HOSTILE[0]


def test_typst_and_docx_keep_the_text(tmp_path):
    markdown = markdown_text(_frame())
    typst = pypandoc.convert_text(markdown, "typst", format="markdown")
    assert "#link" not in typst and "alert(1)" in typst
    target = tmp_path / "table.docx"
    pypandoc.convert_text(markdown, "docx", format="markdown", outputfile=str(target))
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<w:hyperlink" not in body


def test_escape_markdown_keeps_a_cell_on_one_line():
    assert escape_markdown("first\nsecond") == "first second"
    assert escape_markdown(r"a\b") == r"a\\b"


def test_headers_are_escaped_and_missing_cells_are_dashes():
    frame = pd.DataFrame({"Cells printed <1": ["x", None], "p_value": [math.nan, "y"]})
    text = markdown_text(frame)
    assert r"Cells printed \<1" in text and r"p\_value" in text
    assert text.count(MISSING) == 2
