"""The committed register is what a fresh execution of the notebooks produces, and every entry points somewhere real."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from bolero_evidence.pipeline.notebooks import execute_notebook
from bolero_evidence.register import REGISTER_COLUMNS, read_register
from tests.conftest import DATA, ROOT

NOTEBOOKS = sorted((ROOT / "analysis").glob("[0-9][0-9]-*.ipynb"))
REGISTER = DATA / "register.csv"
ARTICLE = (ROOT / "report" / "index.qmd").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def committed():
    return read_register(REGISTER)


def _labels(path):
    notebook = nbformat.read(path, as_version=4)
    return {m.group(1) for c in notebook.cells if c.cell_type == "code"
            for m in [re.match(r"#\| label: (\S+)", c.source)] if m}


def test_register_has_its_columns_and_unique_ids(committed):
    assert list(committed.columns) == REGISTER_COLUMNS
    assert committed["id"].is_unique
    assert committed["id"].str.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+").all()


def test_every_entry_points_to_a_labelled_cell_a_report_section_and_known_sources(committed):
    sources = set(pd.read_csv(DATA / "sources.csv")["source_id"])
    labels = {p.stem: _labels(p) for p in NOTEBOOKS}
    for row in committed.itertuples():
        assert row.cell in labels[row.notebook], f"{row.id}: no cell {row.cell} in {row.notebook}"
        assert f"{{#{row.section}}}" in ARTICLE, f"{row.id}: section {row.section} not in report/index.qmd"
        assert set(row.inputs.split(";")) <= sources, row.id


def test_every_notebook_shows_its_register_in_the_report():
    for path in NOTEBOOKS:
        shown = [label for label in _labels(path) if label.startswith("tbl-register-")]
        for label in shown:
            assert f"{path.name}#{label}" in ARTICLE, f"{path.name}#{label} is not embedded in the report"


def test_committed_register_matches_a_fresh_execution(tmp_path, committed):
    """Execute every notebook with a private register folder and compare with data/register.csv."""
    fresh = []
    for path in NOTEBOOKS:
        copy = tmp_path / path.name  # execute a copy: the test must not rewrite analysis/
        copy.write_bytes(path.read_bytes())
        execute_notebook(copy, data_dir=DATA, register_dir=tmp_path / "register", input_log=tmp_path / f"{path.stem}.log")
        part = tmp_path / "register" / f"{path.stem}.csv"
        if part.exists():
            fresh.append(read_register(part))
    fresh = pd.concat(fresh, ignore_index=True)[REGISTER_COLUMNS]
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), committed.reset_index(drop=True), check_dtype=False)
