"""Small helpers shared by the analysis modules: picking printed figures and showing tables."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["pick", "pick_row", "markdown_table", "fmt", "fmt_interval", "ConflictingFiguresError"]


class ConflictingFiguresError(ValueError):
    """The rows selected for one figure print different values."""


def pick_row(frame: pd.DataFrame, **where) -> pd.Series:
    """The one printed figure matching ``where``.

    Several rows may match (the NEJM prints the local HR in its abstract,
    Table 3 and text); they must then print the same value, and the first is
    returned. No match, or matches that disagree, raise: an analysis never
    silently picks one version of a disputed figure.
    """
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    if rows.empty:
        raise LookupError(f"no row with {where}")
    values = set(zip(rows["value"].fillna(-math.inf), rows["qualifier"]))
    if len(values) > 1:
        raise ConflictingFiguresError(f"rows with {where} disagree: {sorted(rows['printed'].unique())}")
    return rows.iloc[0]


def pick(frame: pd.DataFrame, **where) -> float | None:
    """Value of :func:`pick_row` (None for NR)."""
    value = pick_row(frame, **where)["value"]
    return None if pd.isna(value) else float(value)


def fmt(value: float | None, digits: int = 1) -> str:
    """Fixed-precision text for a table cell; ``NR``-style dash for missing, ∞ for infinite."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.{digits}f}"


def fmt_interval(low: float | None, high: float | None, digits: int = 1) -> str:
    """``low to high`` (words, not a dash, so that negative bounds stay readable)."""
    if low is None and high is None:
        return "–"
    return f"{fmt(low, digits)} to {fmt(high, digits)}"


def markdown_table(frame: pd.DataFrame, *, index: bool = False):
    """Show a frame as a pipe table (renders in HTML and in Quarto's Typst PDF alike).

    Cells should already be text with fixed precision, so the locked output
    does not depend on pandas' float formatting.
    """
    from IPython.display import Markdown

    return Markdown(frame.to_markdown(index=index, disable_numparse=True))
