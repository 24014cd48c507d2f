"""Quarto's PDF and DOCX are byte-identical between two renders with one ``SOURCE_DATE_EPOCH`` (issue 14).

The Typst that Quarto 1.7 runs ignores ``SOURCE_DATE_EPOCH``; the project's
``build-info.lua`` (a filter of ``_quarto.yml``) sets the document's date from
it instead. Two copies of the small fixture project, with that filter added
as in the real ``_quarto.yml``, are rendered by Quarto in two folders, some
seconds apart, with one epoch: the PDF and the DOCX must be the same bytes,
and the PDF's creation date must be the epoch. The case that must fail was
tried by hand: without the filter the two PDFs differ (in their creation
time, the clock's).

The whole project is rendered by Quarto once per run
(``test_quarto_build.py``); rendering it twice would cost three more
minutes for the same check.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.quarto

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC: any fixed time will do


def _render(quarto: str, folder: Path) -> Path:
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("_manuscript", ".quarto", "make_notebook.py"))
    shutil.copytree(ROOT / "report" / "fallback", folder / "report" / "fallback")
    config = folder / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - report/fallback/float-labels.lua\n" in text
    config.write_text(text.replace("  - report/fallback/float-labels.lua\n",
                                   "  - report/fallback/build-info.lua\n  - report/fallback/float-labels.lua\n"), encoding="utf-8")
    completed = subprocess.run([quarto, "render"], cwd=folder, capture_output=True, text=True, check=False,
                               env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)})
    assert completed.returncode == 0, completed.stderr[-4000:]
    return folder / "_manuscript"


@pytest.fixture(scope="module")
def renders(quarto, tmp_path_factory):
    base = tmp_path_factory.mktemp("quarto-reproducible")
    return _render(quarto, base / "first"), _render(quarto, base / "second")


@pytest.mark.parametrize("name", ["index.pdf", "index.docx"])
def test_two_quarto_renders_with_one_epoch_are_byte_identical(renders, name):
    first, second = renders
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_the_epoch_is_the_quarto_pdf_s_creation_date(renders):
    from pypdf import PdfReader

    created = PdfReader(renders[0] / "index.pdf").metadata.creation_date
    # Typst writes the date without a zone (as test_quarto_build.py reads it): compared as UTC.
    assert created.replace(tzinfo=None) == dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC).replace(tzinfo=None)


def test_the_project_renders_with_the_filter_that_fixes_the_date():
    assert "  - report/fallback/build-info.lua\n" in (ROOT / "_quarto.yml").read_text(encoding="utf-8")
