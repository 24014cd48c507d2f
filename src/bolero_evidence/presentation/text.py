"""The writing rules of the report's tables, and Markdown tables that show data as text.

One rule per kind of value:

- a number: fixed decimals, the minus sign U+2212 (``−2.4``; a value that
  rounds to zero has no sign), ``∞``/``−∞`` for infinite values;
- a missing value: an en dash (``–``);
- an interval: ``low to high`` in words, so that a negative bound stays
  readable (``−0.4 to 8.0``); an estimate with its interval:
  ``estimate (low to high)``;
- a signed difference: ``+4.6``, ``−2.0``, ``0.0`` (the sign says which arm
  is higher);
- yes or no;
- a P value in the NEJM's form: two significant digits, ``<0.001`` below
  0.001 (``0.0084``, ``0.43``, ``<0.001``);
- a figure of a kind the report has a rule for, in its decimals (one place
  with :mod:`bolero_evidence.citing.numberstyle`, which writes the register's
  figures for the citing tools): a hazard ratio 2 (:func:`hazard_ratio`), a
  percentage 1 (:func:`percent`), months 1 (:func:`months`), a number needed
  to treat or harm a whole number (:func:`number_needed`).

Rounding is half away from zero on the decimal digits of the number as
printed by Python (``repr``), as in ``numberstyle``: ``0.125`` gives ``0.13``.
A figure printed by a source is shown as printed (that is data), not through
these functions.

:func:`markdown_table` writes a frame as a pipe table and escapes every cell
and header: text from the data (a quote, a locator, a note) could otherwise
turn into a link, emphasis, raw HTML or a broken table in the rendered report.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..citing.numberstyle import decimals_for, format_number

__all__ = ["INFINITY", "MINUS", "MISSING", "escape_markdown", "estimate_with_interval", "hazard_ratio", "interval",
           "markdown_table", "months", "number", "number_needed", "p_value", "percent", "signed", "yes_no"]

MINUS = "\u2212"
MISSING = "–"
INFINITY = "∞"

# ASCII punctuation that means something to pandoc's or CommonMark's inline
# parser (emphasis, code, links, raw HTML and entities, math, super- and
# subscripts, citations, table cells). CommonMark and pandoc both take a
# backslash before any ASCII punctuation as that character itself.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|$~^@&])")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def number(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals, U+2212 for a minus sign.

    Parameters
    ----------
    value : float or None
        None or NaN is a missing value; ``inf`` is written ``∞``.
    digits : int, optional
        Decimals (default 1).

    Returns
    -------
    str
        ``"2.46"``, ``"−7.63"``, ``"∞"``, ``"–"``; ``"0.0"`` for a value that
        rounds to zero from below (no ``−0.0``).
    """
    if _is_missing(value):
        return MISSING
    return format_number(float(value), "number", decimals=digits)


def signed(value: float | None, digits: int = 1) -> str:
    """A difference with its sign always written: ``+4.6``, ``−2.0``, ``0.0``."""
    if _is_missing(value):
        return MISSING
    text = number(value, digits)
    if text.startswith(MINUS) or float(text) == 0:
        return text
    return "+" + text


def interval(low: float | None, high: float | None, digits: int = 1) -> str:
    """``low to high``; an en dash when neither bound exists."""
    if _is_missing(low) and _is_missing(high):
        return MISSING
    return f"{number(low, digits)} to {number(high, digits)}"


def estimate_with_interval(estimate: float | None, low: float | None, high: float | None, digits: int = 1,
                           unit: str = "") -> str:
    """``estimate (low to high)``, e.g. ``0.43 (0.35 to 0.54)`` or, with ``unit="%"``, ``9.5% (7.0 to 12.4)``.

    Without bounds, the estimate alone.
    """
    head = number(estimate, digits) + unit
    if _is_missing(low) and _is_missing(high):
        return head
    return f"{head} ({interval(low, high, digits)})"


def yes_no(flag: bool | None) -> str:
    """``yes``, ``no``, or an en dash where the question does not apply (None)."""
    if flag is None or _is_missing(flag):
        return MISSING
    return "yes" if flag else "no"


def p_value(p: float | None) -> str:
    """A P value in the NEJM's form: two significant digits (``0.0084``, ``0.43``), ``<0.001`` below 0.001."""
    if _is_missing(p):
        return MISSING
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p={p!r} is not a probability")
    return format_number(p, "p_value")


def _by_unit(value: float | None, unit: str) -> str:
    if _is_missing(value):
        return MISSING
    value = float(value)
    return format_number(value, unit, decimals=decimals_for(value, unit))


def hazard_ratio(value: float | None) -> str:
    """A hazard ratio, two decimals: ``0.43``."""
    return _by_unit(value, "hazard_ratio")


def percent(value: float | None) -> str:
    """A percentage (0–100), one decimal, without the sign: ``9.5``."""
    return _by_unit(value, "percent")


def months(value: float | None) -> str:
    """A duration in months, one decimal: ``4.1``."""
    return _by_unit(value, "months")


def number_needed(value: float | None) -> str:
    """A number needed to treat or harm, a whole number: ``7`` (``∞`` where the difference is zero)."""
    return _by_unit(value, "patients")


def escape_markdown(text) -> str:
    """Text that Markdown shows as itself: a backslash before every character with a Markdown meaning.

    Newlines become spaces (a table cell is one line).
    """
    text = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def markdown_table(frame: pd.DataFrame, *, index: bool = False, raw: tuple[str, ...] | list[str] = ()):
    """A frame as a pipe table, every cell and header escaped; shown by Jupyter as Markdown.

    Parameters
    ----------
    frame : DataFrame
        Cells should already be text written by this module's functions, so
        that the locked output does not depend on pandas' float formatting.
    index : bool, optional
        Show the index as the first column.
    raw : sequence of str, optional
        Columns whose cells are Markdown written by the presentation code (a
        link it built, its text escaped), shown unescaped. Never a column of
        text from the data.

    Returns
    -------
    IPython.display.Markdown
        A pipe table: renders in HTML, Quarto's Typst PDF and DOCX alike
        (Quarto's Typst output drops pandas' HTML tables).
    """
    from IPython.display import Markdown

    return Markdown(markdown_text(frame, index=index, raw=raw))


def markdown_text(frame: pd.DataFrame, *, index: bool = False, raw: tuple[str, ...] | list[str] = ()) -> str:
    """The text of :func:`markdown_table`."""
    shown = frame.reset_index() if index else frame
    unknown = set(raw) - set(shown.columns)
    if unknown:
        raise KeyError(f"raw columns {sorted(unknown)} are not columns of the table ({list(shown.columns)})")

    def cell_text(cell, trusted: bool) -> str:
        return MISSING if _is_missing(cell) else str(cell) if trusted else escape_markdown(cell)

    shown = pd.DataFrame({column: [cell_text(cell, column in raw) for cell in shown[column]] for column in shown.columns})
    shown.columns = [escape_markdown(column) for column in shown.columns]
    return shown.to_markdown(index=False, disable_numparse=True)
