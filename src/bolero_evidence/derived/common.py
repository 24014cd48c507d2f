"""Picking printed figures from the data tables, shared by the analysis modules (formatting: :mod:`bolero_evidence.presentation`)."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["pick", "pick_row", "ConflictingFiguresError"]


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
