"""The register published beside the HTML as CSV and JSON, described by a Frictionless data package.

Other tools read ``register.csv`` or ``register.json`` and learn the columns,
types and the id pattern from ``datapackage.json`` (Frictionless Table
Schema). The build adds the discrepancy table the same way, through
``extra_tables``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..register import REGISTER_COLUMNS, read_register
from .registers import REGISTER_PATHS, report_info

__all__ = ["REGISTER_SCHEMA", "UNITS", "publish_tables"]

#: The units the register uses (``report/generated/README.md``).
UNITS = ["months", "percent", "percentage_points", "hazard_ratio", "log_hazard_ratio", "ratio", "z", "p_value", "events", "patients",
         "proportion", "weeks", "count", "grade"]

_BOUND = "interval bound where the method gives one (95% unless the method says otherwise); 'inf' for an unbounded side; empty where none"
REGISTER_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "description": "stable dotted register id; the HTML anchor is index.html#<id>",
         "constraints": {"required": True, "unique": True, "pattern": r"[a-z0-9_]+(\.[a-z0-9_]+)+"}},
        {"name": "value", "type": "number", "description": "the figure, six significant digits", "constraints": {"required": True}},
        {"name": "ci_low", "type": "number", "description": "lower " + _BOUND},
        {"name": "ci_high", "type": "number", "description": "upper " + _BOUND},
        {"name": "unit", "type": "string", "constraints": {"required": True, "enum": UNITS}},
        {"name": "method", "type": "string", "description": "how the figure was derived"},
        {"name": "inputs", "type": "string", "description": "ids of the sources of the printed figures used, ';'-separated"},
        {"name": "notebook", "type": "string", "description": "analysis notebook that derives it",
         "constraints": {"pattern": r"\d\d-[a-z0-9-]+"}},
        {"name": "cell", "type": "string", "description": "label of the notebook cell that shows it"},
        {"name": "section", "type": "string", "description": "report section that cites it (index.html#<section>)",
         "constraints": {"pattern": r"sec-[a-z0-9-]+"}},
        {"name": "description", "type": "string", "description": "what the figure is, in words"},
    ],
    "primaryKey": ["id"],
    "missingValues": [""],
}


def _json_value(value):
    # JSON has no infinity; Frictionless reads the string "inf" as a number.
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return value


def _write_table(frame: pd.DataFrame, name: str, schema: dict, output_dir: Path, title: str) -> list[dict]:
    csv_path, json_path = output_dir / f"{name}.csv", output_dir / f"{name}.json"
    frame.to_csv(csv_path, index=False, lineterminator="\n")
    records = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]
    json_path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    common = {"title": title, "schema": schema, "encoding": "utf-8"}
    return [{"name": name, "path": csv_path.name, "format": "csv", "mediatype": "text/csv", **common},
            {"name": f"{name}-json", "path": json_path.name, "format": "json", "mediatype": "application/json", **common}]


def publish_tables(project_root: Path, output_dir: Path,
                   extra_tables: Mapping[str, tuple[pd.DataFrame, dict, str]] | None = None) -> Path:
    """Write ``register.csv``, ``register.json`` and ``datapackage.json`` into ``output_dir``.

    Parameters
    ----------
    project_root : Path
        The checkout; its ``report/generated/register.csv`` is published.
    output_dir : Path
        Where the HTML is (created if missing).
    extra_tables : mapping, optional
        More tables to publish the same way: name → (frame, Table Schema, title),
        e.g. the discrepancy table.

    Returns
    -------
    Path
        The ``datapackage.json`` written.
    """
    root, output_dir = Path(project_root), Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    register = read_register(root / REGISTER_PATHS[0])[REGISTER_COLUMNS]
    info = report_info(root)
    resources = _write_table(register, "register", REGISTER_SCHEMA, output_dir, "Register of derived figures")
    for name, (frame, schema, title) in (extra_tables or {}).items():
        resources += _write_table(frame, name, schema, output_dir, title)
    package = {"name": "bolero2-evidence-register", "title": f"{info.title}: register of derived figures",
               "version": info.version, "resources": resources,
               "description": "Every figure the report derives, citable by id; the HTML anchor of a figure is index.html#<id>."}
    path = output_dir / "datapackage.json"
    path.write_text(json.dumps({k: v for k, v in package.items() if v is not None}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
