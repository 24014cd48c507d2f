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
- a P value: three decimals from 0.001, below that two significant digits in
  E notation (``2.4e−14``).

:func:`markdown_table` writes a frame as a pipe table and escapes every cell
and header: text from the data (a quote, a locator, a note) could otherwise
turn into a link, emphasis, raw HTML or a broken table in the rendered report.
"""

from __future__ import annotations

import math
import re

import pandas as pd

__all__ = ["INFINITY", "MINUS", "MISSING", "escape_markdown", "estimate_with_interval", "interval", "markdown_table",
           "number", "p_value", "signed", "yes_no"]

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
    value = float(value)
    if math.isinf(value):
        return INFINITY if value > 0 else MINUS + INFINITY
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return _minus(text)


def signed(value: float | None, digits: int = 1) -> str:
    """A difference with its sign always written: ``+4.6``, ``−2.0``, ``0.0``."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):+.{digits}f}"
    if float(text) == 0:
        return text[1:]
    return _minus(text)


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
    """A P value: ``0.012`` from 0.001 up, ``2.4e−14`` below (two significant digits)."""
    if _is_missing(p):
        return MISSING
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p={p!r} is not a probability")
    if p >= 0.001:
        return f"{p:.3f}"
    return _minus(f"{p:.1e}")


def escape_markdown(text) -> str:
    """Text that Markdown shows as itself: a backslash before every character with a Markdown meaning.

    Newlines become spaces (a table cell is one line).
    """
    text = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def markdown_table(frame: pd.DataFrame, *, index: bool = False):
    """A frame as a pipe table, every cell and header escaped; shown by Jupyter as Markdown.

    Parameters
    ----------
    frame : DataFrame
        Cells should already be text written by this module's functions, so
        that the locked output does not depend on pandas' float formatting.
    index : bool, optional
        Show the index as the first column.

    Returns
    -------
    IPython.display.Markdown
        A pipe table: renders in HTML, Quarto's Typst PDF and DOCX alike
        (Quarto's Typst output drops pandas' HTML tables).
    """
    from IPython.display import Markdown

    return Markdown(markdown_text(frame, index=index))


def markdown_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """The text of :func:`markdown_table`."""
    shown = frame.reset_index() if index else frame
    shown = shown.map(lambda cell: MISSING if _is_missing(cell) else escape_markdown(cell))
    shown.columns = [escape_markdown(column) for column in shown.columns]
    return shown.to_markdown(index=False, disable_numparse=True)
