"""The register of derived figures: one citable row per number the notebooks derive.

Each notebook collects its derived figures in a :class:`Register` and shows
:meth:`Register.publish` in its last cell. That output carries the entries
twice: as a table for the reader (``text/markdown``) and as JSON under the
project's own MIME type :data:`REGISTER_MIME`. Strict nbval locks both, like
every other output. :func:`collect_register` reads the JSON back from the
saved notebooks, without a kernel, and the build writes the joined entries to
``report/generated/register.csv`` (id scheme: ``report/generated/README.md``).

Values are rounded to :data:`SIGNIFICANT_DIGITS` significant digits, so the
register does not change with the last bits of a floating-point result.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Entry", "Figure", "Register", "REGISTER_COLUMNS", "REGISTER_MIME", "SIGNIFICANT_DIGITS", "collect_register", "read_register",
           "RegisterError"]

# A vendor MIME type: Jupyter front ends, Quarto and pandoc show the
# text/markdown table of the same output and ignore this one.
REGISTER_MIME = "application/vnd.bolero-evidence.register+json"
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


@dataclass(frozen=True)
class Figure:
    """A derived figure as an analysis module returns it: unrounded, not yet tied to a notebook cell.

    :meth:`Register.extend` registers figures under the label of the cell
    that shows them. Attributes as in :class:`Entry`.
    """

    id: str
    value: float | None
    unit: str
    method: str
    inputs: tuple[str, ...]
    description: str
    ci_low: float | None = None
    ci_high: float | None = None

    def __post_init__(self):
        # One source id may be given as a string; keep a tuple either way.
        inputs = (self.inputs,) if isinstance(self.inputs, str) else tuple(self.inputs)
        object.__setattr__(self, "inputs", inputs)


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

    def extend(self, figures, *, cell: str, section: str) -> list[Entry]:
        """Add the :class:`Figure` objects an analysis module returns, all shown in one cell.

        Parameters
        ----------
        figures : iterable of Figure
        cell : str
            Label of the notebook cell that shows them (``tbl-...``/``fig-...``).
        section : str
            Id of the report section that cites them.

        Returns
        -------
        list of Entry
            The entries added, in order (checked and rounded as by :meth:`add`).
        """
        return [self.add(f.id, f.value, unit=f.unit, method=f.method, inputs=f.inputs, cell=cell, section=section,
                         description=f.description, ci_low=f.ci_low, ci_high=f.ci_high) for f in figures]

    def frame(self) -> pd.DataFrame:
        """The entries as a frame with :data:`REGISTER_COLUMNS`."""
        rows = []
        for e in self.entries:
            row = asdict(e)
            row["inputs"] = ";".join(e.inputs)
            row["notebook"] = self.notebook
            rows.append(row)
        return pd.DataFrame(rows, columns=REGISTER_COLUMNS)

    def publish(self) -> RegisterOutput:
        """The entries as a notebook output: a table to read and JSON for the build.

        Returns
        -------
        RegisterOutput
            Displayed by Jupyter with both MIME types; the table is a pipe
            table, which renders in HTML, Typst and DOCX alike.
        """
        return RegisterOutput(self.notebook, tuple(self.entries))


@dataclass(frozen=True)
class RegisterOutput:
    """A notebook's register entries as a display bundle (see :data:`REGISTER_MIME`)."""

    notebook: str
    entries: tuple[Entry, ...]

    def _repr_mimebundle_(self, include=None, exclude=None):
        frame = Register(self.notebook, list(self.entries)).frame()
        shown = frame[["id", "value", "ci_low", "ci_high", "unit", "method", "section"]].copy()
        for column in ("value", "ci_low", "ci_high"):
            shown[column] = shown[column].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.6g}")
        records = [{**asdict(e), "inputs": list(e.inputs)} for e in self.entries]
        # JSON has no infinity: an unbounded interval end is written as a string.
        for record in records:
            for key in ("value", "ci_low", "ci_high"):
                if isinstance(record[key], float) and math.isinf(record[key]):
                    record[key] = "inf" if record[key] > 0 else "-inf"
        return {"text/markdown": shown.to_markdown(index=False),
                REGISTER_MIME: {"notebook": self.notebook, "entries": records}}


class RegisterError(ValueError):
    """A saved notebook's register output is missing, malformed or clashes with another's."""


def _number(value):
    if isinstance(value, str):
        return {"inf": math.inf, "-inf": -math.inf}[value]
    return value


def collect_register(notebooks: list[Path]) -> pd.DataFrame:
    """The register: the entries every saved notebook published, in notebook order.

    Reads the :data:`REGISTER_MIME` outputs of the notebooks as saved (no
    kernel runs). A notebook without such an output contributes nothing.

    Raises
    ------
    RegisterError
        An id published by two notebooks, or an output that is not a register.
    """
    rows: list[dict] = []
    seen: dict[str, str] = {}
    for path in notebooks:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                bundle = output.get("data", {}).get(REGISTER_MIME)
                if bundle is None:
                    continue
                try:
                    entries = bundle["entries"]
                    for entry in entries:
                        if entry["id"] in seen:
                            raise RegisterError(f"register id {entry['id']!r} is published by {seen[entry['id']]} and {Path(path).name}")
                        seen[entry["id"]] = Path(path).name
                        rows.append({**entry, "value": _number(entry["value"]), "ci_low": _number(entry["ci_low"]),
                                     "ci_high": _number(entry["ci_high"]), "inputs": ";".join(entry["inputs"]),
                                     "notebook": bundle["notebook"]})
                except (KeyError, TypeError) as error:
                    raise RegisterError(f"{Path(path).name}: the register output is malformed ({type(error).__name__}: {error})") from None
    frame = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    for column in ("value", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


def register_csv(frame: pd.DataFrame) -> str:
    """The register as CSV text, as the build writes it."""
    return frame[REGISTER_COLUMNS].to_csv(index=False, lineterminator="\n")


def read_register(path: Path) -> pd.DataFrame:
    """Read a register CSV (``data/register.csv`` or one notebook's file)."""
    return pd.read_csv(path, dtype={"inputs": "string", "method": "string", "description": "string"}, keep_default_na=False,
                       na_values={"value": [""], "ci_low": [""], "ci_high": [""]})
