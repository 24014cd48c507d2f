"""The ESMO-MCBS forms as data: reading and checking the rule table.

The rules live in ``forms_v1_1.csv`` (shipped with the package), one row per
condition:

- ``kind = preliminary``: a threshold on one variable (``hr_ci_low``, the
  lower limit of the hazard ratio's 95% CI; ``median_gain``, experimental
  minus control median in months), for one sheet of a form (the control-arm
  median range ``control_min``/``control_max`` with their operators). Rows
  sharing a ``rule_id`` are joined by AND; different ``rule_id`` of the same
  grade and sheet are alternatives (OR). The preliminary grade is the highest
  grade with a rule met.
- ``kind = adjustment``: a condition on a finding (``qol_improved``,
  ``qol_no_difference``, ``toxicity_incremental``, ``toxicity_less``,
  ``os_improved``) and its ``effect`` (``+1``, ``-1``, ``rescore:2a``); rows
  sharing a ``rule_id`` are joined by AND. Adjustments apply in file order.
- ``kind = bound``: the lowest (``grade``) and highest (``effect``) grade a
  form can give after adjustment.

Every row says where it was read (``source``, ``locator``) and how far that
source confirms it (``confirmed_from``: ``confirmed`` when read in an ESMO
publication, ``secondary: ...`` when read elsewhere or seen applied,
``unconfirmed: ...`` when not read at all). A later version of the scale is a
new table, not new code.

References
----------
.. [1] Cherny NI, Dafni U, Bogaerts J, et al. ESMO-Magnitude of Clinical Benefit
   Scale version 1.1. Ann Oncol 2017;28:2340-66. doi:10.1093/annonc/mdx310
   (the forms themselves could not be read for this table; see ``SOURCES``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .inputs import UnknownFormError

__all__ = ["Bound", "Condition", "Rule", "RuleTableError", "SOURCES", "FormRules", "form_rules", "load_rules"]

#: Full citations of the ``source`` keys of the rule table, as a reader cites them.
SOURCES = {
    "dafni_2017": ("Dafni U et al. Detailed statistical assessment of the characteristics of the ESMO Magnitude of "
                   "Clinical Benefit Scale (ESMO-MCBS) threshold rules. ESMO Open 2017;2:e000216. doi:10.1136/esmoopen-2017-000216"),
    "esmo_open_2021_adapted": ("Adapted ESMO-MCBS versus original ESMO-MCBS v1.1, ESMO Open 2021;6(3):100166. "
                               "doi:10.1016/j.esmoop.2021.100166, Table 1 (column 'Original ESMO-MCBS v1.1')"),
    "esmo_scorecards": "ESMO-MCBS Scorecards, esmo.org (ESMO-MCBS v1.1 scorecards)",
    "cancercalc": "ESMO-MCBS calculator, cancercalc.com/esmo-mcbs.php (third party; form version not stated)",
    "recollection": ("Not read from a source here: recollection of the v1.1 evaluation form (Cherny NI et al. Ann Oncol "
                     "2017;28:2340-66, doi:10.1093/annonc/mdx310); to be checked against the form"),
}

VARIABLES_PRELIMINARY = {"hr_ci_low", "median_gain"}
VARIABLES_ADJUSTMENT = {"qol_improved", "qol_no_difference", "toxicity_incremental", "toxicity_less", "os_improved"}
COMPARISONS = {"le", "lt", "ge", "gt", "is_true", "is_false"}
COLUMNS = ["rule_id", "form", "kind", "grade", "effect", "sheet", "control_min", "control_min_op", "control_max",
           "control_max_op", "variable", "comparison", "threshold", "wording", "source", "locator", "confirmed_from"]


class RuleTableError(ValueError):
    """The rule table is malformed: file, row, column, value and what was expected."""


@dataclass(frozen=True)
class Condition:
    """One condition of a rule: ``variable comparison threshold``."""

    variable: str
    comparison: str
    threshold: Decimal | None


@dataclass(frozen=True)
class Rule:
    """One rule of a form: conditions joined by AND, with its grade or effect and provenance."""

    rule_id: str
    form: str
    kind: str
    grade: int | None
    effect: str | None
    sheet: str
    control_min: Decimal | None
    control_min_op: str | None
    control_max: Decimal | None
    control_max_op: str | None
    conditions: tuple[Condition, ...]
    wording: str
    source: str
    locator: str
    confirmed_from: str

    @property
    def confirmed(self) -> bool:
        """Read in an ESMO publication (not secondary, not from recollection)."""
        return self.confirmed_from == "confirmed"

    def covers(self, control_median: Decimal) -> bool:
        """Whether this rule's sheet applies to a control-arm median."""
        if self.control_min is not None and not _compare(control_median, self.control_min_op, self.control_min):
            return False
        if self.control_max is not None and not _compare(control_median, self.control_max_op, self.control_max):
            return False
        return True


@dataclass(frozen=True)
class Bound:
    """Lowest and highest grade of a form."""

    form: str
    lowest: int
    highest: int
    source: str
    confirmed_from: str


@dataclass(frozen=True)
class FormRules:
    """The rules of one form."""

    form: str
    preliminary: tuple[Rule, ...]
    adjustments: tuple[Rule, ...]
    bound: Bound


def _compare(value: Decimal, op: str | None, threshold: Decimal) -> bool:
    return {"le": value <= threshold, "lt": value < threshold, "ge": value >= threshold, "gt": value > threshold}[op]


def _decimal(text: str, where: str, column: str) -> Decimal | None:
    if text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise RuleTableError(f"{where}, column {column!r}: got {text!r}; expected a number") from None


def _read_rows(name: str | Path) -> list[dict[str, str]]:
    # A bare file name is package data; a Path is a table elsewhere (a new version, or a broken copy in a test).
    source = name if isinstance(name, Path) else resources.files(__package__).joinpath(name)
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise RuleTableError(f"{name}, header: got {reader.fieldnames}; expected {COLUMNS}")
        return list(reader)


@lru_cache(maxsize=4)
def load_rules(name: str | Path = "forms_v1_1.csv") -> dict[str, FormRules]:
    """Read and check a rule table shipped with the package.

    Parameters
    ----------
    name : str or Path
        File name inside ``bolero_evidence/mcbs``, or the path of a table elsewhere.

    Returns
    -------
    dict of str to FormRules
        Keyed by form (``"2a"``, ``"2b"``).

    Raises
    ------
    RuleTableError
        Naming the file, row (header = row 1), column, value and what was expected.
    """
    grouped: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(_read_rows(name), start=2):
        where = f"{name}, row {line}"
        if row["kind"] not in {"preliminary", "adjustment", "bound"}:
            raise RuleTableError(f"{where}, column 'kind': got {row['kind']!r}; expected preliminary, adjustment or bound")
        if row["kind"] != "bound":
            allowed = VARIABLES_PRELIMINARY if row["kind"] == "preliminary" else VARIABLES_ADJUSTMENT
            if row["variable"] not in allowed:
                raise RuleTableError(f"{where}, column 'variable': got {row['variable']!r}; expected one of {sorted(allowed)}")
            if row["comparison"] not in COMPARISONS:
                raise RuleTableError(f"{where}, column 'comparison': got {row['comparison']!r}; expected one of {sorted(COMPARISONS)}")
        if row["source"] not in SOURCES:
            raise RuleTableError(f"{where}, column 'source': got {row['source']!r}; expected one of {sorted(SOURCES)}")
        if not row["confirmed_from"]:
            raise RuleTableError(f"{where}, column 'confirmed_from': empty; expected 'confirmed', 'secondary: ...' or 'unconfirmed: ...'")
        grouped.setdefault((row["form"], row["rule_id"]), []).append((line, row))

    forms: dict[str, dict[str, list]] = {}
    for (form, rule_id), rows in grouped.items():
        first_line, first = rows[0]
        where = f"{name}, row {first_line}"
        shared = ("kind", "grade", "effect", "sheet", "control_min", "control_min_op", "control_max", "control_max_op",
                  "wording", "source", "locator", "confirmed_from")
        for line, row in rows[1:]:
            for column in shared:
                if row[column] != first[column]:
                    raise RuleTableError(f"{name}, row {line}, column {column!r}: got {row[column]!r}; expected {first[column]!r} "
                                         f"as on row {first_line} (rows of rule {rule_id!r} share it)")
        bucket = forms.setdefault(form, {"preliminary": [], "adjustment": [], "bound": []})
        if first["kind"] == "bound":
            bucket["bound"].append(Bound(form, int(first["grade"]), int(first["effect"]), first["source"], first["confirmed_from"]))
            continue
        conditions = tuple(Condition(r["variable"], r["comparison"], _decimal(r["threshold"], f"{name}, row {line}", "threshold"))
                           for line, r in rows)
        for line, r in rows:
            if r["comparison"] in {"le", "lt", "ge", "gt"} and r["threshold"] == "":
                raise RuleTableError(f"{name}, row {line}, column 'threshold': empty; expected a number for comparison {r['comparison']!r}")
        if first["kind"] == "preliminary" and not first["grade"].isdigit():
            raise RuleTableError(f"{where}, column 'grade': got {first['grade']!r}; expected a whole number")
        if first["kind"] == "adjustment" and first["effect"] not in {"+1", "-1", "rescore:2a"}:
            raise RuleTableError(f"{where}, column 'effect': got {first['effect']!r}; expected +1, -1 or rescore:2a")
        for column in ("control_min_op", "control_max_op"):
            if first[column] not in {"", "le", "lt", "ge", "gt"}:
                raise RuleTableError(f"{where}, column {column!r}: got {first[column]!r}; expected le, lt, ge, gt or empty")
        bucket["preliminary" if first["kind"] == "preliminary" else "adjustment"].append(Rule(
            rule_id=rule_id, form=form, kind=first["kind"],
            grade=int(first["grade"]) if first["grade"] else None, effect=first["effect"] or None, sheet=first["sheet"],
            control_min=_decimal(first["control_min"], where, "control_min"), control_min_op=first["control_min_op"] or None,
            control_max=_decimal(first["control_max"], where, "control_max"), control_max_op=first["control_max_op"] or None,
            conditions=conditions, wording=first["wording"], source=first["source"], locator=first["locator"],
            confirmed_from=first["confirmed_from"]))

    result = {}
    for form, bucket in forms.items():
        if len(bucket["bound"]) != 1:
            raise RuleTableError(f"{name}: form {form!r} has {len(bucket['bound'])} bound rows; expected exactly 1")
        result[form] = FormRules(form, tuple(bucket["preliminary"]), tuple(bucket["adjustment"]), bucket["bound"][0])
    return result


def form_rules(form: str, table: str | Path = "forms_v1_1.csv") -> FormRules:
    """The rules of one form; :class:`UnknownFormError` naming the encoded forms if it is not encoded."""
    rules = load_rules(table)
    if form not in rules:
        raise UnknownFormError(f"form {form!r} is not encoded in {table}; encoded forms: {', '.join(sorted(rules))}")
    return rules[form]
