"""The page-layout check used on both renderers' PDFs can fail: a caption left at a page's foot is found."""

from __future__ import annotations

import pytest
import typst

from tests.pipeline.rendered_text import body_pages, stranded_captions

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
