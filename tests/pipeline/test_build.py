"""The whole build in a temporary copy of the project, with the fallback renderer.

The fallback (pandoc + Typst) build runs first; then a data change (what the
build would re-execute, from the fingerprints it saved), a failing notebook
and a data error are tried on the same copy. The Quarto build is in
``test_quarto_build.py``, a file of its own, so that the test run can start
it first and run this file on the other worker meanwhile.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import nbformat
import pytest

from bolero_evidence.data.errors import DataValidationError
from bolero_evidence.data.loader import load_tables
from bolero_evidence.paths import Project
from bolero_evidence.pipeline.epoch import data_epoch
from bolero_evidence.pipeline.pipeline import FORMATS, BuildError, build, plan
from bolero_evidence.register import read_register
from tests.conftest import ROOT, copy_project, edit_cell, find_line
from tests.pipeline.rendered_text import body_pages, overlapping_glyphs, pdf_pages, stranded_captions

pytestmark = pytest.mark.slow
ARTICLE = (ROOT / "index.qmd").read_text(encoding="utf-8")
SECTION_IDS = re.findall(r"\{#(sec-[a-z0-9-]+)\}", ARTICLE)
EMBEDDED_LABELS = re.findall(r"\{\{< embed [^#]+#((?:tbl|fig)-[a-z0-9-]+) >\}\}", ARTICLE)
BIBLIOGRAPHY_KEYS = re.findall(r"^@\w+\{([^,]+),", (ROOT / "report" / "references.bib").read_text(encoding="utf-8"), flags=re.MULTILINE)
# The body, before the appendices, is meant to be read in one sitting (issue 11: at most 15 pages).
MAX_BODY_PAGES = 15
KEY_FIGURES = ["pfs.local.interim.median_gain", "design.interim.info_fraction.actual", "orr.local.everolimus",
               "design.boundary.actual.z_interim"]


@pytest.fixture(scope="module")
def built(tmp_path_factory, seeds):
    project = copy_project(tmp_path_factory.mktemp("project"))
    lines: list[str] = []
    result = build(project, seeds=seeds, use_quarto=False, progress=lines.append)
    return project, result, lines


def check_report(project, result):
    assert set(result.outputs) == set(FORMATS)
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert SECTION_IDS and EMBEDDED_LABELS
    for anchor in SECTION_IDS + EMBEDDED_LABELS:
        assert f'id="{anchor}"' in html, anchor
    # Every register figure is an anchor named by its id: the citing tools link index.html#<register id>.
    register_ids = read_register(project / "report" / "generated" / "register.csv")["id"]
    assert len(register_ids) > 100
    unanchored = [rid for rid in register_ids if f'id="{rid}"' not in html]
    assert unanchored == [], f"{len(unanchored)} register ids without an anchor, e.g. {unanchored[:5]}"
    assert result.outputs["pdf"].read_bytes().startswith(b"%PDF")
    assert result.outputs["docx"].read_bytes().startswith(b"PK")
    loading = re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="(?:https?:)?//[^"]*"', html)
    assert loading == [], "the HTML must open offline"
    assert "@import url(http" not in html and "fonts.googleapis" not in html
    assert stranded_captions(result.outputs["pdf"]) == [], "a table caption ends a PDF page, its table on the next"
    overlaps = overlapping_glyphs(result.outputs["pdf"])
    assert overlaps == [], f"text drawn over text in the PDF (page, before, at): {overlaps[:5]}"
    assert body_pages(result.outputs["pdf"]) <= MAX_BODY_PAGES
    # Every work in the bibliography is cited, so each is in the reference list (citeproc lists only cited works).
    assert len(BIBLIOGRAPHY_KEYS) > 10
    uncited = [key for key in BIBLIOGRAPHY_KEYS if f'id="ref-{key}"' not in html]
    assert uncited == [], f"not in the reference list: {uncited}"
    assert html.count('id="refs"') == 1, "one reference list (the Cite-as entry is not a second one)"
    assert not (project / "_output.staging").exists()


def test_fallback_build_produces_html_pdf_and_docx_with_every_anchor(built):
    project, result, _ = built
    assert result.renderer == "pandoc" and result.rendered
    check_report(project, result)


def test_build_reports_progress_for_every_step(built):
    _, _, lines = built
    for step in ("[1/4] validating data/", "[2/4] notebooks", "[3/4] generated tables", "[4/4] render"):
        assert step in lines


def test_a_fresh_copy_executes_no_notebook_because_the_saved_ones_are_current(built):
    _, result, _ = built
    assert [r.notebook for r in result.notebooks if r.executed] == []


def test_pdf_text_contains_the_key_figures_from_the_register(built):
    project, result, _ = built
    text = re.sub(r"\s+", " ", " ".join(pdf_pages(result.outputs["pdf"])))
    register = read_register(project / "report" / "generated" / "register.csv")
    key = register[register["id"].isin(KEY_FIGURES)]
    assert len(key) == len(KEY_FIGURES)
    for row in key.itertuples():
        # The report shows one to three decimals; the register keeps six significant digits.
        shown = [f"{row.value:.1f}", f"{row.value:.2f}", f"{row.value:.3f}"]
        assert any(s in text for s in shown), (row.id, shown)


def test_the_html_shows_no_internal_names(built):
    # Issue 11: what a reader sees names sources as cited, not by id or file (rules: tests/pipeline/reader_text.py).
    from tests.pipeline.reader_text import html_plain, internal_names, known_ids, source_ids

    project, result, _ = built
    text = html_plain(result.outputs["html"].read_text(encoding="utf-8"))
    found = internal_names(text, known_ids=known_ids(project), source_ids=source_ids(project))
    assert found == [], "internal names in the HTML:\n" + "\n".join(f"  {name!r}: …{context}…" for name, context in found[:40])


def test_the_pdf_and_docx_are_dated_by_the_last_change_to_the_data(built):
    # SOURCE_DATE_EPOCH: the copy has no git, so its data date is the newest data file's time (copied with it).
    from pypdf import PdfReader

    project, result, lines = built
    epoch = data_epoch(project)
    assert epoch is not None and f"  SOURCE_DATE_EPOCH={epoch}: the last change to data/" in lines
    assert PdfReader(result.outputs["pdf"]).metadata.creation_date == dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    core = zipfile.ZipFile(result.outputs["docx"]).read("docProps/core.xml").decode()
    assert dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_second_build_without_changes_executes_and_renders_nothing(built, seeds):
    project, _, _ = built
    sources = _tracked(project)
    result = build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
    assert [r.notebook for r in result.notebooks if r.executed] == []
    assert result.rendered is False
    # Nothing the checkout tracks was rewritten (notebooks, report/generated/): a build that changed nothing leaves git clean.
    assert _tracked(project) == sources


def _tracked(project):
    """What git would track in the copy (the ignored output and cache folders left out), with the bytes of each file."""
    return {p: p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and not p.relative_to(project).parts[0].startswith(("_output", "."))}


def test_one_data_value_change_makes_exactly_the_notebooks_that_read_it_stale(built, seeds):
    # What the build would re-execute, from the fingerprints this build saved. Executing them costs about 45 s
    # (issue 14: suite time); that the re-executed notebooks reproduce their saved outputs is nbval's test, that the
    # build runs what it plans is tests/pipeline/test_faults.py's (on the small fixture), and the plan for every
    # table is tests/pipeline/test_plan.py's.
    project, _, _ = built
    line = find_line(project / "data", "pfs_subgroups", subgroup="visceral", arm="everolimus")
    original = (project / "data" / "pfs_subgroups.csv").read_bytes()
    edit_cell(project / "data", "pfs_subgroups", line, "note", "edited by the build test")
    try:
        tables = sorted(load_tables(project / "data"))
        stale = {path.name for late in (False, True) for path in plan(Project(project), tables, late=late)}
        # Notebooks 01 and 06 read every table; 02 reads the subgroups.
        assert stale == {"01-data-provenance.ipynb", "02-pfs-gains.ipynb", "06-cross-trial.ipynb"}
    finally:
        (project / "data" / "pfs_subgroups.csv").write_bytes(original)
    assert {path.name for late in (False, True) for path in plan(Project(project), tables, late=late)} == set()


def test_data_error_stops_the_build_and_leaves_everything_untouched(built, seeds):
    project, result, _ = built
    before = {fmt: path.read_bytes() for fmt, path in result.outputs.items()}
    notebooks = {p: p.read_bytes() for p in (project / "analysis").glob("*.ipynb")}
    line = find_line(project / "data", "pfs", statistic="hr", assessment="local", source_id="nejm_2011")
    edit_cell(project / "data", "pfs", line, "value", "not a number")
    try:
        with pytest.raises(DataValidationError, match=rf"pfs.csv, row {line}, column 'value'"):
            build(project, seeds=seeds, use_quarto=False, force=True, progress=lambda line: None)
        assert {fmt: path.read_bytes() for fmt, path in result.outputs.items()} == before
        assert {p: p.read_bytes() for p in notebooks} == notebooks
    finally:
        shutil.copy2(ROOT / "data" / "pfs.csv", project / "data" / "pfs.csv")


def test_failing_notebook_is_named_with_its_cell_and_the_report_is_untouched(built, seeds):
    project, result, _ = built
    before = result.outputs["html"].read_bytes()
    path = project / "analysis" / "03-response.ipynb"
    original = path.read_bytes()
    notebook = nbformat.read(path, as_version=4)
    # Before the first code cell: the kernel fails at once instead of after the notebook's imports (issue 14: suite time).
    notebook.cells.insert(1, nbformat.v4.new_code_cell("#| label: tbl-broken\nraise RuntimeError('deliberate')"))
    nbformat.write(notebook, path)
    try:
        with pytest.raises(BuildError, match=r"03-response.ipynb: cell 2 \(tbl-broken\): RuntimeError: deliberate"):
            build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
        assert result.outputs["html"].read_bytes() == before
    finally:
        path.write_bytes(original)
