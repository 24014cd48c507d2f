"""Checks that run before Frictionless: the descriptor's shape and each data file as a file.

Frictionless and the row and cross-table checks assume a descriptor that
declares the tables and columns the code reads, resource paths that name
files of ``data/``, and files of a sane size in UTF-8. This module checks
those assumptions first, so a broken descriptor or file is a
:class:`~bolero_evidence.data.errors.Problem` naming the file, row and
column, never a ``KeyError`` or ``TypeError`` from deeper down, and a
symlink or a path out of ``data/`` is never read.

Limits (far above any real transcription, which has at most a few hundred
rows and cells of a few hundred characters) keep a runaway file from
making a notebook or the renderer blow up: :data:`MAX_ROWS` data rows per
table, :data:`MAX_CELL_CHARACTERS` characters per cell.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path, PurePosixPath

from .errors import Problem

__all__ = ["MAX_CELL_CHARACTERS", "MAX_FILE_BYTES", "MAX_ROWS", "REQUIRED_COLUMNS", "descriptor_problems", "file_problems"]

MAX_ROWS = 5_000
MAX_CELL_CHARACTERS = 2_000
# A file larger than this is refused unread; below it, the CSV reader stops at the first row past MAX_ROWS.
MAX_FILE_BYTES = 100_000_000
_FIELD_TYPES = {"string", "number", "integer", "boolean", "date", "datetime", "year"}
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}

# The tables and the columns the package's code reads (checks, derived analyses, notebooks).
REQUIRED_COLUMNS = {
    "sources": ("source_id", "short_name", "seed_file", "kind", "authors", "title", "container", "year", "doi", "data_cut", "note"),
    "design": ("parameter", "arm", "value", "value_text", "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "pfs": ("data_cut", "assessment", "data_cut_inferred", "assessment_inferred", "inference_basis", "arm", "statistic", "value", "qualifier", "unit",
            "printed", "source_id", "locator", "quote", "note"),
    "pfs_subgroups": ("data_cut", "assessment", "data_cut_inferred", "assessment_inferred", "inference_basis", "subgroup", "arm", "statistic",
                      "value", "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "response": ("data_cut", "assessment", "data_cut_inferred", "assessment_inferred", "inference_basis", "arm", "category", "statistic", "value",
                 "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "adverse_events": ("data_cut", "data_cut_inferred", "inference_basis", "term", "grade", "arm", "n_arm", "value", "qualifier", "unit", "printed",
                       "source_id", "locator", "quote", "note"),
    "exposure": ("data_cut", "data_cut_inferred", "inference_basis", "measure", "drug", "arm", "statistic", "value", "qualifier", "unit", "printed",
                 "source_id", "locator", "quote", "note"),
    "baseline": ("characteristic", "category", "arm", "population", "statistic", "n_arm", "value", "qualifier", "unit", "printed", "source_id",
                 "locator", "quote", "note"),
    "trials": ("trial", "study_label", "setting", "design", "population", "n_patients", "experimental_treatment", "control_treatment",
               "experimental_agent", "printed", "source_id", "locator", "quote", "note"),
    "trial_outcomes": ("trial", "data_cut", "endpoint", "role", "assessment", "data_cut_inferred", "assessment_inferred", "inference_basis", "arm",
                       "value", "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "trial_side_effects": ("trial", "data_cut", "data_cut_inferred", "inference_basis", "term", "grade", "arm", "value", "qualifier", "unit",
                           "printed", "source_id", "locator", "quote", "note"),
    "quality_of_life": ("trial", "data_cut", "data_cut_inferred", "inference_basis", "endpoint", "analysis", "arm", "statistic", "value", "qualifier",
                        "unit", "printed", "source_id", "locator", "quote", "note"),
    "finding": ("trial", "data_cut", "data_cut_inferred", "inference_basis", "endpoint", "claim", "printed", "source_id", "locator", "quote", "note"),
    "trial_conduct": ("topic", "item", "arm", "value", "value_text", "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "biomarkers": ("trial", "analysis", "marker", "statistic", "value", "qualifier", "unit", "printed", "source_id", "locator", "quote", "note"),
    "label_synonyms": ("table", "column", "label", "target_table", "target_column", "target_label", "relation", "reason"),
}


def _names(value) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [value]


def descriptor_problems(descriptor: object, path: Path) -> list[Problem]:
    """What is wrong with the shape of the parsed ``datapackage.json`` (empty when nothing is).

    ``column`` of each problem is the place in the descriptor, e.g.
    ``resources[3].schema.fields[2].type``.
    """
    if not isinstance(descriptor, dict):
        return [Problem(path, None, None, type(descriptor).__name__ if descriptor not in ({}, []) else repr(descriptor),
                        "a JSON object with a list of resources")]
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return [Problem(path, None, "resources", repr(resources) if resources is not None else "(no 'resources')",
                        "a non-empty list of resources, one per table")]
    problems: list[Problem] = []
    fields_of: dict[str, list[str]] = {}
    for i, resource in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(resource, dict):
            problems.append(Problem(path, None, where, repr(resource), "a resource object with name, path and schema"))
            continue
        name = resource.get("name")
        if not isinstance(name, str) or not name:
            problems.append(Problem(path, None, f"{where}.name", repr(name), "the table's name"))
            continue
        where = f"resources[{i}] ({name})"
        if name in fields_of:
            problems.append(Problem(path, None, f"{where}.name", name, "a name no other resource has"))
        resource_path = resource.get("path")
        if not isinstance(resource_path, str) or not _is_safe_path(resource_path):
            problems.append(Problem(path, None, f"{where}.path", resource_path,
                                    "the name of a CSV file directly inside data/ (no folder, no absolute path, no '..')"))
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            problems.append(Problem(path, None, f"{where}.schema.fields", repr(fields), "a non-empty list of fields"))
            fields_of[name] = []
            continue
        names = []
        for j, field in enumerate(fields):
            if not isinstance(field, dict) or not isinstance(field.get("name"), str):
                problems.append(Problem(path, None, f"{where}.schema.fields[{j}]", repr(field), "a field object with a name"))
                continue
            names.append(field["name"])
            kind = field.get("type", "string")
            if kind not in _FIELD_TYPES:
                problems.append(Problem(path, None, f"{where}.schema.fields[{j}] ({field['name']}).type", kind,
                                        f"a Frictionless field type ({', '.join(sorted(_FIELD_TYPES))})"))
        fields_of[name] = names
        for key in _names(schema.get("primaryKey", [])):
            if key not in names:
                problems.append(Problem(path, None, f"{where}.schema.primaryKey", key, f"a field of {name} ({', '.join(names)})"))
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict) or not isinstance(resource.get("schema"), dict) or resource.get("name") not in fields_of:
            continue
        name = resource["name"]
        for k, foreign in enumerate(resource["schema"].get("foreignKeys", []) or []):
            where = f"resources[{i}] ({name}).schema.foreignKeys[{k}]"
            reference = foreign.get("reference", {}) if isinstance(foreign, dict) else {}
            target = reference.get("resource", name) or name
            for key in _names(foreign.get("fields", []) if isinstance(foreign, dict) else []):
                if key not in fields_of[name]:
                    problems.append(Problem(path, None, f"{where}.fields", key, f"a field of {name}"))
            if target not in fields_of:
                problems.append(Problem(path, None, f"{where}.reference.resource", target, "a resource of the package"))
                continue
            for key in _names(reference.get("fields", [])):
                if key not in fields_of[target]:
                    problems.append(Problem(path, None, f"{where}.reference.fields", key, f"a field of {target}"))
    for name, columns in REQUIRED_COLUMNS.items():
        if name not in fields_of:
            problems.append(Problem(path, None, "resources", name, f"a resource named {name!r}: the analyses and checks read it"))
            continue
        for column in columns:
            if fields_of[name] and column not in fields_of[name]:
                problems.append(Problem(path, None, f"resources ({name}).schema.fields", column,
                                        f"a field {column!r} of {name}: the analyses and checks read it"))
    return problems


def _is_safe_path(text: str) -> bool:
    pure = PurePosixPath(text)
    return bool(text) and "\\" not in text and not pure.is_absolute() and len(pure.parts) == 1 and pure.name not in {".", ".."} \
        and not text.startswith("~") and ":" not in text


def file_problems(data_dir: Path, resource: dict) -> list[Problem]:
    """The resource's file as a file: regular, inside ``data_dir``, UTF-8, header as declared, within the limits, finite numbers.

    Reads the file once with the standard CSV reader, before Frictionless,
    so a runaway file is refused in a fraction of a second.
    """
    path = data_dir / resource["path"]
    if path.is_symlink():
        return [Problem(path, None, None, f"a symbolic link to {path.readlink()}", "a regular file inside data/ (not a link)")]
    if not path.exists():
        return [Problem(path, None, None, None, f"the CSV file of resource {resource['name']!r} named in datapackage.json")]
    if not path.is_file():
        return [Problem(path, None, None, "not a regular file", "a regular file inside data/")]
    if path.resolve().parent != data_dir.resolve():
        return [Problem(path, None, None, str(path.resolve()), "a file inside data/")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return [Problem(path, None, None, f"{size:,} bytes", f"a file of at most {MAX_FILE_BYTES:,} bytes (a transcription is far smaller)")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        return [Problem(path, line, None, raw[error.start:error.start + 8], f"UTF-8 text (byte {error.start} is not)")]
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FILE_BYTES + 1)  # long cells are reported below with their row and column
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return _rows_problems(path, rows, names, fields)
    except csv.Error as error:
        return [Problem(path, rows.line_num, None, str(error), "well-formed CSV")]
    finally:
        csv.field_size_limit(limit)


def _rows_problems(path: Path, rows, names: list[str], fields: list[dict]) -> list[Problem]:
    header = next(rows, None)
    if header is None:
        return [Problem(path, None, None, "an empty file", f"a header row ({', '.join(names)}) and data rows")]
    problems: list[Problem] = []
    for position in range(max(len(header), len(names))):
        found = header[position] if position < len(header) else None
        wanted = names[position] if position < len(names) else None
        if found != wanted:
            problems.append(Problem(path, 1, wanted or found, "(no header)" if found is None else found,
                                    f"the header {wanted!r} (column {position + 1} of the schema)" if wanted
                                    else f"no column {position + 1}: the schema declares {len(names)} columns"))
    if problems:
        return problems
    finite = [i for i, f in enumerate(fields) if f.get("type") in {"number", "integer"}]
    count = 0
    for row in rows:
        count += 1
        line = count + 1  # the header is line 1, as in every other message
        if count > MAX_ROWS:
            problems.append(Problem(path, line, None, f"more than {MAX_ROWS:,} rows", f"at most {MAX_ROWS:,} data rows per table"))
            break
        for i, cell in enumerate(row):
            if len(cell) > MAX_CELL_CHARACTERS:
                column = names[i] if i < len(names) else f"column {i + 1}"
                problems.append(Problem(path, line, column, f"{len(cell):,} characters: {cell[:40]}…",
                                        f"a cell of at most {MAX_CELL_CHARACTERS:,} characters"))
        for i in finite:
            if i < len(row) and row[i].strip().lower() in _NOT_FINITE:
                problems.append(Problem(path, line, names[i], row[i], "a finite number (or an empty cell)"))
    if count == 0:
        problems.append(Problem(path, None, None, "the header only", "at least one data row"))
    return problems
