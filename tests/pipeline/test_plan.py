"""Which notebooks the build executes: exactly those whose inputs changed (no kernel is started here)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from bolero_evidence.data.loader import load_tables
from bolero_evidence.paths import Project
from bolero_evidence.pipeline import pipeline
from bolero_evidence.pipeline.notebooks import NotebookError, declared_inputs
from bolero_evidence.pipeline.pipeline import plan
from bolero_evidence.register import REGISTER_MIME, collect_register
from tests.conftest import ROOT, edit_cell

TABLES = sorted(load_tables(ROOT / "data"))
HEADERS = {name: list(frame.columns) for name, frame in load_tables(ROOT / "data").items()}
# Who reads what, written down from the analysis code (not from the
# declarations the build reads), so that a declaration that drops or adds a
# table makes this test fail until the change is deliberate. Notebooks 01
# (provenance, discrepancy finder) and 06 (cross-trial discrepancies) read
# every table.
EVERY = {"01-data-provenance", "06-cross-trial"}
READERS = {
    "adverse_events": {"04-safety", "07-summary-of-findings", "09-esmo-mcbs"},
    "design": {"02-pfs-gains", "03-response", "04-safety", "05-interim-boundaries", "07-summary-of-findings", "08-survival-quality-of-life",
               "09-esmo-mcbs"},
    "exposure": {"04-safety", "07-summary-of-findings", "08-survival-quality-of-life", "09-esmo-mcbs"},
    "finding": {"07-summary-of-findings", "08-survival-quality-of-life", "09-esmo-mcbs"},
    "quality_of_life": {"02-pfs-gains", "07-summary-of-findings", "08-survival-quality-of-life", "09-esmo-mcbs"},
    # Every notebook that names a source in a table reads the sources' short names.
    "sources": {"02-pfs-gains", "04-safety", "05-interim-boundaries", "07-summary-of-findings", "08-survival-quality-of-life",
                "09-esmo-mcbs"},
    "trial_conduct": {"08-survival-quality-of-life"},
    "pfs": {"02-pfs-gains", "05-interim-boundaries", "07-summary-of-findings", "09-esmo-mcbs"},
    "pfs_subgroups": {"02-pfs-gains"},
    "response": {"03-response"},
    "trial_outcomes": {"03-response"},
}


@pytest.fixture
def project(tmp_path):
    for name in ("_quarto.yml", "index.qmd", "data", "analysis", "report"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / name)
    return Project(tmp_path)


def _planned(project: Project, late: bool | None = None) -> set[str]:
    phases = (False, True) if late is None else (late,)
    return {path.stem for phase in phases for path in plan(project, TABLES, late=phase)}


def test_the_saved_notebooks_are_current(project):
    assert _planned(project) == set(), "a saved notebook's inputs changed since it was executed: run python3 run.py report"


@pytest.mark.parametrize("table", TABLES)
def test_a_changed_table_re_executes_exactly_the_notebooks_that_read_it(project, table):
    # A free-text column of the table: any value it holds passes validation.
    column = "note" if "note" in HEADERS[table] else "reason"
    edit_cell(project.data, table, 2, column, "changed by the dependency test")
    assert _planned(project) == EVERY | READERS.get(table, set())


def test_a_changed_cell_re_executes_that_notebook_only(project):
    path = project.analysis / "05-interim-boundaries.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A new paragraph."))
    nbformat.write(notebook, path)
    assert _planned(project) == {"05-interim-boundaries"}


def test_changed_outputs_alone_re_execute_nothing(project):
    path = project.analysis / "02-pfs-gains.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].outputs = []
    nbformat.write(notebook, path)
    assert _planned(project, late=False) == set()


def test_changed_register_entries_re_execute_the_notebook_that_reads_the_register(project):
    # Planned once before the change: the register kept from that reading is not the one after it.
    assert _planned(project, late=True) == set()
    path = project.analysis / "02-pfs-gains.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    bundle = next(o["data"][REGISTER_MIME] for c in notebook["cells"] for o in c.get("outputs", []) if REGISTER_MIME in o.get("data", {}))
    bundle["entries"][0]["value"] += 1
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _planned(project, late=True) == {"07-summary-of-findings"}


def test_the_register_of_unchanged_notebooks_is_collected_once(project, monkeypatch):
    collected = []
    monkeypatch.setattr(pipeline, "_REGISTERS", {})  # nothing kept from earlier tests' copies
    monkeypatch.setattr(pipeline, "collect_register", lambda paths: collected.append(paths) or collect_register(paths))
    first = pipeline._register_bytes(project, exclude=set())
    assert pipeline._register_bytes(project, exclude=set()) == first and len(collected) == 1
    (project.analysis / "02-pfs-gains.ipynb").write_text((project.analysis / "02-pfs-gains.ipynb").read_text(encoding="utf-8") + " ",
                                                         encoding="utf-8")  # the same JSON, other bytes: read again
    assert pipeline._register_bytes(project, exclude=set()) == first and len(collected) == 2


def test_changed_package_code_re_executes_every_notebook(project, monkeypatch):
    monkeypatch.setattr(pipeline, "package_fingerprint", lambda: "another version of the code")
    assert _planned(project) == {p.stem for p in project.notebooks()}


def test_force_re_executes_every_notebook(project):
    assert {p.stem for phase in (False, True) for p in plan(project, TABLES, force=True, late=phase)} == {p.stem for p in project.notebooks()}


def _notebook_with_cell(tmp_path, source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    path = tmp_path / "09-demo.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(("source", "message"), [
    ("tables = load_tables()", r"09-demo.ipynb, cell 1: a notebook declares the tables it reads with read_tables"),
    ("names = ['pfs']\ntables = read_tables(names)", r"literal list of table names or EVERY_TABLE.*found names"),
    ("x = 1", r"expected one read_tables\(\[...\]\) call .* found 0"),
    ("a = read_tables(['pfs'])\nb = read_tables(['design'])", r"found 2"),
    ("tables = read_tables(['pfs'\n", r"cell 1: not valid Python"),
])
def test_a_declaration_the_build_cannot_read_is_an_error(tmp_path, source, message):
    with pytest.raises(NotebookError, match=message):
        declared_inputs(_notebook_with_cell(tmp_path, source))


def test_a_literal_declaration_is_read_with_magics_around_it(tmp_path):
    inputs = declared_inputs(_notebook_with_cell(tmp_path, "%matplotlib inline\ntables = read_tables(['pfs', 'design'])\nload_register()"))
    assert inputs.tables == ("design", "pfs") and inputs.reads_register and not inputs.reads("response")
