"""The figures the analyses need, checked at validation.

Each analysis module of :mod:`bolero_evidence.derived` picks printed figures
by their keys (``pick(pfs, data_cut="interim", arm="everolimus", ...)``). A
figure it picks that is missing, or printed twice with different values,
would stop a notebook with a ``LookupError`` (or a conflict) long after
validation said the data were fine. ``required.csv`` (next to this module)
lists those figures, one row each:

``table``
    the resource of ``data/datapackage.json``;
``cuts``
    ``stated``: the key's ``data_cut``/``assessment`` are matched as the
    source states them; ``attributed``: as the analysis reads them after
    :func:`bolero_evidence.derived.common.attribute_cuts` (an ``unstated``
    label matched by its inferred value);
``key``
    ``column=value`` pairs joined by ``;``: every row that matches them is
    the figure; those rows must exist and print one value (value and
    qualifier), as :func:`bolero_evidence.derived.common.pick_row` demands;
``needs``
    a column the analysis reads from the row besides the value (``n_arm``
    of a Table 2 row), which must then be filled in;
``analyses``
    the notebooks that use the figure, for the message.

The list is what the notebooks select: ``tests/data/test_required_trace.py``
runs every notebook's code with ``pick_row`` traced and fails on a
selection no row here matches exactly (the same data rows), on a row here
no selection matches, and on an ``analyses`` cell that does not name the
notebooks making the selection. A guarded selection
(``derived.pfs._optional``, the MCBS's ``_figure``) is listed when it finds
the figure in the data: the analysis then uses it, and a second version of
it would stop the notebook. Analyses pick figures by key through
``pick_row`` only, so that the trace sees them. ``needs`` is read off the
code (the trace does not see which cells of a row are read). An analysis
that starts picking a new figure must add it here; the test says which.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .checks import plain_rows
from .errors import Problem
from .reuse import TableDigests, reused_problems

__all__ = ["REQUIRED_FIGURES", "RequiredFigure", "required_figure_problems", "required_figures"]

REQUIRED_FIGURES = Path(__file__).with_name("required.csv")
_CUT_COLUMNS = {"data_cut": "data_cut_inferred", "assessment": "assessment_inferred"}


@dataclass(frozen=True)
class RequiredFigure:
    """One figure an analysis picks: the rows of ``table`` matching ``key``."""

    table: str
    key: tuple[tuple[str, str], ...]
    attributed: bool
    needs: str | None
    analyses: str

    def describe(self) -> str:
        """The key as ``column=value, ...`` for a message."""
        return ", ".join(f"{column}={value}" for column, value in self.key)


@cache
def required_figures(path: Path = REQUIRED_FIGURES) -> tuple[RequiredFigure, ...]:
    """The figures listed in ``required.csv``."""
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(
            RequiredFigure(table=row["table"], key=tuple(tuple(pair.split("=", 1)) for pair in row["key"].split(";")),
                           attributed=row["cuts"] == "attributed", needs=row["needs"] or None, analyses=row["analyses"])
            for row in csv.DictReader(f))


def _matches(record: dict, figure: RequiredFigure) -> bool:
    for column, value in figure.key:
        if (record[column] == value) is True:  # an empty cell (None) matches nothing
            continue
        inferred = _CUT_COLUMNS.get(column)
        # derived.common.attribute_cuts: an unstated label is read as its inferred value.
        if figure.attributed and inferred in record and (record[column] == "unstated") is True \
                and (record[inferred] == value) is True:
            continue
        return False
    return True


def _candidates(records: dict[str, dict], by_value: dict, figure: RequiredFigure) -> list[tuple[object, dict]]:
    """The rows of the figure's table that can match it: those equal to it in one column read as stated.

    A column whose unstated label may be read as inferred (``attributed``) cannot narrow the rows, so the
    first other column of the key does; rows are indexed by that column once per table (each of some 600
    figures scanned every row before: most of validation's time, issue 14). Row order is kept.
    """
    column = next((c for c, _ in figure.key if not (figure.attributed and c in _CUT_COLUMNS)), None)
    rows = records[figure.table]
    if column is None:
        return list(rows.items())
    index = by_value.get((figure.table, column))
    if index is None:
        index = by_value[(figure.table, column)] = {}
        for i, record in rows.items():
            cell = record[column]
            if isinstance(cell, str):  # an empty cell (None) or a number matches no key value
                index.setdefault(cell, []).append((i, record))
    return index.get(dict(figure.key)[column], [])


def required_figure_problems(tables: dict[str, pd.DataFrame], data_dir: Path,
                             figures: tuple[RequiredFigure, ...] | None = None, digests: TableDigests | None = None) -> list[Problem]:
    """A problem for each required figure that is missing, printed with different values, or lacks a needed cell.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The loaded tables (already valid against the schema).
    data_dir : Path
        Folder of the CSV files, for the file names in the messages.
    figures : tuple of RequiredFigure, optional
        Defaults to :func:`required_figures`.
    digests : TableDigests, optional
        Each table's content key (see :mod:`bolero_evidence.data.reuse`): the figures of a table whose
        content is as when they were last checked in this process give the same problems unchecked.

    Returns
    -------
    list of Problem
        Table by table, in the order the tables first occur in ``figures``: the figures in their order,
        then the empty cells they need.
    """
    figures = figures if figures is not None else required_figures()
    by_table: dict[str, list[RequiredFigure]] = {}
    for figure in figures:
        by_table.setdefault(figure.table, []).append(figure)
    problems: list[Problem] = []
    for table, of_table in by_table.items():
        if table not in tables:
            problems += [_table_missing(figure, data_dir) for figure in of_table]
            continue
        # One check per table: a broken copy of data/ checks again only the figures of the table it changed.
        of_table = tuple(of_table)
        problems += reused_problems(("required figures", of_table), [table],  # the figures are an argument: part of the name
                                    lambda t, table=table, of_table=of_table: _table_problems(t[table], data_dir / f"{table}.csv", of_table),
                                    tables, data_dir, digests)
    return problems


def _table_missing(figure: RequiredFigure, data_dir: Path) -> Problem:
    columns = [column for column, _ in figure.key]
    return Problem(data_dir / f"{figure.table}.csv", None, None, None,
                   f"table {figure.table!r} with columns {', '.join(columns)}, needed by {figure.analyses}")


def _table_problems(frame: pd.DataFrame, path: Path, figures: tuple[RequiredFigure, ...]) -> list[Problem]:
    """The problems of the figures of one table (all of ``figures`` are of this table)."""
    problems: list[Problem] = []
    empty: dict[tuple, tuple[str, list[str]]] = {}
    # Plain records, not pandas masks: some 300 figures over a few hundred rows each take milliseconds this way.
    # Only the columns read below: a record of every column cost more than the matching (issue 14: suite time).
    read = {column for figure in figures for column, _ in figure.key} | {figure.needs for figure in figures if figure.needs} \
        | set(_CUT_COLUMNS.values()) | {"value", "qualifier", "printed"}
    records = {figures[0].table: dict(plain_rows(frame, [column for column in frame.columns if column in read]))}
    by_value: dict[tuple[str, str], dict[object, list[tuple[object, dict]]]] = {}
    for figure in figures:
        columns = [column for column, _ in figure.key]
        if not set(columns) <= set(frame.columns):
            problems.append(_table_missing(figure, path.parent))
            continue
        rows = [(i, record) for i, record in _candidates(records, by_value, figure) if _matches(record, figure)]
        how = " (data cut and assessment as stated or inferred)" if figure.attributed else ""
        if not rows:
            problems.append(Problem(path, None, ", ".join(columns), figure.describe(),
                                    f"a row with this key{how}: a figure required by {figure.analyses}"))
            continue
        values = {(None if pd.isna(r.get("value")) else float(r["value"]), r.get("qualifier")) for _, r in rows}
        if len(values) > 1:
            lines = ", ".join(str(int(i) + 2) for i, _ in rows)
            printed = ", ".join(repr(r["printed"]) for _, r in rows)
            problems.append(Problem(path, int(rows[0][0]) + 2, "value", f"{printed} (rows {lines})",
                                    f"one value for {figure.describe()}{how}, a figure required by {figure.analyses}"))
        if figure.needs:
            for index, record in rows:
                if pd.isna(record[figure.needs]):
                    # The same cell may be needed under a stated and an attributed key: one problem, every analysis named.
                    empty.setdefault((int(index) + 2, figure.needs), (figure.describe(), []))[1].extend(figure.analyses.split())
    for (line, column), (key, analyses) in empty.items():
        problems.append(Problem(path, line, column, "", f"a {column} for {key}, required by {' '.join(sorted(set(analyses)))}"))
    return problems
