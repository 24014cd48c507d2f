"""What the summary-of-findings table (notebook 07) reads: register entries by id and printed figures.

In the style of a GRADE summary of findings: one row per outcome with the
figure in each arm, the absolute and the relative effect with their
intervals, and where each comes from. Derived figures are read from
the register (the saved notebooks' published entries) by id (never recomputed or typed here); printed
figures from the data tables. The table itself is written by
:mod:`bolero_evidence.presentation.summary`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..paths import Project, find_project
from ..register import collect_register
from .common import pick_row

__all__ = ["load_register", "RegisterLookup", "printed", "printed_hazard_ratio"]


def load_register(project: Project | None = None) -> pd.DataFrame:
    """The register as published by the saved notebooks (the build executes them before this one)."""
    return collect_register((project or find_project()).notebooks())


@dataclass(frozen=True)
class RegisterLookup:
    """Read register entries by id, with a clear error for a missing one."""

    frame: pd.DataFrame

    def __call__(self, entry_id: str) -> pd.Series:
        rows = self.frame[self.frame["id"] == entry_id]
        if rows.empty:
            raise KeyError(f"register id {entry_id!r} not published by any saved notebook: run the build to execute the notebooks")
        return rows.iloc[0]

    def figure(self, entry_id: str) -> tuple[float, float | None, float | None]:
        """Value and interval bounds of an entry (None for a bound the method does not give)."""
        row = self(entry_id)
        low = None if pd.isna(row["ci_low"]) else float(row["ci_low"])
        high = None if pd.isna(row["ci_high"]) else float(row["ci_high"])
        return float(row["value"]), low, high


def printed(frame: pd.DataFrame, **where) -> str:
    """A printed figure as the source prints it (TeX math delimiters of the transcription removed)."""
    return str(pick_row(frame, **where)["printed"]).replace("$", "")


def printed_hazard_ratio(pfs: pd.DataFrame, cut: str, assessment: str, source: str) -> tuple[str, str, str]:
    """The printed hazard ratio and its 95% limits, as printed."""
    where = dict(data_cut=cut, assessment=assessment, arm="comparison", source_id=source)
    return tuple(str(pick_row(pfs, statistic=s, **where)["printed"]) for s in ("hr", "hr_ci_low", "hr_ci_high"))
