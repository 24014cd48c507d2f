"""The register of a notebook as the reader sees it (Appendix A of the report).

One row per register entry: the id (the citable name, shown as is: the
report's filters anchor a cell whose whole text is an id), the value and its
95% CI in the report's number style (:mod:`bolero_evidence.citing.numberstyle`,
the decimals of each unit), the unit and the section in words, the method.
The register's CSV and JSON keep every figure to six significant digits; this
table is for reading.
"""

from __future__ import annotations

import math

import pandas as pd

from ..citing.numberstyle import format_number
from .names import SECTION_TITLES, unit_name
from .text import MISSING

__all__ = ["REGISTER_HEADERS", "register_table"]

REGISTER_HEADERS = ["Register id", "Value", "95% CI low", "95% CI high", "Unit", "Method", "Section"]


def _shown(value, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return format_number(float(value), unit)


def _bounds(entry) -> tuple[str, str]:
    if entry.interval_kind == "through_infinity":
        # Altman's interval of a number needed through infinity: NNTB a to ∞ to NNTH b.
        return f"NNTB {_shown(entry.nnt_benefit_bound, entry.unit)}", f"NNTH {_shown(entry.nnt_harm_bound, entry.unit)}"
    return _shown(entry.ci_low, entry.unit), _shown(entry.ci_high, entry.unit)


def register_table(entries) -> pd.DataFrame:
    """Register entries (:class:`bolero_evidence.register.Entry`) as a table with reader-facing headers.

    A section without a title in :data:`~.names.SECTION_TITLES` shows its
    label (``sec-…``), which the reader-text test of the saved notebooks
    (``tests/pipeline/test_reader_text.py``) reports as an internal name.
    """
    rows = []
    for entry in entries:
        low, high = _bounds(entry)
        rows.append([entry.id, _shown(entry.value, entry.unit), low, high, unit_name(entry.unit), entry.method,
                     SECTION_TITLES.get(entry.section, entry.section)])
    return pd.DataFrame(rows, columns=REGISTER_HEADERS)
