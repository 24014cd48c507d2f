"""The whole build with Quarto, on a copy of the project of its own, and the fallback's parity with it.

One Quarto render of the whole project per test run (the session fixture
``quarto_build``, minutes on two cores). Its tests are in this file alone so
that ``tests/conftest.py`` can schedule the file first: the render then runs
on one worker while every other test runs on the other. Under CI a missing
Quarto fails these tests rather than skipping them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from bolero_evidence.pipeline.epoch import data_epoch
from tests.pipeline.reader_text import html_plain, internal_names, known_ids, source_ids
from tests.pipeline.test_build import check_report
from tests.pipeline.test_parity import assert_captions_in_docx_and_pdf, differences, fallback_render, structure

pytestmark = [pytest.mark.slow, pytest.mark.quarto]


def test_quarto_build_renders_the_article_in_three_formats_and_the_notebook_pages(quarto_build):
    project, result = quarto_build
    assert result.renderer == "quarto"
    check_report(project, result)
    pages = sorted(p.name for p in (project / "_output" / "analysis").glob("*-preview.html"))
    assert pages == sorted(f"{p.stem}-preview.html" for p in (project / "analysis").glob("[0-9][0-9]-*.ipynb"))
    for page in pages:
        assert "?@" not in (project / "_output" / "analysis" / page).read_text(encoding="utf-8"), f"unresolved cross-reference in {page}"


def test_full_project_renders_alike(quarto_build, tmp_path):
    # Parity (tests/pipeline/test_parity.py) on the whole project, against the Quarto build above: one
    # Quarto render per test run, in this file so that xdist keeps both on one worker.
    project, result = quarto_build
    fallback_out = fallback_render(project, tmp_path / "fallback")
    assert differences(result.outputs["html"], fallback_out / "index.html") == {}
    found = structure(fallback_out / "index.html")
    assert len(found["captions"]) > 30
    assert_captions_in_docx_and_pdf(fallback_out, found["captions"])


def test_quarto_html_shows_no_internal_names(quarto_build):
    # The same rule as the fallback's (test_build.py): Quarto's page adds its own text (notebook links, the
    # manuscript's sidebar), which must not show a source id or a file name either.
    project, result = quarto_build
    text = html_plain(result.outputs["html"].read_text(encoding="utf-8"))
    found = internal_names(text, known_ids=known_ids(project), source_ids=source_ids(project))
    assert found == [], "internal names in the HTML:\n" + "\n".join(f"  {name!r}: …{context}…" for name, context in found[:40])


def test_quarto_pdf_is_dated_by_the_last_change_to_the_data(quarto_build):
    # SOURCE_DATE_EPOCH reaches Quarto's Typst: the PDF's creation date is the data's, not the render's.
    project, result = quarto_build
    epoch = data_epoch(project)
    assert epoch is not None
    # A date given to Typst as document(date:) is written without a time zone; build-info.lua gives it in UTC.
    created = PdfReader(result.outputs["pdf"]).metadata.creation_date
    assert created.replace(tzinfo=None) == dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)


def test_quarto_pdf_and_docx_say_how_to_cite_the_report(quarto_build):
    # Quarto adds "Cite as" to its HTML only; citation.lua adds it to the PDF and the DOCX from the same metadata.
    from tests.pipeline.rendered_text import docx_text, pdf_pages

    project, result = quarto_build
    for text in (" ".join(pdf_pages(result.outputs["pdf"])), docx_text(result.outputs["docx"])):
        cite_as = re.sub(r"\s+", " ", text).split("please cite this work as:")
        assert len(cite_as) == 2, "one Cite-as entry"
        # Chicago (citeproc's default style) writes an English title in title case.
        assert cite_as[1].strip().startswith("BOLERO-2 evidence project contributors. 2026. “BOLERO-2: Derived Figures")
        assert "Advances in Therapy" not in cite_as[1], "the reference list belongs before the appendices, not after Cite as"
    assert "@report{bolero2-evidence," in re.sub(r"\s+", "", " ".join(pdf_pages(result.outputs["pdf"])))  # the BibTeX key set in index.qmd
