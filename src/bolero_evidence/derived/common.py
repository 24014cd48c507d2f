"""Picking printed figures from the data tables, shared by the analysis modules (formatting: :mod:`bolero_evidence.presentation`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["attribute_cuts", "matching_mask", "pick", "pick_row", "pick_rows", "ConflictingFiguresError"]


class ConflictingFiguresError(ValueError):
    """The rows selected for one figure print different values."""


def matching_mask(frame: pd.DataFrame, where: dict) -> np.ndarray:
    """Which rows of ``frame`` equal ``where`` in every named column (an empty cell equals nothing).

    On the columns as plain object arrays: pandas' string comparisons cost three times as much, and the
    analyses pick some 2,500 figures (issue 14: suite time).
    """
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= frame[column].to_numpy(dtype=object, na_value=None) == value
    return mask


def _matching_positions(frame: pd.DataFrame, where: dict) -> np.ndarray:
    positions = np.flatnonzero(matching_mask(frame, where))
    if not len(positions):
        raise LookupError(f"no row with {where}")
    return positions


def pick_row(frame: pd.DataFrame, **where) -> pd.Series:
    """The one printed figure matching ``where``.

    Several rows may match (the NEJM prints the local HR in its abstract,
    Table 3 and text); they must then print the same value, and the first is
    returned. No match, or matches that disagree, raise: an analysis never
    silently picks one version of a disputed figure. A table without a
    value (the typed claims of ``finding``) has nothing to disagree on.
    """
    positions = _matching_positions(frame, where)
    # Most figures match one row: it cannot disagree with itself, and no frame of the matches is made
    # (a frame per pick was most of the picking's time; the analyses pick some 2,500 figures).
    if len(positions) > 1 and "value" in frame.columns:
        values = frame["value"].to_numpy(dtype=float, na_value=-math.inf)[positions]
        qualifiers = frame["qualifier"].to_numpy(dtype=object, na_value=None)[positions]
        if len(set(zip(values.tolist(), qualifiers.tolist(), strict=True))) > 1:
            printed = frame["printed"].iloc[positions].unique()
            raise ConflictingFiguresError(f"rows with {where} disagree: {sorted(printed)}")
    return frame.iloc[positions[0]]


def pick_rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    """Every row matching ``where``, at least one (else ``LookupError``): a claim read from all the sources that make it."""
    return frame.take(_matching_positions(frame, where))


def pick(frame: pd.DataFrame, **where) -> float | None:
    """Value of :func:`pick_row` (None for NR)."""
    value = pick_row(frame, **where)["value"]
    return None if pd.isna(value) else float(value)


def attribute_cuts(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with each figure attributed to an analysis: as stated, else as inferred.

    A source that does not state the data cut (or the assessment) of a figure
    has ``unstated`` there and the inference, with its basis, in
    ``data_cut_inferred`` (``assessment_inferred``). An analysis that uses
    such a figure reads it under the inferred cut, and says so:
    ``cut_inferred`` is True on those rows. Rows whose cut stays unstated
    after inference stay ``unstated``.
    """
    out = frame.copy()
    out["cut_inferred"] = False
    for column, inferred in (("data_cut", "data_cut_inferred"), ("assessment", "assessment_inferred")):
        if column not in out.columns or inferred not in out.columns:
            continue
        use = (out[column] == "unstated") & out[inferred].notna() & (out[inferred] != "unstated")
        out.loc[use, column] = out.loc[use, inferred]
        out["cut_inferred"] |= use
    return out
