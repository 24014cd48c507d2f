"""Load the transcribed tables, validated on every load.

Validation runs in three passes, each of which reports every problem it
finds (file, row, column, value, what was expected) before anything is
returned:

1. the Frictionless data package descriptor ``data/datapackage.json``:
   types, required columns, allowed values, primary and foreign keys;
2. row checks: the printed form agrees with the typed value and qualifier,
   units fit their range;
3. cross-table checks (:mod:`bolero_evidence.data.checks`): intervals
   bracket estimates, counts agree with percentages and N, arms add up.

Nothing is returned until all three pass.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import frictionless
import pandas as pd

from .checks import cross_table_problems
from .errors import DataValidationError, Problem
from .printed import parse_printed, qualifier_matches

__all__ = ["default_data_dir", "load_tables", "Tables", "TrackedTables", "DATA_DIR_ENV", "INPUT_LOG_ENV", "schema_dimensions", "VALUE_COLUMNS", "PROVENANCE_COLUMNS"]

Tables = dict[str, pd.DataFrame]
VALUE_COLUMNS = ("value", "value_text", "qualifier", "unit", "n_arm")
PROVENANCE_COLUMNS = ("printed", "source_id", "locator", "quote", "note")
_NO_VALUE = {"not_reached", "not_reported"}
_PANDAS_TYPES = {"number": "float64", "integer": "Int64", "string": "string"}


DATA_DIR_ENV = "BOLERO_DATA_DIR"
INPUT_LOG_ENV = "BOLERO_INPUT_LOG"


def default_data_dir() -> Path:
    """``$BOLERO_DATA_DIR`` when set (the build sets it for the notebooks), else ``data/`` of this checkout."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    return Path(__file__).resolve().parents[3] / "data"


class TrackedTables(dict):
    """The tables, noting which ones a notebook reads.

    When ``$BOLERO_INPUT_LOG`` names a file, every table looked up is
    appended to it, so the build knows which data files each notebook
    depends on and re-executes only the notebooks whose inputs changed.
    """

    def _note(self, *names: str) -> None:
        log = os.environ.get(INPUT_LOG_ENV)
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.writelines(f"{name}\n" for name in names)

    def __getitem__(self, name: str) -> pd.DataFrame:
        self._note(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        if name in self:
            self._note(name)
        return super().get(name, default)

    def items(self):
        self._note(*self.keys())
        return super().items()

    def values(self):
        self._note(*self.keys())
        return super().values()


def load_tables(data_dir: Path | str | None = None) -> Tables:
    """Load and validate every table of the data package.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``datapackage.json`` and the CSV files; defaults to
        the checkout's ``data/``.

    Returns
    -------
    dict of str to DataFrame
        One frame per resource, keyed by resource name, row order as in the
        file (index + 2 is the line number).

    Raises
    ------
    DataValidationError
        Listing every problem found, each with file, row, column, value and
        what was expected.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    tables = _load_tables_cached(data_dir.resolve(), _fingerprint(data_dir))
    # Copies: the cache must not be changed by a caller that edits a frame.
    return TrackedTables({name: frame.copy() for name, frame in tables.items()})


def _fingerprint(data_dir: Path) -> tuple:
    # Reload when any file changed, so a notebook kernel never sees stale data.
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in data_dir.glob("*") if p.is_file()))


@lru_cache(maxsize=4)
def _load_tables_cached(data_dir: Path, _fingerprint: tuple) -> Tables:
    descriptor = _descriptor(data_dir)
    problems = _frictionless_problems(data_dir, descriptor)
    if problems:
        raise DataValidationError(problems)
    tables = {r["name"]: _read_csv(data_dir / r["path"], r) for r in descriptor["resources"]}
    for name, frame in tables.items():
        problems.extend(_row_problems(name, frame, data_dir / f"{name}.csv"))
    if problems:
        raise DataValidationError(problems)
    problems.extend(cross_table_problems(tables, data_dir))
    if problems:
        raise DataValidationError(problems)
    return tables
