"""Display tables of notebook 02 (PFS gains)."""

from __future__ import annotations

import pandas as pd

from .text import MISSING, estimate_with_interval, interval, number, p_value, yes_no

__all__ = ["overall_table", "precision_table", "subgroup_table", "not_derivable_table"]


def _hazard_ratio(hr: float, low: float, high: float) -> str:
    return "not printed" if pd.isna(hr) else estimate_with_interval(hr, low, high, 2)


def _printed_gain(printed: float, reproduced: bool | None) -> str:
    if pd.isna(printed):
        return MISSING
    return f"{number(printed, 1)} ({'reproduced' if reproduced else 'NOT reproduced'})"


def overall_table(overall: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.overall_effects`: medians, gain, ratio, exponential HR beside the printed HR."""
    return pd.DataFrame({
        "Analysis": overall["label"],
        "Source": overall["source_id"],
        "Median PFS, everolimus (months)": overall["median_everolimus"].map(lambda v: number(v, 1)),
        "Median PFS, placebo (months)": overall["median_placebo"].map(lambda v: number(v, 1)),
        "Gain in median (months)": overall["median_gain"].map(lambda v: number(v, 1)),
        "Ratio of medians": overall["median_ratio"].map(lambda v: number(v, 2)),
        "HR implied by medians (exponential)": overall["hr_exponential"].map(lambda v: number(v, 2)),
        "HR printed (95% CI)": [_hazard_ratio(*r) for r in overall[["hr_printed", "hr_ci_low", "hr_ci_high"]].itertuples(index=False)],
        "Exponential HR inside printed CI": overall["exponential_within_ci"].map(yes_no),
        "Gain printed by the source": [_printed_gain(p, ok) for p, ok in zip(overall["printed_gain"], overall["printed_gain_reproduced"])],
    })


def precision_table(precision: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.hazard_ratio_precision`: SE, z and P of each printed HR."""
    return pd.DataFrame({
        "Analysis": precision["label"],
        "HR (95% CI)": [_hazard_ratio(*r) for r in precision[["hr", "ci_low", "ci_high"]].itertuples(index=False)],
        "Events, everolimus + placebo": [f"{number(e, 0)} + {number(p, 0)} = {number(t, 0)}" for e, p, t in
                                         precision[["events_everolimus", "events_placebo", "events_total"]].itertuples(index=False)],
        "SE of log HR from the CI": precision["se_from_ci"].map(lambda v: number(v, 3)),
        "Range the rounding of the CI allows": [interval(lo, hi, 3) for lo, hi in
                                                 precision[["se_from_ci_min", "se_from_ci_max"]].itertuples(index=False)],
        "Schoenfeld SE (events, 2:1)": precision["se_schoenfeld"].map(lambda v: number(v, 3)),
        "z from the CI": precision["z_from_ci"].map(lambda v: number(v, 2)),
        "z from Schoenfeld SE": precision["z_schoenfeld"].map(lambda v: number(v, 2)),
        "Wald P from the CI (two-sided)": precision["p_two_sided_from_ci"].map(p_value),
        "P printed (NEJM)": precision["p_printed"],
        "P printed (news report, log-rank)": precision["p_reported_exact"].map(p_value),
    })


def subgroup_table(subgroups: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.subgroup_effects` (medians to two decimals, as the review prints them)."""
    return pd.DataFrame({
        "Subgroup": subgroups["label"],
        "Analysis": subgroups["assessment"].str.capitalize() + ", " + subgroups["data_cut"]
        + subgroups["cut_inferred"].map({True: " (cut inferred)", False: ""}),
        "Median PFS, everolimus (months)": subgroups["median_everolimus"].map(lambda v: number(v, 2)),
        "Median PFS, placebo (months)": subgroups["median_placebo"].map(lambda v: number(v, 2)),
        "Gain in median (months)": subgroups["median_gain"].map(lambda v: number(v, 2)),
        "Ratio of medians": subgroups["median_ratio"].map(lambda v: number(v, 2)),
        "HR implied by medians (exponential)": subgroups["hr_exponential"].map(lambda v: number(v, 2)),
        "HR printed": "not printed",
    })


def not_derivable_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.not_derivable` with readable column names."""
    return table.rename(columns={"quantity": "Quantity", "applies_to": "Where", "reason": "Why not"})
