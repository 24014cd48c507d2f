"""The summary-of-findings table (notebook 07), assembled from the register and the printed figures.

In the style of a GRADE summary of findings: one row per outcome with the
figure in each arm, the absolute and the relative effect with their
intervals, and where each comes from. Derived figures are read from
the register (the saved notebooks' published entries) by id (never recomputed or typed here); printed
figures from the data tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..paths import Project, find_project
from ..register import collect_register
from .common import fmt, fmt_interval, pick_row

__all__ = ["load_register", "RegisterLookup", "summary_of_findings"]


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

    def value(self, entry_id: str, digits: int = 1, suffix: str = "") -> str:
        return fmt(self(entry_id)["value"], digits) + suffix

    def with_interval(self, entry_id: str, digits: int = 1, suffix: str = "") -> str:
        row = self(entry_id)
        low = None if pd.isna(row["ci_low"]) else row["ci_low"]
        high = None if pd.isna(row["ci_high"]) else row["ci_high"]
        if low is None and high is None:
            return f"{fmt(row['value'], digits)}{suffix} (no interval derivable)"
        return f"{fmt(row['value'], digits)}{suffix} ({fmt_interval(low, high, digits)})"


def _printed(frame: pd.DataFrame, **where) -> str:
    return str(pick_row(frame, **where)["printed"]).replace("$", "")


def _printed_hr(pfs: pd.DataFrame, cut: str, assessment: str, source: str) -> str:
    where = dict(data_cut=cut, assessment=assessment, arm="comparison", source_id=source)
    hr = pick_row(pfs, statistic="hr", **where)
    low = pick_row(pfs, statistic="hr_ci_low", **where)
    high = pick_row(pfs, statistic="hr_ci_high", **where)
    return f"HR {hr['printed']} ({low['printed']} to {high['printed']}), as printed"


def summary_of_findings(tables: dict[str, pd.DataFrame], register: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome: arms, absolute effect, relative effect, sources and register ids.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Validated data tables.
    register : DataFrame
        The register (:func:`load_register`).

    Returns
    -------
    DataFrame
        Text cells, ready to show.
    """
    r = RegisterLookup(register)
    pfs, exposure, ae = tables["pfs"], tables["exposure"], tables["adverse_events"]
    rows = []

    def pfs_row(label, cut, assessment, source, relative, source_text):
        where = dict(data_cut=cut, assessment=assessment, statistic="median", source_id=source)
        gain = f"pfs.{assessment}.{cut}.median_gain"
        rows.append({
            "Outcome": label,
            "Everolimus + exemestane": f"median {_printed(pfs, arm='everolimus', **where)} months",
            "Placebo + exemestane": f"median {_printed(pfs, arm='placebo', **where)} months",
            "Absolute effect (95% CI)": f"{r.value(gain, 1)} months longer median (no interval derivable from medians)",
            "Relative effect (95% CI)": relative,
            "Source; register ids": f"{source_text}; {gain}",
        })

    pfs_row("Progression-free survival, local assessment (interim analysis)", "interim", "local", "nejm_2011",
            _printed_hr(pfs, "interim", "local", "nejm_2011"), "NEJM 2011, Table 3")
    pfs_row("Progression-free survival, central assessment (interim analysis)", "interim", "central", "nejm_2011",
            _printed_hr(pfs, "interim", "central", "nejm_2011"), "NEJM 2011, Table 3")
    pfs_row("Progression-free survival, local assessment (final analysis)", "final", "local", "mtor_review_2014",
            f"HR not printed; {r.value('pfs.local.final.hr_exponential', 2)} if exponential (from medians, no interval)",
            "review (final analysis)")
    rows[-1]["Source; register ids"] += ", pfs.local.final.hr_exponential"

    rows.append({
        "Outcome": "Objective response, local assessment (interim analysis)",
        "Everolimus + exemestane": r.with_interval("orr.local.everolimus", 1, "%"),
        "Placebo + exemestane": r.with_interval("orr.local.placebo", 1, "%"),
        "Absolute effect (95% CI)": r.with_interval("orr.local.difference", 1, " percentage points"),
        "Relative effect (95% CI)": "RR " + r.with_interval("orr.local.ratio", 1),
        "Source; register ids": "NEJM 2011, Table 3; orr.local.{everolimus, placebo, difference, ratio}",
    })

    def safety_row(label, measure, drug, prefix, source_text):
        where = dict(measure=measure, drug=drug, statistic="pct", source_id="nejm_2011")
        rows.append({
            "Outcome": label,
            "Everolimus + exemestane": _printed(exposure, arm="everolimus", **where),
            "Placebo + exemestane": _printed(exposure, arm="placebo", **where),
            "Absolute effect (95% CI)": r.with_interval(f"{prefix}.difference", 1, " percentage points")
            + f"; NNH {r.value(prefix + '.nnh', 0)}",
            "Relative effect (95% CI)": "RR " + r.with_interval(f"{prefix}.ratio", 1),
            "Source; register ids": f"{source_text}; {prefix}.{{difference, ratio, nnh}}",
        })

    safety_row("Discontinued everolimus or placebo for adverse events", "discontinuation_adverse_event",
               "everolimus_or_placebo", "safety.discontinuation_adverse_event.everolimus_or_placebo", "NEJM 2011, Safety")
    safety_row("Serious adverse events", "serious_adverse_event", "study_treatment", "safety.serious_adverse_event.study_treatment",
               "NEJM 2011, Safety")

    for term, label in (("stomatitis", "Grade 3–4 stomatitis"), ("anemia", "Grade 3–4 anaemia")):
        prefix = f"ae.{term}.grade_3_4"
        where = dict(term=term, grade="3-4", source_id="nejm_2011", locator="Abstract, Results (most common grade 3 or 4 adverse events)")
        rows.append({
            "Outcome": label,
            "Everolimus + exemestane": _printed(ae, arm="everolimus", **where),
            "Placebo + exemestane": _printed(ae, arm="placebo", **where),
            "Absolute effect (95% CI)": r.with_interval(f"{prefix}.difference", 1, " percentage points"),
            "Relative effect (95% CI)": "RR " + r.with_interval(f"{prefix}.ratio", 1),
            "Source; register ids": f"NEJM 2011, Table 2; {prefix}.{{difference, ratio}}",
        })
    return pd.DataFrame(rows)
