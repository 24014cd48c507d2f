"""The register of derived figures: one citable row per number the notebooks derive.

Each notebook collects its derived figures in a :class:`Register` and shows
:meth:`Register.publish` in its last cell. That output carries the entries
twice: as a table for the reader (``text/markdown``) and as JSON under the
project's own MIME type :data:`REGISTER_MIME`. Strict nbval locks both, like
every other output. :func:`collect_register` reads the JSON back from the
saved notebooks, without a kernel, and the build writes the joined entries to
``report/generated/register.csv`` (id scheme: ``report/generated/README.md``).

Values are rounded to :data:`SIGNIFICANT_DIGITS` significant digits, so the
register does not change with the last bits of a floating-point result; a
figure whose inputs justify fewer digits (a P value rebuilt from a rounded
interval) says so with ``Figure(significant=...)`` and is stored rounded to
them.

An interval that two bounds cannot hold is stored in structured fields: the
interval of a number needed to treat or harm that passes through infinity
(Altman 1998) has ``interval_kind="through_infinity"``, empty
``ci_low``/``ci_high``, and its two finite ends in ``nnt_benefit_bound``
(NNTB a to ∞) and ``nnt_harm_bound`` (∞ to NNTH b).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Entry", "Figure", "INTERVAL_COLUMNS", "INTERVAL_KINDS", "Register", "REGISTER_COLUMNS", "REGISTER_CSV_COLUMNS",
           "REGISTER_MIME", "SIGNIFICANT_DIGITS", "collect_register", "read_register", "RegisterError"]

# A vendor MIME type: Jupyter front ends, Quarto and pandoc show the
# text/markdown table of the same output and ignore this one.
REGISTER_MIME = "application/vnd.bolero-evidence.register+json"
SIGNIFICANT_DIGITS = 6
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_LABEL = re.compile(r"^(tbl|fig)-[a-z0-9-]+$")
_SECTION = re.compile(r"^sec-[a-z0-9-]+$")
# The columns every register has had, which readers of a register (the
# citing tools, the published data package's schema) require.
REGISTER_COLUMNS = ["id", "value", "ci_low", "ci_high", "unit", "method", "inputs", "notebook", "cell", "section", "description"]
# Structured interval fields, added after the first release: a register
# written before them (an earlier release, a saved notebook not re-executed
# since) reads with them empty. ``register.csv`` has them last, so that the
# columns of earlier registers keep their positions.
INTERVAL_COLUMNS = ["interval_kind", "nnt_benefit_bound", "nnt_harm_bound"]
REGISTER_CSV_COLUMNS = REGISTER_COLUMNS + INTERVAL_COLUMNS
_OPTIONAL_COLUMNS = tuple(INTERVAL_COLUMNS)
_NUMBER_COLUMNS = ("value", "ci_low", "ci_high", "nnt_benefit_bound", "nnt_harm_bound")
#: Values of ``interval_kind``: empty for an ordinary interval (or none);
#: for a number needed, the shape of Altman's interval
#: (:attr:`bolero_evidence.stats.proportions.NumberNeeded.bounds_kind`).
INTERVAL_KINDS = ("", "finite", "to_infinity", "through_infinity")


def _round(value: float | None, significant: int = SIGNIFICANT_DIGITS) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = float(value)
    if math.isinf(value) or value == 0:
        return value
    return float(f"{value:.{significant}g}")


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
    interval_kind : str
        One of :data:`INTERVAL_KINDS`: empty for an ordinary interval (or
        none); for a number needed, ``finite``, ``to_infinity`` or
        ``through_infinity`` (then ``ci_low``/``ci_high`` are empty and the
        two pieces' finite ends are in the next two fields).
    nnt_benefit_bound, nnt_harm_bound : float or None
        For a number needed: the smallest NNTB and the smallest NNTH the
        interval allows (None where it allows no benefit, or no harm).
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
    interval_kind: str = ""
    nnt_benefit_bound: float | None = None
    nnt_harm_bound: float | None = None


@dataclass(frozen=True)
class Figure:
    """A derived figure as an analysis module returns it: unrounded, not yet tied to a notebook cell.

    :meth:`Register.extend` registers figures under the label of the cell
    that shows them. Attributes as in :class:`Entry`, and ``significant``:
    significant digits the inputs justify (None: :data:`SIGNIFICANT_DIGITS`).
    """

    id: str
    value: float | None
    unit: str
    method: str
    inputs: tuple[str, ...]
    description: str
    ci_low: float | None = None
    ci_high: float | None = None
    interval_kind: str = ""
    nnt_benefit_bound: float | None = None
    nnt_harm_bound: float | None = None
    significant: int | None = None

    @classmethod
    def number_needed(cls, id: str, needed, *, unit: str = "patients", method: str, inputs, description: str) -> Figure:
        """A number needed to treat or harm with its interval in structured fields.

        Parameters
        ----------
        needed : bolero_evidence.stats.proportions.NumberNeeded
            Its :meth:`~bolero_evidence.stats.proportions.NumberNeeded.register_fields`
            give the value, the finite bounds (``ci_low``/``ci_high``, empty
            unless the interval is one finite piece), ``interval_kind`` and
            the two pieces' finite ends.
        """
        fields = needed.register_fields()
        return cls(id, fields["estimate"], unit=unit, method=method, inputs=inputs, description=description,
                   ci_low=fields["low"], ci_high=fields["high"], interval_kind=fields["bounds_kind"],
                   nnt_benefit_bound=fields["nnt_benefit_bound"], nnt_harm_bound=fields["nnt_harm_bound"])

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
            description: str, ci_low: float | None = None, ci_high: float | None = None, interval_kind: str = "",
            nnt_benefit_bound: float | None = None, nnt_harm_bound: float | None = None,
            significant: int | None = None) -> Entry:
        """Add one figure; ids must be dotted, lower case and unique.

        ``significant`` rounds the value and bounds to fewer significant
        digits than :data:`SIGNIFICANT_DIGITS` where the inputs justify no
        more; ``interval_kind`` must be one of :data:`INTERVAL_KINDS`.
        """
        if not _ID.match(id):
            raise ValueError(f"register id {id!r} must be dotted lower-case words, e.g. 'orr.local.everolimus'")
        if any(e.id == id for e in self.entries):
            raise ValueError(f"register id {id!r} is already used in {self.notebook}")
        if not _LABEL.match(cell):
            raise ValueError(f"cell {cell!r} must be a tbl-/fig- label of the cell that shows {id!r}")
        if not _SECTION.match(section):
            raise ValueError(f"section {section!r} must be a report section id (sec-...)")
        if interval_kind not in INTERVAL_KINDS:
            raise ValueError(f"interval_kind {interval_kind!r} of {id!r} is not known: expected one of {list(INTERVAL_KINDS)}")
        if interval_kind == "through_infinity" and (ci_low is not None or ci_high is not None):
            raise ValueError(f"{id!r}: an interval through infinity has no ci_low/ci_high; give nnt_benefit_bound and nnt_harm_bound")
        digits = SIGNIFICANT_DIGITS if significant is None else significant
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= SIGNIFICANT_DIGITS:
            raise ValueError(f"significant={significant!r} of {id!r} is not usable: expected an integer 1..{SIGNIFICANT_DIGITS}")
        inputs = tuple(sorted({inputs} if isinstance(inputs, str) else set(inputs)))
        entry = Entry(id, _round(value, digits), _round(ci_low, digits), _round(ci_high, digits), unit, method, inputs, cell,
                      section, description, interval_kind, _round(nnt_benefit_bound, digits), _round(nnt_harm_bound, digits))
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
                         description=f.description, ci_low=f.ci_low, ci_high=f.ci_high, interval_kind=f.interval_kind,
                         nnt_benefit_bound=f.nnt_benefit_bound, nnt_harm_bound=f.nnt_harm_bound,
                         significant=f.significant) for f in figures]

    def frame(self) -> pd.DataFrame:
        """The entries as a frame with :data:`REGISTER_CSV_COLUMNS`."""
        rows = []
        for e in self.entries:
            row = asdict(e)
            row["inputs"] = ";".join(e.inputs)
            row["notebook"] = self.notebook
            rows.append(row)
        return pd.DataFrame(rows, columns=REGISTER_CSV_COLUMNS)

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

    def __repr__(self) -> str:
        # The text/plain form Jupyter saves beside the table and the JSON: short, not the entries again.
        return f"register of {self.notebook}: {len(self.entries)} entries"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .presentation.register import register_table
        from .presentation.text import markdown_text

        records = [{**asdict(e), "inputs": list(e.inputs)} for e in self.entries]
        # JSON has no infinity: an unbounded interval end is written as a string.
        for record in records:
            for key in _NUMBER_COLUMNS:
                if isinstance(record[key], float) and math.isinf(record[key]):
                    record[key] = "inf" if record[key] > 0 else "-inf"
        return {"text/markdown": markdown_text(register_table(self.entries)),
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
                        # A notebook saved before the structured interval fields lacks them.
                        row = {"interval_kind": "", "nnt_benefit_bound": None, "nnt_harm_bound": None, **entry}
                        rows.append({**row, **{key: _number(row[key]) for key in _NUMBER_COLUMNS},
                                     "inputs": ";".join(entry["inputs"]), "notebook": bundle["notebook"]})
                except (KeyError, TypeError) as error:
                    raise RegisterError(f"{Path(path).name}: the register output is malformed ({type(error).__name__}: {error})") from None
    frame = pd.DataFrame(rows, columns=REGISTER_CSV_COLUMNS)
    for column in _NUMBER_COLUMNS:
        frame[column] = pd.to_numeric(frame[column])
    frame["interval_kind"] = frame["interval_kind"].fillna("")
    return frame


def register_csv(frame: pd.DataFrame) -> str:
    """The register as CSV text, as the build writes it."""
    return frame[REGISTER_CSV_COLUMNS].to_csv(index=False, lineterminator="\n")


def read_register(path: Path) -> pd.DataFrame:
    """Read a register CSV (``data/register.csv`` or one notebook's file).

    A register written before the structured interval fields (an earlier
    release) reads with them empty, so it can still be compared and cited.
    """
    frame = pd.read_csv(path, dtype={"inputs": "string", "method": "string", "description": "string",
                                     "interval_kind": "string"}, keep_default_na=False,
                        na_values={column: [""] for column in _NUMBER_COLUMNS})
    for column in _OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = "" if column == "interval_kind" else float("nan")
    return frame
