"""The whole build, in a temporary copy of the project: both outputs, every id, the key figures, no rebuild without a change, and a data error that writes nothing."""

from __future__ import annotations

import re
import shutil

import pytest

from bolero_evidence.pipeline.pipeline import BuildError, build
from bolero_evidence.data.errors import DataValidationError
from bolero_evidence.register import read_register
from tests.conftest import ROOT, edit_cell, find_line

pytestmark = pytest.mark.slow
ARTICLE = (ROOT / "report" / "index.qmd").read_text(encoding="utf-8")
SECTION_IDS = re.findall(r"\{#(sec-[a-z0-9-]+)\}", ARTICLE)
EMBEDDED_LABELS = re.findall(r"\{\{< embed [^#]+#((?:tbl|fig)-[a-z0-9-]+) >\}\}", ARTICLE)


def _copy_project(target):
    for name in ("_quarto.yml", "data", "analysis", "report"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory, seeds):
    project = _copy_project(tmp_path_factory.mktemp("project"))
    lines: list[str] = []
    result = build(project, seeds=seeds, use_quarto=False, progress=lines.append)
    return project, result, lines


def test_build_produces_html_and_pdf(built):
    project, result, _ = built
    assert result.html == project / "_output" / "index.html" and result.html.stat().st_size > 10_000
    assert result.pdf == project / "_output" / "index.pdf" and result.pdf.read_bytes().startswith(b"%PDF")
    assert not (project / "_output.staging").exists()


def test_build_reports_progress_for_every_step(built):
    _, _, lines = built
    for step in ("[1/4] validating data/", "[2/4] notebooks", "[3/4] register", "[4/4] render"):
        assert step in lines


def test_html_has_every_section_id_and_every_embedded_label(built):
    html = built[1].html.read_text(encoding="utf-8")
    assert SECTION_IDS and EMBEDDED_LABELS
    for anchor in SECTION_IDS + EMBEDDED_LABELS:
        assert f'id="{anchor}"' in html, anchor


def test_html_makes_no_external_requests(built):
    html = built[1].html.read_text(encoding="utf-8")
    loading = re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="(https?:)?//[^"]*"', html)
    assert loading == []
    assert "@import url(http" not in html


def test_pdf_text_contains_the_key_figures_from_the_register(built):
    from pypdf import PdfReader

    project, result, _ = built
    text = " ".join(page.extract_text() for page in PdfReader(result.pdf).pages)
    text = re.sub(r"\s+", " ", text)
    register = read_register(project / "data" / "register.csv")
    key = register[register["id"].isin(["pfs.local.interim.median_gain", "design.interim.info_fraction.actual",
                                        "orr.local.everolimus", "design.boundary.actual.z_interim"])]
    assert len(key) == 4
    for row in key.itertuples():
        # The report shows one or two decimals; the register keeps six significant digits.
        shown = [f"{row.value:.1f}", f"{row.value:.2f}", f"{row.value:.3f}"]
        assert any(s in text for s in shown), (row.id, shown)
    for section in ("Key findings", "Progression-free survival", "Interim analysis and stopping boundaries", "Discrepancies between sources"):
        assert section in text


def test_second_build_without_changes_executes_and_renders_nothing(built, seeds):
    project, _, _ = built
    result = build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
    assert [r.notebook for r in result.notebooks if r.executed] == []
    assert result.rendered is False


def test_one_data_value_change_re_executes_only_the_notebooks_that_read_it(built, seeds):
    project, _, _ = built
    line = find_line(project / "data", "exposure", measure="median_exposure", drug="everolimus_or_placebo", arm="everolimus")
    edit_cell(project / "data", "exposure", line, "note", "edited by the build test")
    result = build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
    executed = {r.notebook for r in result.notebooks if r.executed}
    readers = {r.notebook for r in result.notebooks if "exposure" in r.tables_read}
    assert executed and executed <= readers | {"07-summary-of-findings.ipynb"}


def test_data_error_stops_the_build_and_leaves_the_report_untouched(built, seeds):
    project, result, _ = built
    before = (result.html.read_bytes(), result.pdf.read_bytes())
    line = find_line(project / "data", "pfs", statistic="hr", assessment="local", source_id="nejm_2011")
    edit_cell(project / "data", "pfs", line, "value", "not a number")
    try:
        with pytest.raises(DataValidationError, match=rf"pfs.csv, row {line}, column 'value'"):
            build(project, seeds=seeds, use_quarto=False, force=True, progress=lambda line: None)
        assert (result.html.read_bytes(), result.pdf.read_bytes()) == before
    finally:
        shutil.copy2(ROOT / "data" / "pfs.csv", project / "data" / "pfs.csv")


def test_failing_notebook_is_named_with_its_cell_and_the_report_is_untouched(built, seeds):
    import nbformat

    project, result, _ = built
    before = result.html.read_bytes()
    path = project / "analysis" / "03-response.ipynb"
    original = path.read_bytes()
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell("#| label: tbl-broken\nraise RuntimeError('deliberate')"))
    nbformat.write(notebook, path)
    try:
        with pytest.raises(BuildError, match=r"03-response.ipynb: cell 3 \(tbl-broken\): RuntimeError: deliberate"):
            build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
        assert result.html.read_bytes() == before
    finally:
        path.write_bytes(original)


@pytest.mark.quarto
def test_quarto_renders_the_project(tmp_path, seeds):
    if shutil.which("quarto") is None:
        pytest.skip("Quarto is not on the PATH (it cannot be installed from PyPI or Debian here); the pandoc route is tested above")
    project = _copy_project(tmp_path)
    result = build(project, seeds=seeds, use_quarto=True, progress=lambda line: None)
    html = result.html.read_text(encoding="utf-8")
    for anchor in SECTION_IDS:
        assert f'id="{anchor}"' in html
    assert result.pdf.exists()
