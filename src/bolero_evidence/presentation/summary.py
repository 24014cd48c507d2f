"""The summary-of-findings table of notebook 07, written from register entries and printed figures.

In the style of a GRADE summary of findings: one row per outcome with the
figure in each arm, the absolute and the relative effect with its interval,
and where each comes from. Derived figures are read from the register by id
(:class:`bolero_evidence.derived.summary.RegisterLookup`), never recomputed
or typed here; printed figures are shown as printed.
"""

from __future__ import annotations

import pandas as pd

from ..derived.summary import RegisterLookup, printed, printed_hazard_ratio
from .text import estimate_with_interval, interval, number

__all__ = ["summary_of_findings_table"]


def _with_interval(r: RegisterLookup, entry_id: str, digits: int = 1, suffix: str = "") -> str:
    """``9.5% (7.0 to 12.4)`` from a register entry; says so where the entry has no interval."""
    value, low, high = r.figure(entry_id)
    if low is None and high is None:
        return f"{number(value, digits)}{suffix} (no interval derivable)"
    return estimate_with_interval(value, low, high, digits, unit=suffix)


def _ratio(r: RegisterLookup, entry_id: str) -> str:
    """A relative risk as the register's citation rule allows: flagged where sparse counts make it not citable."""
    method = str(r(entry_id)["method"])
    text = "RR " + _with_interval(r, entry_id, 1)
    if "not to be cited" in method:
        return f"{text}: sparse counts, not to be cited as an estimate"
    if "exact unconditional" in method:
        return f"{text} (exact interval; sparse counts)"
    return text


def _value(r: RegisterLookup, entry_id: str, digits: int = 1) -> str:
    return number(r.figure(entry_id)[0], digits)


def summary_of_findings_table(tables: dict[str, pd.DataFrame], register: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome: arms, absolute effect, relative effect, sources and register ids.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Validated data tables (``pfs``, ``exposure``, ``adverse_events``).
    register : DataFrame
        The register (:func:`bolero_evidence.derived.summary.load_register`).

    Returns
    -------
    DataFrame
        Text cells, ready to show.
    """
    r = RegisterLookup(register)
    pfs, exposure, ae = tables["pfs"], tables["exposure"], tables["adverse_events"]
    rows = []

    def pfs_row(label, cut, assessment, source, relative, source_text, ids, model_based=False):
        where = dict(data_cut=cut, assessment=assessment, statistic="median", source_id=source)
        gain = f"pfs.{assessment}.{cut}.median_gain"
        if model_based:  # the event counts are printed: a model-based (exponential) interval exists
            model = f"{gain}_model"
            _, low, high = r.figure(model)
            absolute = (f"{_value(r, gain, 1)} months longer median (model-based, exponential: {interval(low, high, 1)}; "
                        "no model-free interval)")
            ids = [model, *ids]
        else:
            absolute = f"{_value(r, gain, 1)} months longer median (no interval derivable from medians)"
        rows.append({
            "Outcome": label,
            "Everolimus + exemestane": f"median {printed(pfs, arm='everolimus', **where)} months",
            "Placebo + exemestane": f"median {printed(pfs, arm='placebo', **where)} months",
            "Absolute effect (95% CI)": absolute,
            "Relative effect (95% CI)": relative,
            "Source; register ids": f"{source_text}; {', '.join([gain, *ids])}",
        })

    def hazard_ratio(cut, assessment):
        hr, low, high = printed_hazard_ratio(pfs, cut, assessment, "nejm_2011")
        return f"HR {hr} ({low} to {high}), as printed"

    pfs_row("Progression-free survival, local assessment (interim analysis)", "interim", "local", "nejm_2011",
            hazard_ratio("interim", "local"), "NEJM 2011, Table 3", [], model_based=True)
    pfs_row("Progression-free survival, central assessment (interim analysis)", "interim", "central", "nejm_2011",
            hazard_ratio("interim", "central"), "NEJM 2011, Table 3", [], model_based=True)
    pfs_row("Progression-free survival, local assessment (final analysis)", "final", "local", "mtor_review_2014",
            f"HR not printed; {_value(r, 'pfs.local.final.hr_exponential', 2)} if exponential (from medians, no interval)",
            "review (final analysis)", ["pfs.local.final.hr_exponential"])

    rows.append({
        "Outcome": "Objective response, local assessment (interim analysis)",
        "Everolimus + exemestane": _with_interval(r, "orr.local.everolimus", 1, "%"),
        "Placebo + exemestane": _with_interval(r, "orr.local.placebo", 1, "%"),
        "Absolute effect (95% CI)": _with_interval(r, "orr.local.difference", 1, " percentage points"),
        "Relative effect (95% CI)": _ratio(r, "orr.local.ratio"),
        "Source; register ids": "NEJM 2011, Table 3; orr.local.{everolimus, placebo, difference, ratio}",
    })

    def safety_row(label, measure, drug, prefix, source_text):
        where = dict(measure=measure, drug=drug, statistic="pct", source_id="nejm_2011")
        rows.append({
            "Outcome": label,
            "Everolimus + exemestane": printed(exposure, arm="everolimus", **where),
            "Placebo + exemestane": printed(exposure, arm="placebo", **where),
            "Absolute effect (95% CI)": _with_interval(r, f"{prefix}.difference", 1, " percentage points")
            + f"; NNH {_value(r, prefix + '.nnh', 0)}",
            "Relative effect (95% CI)": _ratio(r, f"{prefix}.ratio"),
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
            "Everolimus + exemestane": printed(ae, arm="everolimus", **where),
            "Placebo + exemestane": printed(ae, arm="placebo", **where),
            "Absolute effect (95% CI)": _with_interval(r, f"{prefix}.difference", 1, " percentage points"),
            "Relative effect (95% CI)": _ratio(r, f"{prefix}.ratio"),
            "Source; register ids": f"NEJM 2011, Table 2; {prefix}.{{difference, ratio}}",
        })
    return pd.DataFrame(rows)
