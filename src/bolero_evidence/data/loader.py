"""Load the transcribed tables, validated on every load.

Validation runs in three passes, each of which reports every problem it
finds (file, row, column, value, what was expected) before anything is
returned:

1. the Frictionless data package descriptor ``data/datapackage.json``:
   types, required columns, allowed values, primary and foreign keys;
2. row checks: the printed form agrees with the typed value and qualifier,
   units fit their range;
3. cross-table checks (:mod:`bolero_evidence.data.checks`): intervals
   bracket estimates, counts agree with percentages and N, arms add up;
   no figure of a quote claimed by more rows than the quote prints it
   (:mod:`bolero_evidence.data.quotes`); every figure an analysis picks is
   there, once (:mod:`bolero_evidence.data.required`).

Before them, :mod:`bolero_evidence.data.structure` checks the descriptor's
shape (the tables and columns the code reads, safe resource paths) and each
file as a file (regular, inside ``data/``, UTF-8, header as declared, within
the size limits), so no bad input reaches the code below as a traceback.

Nothing is returned until all three pass.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..paths import find_project
from .checks import cross_table_problems, plain_rows
from .errors import DataValidationError, Problem
from .printed import parse_printed, qualifier_matches
from .quotes import quote_claim_problems
from .required import required_figure_problems
from .reuse import TableDigests, reused_problems
from .structure import descriptor_problems, file_problems
from .validated import known_valid, remember_valid, validation_key

__all__ = ["EVERY_TABLE", "INFERENCE_COLUMNS", "PROVENANCE_COLUMNS", "VALUE_COLUMNS", "Tables", "default_data_dir", "load_tables",
           "read_tables", "schema_dimensions"]

Tables = dict[str, pd.DataFrame]
VALUE_COLUMNS = ("value", "value_text", "qualifier", "unit", "n_arm")
PROVENANCE_COLUMNS = ("printed", "source_id", "locator", "quote", "note")
# How a row's data cut and assessment are read where the source does not state them: not what is measured.
INFERENCE_COLUMNS = ("data_cut_inferred", "assessment_inferred", "inference_basis")
_NO_VALUE = {"not_reached", "not_reported"}
_PANDAS_TYPES = {"number": "float64", "integer": "Int64", "string": "string"}


EVERY_TABLE = "every table"
"""Argument of :func:`read_tables` for a notebook that reads the whole package (the discrepancy finder)."""


def default_data_dir() -> Path:
    """``data/`` of the project that holds the working directory (see :mod:`bolero_evidence.paths`)."""
    return find_project().data


def _descriptor(data_dir: Path) -> dict:
    path = data_dir / "datapackage.json"
    if path.is_symlink() or not path.is_file():
        raise DataValidationError([Problem(path, None, None, None, "the data package descriptor, a regular file")])
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataValidationError([Problem(path, error.lineno, None, error.msg, "valid JSON")]) from None
    except UnicodeDecodeError as error:
        raise DataValidationError([Problem(path, None, None, error.object[error.start:error.start + 8], "UTF-8 text")]) from None
    problems = descriptor_problems(descriptor, path)
    if problems:
        raise DataValidationError(problems)
    return descriptor


def schema_dimensions(descriptor: dict, name: str) -> list[str]:
    """Columns that say *what* a row measures (neither value nor provenance)."""
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    skip = set(VALUE_COLUMNS) | set(PROVENANCE_COLUMNS) | set(INFERENCE_COLUMNS)
    return [f["name"] for f in resource["schema"]["fields"] if f["name"] not in skip]


def _frictionless_problems(data_dir: Path, descriptor: dict) -> list[Problem]:
    problems: list[Problem] = []
    for resource in descriptor["resources"]:
        problems += file_problems(data_dir, resource)
    if problems:
        return problems
    # Frictionless is the slow pass; a resource is validated again only when its descriptor, its file or a
    # table its foreign keys name changed (a broken copy of data/ re-validates the broken table alone).
    keys = {r["name"]: _resource_key(data_dir, descriptor, r) for r in descriptor["resources"]}
    stale = [r for r in descriptor["resources"] if keys[r["name"]] not in _FRICTIONLESS_CACHE]
    if stale:
        needed = {r["name"] for r in stale} | {_reference(f, r["name"]) for r in stale for f in r["schema"].get("foreignKeys", [])}
        subset = dict(descriptor, resources=[r for r in descriptor["resources"] if r["name"] in needed])
        found = _frictionless_report(data_dir, subset, [r["name"] for r in stale])
        for r in stale:
            if len(_FRICTIONLESS_CACHE) > 256:
                _FRICTIONLESS_CACHE.clear()
            _FRICTIONLESS_CACHE[keys[r["name"]]] = [(p.row, p.column, p.value, p.expected) for p in found.get(r["path"], [])]
    for r in descriptor["resources"]:
        problems += [Problem(data_dir / r["path"], *cached) for cached in _FRICTIONLESS_CACHE[keys[r["name"]]]]
    return problems


_FRICTIONLESS_CACHE: dict[tuple, list[tuple]] = {}


def _reference(foreign_key: dict, own: str) -> str:
    return foreign_key.get("reference", {}).get("resource") or own


def _resource_key(data_dir: Path, descriptor: dict, resource: dict) -> tuple:
    named = {r["name"]: r for r in descriptor["resources"]}
    involved = [resource] + [named[_reference(f, resource["name"])] for f in resource["schema"].get("foreignKeys", [])]
    return tuple((json.dumps(r, sort_keys=True), hashlib.sha256((data_dir / r["path"]).read_bytes()).hexdigest()) for r in involved)


def _frictionless_report(data_dir: Path, descriptor: dict, names: list[str]) -> dict[str, list[Problem]]:
    """Frictionless's problems per resource path, for the resources ``names`` of the package ``descriptor``.

    The package holds the tables their foreign keys name as well; those are read as lookups, not
    validated themselves (their own problems were found when they last changed).
    """
    # Imported here, not at the top: half a second, and a kernel whose data passed validation before never needs it.
    import frictionless

    problems: dict[str, list[Problem]] = {}
    package = frictionless.Package(descriptor, basepath=str(data_dir))
    tasks = [task for name in names for task in package.get_resource(name).validate().tasks]
    for task in tasks:
        path = data_dir / Path(task.place).name
        listed = problems.setdefault(Path(task.place).name, [])
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None) or None
            cell = getattr(error, "cell", None)
            expected = error.note or error.title
            if error.type == "type-error":
                expected = f"a value of type {error.note.split('is', 1)[-1].strip().strip(chr(34))}"
            elif error.type == "constraint-error":
                expected = f"a value meeting {error.note}"
            elif error.type == "foreign-key":
                found = re.search(r'for "([^"]+)": values "([^"]*)" not found in the lookup table "([^"]+)" as "([^"]+)"', error.note or "")
                if found:
                    column, cell = found.group(1), found.group(2)
                    expected = f"a {found.group(4)} listed in {found.group(3)}.csv (foreign key)"
                else:
                    expected, cell = f"a row whose foreign key resolves ({error.note})", "(whole row)"
            elif error.type == "primary-key":
                keys = _primary_key(descriptor, task.name)
                cell = "(whole row)"
                expected = f"a unique combination of {', '.join(keys)} (primary key): {error.note.replace('row at position', 'row')}"
            elif error.type in {"extra-label", "missing-label", "blank-label", "duplicate-label", "incorrect-label"}:
                # Header problems: the header text found (not "(empty)"), and the header the schema declares.
                expected = f"no {error.title.lower()}" + (f" ({error.note})" if error.note else "")
                cell = getattr(error, "label", None) or cell or "(no header)"
                row = 1
            elif error.type in {"extra-cell", "missing-cell", "blank-row"}:
                expected = f"no {error.title.lower()}" + (f" ({error.note})" if error.note else "")
                cell = cell if cell not in (None, "") else "(empty)"
            listed.append(Problem(path, row, column, cell, expected))
    return problems


def _primary_key(descriptor: dict, name: str) -> list[str]:
    resource = next((r for r in descriptor["resources"] if r["name"] == name), {})
    key = resource.get("schema", {}).get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def _read_tables(data_dir: Path, descriptor: dict) -> tuple[Tables, TableDigests]:
    """Every table as its schema types it, with its content key (:func:`_table_digest`); each file read once.

    A table is parsed once per content and schema in a process: a broken copy of ``data/`` (the fuzz and
    validation tests make a hundred) changes one file, and the other fifteen are taken from the last parse
    of the same bytes. Copies are returned, so that no caller can change what the next one reads.
    """
    tables, digests = {}, {}
    for resource in descriptor["resources"]:
        data = (data_dir / resource["path"]).read_bytes()
        key = digests[resource["name"]] = _table_digest(data, resource)
        frame = _PARSED.get(key)
        if frame is None:
            dtypes = {f["name"]: _PANDAS_TYPES.get(f.get("type", "string"), "string") for f in resource["schema"]["fields"]}
            frame = pd.read_csv(io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_values=[""], encoding="utf-8")
            if len(_PARSED) >= 64:  # a long test session's broken copies: keep the memory bounded
                _PARSED.clear()
            _PARSED[key] = frame
        tables[resource["name"]] = frame.copy()
    return tables, digests


_PARSED: dict[tuple[str, str], pd.DataFrame] = {}


def _table_digest(data: bytes, resource: dict) -> tuple[str, str]:
    """What a table's frame, and so every check of it, depends on: its bytes and its schema."""
    return hashlib.sha256(data).hexdigest(), json.dumps(resource["schema"], sort_keys=True)


def _row_problems(name: str, frame: pd.DataFrame, path: Path) -> list[Problem]:
    """Printed form against typed value; units against their range."""
    problems: list[Problem] = []
    if "printed" not in frame.columns or "value" not in frame.columns:
        return problems
    for index, row in plain_rows(frame):
        line = int(index) + 2
        qualifier, value, unit = row["qualifier"], row["value"], row["unit"]
        has_text = "value_text" in frame.columns and pd.notna(row["value_text"])
        if unit in {"date", "text"}:
            if not has_text or pd.notna(value):
                problems.append(Problem(path, line, "value_text", row.get("value_text"),
                                        f"a text value (and an empty value column) for unit {unit!r}"))
            continue
        if has_text:
            problems.append(Problem(path, line, "value_text", row["value_text"], "empty for a numeric row"))
        if qualifier in _NO_VALUE:
            if pd.notna(value):
                problems.append(Problem(path, line, "value", value, f"empty when the qualifier is {qualifier}"))
        elif pd.isna(value):
            problems.append(Problem(path, line, "value", "", f"a number (qualifier is {qualifier})"))
        try:
            printed = parse_printed(str(row["printed"]))
        except ValueError as error:
            problems.append(Problem(path, line, "printed", row["printed"], str(error).split("(", 1)[-1].rstrip(")")))
            continue
        if not qualifier_matches(printed, qualifier):
            problems.append(Problem(path, line, "qualifier", qualifier,
                                    f"a qualifier that fits the printed form {row['printed']!r}"))
        if printed.value is not None and pd.notna(value) and abs(printed.value - float(value)) > 1e-12 * max(1.0, abs(printed.value)):
            problems.append(Problem(path, line, "value", value,
                                    f"{printed.value:g}, the number printed as {row['printed']!r}"))
        if pd.notna(value):
            if unit == "percent" and not 0 <= value <= 100:
                problems.append(Problem(path, line, "value", value, "a percentage in [0, 100]"))
            if unit == "p_value" and not 0 < value <= 1:
                problems.append(Problem(path, line, "value", value, "a P value in (0, 1]"))
            if unit in {"count", "months", "weeks", "years", "hazard_ratio", "ratio"} and value < 0:
                problems.append(Problem(path, line, "value", value, f"a non-negative number of {unit}"))
    return problems


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
    return {name: frame.copy() for name, frame in tables.items()}


def read_tables(names: Iterable[str] | str, data_dir: Path | str | None = None) -> Tables:
    """The tables a notebook declares it reads, and no others.

    A notebook calls this once, with a literal list of table names (or
    :data:`EVERY_TABLE`). The build reads that list from the notebook's
    source to know which data files the notebook depends on; the returned
    dict holds only the declared tables, so reading an undeclared one is a
    ``KeyError`` rather than a dependency the build cannot see. The whole
    package is still validated (the cross-table checks need every table).

    Parameters
    ----------
    names : list of str or EVERY_TABLE
        Resource names of ``data/datapackage.json``.
    data_dir : path, optional
        Defaults to the project's ``data/``.

    Raises
    ------
    KeyError
        A name that is not a table of the package.
    DataValidationError
        The data are invalid.
    """
    tables = load_tables(data_dir)
    if names == EVERY_TABLE:
        return tables
    names = [names] if isinstance(names, str) else list(names)
    unknown = sorted(set(names) - set(tables))
    if unknown:
        raise KeyError(f"no table named {', '.join(map(repr, unknown))} in data/datapackage.json; tables: {', '.join(sorted(tables))}")
    return {name: tables[name] for name in names}


def _fingerprint(data_dir: Path) -> tuple:
    # Reload when any file changed, so a notebook kernel never sees stale data.
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in data_dir.glob("*") if p.is_file()))


@lru_cache(maxsize=4)
def _load_tables_cached(data_dir: Path, _fingerprint: tuple) -> Tables:
    descriptor = _descriptor(data_dir)
    key = validation_key(data_dir)
    if known_valid(data_dir, key):  # these bytes passed every check below before (see .validated)
        return _read_tables(data_dir, descriptor)[0]
    problems = _frictionless_problems(data_dir, descriptor)
    if problems:
        raise DataValidationError(problems)
    # The checks below run again only for tables whose content changed since they last ran here (reuse.py).
    tables, digests = _read_tables(data_dir, descriptor)
    for name in tables:
        problems.extend(reused_problems(f"rows {name}", [name], lambda t, name=name: _row_problems(name, t[name], data_dir / f"{name}.csv"),
                                        tables, data_dir, digests))
    if problems:
        raise DataValidationError(problems)
    problems.extend(cross_table_problems(tables, data_dir, digests))
    problems.extend(quote_claim_problems(tables, data_dir))
    problems.extend(required_figure_problems(tables, data_dir, digests=digests))
    if problems:
        raise DataValidationError(problems)
    remember_valid(data_dir, key)
    return tables
