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
    # Half away from zero on the digits Python prints (as citing.numberstyle writes the
    # register's figures), not Python's format, which gives -1.2 here:
    (np.float64(-1.25), 1, f"{MINUS}1.3"),
    (0.125, 2, "0.13"),
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
    assert estimate_with_interval(9.48454, 7.02768, 12.4482, 1, unit="%") == "9.5% (7.0 to 12.4)"
    assert estimate_with_interval(4.1, None, None, 1) == "4.1"


@pytest.mark.parametrize(("flag", "expected"), [(True, "yes"), (False, "no"), (np.bool_(True), "yes"), (None, MISSING)])
def test_yes_no(flag, expected):
    assert yes_no(flag) == expected


def test_p_value_in_the_nejm_form():
    # NEJM 2011 prints "P<0.001"; two significant digits above (the news report's 0.0084 style),
    # the rule of citing.numberstyle, so the report and the citations of it agree.
    assert p_value(2.44e-14) == "<0.001"
    assert p_value(0.00099) == "<0.001"
    assert p_value(0.0123) == "0.012"
    assert p_value(0.00843) == "0.0084"
    assert p_value(0.4321) == "0.43"
    assert p_value(0.001) == "0.0010"
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


# ---------------------------------------------------------------------------
# One number style: the decimals of each kind of figure (issue 11), the same
# as citing.numberstyle writes the register's figures for the citing tools
# ---------------------------------------------------------------------------


def test_a_hazard_ratio_has_two_decimals():
    from bolero_evidence.presentation.text import hazard_ratio

    assert hazard_ratio(0.434912) == "0.43"
    assert hazard_ratio(0.405797) != "0.406", "three decimals is not the report's style"
    assert hazard_ratio(math.nan) == MISSING


def test_a_percentage_has_one_decimal():
    from bolero_evidence.presentation.text import percent

    assert percent(9.48454) == "9.5"
    assert percent(0.41841) == "0.4"
    assert percent(-0.25) == f"{MINUS}0.3"


def test_months_have_one_decimal():
    from bolero_evidence.presentation.text import months

    assert months(4.06) == "4.1"
    assert months(7.59) == "7.6"


def test_a_number_needed_is_a_whole_number():
    from bolero_evidence.presentation.text import number_needed

    assert number_needed(6.7119) == "7"
    assert number_needed(14.5842) == "15"
    assert number_needed(math.inf) == "∞"
    assert "." not in number_needed(24.3145)


@pytest.mark.parametrize("value", [-0.382565, -7.629, -1e-9, -math.inf])
def test_a_negative_number_has_the_unicode_minus(value):
    from bolero_evidence.presentation.text import hazard_ratio, months, percent

    written = number(value, 2) + signed(value, 1) + months(value) + percent(value) + hazard_ratio(value)
    assert "-" not in written


@pytest.mark.parametrize(("value", "unit", "digits"), [(0.434912, "hazard_ratio", 2), (9.48454, "percent", 1),
                                                       (4.05, "months", 1), (-2.345, "percentage_points", 1),
                                                       (0.125, "ratio", 2), (14.5, "patients", 0)])
def test_the_report_and_the_citing_tools_write_a_figure_alike(value, unit, digits):
    from bolero_evidence.citing.numberstyle import decimals_for, format_number

    assert decimals_for(value, unit) == digits
    assert number(value, digits) == format_number(value, unit)


def test_a_range_is_written_with_to_not_a_hyphen():
    assert interval(-1.0, 3.0, 1) == f"{MINUS}1.0 to 3.0"
    assert "-" not in interval(-1.0, -0.5, 1)


# ---------------------------------------------------------------------------
# Names a reader sees (presentation.names, presentation.register)
# ---------------------------------------------------------------------------


def test_a_source_is_named_as_a_reader_cites_it():
    from bolero_evidence.presentation.names import source_name

    sources = pd.DataFrame({"source_id": ["nejm_2011"], "short_name": ["NEJM 2011"]})
    assert source_name("nejm_2011", sources) == "NEJM 2011"
    with pytest.raises(KeyError, match=r"source 'nejm_2012' is not in data/sources.csv.*known: \['nejm_2011'\]"):
        source_name("nejm_2012", sources)


def test_a_data_label_is_written_in_words_and_in_the_reports_spelling():
    from bolero_evidence.presentation.names import british, data_label, readable_key

    assert data_label("clinical_benefit") == "clinical benefit"
    assert british("Anemia, hyperglycemia and peripheral edema") == "Anaemia, hyperglycaemia and peripheral oedema"
    assert british("MD Anderson Cancer Center") == "MD Anderson Cancer Center", "a name keeps its spelling"
    assert readable_key("adverse_events: term=anemia, grade=3-4, arm=everolimus") == "adverse events: anaemia, grade 3–4, everolimus"
    assert readable_key("trial=tamrad, endpoint=os_median", {"tamrad": "TAMRAD"}) == "TAMRAD, os median"


def test_the_register_table_has_reader_facing_headers_and_the_number_style():
    from bolero_evidence.presentation.register import register_table
    from bolero_evidence.register import Register

    register = Register("02-demo")
    register.add("pfs.local.interim.hr_exponential", 0.405797, unit="hazard_ratio", method="m", inputs=["nejm_2011"],
                 cell="tbl-demo", section="sec-pfs", description="d")
    register.add("pfs.local.interim.p_value", 2e-14, unit="p_value", method="m", inputs=["nejm_2011"],
                 cell="tbl-demo", section="sec-pfs", description="d")
    register.add("orr.local.difference", 9.06613, unit="percentage_points", method="m", inputs=["nejm_2011"],
                 cell="tbl-demo", section="sec-response", description="d", ci_low=-6.07565, ci_high=12.0215)
    table = register_table(register.entries)
    assert list(table.columns) == ["Register id", "Value", "95% CI low", "95% CI high", "Unit", "Method", "Section"]
    assert table.iloc[0].tolist() == ["pfs.local.interim.hr_exponential", "0.41", MISSING, MISSING, "hazard ratio", "m",
                                      "Progression-free survival"]
    assert table.iloc[1]["Value"] == "<0.001"
    assert table.iloc[2][["Value", "95% CI low", "95% CI high", "Unit", "Section"]].tolist() == \
        ["9.1", f"{MINUS}6.1", "12.0", "percentage points", "Response"]


# ---------------------------------------------------------------------------
# The ESMO-MCBS note of the summary of findings (issue 12)
# ---------------------------------------------------------------------------


def _score(preliminary_status: str, adjustment_status: str):
    from types import SimpleNamespace as Fake

    rule = Fake(wording="HR ≤0.65 AND gain ≥1.5 months", confirmed_from=preliminary_status)
    steps = (Fake(applies=True, effect="-1", wording="Downgrade for toxicity", confirmed_from=adjustment_status),
             Fake(applies=False, effect="+1", wording="Upgrade for QoL", confirmed_from="unconfirmed: not read"))
    card = Fake(form="2b", final_grade=2, preliminary=Fake(grade=3, rule=rule), adjustments=steps)
    return Fake(cut="interim", assessment="local", scorecard=card, error=None, esmo_analysis=True)


def test_the_mcbs_note_says_when_the_grade_rests_on_unconfirmed_form_rows():
    from bolero_evidence.presentation.summary import mcbs_note

    judgement, reason = mcbs_note(_score("confirmed", "secondary: a peer-reviewed summary"))
    assert judgement == "grade 2 (form 2b; interim analysis, local assessment)"
    assert "preliminary grade 3 (HR ≤0.65 AND gain ≥1.5 months)" in reason and "final grade 2, as in the ESMO-MCBS section" in reason
    assert f"{MINUS}1: Downgrade for toxicity" in reason and "Upgrade for QoL" not in reason  # not applied: did not decide
    assert "partly unconfirmed form rows: 1 of the 2 rows" in reason and "read in a secondary source only" in reason


def test_the_mcbs_note_of_a_grade_on_confirmed_rows_says_so():
    from bolero_evidence.presentation.summary import mcbs_note

    _, reason = mcbs_note(_score("confirmed", "confirmed"))
    assert "unconfirmed" not in reason and "All 2 form rows that decided it were read in an ESMO publication" in reason


def test_the_saved_summary_of_findings_gives_the_registered_mcbs_grade():
    import nbformat

    from bolero_evidence.register import read_register
    from tests.conftest import ROOT

    register = read_register(ROOT / "report" / "generated" / "register.csv").set_index("id")
    grade = int(register.loc["mcbs.interim.local.final_grade", "value"])
    notebook = nbformat.read(ROOT / "analysis" / "07-summary-of-findings.ipynb", as_version=4)
    shown = {cell.source.splitlines()[0]: cell.outputs[0]["data"]["text/markdown"] for cell in notebook.cells
             if cell.cell_type == "code" and cell.source.startswith("#| label: tbl-summary-of-findings")}
    notes, table = shown["#| label: tbl-summary-of-findings-notes"], shown["#| label: tbl-summary-of-findings"]
    assert f"grade {grade} (form 2b; interim analysis, local assessment)" in notes
    assert "partly unconfirmed form rows" in notes
    assert f"ESMO-MCBS v1.1 grade {grade} (note" in table
