"""The page-layout checks used on both renderers' PDFs can fail: a caption left at a page's foot, text drawn over text."""

from __future__ import annotations

import re

import pytest
import typst

from tests.conftest import ROOT
from tests.pipeline.rendered_text import body_pages, overlapping_glyphs, pdf_pages, stranded_captions

FILLER = "#lorem(60)\n\n" * 7


def _pdf(tmp_path, body: str, paper: str = "a6"):
    source = tmp_path / "page.typ"
    source.write_text(f'#set page(paper: "{paper}")\n' + body, encoding="utf-8")
    pdf = tmp_path / "page.pdf"
    typst.compile(str(source), output=str(pdf))
    return pdf


def test_a_caption_at_the_foot_of_a_page_with_its_table_on_the_next_is_found(tmp_path):
    pdf = _pdf(tmp_path, "#lorem(140)\n\nTable 1: A caption left behind.\n\n#pagebreak()\n#table(columns: 2, [a], [b], [c], [d])\n")
    assert stranded_captions(pdf) == [(1, "Table 1: A caption left behind.")]


def test_a_caption_followed_by_its_table_is_not_found(tmp_path):
    rows = ", ".join(f"[{i}]" for i in range(12))
    pdf = _pdf(tmp_path, f"#lorem(40)\n\nTable 1: A caption with its table.\n\n#table(columns: 2, {rows})\n")
    assert stranded_captions(pdf) == []


def test_body_pages_counts_the_pages_before_the_first_appendix_not_its_contents_line(tmp_path):
    contents = "Contents\n\n1 Findings #box(width: 1fr, repeat[.]) 2\n\n2 Appendix A: register of derived figures #box(width: 1fr, repeat[.]) 3\n"
    pdf = _pdf(tmp_path, contents + "#pagebreak()\n= 1 Findings\n#lorem(30)\n#pagebreak()\n= 2 Appendix A: register of derived figures\n#lorem(20)\n", paper="a4")
    assert body_pages(pdf) == 2


def test_body_pages_fails_when_no_appendix_heading_is_found(tmp_path):
    pdf = _pdf(tmp_path, "= 1 Findings\n#lorem(30)\n")
    with pytest.raises(ValueError, match="no page opens"):
        body_pages(pdf)


# The longest register id, in a table too wide for its page: Typst narrows the id's column below the id's width.
LONG_ID = "mcbs.interim.central.judgement.less_toxicity_spares_wellbeing.grade_if_yes"
WIDE_TABLE = f"#table(columns: 4, [`{LONG_ID}`], [3], [grade], [#lorem(30)])\n"
# The rule both renderers had until the fix: every inline code boxed at its own width, in any column.
ALWAYS_BOXED = "#show raw.where(block: false): it => context box(width: measure(it).width + 0.5pt, it)\n"


def test_an_id_boxed_wider_than_its_column_is_found_drawn_over_the_next_column(tmp_path):
    pdf = _pdf(tmp_path, ALWAYS_BOXED + WIDE_TABLE)
    assert overlapping_glyphs(pdf), "the id runs into the Value column and must be found"


@pytest.mark.parametrize("rules", ["report/typst-tables.typ", "report/fallback/typst-header.typ"])
def test_the_report_rules_wrap_an_id_wider_than_its_column_and_keep_a_short_one_whole(tmp_path, rules):
    header = (ROOT / rules).read_text(encoding="utf-8")
    pdf = _pdf(tmp_path, header + WIDE_TABLE + "#table(columns: 2, [`orr.local.everolimus`], [#lorem(20)])\n")
    assert overlapping_glyphs(pdf) == []
    text = pdf_pages(pdf)[0]
    assert LONG_ID not in text and LONG_ID in re.sub(r"\s+", "", text), "the long id wraps, all of it there"
    assert "orr.local.everolimus" in text, "a short id stays on one line"
