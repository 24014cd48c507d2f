"""The register: read from the saved notebooks, written unchanged to report/generated/, every entry pointing somewhere real.

nbval (strict) re-executes every notebook and compares every output, the
register's JSON bundle included; these tests check what is built on top of
that, without running a kernel.
"""

from __future__ import annotations

import json
import math
import re

import nbformat
import pandas as pd
import pytest

from bolero_evidence.paths import Project
from bolero_evidence.register import (
    REGISTER_COLUMNS,
    REGISTER_CSV_COLUMNS,
    REGISTER_MIME,
    Figure,
    Register,
    RegisterError,
    collect_register,
    read_register,
    register_csv,
)
from bolero_evidence.stats.proportions import number_needed_from_difference
from tests.conftest import DATA, ROOT

PROJECT = Project(ROOT)
NOTEBOOKS = PROJECT.notebooks()
ARTICLE = PROJECT.article.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def collected():
    return collect_register(NOTEBOOKS)


def _labels(path):
    notebook = nbformat.read(path, as_version=4)
    return {m.group(1) for c in notebook.cells if c.cell_type == "code"
            for m in [re.match(r"#\| label: (\S+)", c.source)] if m}


def test_generated_register_is_what_the_saved_notebooks_publish(collected):
    committed = (PROJECT.generated / "register.csv").read_text(encoding="utf-8")
    assert committed == register_csv(collected), "report/generated/register.csv is stale: run python3 run.py report"


def test_register_has_its_columns_and_unique_ids(collected):
    assert list(collected.columns) == REGISTER_CSV_COLUMNS
    # The columns readers of earlier registers require come first, in their order and positions.
    assert REGISTER_CSV_COLUMNS[:len(REGISTER_COLUMNS)] == REGISTER_COLUMNS
    assert len(collected) > 300
    assert collected["id"].is_unique
    assert collected["id"].str.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+").all()


def test_committed_csv_reads_back_to_the_same_figures(collected):
    reread = read_register(PROJECT.generated / "register.csv")
    pd.testing.assert_series_equal(reread["value"], collected["value"], check_dtype=False)
    pd.testing.assert_series_equal(reread["ci_high"], collected["ci_high"], check_dtype=False)


def test_every_entry_points_to_a_labelled_cell_a_report_section_and_known_sources(collected):
    sources = set(pd.read_csv(DATA / "sources.csv")["source_id"])
    labels = {p.stem: _labels(p) for p in NOTEBOOKS}
    for row in collected.itertuples():
        assert row.cell in labels[row.notebook], f"{row.id}: no cell {row.cell} in {row.notebook}"
        assert f"{{#{row.section}}}" in ARTICLE, f"{row.id}: section {row.section} not in index.qmd"
        assert set(row.inputs.split(";")) <= sources, row.id


def _notebook_with(tmp_path, name, *bundles):
    notebook = nbformat.v4.new_notebook()
    for bundle in bundles:
        cell = nbformat.v4.new_code_cell("register.publish()")
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "table", REGISTER_MIME: bundle},
                                               execution_count=1)]
        notebook.cells.append(cell)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def _published(register: Register) -> dict:
    return register.publish()._repr_mimebundle_()[REGISTER_MIME]


def test_publish_round_trips_through_a_saved_notebook_infinite_bounds_included(tmp_path):
    register = Register("01-demo")
    register.add("demo.nnt", 12.3456789, unit="patients", method="Altman", inputs=["nejm_2011"], cell="tbl-demo",
                 section="sec-demo", description="demo", ci_low=5.0, ci_high=math.inf)
    bundle = _published(register)
    json.dumps(bundle, allow_nan=False)  # valid JSON: no Infinity literal
    frame = collect_register([_notebook_with(tmp_path, "01-demo.ipynb", bundle)])
    assert frame.loc[0, "value"] == 12.3457 and frame.loc[0, "ci_high"] == math.inf
    assert frame.loc[0, "notebook"] == "01-demo" and frame.loc[0, "inputs"] == "nejm_2011"


def test_an_id_published_by_two_notebooks_is_an_error(tmp_path):
    register = Register("01-demo")
    register.add("demo.value", 1.0, unit="count", method="m", inputs="nejm_2011", cell="tbl-demo", section="sec-demo",
                 description="d")
    first = _notebook_with(tmp_path, "01-demo.ipynb", _published(register))
    second = _notebook_with(tmp_path, "02-demo.ipynb", _published(register))
    with pytest.raises(RegisterError, match=r"'demo.value' is published by 01-demo.ipynb and 02-demo.ipynb"):
        collect_register([first, second])


def test_a_malformed_register_output_names_the_notebook(tmp_path):
    broken = _notebook_with(tmp_path, "03-demo.ipynb", {"notebook": "03-demo", "entries": [{"value": 1}]})
    with pytest.raises(RegisterError, match=r"03-demo.ipynb: the register output is malformed"):
        collect_register([broken])


def test_a_number_needed_through_infinity_is_stored_in_structured_fields(tmp_path):
    # Difference interval -2 to +8 percentage points (benefit scale): NNTB 12.5 to ∞ to NNTH 50.
    needed = number_needed_from_difference(0.03, -0.02, 0.08, event="beneficial")
    register = Register("01-demo")
    register.extend([Figure.number_needed("demo.nnt", needed, method="Altman", inputs="nejm_2011", description="d")],
                    cell="tbl-demo", section="sec-demo")
    frame = collect_register([_notebook_with(tmp_path, "01-demo.ipynb", _published(register))])
    row = frame.iloc[0]
    assert row["interval_kind"] == "through_infinity"
    assert pd.isna(row["ci_low"]) and pd.isna(row["ci_high"])
    assert row["nnt_benefit_bound"] == pytest.approx(12.5) and row["nnt_harm_bound"] == pytest.approx(50.0)
    assert row["value"] == pytest.approx(33.3333)


def test_a_finite_number_needed_keeps_its_bounds_and_an_unknown_kind_is_refused():
    needed = number_needed_from_difference(0.10, 0.05, 0.20, event="beneficial")
    entry = Register("01-demo").extend([Figure.number_needed("demo.nnt", needed, method="m", inputs="x", description="d")],
                                       cell="tbl-demo", section="sec-demo")[0]
    assert (entry.interval_kind, entry.ci_low, entry.ci_high) == ("finite", 5.0, 20.0)
    with pytest.raises(ValueError, match="interval_kind 'open' of 'demo.x' is not known"):
        Register("01-demo").add("demo.x", 1.0, unit="patients", method="m", inputs="x", cell="tbl-demo", section="sec-demo",
                                description="d", interval_kind="open")
    with pytest.raises(ValueError, match="an interval through infinity has no ci_low/ci_high"):
        Register("01-demo").add("demo.x", 1.0, unit="patients", method="m", inputs="x", cell="tbl-demo", section="sec-demo",
                                description="d", ci_low=1.0, interval_kind="through_infinity")


def test_significant_digits_follow_the_inputs():
    entry = Register("01-demo").add("demo.p", 2.36189e-14, unit="p_value", method="m", inputs="x", cell="tbl-demo",
                                    section="sec-demo", description="d", significant=1)
    assert entry.value == 2e-14
    with pytest.raises(ValueError, match="significant=0 of 'demo.q' is not usable"):
        Register("01-demo").add("demo.q", 1.0, unit="z", method="m", inputs="x", cell="tbl-demo", section="sec-demo",
                                description="d", significant=0)


def test_a_register_written_before_the_interval_fields_reads_with_them_empty(tmp_path):
    old = tmp_path / "register.csv"
    old.write_text("id,value,ci_low,ci_high,unit,method,inputs,notebook,cell,section,description\n"
                   "demo.x,1.5,1,2,ratio,m,nejm_2011,01-demo,tbl-demo,sec-demo,d\n", encoding="utf-8")
    frame = read_register(old)
    assert frame.loc[0, "interval_kind"] == "" and pd.isna(frame.loc[0, "nnt_harm_bound"])
    assert frame.loc[0, "ci_high"] == 2
