"""``required.csv`` is neither short of nor longer than what the analyses select (issue 14, item 3).

Every analysis picks its printed figures through
:func:`bolero_evidence.derived.common.pick_row` (``pick`` calls it; a claim
that several sources make is read whole with ``pick_rows``). This module
runs the code cells of every notebook in ``analysis/`` over the real tables
with those helpers traced, and records each selection as the set of data
rows it matched. It then checks both directions against ``required.csv``:

- an *undeclared selection*: a selection that matched rows no declared
  figure matches (the declared key must select exactly those rows: a wider
  key would let a missing row through, a narrower one a conflict);
- a *stale declaration*: a declared figure whose rows no analysis selects
  (validation would then reject data no notebook needs).

A selection that matches no row at all is one the analysis guards
(``derived.pfs._optional`` catches the ``LookupError``): had it not been
guarded, the notebook would have stopped. It needs no declaration and is
not reported. A guarded selection that does match rows counts like any
other: the analysis uses that figure, and a second version of it would
stop the notebook (``pick_row`` refuses disagreeing rows).

Rows are identified by a column added to every table the notebooks read
(``_TRACE_ROW``, the CSV line); pandas carries it through filters, copies
and :func:`~bolero_evidence.derived.common.attribute_cuts`, so a selection
on a pre-filtered frame (``pick_row(rows)`` in ``mcbs.bolero2``) is still
traced to its rows. Selections made without ``pick_row`` (plain boolean
masks over many rows: every death percentage, every grade 3-4 event) are
not selections of one figure by key and are not traced.

Executing the notebooks' code takes about 5 s once notebook 03 has recorded
its exact intervals in ``.build-cache/`` (about 9 s if the trace computes
them); it runs once per session.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

import bolero_evidence.data as data_package
from bolero_evidence.data.loader import load_tables
from bolero_evidence.data.required import RequiredFigure, _candidates, _matches, required_figures
from bolero_evidence.derived import common
from tests.conftest import DATA, ROOT

NOTEBOOKS = ROOT / "analysis"
_TRACE_ROW = "_required_trace_row"


@dataclass(frozen=True)
class Selection:
    """One call of ``pick_row`` or ``pick_rows``: the rows it matched (CSV lines of ``table``) and where it was made."""

    notebook: str
    table: str | None  # None when the selection matched no row
    where: tuple[tuple[str, object], ...]
    lines: frozenset[int]
    caller: str
    helper: str = "pick_row"

    def describe(self) -> str:
        key = ", ".join(f"{column}={value}" for column, value in self.where) or "(no key: a pre-filtered frame)"
        return f"{self.table}.csv rows {sorted(self.lines)}: {self.helper}({key}) in {self.caller} ({self.notebook})"


def _notebook_code(path: Path) -> str:
    """The notebook's code cells as one script (IPython magics dropped: the backend is Agg here)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(line for line in "".join(cell["source"]).splitlines(keepends=True) if not line.lstrip().startswith("%"))
                     for cell in cells if cell["cell_type"] == "code")


def _tagged(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.assign(**{_TRACE_ROW: [(name, int(i) + 2) for i in frame.index]}) for name, frame in tables.items()}


def trace_selections(notebooks: Iterable[Path]) -> list[Selection]:
    """Run the notebooks' code over the real tables and record every ``pick_row`` (and ``pick_rows``) call.

    Both helpers find their rows with ``common._matching_positions``, and only they call it: the recorder
    replaces it in ``common`` (the helpers' own module, wherever they are imported), records the rows it
    returns with the helper's caller, and returns them. A selection that matches no row is recorded, then
    raises as before.
    """
    original = common._matching_positions
    helpers = {common.pick_row.__code__: "pick_row", common.pick_rows.__code__: "pick_rows"}
    selections: list[Selection] = []
    notebook = [""]

    def record(frame: pd.DataFrame, where: dict):
        helper = sys._getframe(1)
        name = helpers.get(helper.f_code)
        if name is None:
            raise AssertionError(f"common._matching_positions called by {helper.f_code.co_name}, not by pick_row or pick_rows: "
                                 "the trace would take it for a selection")
        caller = helper.f_back
        if caller.f_code is common.pick.__code__:
            caller = caller.f_back
        if _TRACE_ROW not in frame.columns:
            raise AssertionError(f"{name} on a frame not read from the tables (in {caller.f_code.co_name}): the trace cannot tell its rows")
        caller_name = f"{caller.f_globals['__name__']}.{caller.f_code.co_name}, line {caller.f_lineno}"
        try:
            positions = original(frame, where)
        except LookupError:
            selections.append(Selection(notebook[0], None, tuple(where.items()), frozenset(), caller_name, name))
            raise
        tags = list(frame[_TRACE_ROW].to_numpy()[positions])
        tables = {table for table, _ in tags}
        assert len(tables) == 1, f"one selection over rows of several tables: {sorted(tables)}"
        selections.append(Selection(notebook[0], tables.pop(), tuple(where.items()), frozenset(line for _, line in tags), caller_name, name))
        return positions

    read_tables = data_package.read_tables
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # No figure is shown, and its layout selects nothing: pyplot's show and the figures' layout are left out
    # (the layout was a tenth of the trace's time).
    with warnings.catch_warnings(), mock.patch.object(common, "_matching_positions", record), \
            mock.patch.object(data_package, "read_tables", lambda names, data_dir=None: _tagged(read_tables(names, data_dir))), \
            mock.patch("matplotlib.pyplot.show"), mock.patch.object(Figure, "tight_layout"):
        warnings.simplefilter("ignore")
        for path in notebooks:
            notebook[0] = path.stem
            exec(compile(_notebook_code(path), str(path), "exec"), {"__name__": "__traced_notebook__"})  # noqa: S102 - the project's own notebooks
            plt.close("all")
    return selections


def declared_lines(figures: Iterable[RequiredFigure], tables: dict[str, pd.DataFrame]) -> dict[RequiredFigure, tuple[str, frozenset[int]]]:
    """The rows (table, CSV lines) each declared figure matches, as validation matches them."""
    records = {name: frame.to_dict("index") for name, frame in tables.items()}
    by_value: dict = {}  # validation's index of the rows by one key column (required._candidates)
    return {figure: (figure.table, frozenset(int(i) + 2 for i, record in _candidates(records, by_value, figure) if _matches(record, figure)))
            for figure in figures}


def undeclared_selections(selections: Iterable[Selection], figures: Iterable[RequiredFigure], tables: dict[str, pd.DataFrame]) -> list[Selection]:
    """Selections that matched rows which no declared figure matches exactly (guarded misses, matching no row, excepted)."""
    declared = set(declared_lines(figures, tables).values())
    seen, out = set(), []
    for selection in selections:
        rows = (selection.table, selection.lines)
        if selection.lines and rows not in declared and rows not in seen:
            seen.add(rows)
            out.append(selection)
    return out


def stale_declarations(selections: Iterable[Selection], figures: Iterable[RequiredFigure], tables: dict[str, pd.DataFrame]) -> list[RequiredFigure]:
    """Declared figures whose rows no selection matched exactly."""
    selected = {(s.table, s.lines) for s in selections if s.lines}
    return [figure for figure, rows in declared_lines(figures, tables).items() if rows not in selected]


@pytest.fixture(scope="module")
def traced():
    return trace_selections(sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")))


@pytest.fixture(scope="module")
def tables():
    return load_tables(DATA)


def _listing(items) -> str:
    return "\n".join(item.describe() if isinstance(item, Selection) else f"{item.table}: {item.describe()} ({item.analyses})" for item in items)


def test_every_notebook_selects_through_the_traced_helper(traced):
    notebooks = {path.stem for path in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")}
    assert len(notebooks) >= 9
    assert {s.notebook for s in traced if s.lines} == notebooks, "a notebook whose selections the trace did not see"


def test_every_selection_is_declared(traced, tables):
    undeclared = undeclared_selections(traced, required_figures(), tables)
    assert not undeclared, f"selections not declared in required.csv (add them, with the notebook):\n{_listing(undeclared)}"


def test_every_declaration_is_selected(traced, tables):
    stale = stale_declarations(traced, required_figures(), tables)
    assert not stale, f"declared in required.csv but selected by no analysis (remove them, or fix the key):\n{_listing(stale)}"


def test_each_declaration_names_the_notebooks_that_select_it(traced, tables):
    # For the message of a missing figure. Notebooks that select the same rows under another key are named too.
    notebooks: dict[tuple, set[str]] = {}
    for s in traced:
        notebooks.setdefault((s.table, s.lines), set()).add(s.notebook)
    wrong = [(figure, " ".join(sorted(notebooks.get(rows, ())))) for figure, rows in declared_lines(required_figures(), tables).items()
             if figure.analyses != " ".join(sorted(notebooks.get(rows, ())))]
    assert not wrong, "\n".join(f"{f.table}: {f.describe()}: declared {f.analyses!r}, selected by {by!r}" for f, by in wrong)


def test_a_dropped_declaration_is_reported(traced, tables):
    figures = required_figures()
    dropped = next(f for f in figures if f.table == "design" and dict(f.key).get("parameter") == "allocation_ratio")
    [selection] = undeclared_selections(traced, [f for f in figures if f != dropped], tables)
    assert selection.table == "design"
    assert dict(selection.where)["parameter"] == "allocation_ratio"


def test_a_declaration_no_analysis_selects_is_reported(traced, tables):
    unused = RequiredFigure(table="baseline", key=(("characteristic", "race"), ("category", "black"), ("arm", "placebo")),
                            attributed=False, needs=None, analyses="99-nowhere")
    assert stale_declarations(traced, (*required_figures(), unused), tables) == [unused]


def test_a_wider_declaration_does_not_cover_a_selection(tables):
    hr = (("data_cut", "interim"), ("assessment", "local"), ("arm", "comparison"), ("statistic", "hr"))
    everywhere = RequiredFigure(table="pfs", key=hr, attributed=False, needs=None, analyses="test")
    nejm = RequiredFigure(table="pfs", key=(*hr, ("source_id", "nejm_2011")), attributed=False, needs=None, analyses="test")
    lines = declared_lines([everywhere, nejm], tables)
    assert lines[nejm][1] < lines[everywhere][1]  # the news report prints this HR too
    selection = Selection("test", "pfs", nejm.key, lines[nejm][1], "test")
    assert undeclared_selections([selection], [everywhere], tables) == [selection]
    assert undeclared_selections([selection], [nejm], tables) == []


def test_a_fake_selection_is_reported(traced, tables):
    fake = Selection("99-nowhere", "baseline", (("characteristic", "race"),), frozenset({11}), "test")
    assert undeclared_selections([*traced, fake], required_figures(), tables) == [fake]


def test_a_guarded_miss_needs_no_declaration(tables):
    miss = Selection("02-pfs-gains", None, (("statistic", "hr_ci_high"),), frozenset(), "bolero_evidence.derived.pfs._optional")
    assert undeclared_selections([miss], required_figures(), tables) == []


def test_a_new_selection_in_a_notebook_is_traced_and_reported(tables, tmp_path):
    """The trace itself, on a notebook that picks a figure no analysis declares (a Table 1 count)."""
    code = ('from bolero_evidence.data import read_tables\n'
            'from bolero_evidence.derived.common import pick\n'
            'tables = read_tables(["baseline"])\n'
            'pick(tables["baseline"], characteristic="race", category="black", arm="placebo")\n')
    notebook = {"cells": [{"cell_type": "code", "source": code, "metadata": {}, "outputs": [], "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99-new-analysis.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    [selection] = trace_selections([path])
    assert (selection.notebook, selection.table, selection.helper) == ("99-new-analysis", "baseline", "pick_row")
    assert len(selection.lines) == 1
    assert undeclared_selections([selection], required_figures(), tables) == [selection]
