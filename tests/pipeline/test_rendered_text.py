"""The page-layout check used on both renderers' PDFs can fail: a caption left at a page's foot is found."""

from __future__ import annotations

import typst

from tests.pipeline.rendered_text import stranded_captions

FILLER = "#lorem(60)\n\n" * 7


def _pdf(tmp_path, body: str):
    source = tmp_path / "page.typ"
    source.write_text('#set page(paper: "a6")\n' + body, encoding="utf-8")
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
