"""The register of derived figures: one citable row per number the notebooks derive.

Each notebook collects its derived figures in a :class:`Register` and calls
:meth:`Register.publish` at the end. Publishing shows the entries as a table
(locked by nbval like every other output) and, when the build runs the
notebook, writes them to ``$BOLERO_REGISTER_DIR/<notebook>.csv``; the build
then joins the notebooks' files into ``data/register.csv`` (see
``data/register.md`` for the id scheme).

Values are rounded to :data:`SIGNIFICANT_DIGITS` significant digits, so the
register does not change with the last bits of a floating-point result.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Entry", "Register", "REGISTER_COLUMNS", "REGISTER_DIR_ENV", "SIGNIFICANT_DIGITS", "read_register"]

REGISTER_DIR_ENV = "BOLERO_REGISTER_DIR"
SIGNIFICANT_DIGITS = 6
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_LABEL = re.compile(r"^(tbl|fig)-[a-z0-9-]+$")
_SECTION = re.compile(r"^sec-[a-z0-9-]+$")
REGISTER_COLUMNS = ["id", "value", "ci_low", "ci_high", "unit", "method", "inputs", "notebook", "cell", "section", "description"]


def _round(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = float(value)
    if math.isinf(value) or value == 0:
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


@dataclass(frozen=True)
class Entry:
    """One derived figure.

    Attributes
    ----------
    id : str
        Stable dotted id, e.g. ``pfs.local.interim.median_gain``.
    value : float
        The figure (rounded to six significant digits).
    ci_low, ci_high : float or None
        Interval bounds where the method gives them (95% unless the method
        says otherwise); ``inf`` where a bound is infinite.
    unit : str
        ``months``, ``percentage_points``, ``proportion``, ``hazard_ratio``,
        ``z``, ``events``, ``patients``, ``ratio``, ``p_value``, ...
    method : str
        How it was derived, short (``Clopper-Pearson 95%``).
    inputs : tuple of str
        Source ids (``data/sources.csv``) of the printed figures it uses.
    cell : str
        Label of the notebook cell that shows it.
    section : str
        Id of the report section that cites it.
    description : str
        What the figure is, in words.
    """

    id: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    unit: str
    method: str
    inputs: tuple[str, ...]
    cell: str
    section: str
    description: str


@dataclass
class Register:
    """Derived figures of one notebook.

    Parameters
    ----------
    notebook : str
        Notebook file stem, e.g. ``03-response``.
    """

    notebook: str
    entries: list[Entry] = field(default_factory=list)

    def add(self, id: str, value: float | None, *, unit: str, method: str, inputs, cell: str, section: str,
            description: str, ci_low: float | None = None, ci_high: float | None = None) -> Entry:
        """Add one figure; ids must be dotted, lower case and unique."""
        if not _ID.match(id):
            raise ValueError(f"register id {id!r} must be dotted lower-case words, e.g. 'orr.local.everolimus'")
        if any(e.id == id for e in self.entries):
            raise ValueError(f"register id {id!r} is already used in {self.notebook}")
        if not _LABEL.match(cell):
            raise ValueError(f"cell {cell!r} must be a tbl-/fig- label of the cell that shows {id!r}")
        if not _SECTION.match(section):
            raise ValueError(f"section {section!r} must be a report section id (sec-...)")
        inputs = tuple(sorted({inputs} if isinstance(inputs, str) else set(inputs)))
        entry = Entry(id, _round(value), _round(ci_low), _round(ci_high), unit, method, inputs, cell, section, description)
        self.entries.append(entry)
        return entry

    def frame(self) -> pd.DataFrame:
        """The entries as a frame with :data:`REGISTER_COLUMNS`."""
        rows = []
        for e in self.entries:
            row = asdict(e)
            row["inputs"] = ";".join(e.inputs)
            row["notebook"] = self.notebook
            rows.append(row)
        return pd.DataFrame(rows, columns=REGISTER_COLUMNS)

    def publish(self):
        """Show the entries (id, value, interval, unit, method) and write them when the build asks.

        Returns
        -------
        IPython.display.Markdown
            A pipe table, which renders in HTML and in the PDF alike.
        """
        from IPython.display import Markdown

        target = os.environ.get(REGISTER_DIR_ENV)
        if target:
            path = Path(target) / f"{self.notebook}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.frame().to_csv(path, index=False, lineterminator="\n")
        shown = self.frame()[["id", "value", "ci_low", "ci_high", "unit", "method", "section"]].copy()
        for column in ("value", "ci_low", "ci_high"):
            shown[column] = shown[column].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.6g}")
        return Markdown(shown.to_markdown(index=False))


def read_register(path: Path) -> pd.DataFrame:
    """Read a register CSV (``data/register.csv`` or one notebook's file)."""
    return pd.read_csv(path, dtype={"inputs": "string", "method": "string", "description": "string"}, keep_default_na=False,
                       na_values={"value": [""], "ci_low": [""], "ci_high": [""]})
