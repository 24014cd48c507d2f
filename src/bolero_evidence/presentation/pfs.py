"""Display tables of notebook 02 (PFS gains)."""

from __future__ import annotations

import pandas as pd

from .names import source_name, source_names
from .text import MISSING, estimate_with_interval, interval, number, p_value, yes_no

__all__ = ["overall_table", "precision_table", "subgroup_table", "not_derivable_table", "model_based_table", "absolute_table"]


def _hazard_ratio(hr: float, low: float, high: float) -> str:
    return "not printed" if pd.isna(hr) else estimate_with_interval(hr, low, high, 2)


def _printed_gain(printed: float, reproduced: bool | None) -> str:
    if pd.isna(printed):
        return MISSING
    return f"{number(printed, 1)} ({'reproduced' if reproduced else 'NOT reproduced'})"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _as_printed_power_of_ten(p: float) -> str:
    """A P value the source prints as a power of ten (``1.4 × 10⁻¹⁵``): a printed figure is shown as printed, not rounded to <0.001."""
    if pd.isna(p):
        return MISSING
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def overall_table(overall: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.overall_effects`: medians, gain, ratio, exponential HR beside the printed HR.

    ``sources`` (the ``sources`` table) names each source as a reader cites it.
    """
    names = source_names(sources)
    return pd.DataFrame({
        "Analysis": overall["label"],
        "Source": [source_name(s, names) for s in overall["source_id"]],
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
        "P printed (news report, log-rank)": precision["p_reported_exact"].map(_as_printed_power_of_ten),
    })


def subgroup_table(subgroups: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.subgroup_effects` (medians to two decimals, as the review prints them; the gain, derived, to one)."""
    return pd.DataFrame({
        "Subgroup": subgroups["label"],
        "Analysis": subgroups["assessment"].str.capitalize() + ", " + subgroups["data_cut"]
        + subgroups["cut_inferred"].map({True: " (cut inferred)", False: ""}),
        "Median PFS, everolimus (months)": subgroups["median_everolimus"].map(lambda v: number(v, 2)),
        "Median PFS, placebo (months)": subgroups["median_placebo"].map(lambda v: number(v, 2)),
        "Gain in median (months)": subgroups["median_gain"].map(lambda v: number(v, 1)),
        "Ratio of medians": subgroups["median_ratio"].map(lambda v: number(v, 2)),
        "HR implied by medians (exponential)": subgroups["hr_exponential"].map(lambda v: number(v, 2)),
        "HR printed": "not printed",
    })


def not_derivable_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.not_derivable` with readable column names."""
    return table.rename(columns={"quantity": "Quantity", "applies_to": "Where", "reason": "Why not"})


def model_based_table(model: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.model_based_intervals`: model-based intervals of the gain and of the implied HR."""
    rows = []
    for r in model.itertuples():
        printed_ci = (interval(r.printed_ci_low, r.printed_ci_high, 1) if not pd.isna(r.printed_ci_low)
                      else "not derivable: a printed limit is NR")
        rows.append({
            "Analysis": r.label,
            "Events (everolimus / placebo)": f"{r.events_everolimus} / {r.events_placebo}",
            "Gain in median, months": number(r.median_gain, 1),
            "Exponential model, pivotal 95% CI": interval(r.pivotal_low, r.pivotal_high, 1),
            "Exponential model, delta 95% CI (check)": interval(r.delta_low, r.delta_high, 1),
            "From the printed median CIs": printed_ci,
            "HR implied by the medians (exponential, Wald 95% CI)": estimate_with_interval(
                r.hr_exponential, r.hr_exponential_low, r.hr_exponential_high, 2),
            "Printed HR (95% CI)": estimate_with_interval(r.hr_printed, r.hr_printed_low, r.hr_printed_high, 2),
        })
    return pd.DataFrame(rows)


def absolute_table(absolute: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.pfs.absolute_effects`: GRADE absolute effects per 1000 patients."""
    rows = []
    for r in absolute.itertuples():
        has_interval = not pd.isna(r.hazard_ratio_low)
        hr = (estimate_with_interval(r.hazard_ratio, r.hazard_ratio_low, r.hazard_ratio_high, 2) if has_interval
              else f"{number(r.hazard_ratio, 2)} (no interval printed)")
        rows.append({
            "Outcome": r.label + (" (cut not stated)" if r.data_cut == "unstated" else ""),
            "By month": str(r.months),
            "Control median, months": number(r.control_median, 1),
            "HR (95% CI)": hr,
            "Control, per 1000": number(r.control_per_1000, 0),
            "Everolimus, per 1000 (95% CI)": (estimate_with_interval(r.intervention_per_1000, r.intervention_low,
                                                                     r.intervention_high, 0) if has_interval
                                              else f"{number(r.intervention_per_1000, 0)} (no interval)"),
            "Difference, per 1000 (95% CI)": (estimate_with_interval(r.difference_per_1000, r.difference_low,
                                                                     r.difference_high, 0) if has_interval
                                              else f"{number(r.difference_per_1000, 0)} (no interval)"),
        })
    return pd.DataFrame(rows)
