"""The figures the analyses pick are checked at validation: missing, conflicting, or lacking a needed cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bolero_evidence.data.loader import load_tables
from bolero_evidence.data.required import RequiredFigure, _matches, required_figure_problems, required_figures
from bolero_evidence.data.structure import REQUIRED_COLUMNS
from tests.conftest import DATA

HERE = Path("data")


def _figure(attributed=False, needs=None, **key):
    return RequiredFigure(table="pfs", key=tuple(key.items()), attributed=attributed, needs=needs, analyses="02-pfs-gains")


def _pfs(*rows):
    columns = ["data_cut", "data_cut_inferred", "arm", "statistic", "value", "qualifier", "printed", "n_arm"]
    return {"pfs": pd.DataFrame([dict(zip(columns, r)) for r in rows]).astype({"value": "float64", "n_arm": "Int64"})}


def test_the_list_names_tables_and_columns_of_the_package():
    figures = required_figures()
    assert len(figures) > 250
    for figure in figures:
        assert {column for column, _ in figure.key} <= set(REQUIRED_COLUMNS[figure.table]), figure


def test_the_real_data_hold_every_required_figure():
    assert required_figure_problems(load_tables(DATA), DATA) == []


def test_deleting_any_required_figure_is_reported_with_its_table_and_key():
    """Every declared figure, deleted from the real tables (all its rows), is a problem naming the table and the key."""
    tables = load_tables(DATA)
    records = {name: frame.to_dict("records") for name, frame in tables.items()}
    unreported = []
    for figure in required_figures():
        kept = [position for position, record in enumerate(records[figure.table]) if not _matches(record, figure)]
        assert len(kept) < len(records[figure.table]), f"{figure.table}: {figure.describe()} matches no row of the real data"
        # The figure's table alone (the check of one figure reads no other), its other rows taken by position:
        # half the time of dropping the figure's rows by label, done for each of some 600 figures.
        reduced = {figure.table: tables[figure.table].take(kept)}
        problems = [str(p) for p in required_figure_problems(reduced, HERE, (figure,))]
        wanted = f"data/{figure.table}.csv, column '{', '.join(c for c, _ in figure.key)}': got '{figure.describe()}'; expected a row with this key"
        if len(problems) != 1 or wanted not in problems[0] or figure.analyses not in problems[0]:
            unreported.append((figure, problems))
    assert not unreported, unreported[:5]


def test_missing_figure_names_table_and_key():
    tables = _pfs(("interim", "interim", "placebo", "median", 2.8, "eq", "2.8", None))
    [problem] = required_figure_problems(tables, HERE, (_figure(data_cut="interim", arm="everolimus", statistic="median"),))
    assert str(problem) == ("data/pfs.csv, column 'data_cut, arm, statistic': got 'data_cut=interim, arm=everolimus, statistic=median'; "
                            "expected a row with this key: a figure required by 02-pfs-gains")


def test_figure_printed_twice_with_different_values():
    tables = _pfs(("interim", "interim", "everolimus", "median", 6.9, "eq", "6.9", None),
                  ("interim", "interim", "everolimus", "median", 7.8, "eq", "7.8", None))
    [problem] = required_figure_problems(tables, HERE, (_figure(data_cut="interim", arm="everolimus", statistic="median"),))
    assert "row 2, column 'value': got \"'6.9', '7.8' (rows 2, 3)\"; expected one value for data_cut=interim" in str(problem)


def test_figure_printed_twice_with_the_same_value_is_fine():
    tables = _pfs(("interim", "interim", "everolimus", "median", 6.9, "eq", "6.9", None),
                  ("interim", "interim", "everolimus", "median", 6.9, "eq", "6.9", None))
    assert required_figure_problems(tables, HERE, (_figure(data_cut="interim", arm="everolimus", statistic="median"),)) == []


def test_attributed_figure_matches_an_unstated_cut_by_its_inference_and_a_stated_one_does_not():
    tables = _pfs(("unstated", "final", "everolimus", "median", 7.8, "eq", "7.8", None))
    wanted = dict(data_cut="final", arm="everolimus", statistic="median")
    assert required_figure_problems(tables, HERE, (_figure(attributed=True, **wanted),)) == []
    assert len(required_figure_problems(tables, HERE, (_figure(**wanted),))) == 1


def test_needed_cell_that_is_empty():
    tables = _pfs(("interim", "interim", "everolimus", "median", 6.9, "eq", "6.9", None))
    [problem] = required_figure_problems(tables, HERE, (_figure(needs="n_arm", data_cut="interim", arm="everolimus"),))
    assert str(problem) == "data/pfs.csv, row 2, column 'n_arm': got ''; expected a n_arm for data_cut=interim, arm=everolimus, required by 02-pfs-gains"
