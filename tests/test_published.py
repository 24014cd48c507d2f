"""Tables notebooks publish for the build: read back from the saved notebooks, written unchanged to report/generated/."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.pipeline import PUBLISHED_TABLES
from bolero_evidence.published import TABLE_MIME, PublishedTable, PublishedTableError, collect_tables
from tests.conftest import ROOT

PROJECT = Project(ROOT)


def test_generated_tables_are_what_the_saved_notebooks_publish():
    tables = collect_tables(PROJECT.notebooks())
    assert set(PUBLISHED_TABLES) <= set(tables)
    for name in PUBLISHED_TABLES:
        committed = (PROJECT.generated / f"{name}.csv").read_text(encoding="utf-8")
        assert committed == tables[name].to_csv(index=False, lineterminator="\n"), f"report/generated/{name}.csv is stale"


def test_discrepancy_table_has_unique_ids_kinds_and_versions():
    frame = collect_tables(PROJECT.notebooks())["discrepancies"]
    assert frame["id"].is_unique and len(frame) >= 7
    assert set(frame["kind"]) >= {"same_analysis", "unattributed", "different_label", "internal_arithmetic"}
    for row in frame.itertuples():
        versions = json.loads(row.versions)
        assert len(versions) == row.n_versions >= 2, row.id


def _saved(tmp_path, name, *tables):
    notebook = nbformat.v4.new_notebook()
    for table in tables:
        cell = nbformat.v4.new_code_cell("PublishedTable(...)")
        bundle = table._repr_mimebundle_() if isinstance(table, PublishedTable) else {"text/markdown": "", TABLE_MIME: table}
        cell.outputs = [nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)]
        notebook.cells.append(cell)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def test_a_table_round_trips_through_a_saved_notebook(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "text": ["<script>", None]})
    back = collect_tables([_saved(tmp_path, "01-demo.ipynb", PublishedTable("demo", frame, "| table |"))])["demo"]
    pd.testing.assert_frame_equal(back, frame)


def test_a_table_published_twice_is_an_error(tmp_path):
    table = PublishedTable("demo", pd.DataFrame({"id": ["a"]}), "")
    with pytest.raises(PublishedTableError, match=r"'demo' is published by 01-demo.ipynb and 02-demo.ipynb"):
        collect_tables([_saved(tmp_path, "01-demo.ipynb", table), _saved(tmp_path, "02-demo.ipynb", table)])


def test_a_malformed_published_output_names_the_notebook(tmp_path):
    with pytest.raises(PublishedTableError, match=r"03-demo.ipynb: a published table is malformed"):
        collect_tables([_saved(tmp_path, "03-demo.ipynb", {"name": "demo"})])
