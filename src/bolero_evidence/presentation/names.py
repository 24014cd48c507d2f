"""Names a reader sees in place of the project's internal ones.

The data and the register are keyed by machine names: a source id
(``nejm_2011``), a unit (``hazard_ratio``), a section label (``sec-pfs``), a
table name (``adverse_events``), a data label (``clinical_benefit``). The
report names each as a reader would: a source as it is cited ("NEJM 2011",
the ``short_name`` column of ``data/sources.csv``), a unit in words, a
section by its heading, a label in words. A medical term read from the data
as a label (``anemia``, the source's American spelling) is spelled as the
report spells it in its own prose (British, "anaemia"); a verbatim quote or a
printed figure is never respelled.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["AMERICAN_SPELLINGS", "SECTION_TITLES", "UNIT_NAMES", "british", "data_label", "readable_key", "source_name", "source_names",
           "table_title", "unit_name"]

# The report's sections that register entries belong to, by their headings in
# index.qmd (tests/pipeline/test_reader_text.py checks the two agree).
SECTION_TITLES = {
    "sec-discrepancies": "Discrepancies between sources",
    "sec-pfs": "Progression-free survival",
    "sec-response": "Response",
    "sec-safety": "Safety and discontinuation",
    "sec-survival-qol": "Overall survival, quality of life and trial conduct",
    "sec-design": "Interim analysis and stopping boundaries",
    "sec-mcbs": "Magnitude of clinical benefit (ESMO-MCBS v1.1)",
    "sec-context": "Cross-trial context",
}

# The register's units (``numberstyle``'s keys) in words.
UNIT_NAMES = {
    "hazard_ratio": "hazard ratio", "log_hazard_ratio": "log hazard ratio", "ratio": "ratio", "z": "z statistic",
    "percent": "%", "percentage_points": "percentage points", "months": "months", "weeks": "weeks",
    "patients": "patients", "events": "events", "count": "count", "grade": "grade", "proportion": "proportion",
    "p_value": "P value", "text": "text",
}

# American spellings of medical terms in the sources' labels, and the report's
# (British) spelling. Whole words only, case kept.
_BRITISH = {
    "anemia": "anaemia", "hyperglycemia": "hyperglycaemia", "hypoglycemia": "hypoglycaemia", "glycemia": "glycaemia",
    "edema": "oedema", "diarrhea": "diarrhoea", "dyspnea": "dyspnoea", "hemorrhage": "haemorrhage",
    "hemoglobin": "haemoglobin", "esophagitis": "oesophagitis", "leukopenia": "leucopenia", "tumor": "tumour",
    "tumors": "tumours", "randomized": "randomised", "randomization": "randomisation", "favor": "favour",
    "favors": "favours", "favoring": "favouring",
}
AMERICAN_SPELLINGS = frozenset(_BRITISH)
_BRITISH_WORD = re.compile(r"\b(" + "|".join(sorted(_BRITISH, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def british(text: str) -> str:
    """``text`` with the American spellings of :data:`_BRITISH` in British spelling, capitals kept.

    For labels the report writes, not for quotes: ``british("Anemia")`` is
    ``"Anaemia"``; "MD Anderson Cancer Center" (a name) is not in the list.
    """
    def respell(match: re.Match) -> str:
        word = match.group(0)
        spelled = _BRITISH[word.lower()]
        return spelled.capitalize() if word[0].isupper() else spelled

    return _BRITISH_WORD.sub(respell, str(text))


def source_names(sources: pd.DataFrame) -> dict[str, str]:
    """``source_id`` → ``short_name`` from the ``sources`` table."""
    return dict(zip(sources["source_id"], sources["short_name"]))


def source_name(source_id: str, sources: pd.DataFrame | dict[str, str]) -> str:
    """The name a reader cites a source by ("NEJM 2011").

    Raises
    ------
    KeyError
        ``source_id`` is not in ``sources``: a table would otherwise show the id.
    """
    names = sources if isinstance(sources, dict) else source_names(sources)
    try:
        return names[source_id]
    except KeyError:
        raise KeyError(f"source {source_id!r} is not in data/sources.csv (source_id column); known: {sorted(names)}") from None


def unit_name(unit: str) -> str:
    """A register unit in words (``hazard_ratio`` → "hazard ratio"); an unknown unit with spaces for underscores."""
    return UNIT_NAMES.get(unit, str(unit).replace("_", " "))


def data_label(label: str) -> str:
    """A label from the data in words: ``clinical_benefit`` → "clinical benefit", ``anemia`` → "anaemia"."""
    return british(str(label).replace("_", " "))


def table_title(table: str) -> str:
    """A data table's name in words (``adverse_events`` → "adverse events"; ``pfs`` → "PFS")."""
    return {"pfs": "PFS", "pfs_subgroups": "PFS subgroups"}.get(table, table.replace("_", " "))


_KEY = re.compile(r"([a-z_]+)=([^,|\]]+)")


def readable_key(key: str, values: dict[str, str] | None = None) -> str:
    """A data key (``adverse_events: term=anemia, grade=3-4``) in words ("adverse events: anaemia, grade 3–4").

    The table name becomes words, ``column=value`` becomes the value in words
    (the column name is dropped where the value says what it is, kept as a
    word before a number), a grade range takes an en dash. ``values`` names
    values the report names otherwise (``{"tamrad": "TAMRAD"}``).
    """
    values = values or {}
    table, _, rest = key.rpartition(": ") if ": " in key else ("", "", key)

    def pair(match: re.Match) -> str:
        column, value = match.group(1), match.group(2).strip()
        value = re.sub(r"(?<=\d)-(?=\d)", "–", value)
        if column in ("grade",) or re.fullmatch(r"[\d–.]+", value):
            return f"{column.replace('_', ' ')} {value}"
        if column == "statistic" and value == "pct":
            return "%"
        return values.get(value, data_label(value))

    text = _KEY.sub(pair, rest)
    return f"{table_title(table)}: {text}" if table else text
