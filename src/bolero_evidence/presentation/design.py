"""Display tables of notebook 05 (interim analysis and stopping boundaries)."""

from __future__ import annotations

import pandas as pd

from ..derived.design import OBSERVED_METHODS, OBSERVED_REGISTERED_AS, DesignInputs, loss_reading_label
from .names import data_label, source_name, source_names, table_title, unit_name
from .text import MINUS, MISSING, estimate_with_interval, interval, number, signed, yes_no

__all__ = ["inputs_table", "boundaries_table", "observed_table", "events_power_table", "follow_up_table",
           "plotted_points_table"]


def _whole_or_decimal(value: float) -> str:
    """Events: ``528``, or ``316.8`` for a fraction of an event."""
    return number(value, 0) if value == round(value) else number(value, 1)


# The design parameters and PFS statistics of :func:`bolero_evidence.derived.design.input_rows`, in words.
_FIGURE_NAMES = {
    "alpha_one_sided": "one-sided alpha", "power": "power", "target_hr": "target hazard ratio",
    "events_required": "events required", "looks": "looks", "spending_function": "alpha-spending function",
    "interim_info_fraction": "information fraction at the interim", "events_interim": "events at the interim",
    "control_median_pfs": "control median PFS (assumed)", "recruitment_duration": "recruitment duration",
    "loss_to_follow_up": "loss to follow-up", "allocation_ratio": "allocation ratio",
    "patients_planned": "patients planned", "patients_randomised": "patients randomised",
    "hr": "hazard ratio", "hr_ci_low": "hazard ratio, 95% CI lower bound", "hr_ci_high": "hazard ratio, 95% CI upper bound",
    "events_n": "PFS events",
}
_VALUE_NAMES = {"lan_demets_obrien_fleming": "Lan–DeMets, O’Brien–Fleming type"}


def _figure_name(what: str) -> str:
    # A PFS input reads "interim / local / everolimus / events_n": analysis, assessment, arm, statistic.
    parts = what.split(" / ")
    if len(parts) == 4:
        cut, assessment, arm, statistic = parts
        who = "both arms" if arm == "comparison" else arm
        return f"{_FIGURE_NAMES.get(statistic, data_label(statistic))}, {who}, {assessment} assessment, {cut} analysis"
    return _FIGURE_NAMES.get(what, data_label(what))


def _value_used(value) -> str:
    if isinstance(value, str):
        return _VALUE_NAMES.get(value, data_label(value))
    return f"{value:g}".replace("-", MINUS)


def inputs_table(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.input_rows`: what was read where, the source named as a reader cites it."""
    names = source_names(sources)
    return pd.DataFrame({
        "Table": rows["table"].map(table_title), "Figure": rows["what"].map(_figure_name), "Printed": rows["printed"],
        "Value used": rows["value"].map(_value_used),
        "Unit": rows["unit"].map(unit_name), "Source": [source_name(s, names) for s in rows["source_id"]],
        "Place in source": rows["locator"], "Note": rows["note"],
    })


def boundaries_table(bounds: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.boundary_table` as text."""
    return pd.DataFrame({
        "Design": bounds["design"], "Look": bounds["look"],
        "Information fraction": bounds["information_fraction"].map(lambda v: number(v, 4)),
        "Events": bounds["events"].map(_whole_or_decimal),
        "Boundary z": bounds["z"].map(lambda v: number(v, 3)),
        "One-sided nominal p": bounds["nominal_p"].map(lambda v: number(v, 5)),
        "Cumulative alpha": bounds["cumulative_alpha"].map(lambda v: number(v, 5)),
        "Incremental alpha": bounds["incremental_alpha"].map(lambda v: number(v, 5)),
        "HR at boundary": bounds["hr_at_boundary"].map(lambda v: number(v, 3)),
    })


def _observed_inputs(r) -> str:
    if r.method == "wald_ci":
        return f"HR {estimate_with_interval(r.hazard_ratio, r.ci_low, r.ci_high, 2)}; NEJM P {r.p_printed_nejm}"
    if r.method == "schoenfeld":
        return (f"HR {number(r.hazard_ratio, 2)}; {number(r.events, 0)} events "
                f"({number(r.events_experimental, 0)} + {number(r.events_control, 0)})")
    return r.p_printed_news  # as printed (a power of ten); <0.001 in the journal's form would hide what the z is read from


def observed_table(observed: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.observed_z`: each route to z against the interim boundaries."""
    rows = []
    for r in observed.itertuples():
        rows.append({
            "Assessment": r.assessment,
            "z from": OBSERVED_METHODS[r.method],
            "Printed inputs": _observed_inputs(r),
            "z": number(r.z, 3),
            "z range within rounding": interval(r.z_low, r.z_high, 2) if r.method == "wald_ci" else "",
            "z − Wald z": "" if r.method == "wald_ci" else number(r.minus_wald, 3),
            "Boundary at 359/528: crossed?": f"{number(r.boundary_interim, 3)}: {yes_no(r.crosses)}",
            "Own fraction; boundary there: crossed?": (f"{number(r.own_fraction, 4)}; {number(r.boundary_own_fraction, 3)}: "
                                                        f"{yes_no(r.crosses_own)}"),
            "Registered as": (f"{OBSERVED_REGISTERED_AS[r.method].format(assessment=r.assessment)} (sign of log HR)"
                              if r.method in OBSERVED_REGISTERED_AS else f"design.observed.{r.assessment}.*"),
        })
    return pd.DataFrame(rows)


# Row labels of :func:`bolero_evidence.derived.design.events_and_power`.
_QUANTITY_LABELS = {
    "events_fixed": "Events, fixed design (Schoenfeld)",
    "inflation_factor": "Inflation factor, 2 looks at 0.6 and 1",
    "events_group_sequential": "Events, group-sequential (2 looks at 0.6 and 1)",
    "events_interim_planned": "Events at the interim of that design (0.6 ×)",
    "power_planned": "Power with 528 events, looks at 0.6 and 1",
    "power_actual": "Power with 528 events, looks at 359/528 and 1",
    "stop_at_interim_planned": "Probability of stopping at the interim (0.6), HR 0.74",
    "stop_at_interim_actual": "Probability of stopping at the interim (359/528), HR 0.74",
}


def _recomputed(value: float, unit: str) -> str:
    if unit == "events":
        return _whole_or_decimal(value)
    if unit == "ratio":
        return number(value, 4)
    return f"{number(100 * value, 3)}%"


def _printed(value: float, unit: str) -> str:
    if pd.isna(value):
        return MISSING
    return f"{100 * value:g}%" if unit == "proportion" else f"{value:g}"


def _difference(recomputed: float, printed: float, unit: str) -> str:
    if pd.isna(printed):
        return ""
    if unit == "events":
        return f"{signed(recomputed - printed, 1)} events"
    return f"{signed(100 * (recomputed - printed), 3)} points"


def events_power_table(events: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.events_and_power`: recomputed beside printed."""
    return pd.DataFrame({
        "Quantity": events["quantity"].map(_QUANTITY_LABELS),
        "Recomputed": [_recomputed(v, u) for v, u in zip(events["recomputed"], events["unit"])],
        "Printed (NEJM)": [_printed(v, u) for v, u in zip(events["printed"], events["unit"])],
        "Recomputed − printed": [_difference(r, p, u) for r, p, u in zip(events["recomputed"], events["printed"], events["unit"])],
    })


def follow_up_table(follow: pd.DataFrame, inputs: DesignInputs) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.follow_up`: calendar times per reading of the loss rate."""
    return pd.DataFrame({
        "Loss to follow-up read as": follow["reading"].map(lambda r: loss_reading_label(r, inputs.loss_to_follow_up)),
        "Patients modelled (705 planned; not the 724 randomised)": follow["patients_modelled"].map(lambda v: number(v, 1)),
        "Loss hazard per month": follow["loss_hazard"].map(lambda v: number(v, 4)),
        "Months to 528 events": follow["calendar_months"].map(lambda v: number(v, 1)),
        "Follow-up after recruitment (months)": follow["after_accrual_months"].map(lambda v: number(v, 1)),
        "Patients lost by then": follow["lost_at_final"].map(lambda v: number(v, 1)),
        "Months to 0.6 × 528 events": follow["interim_calendar_months"].map(lambda v: number(v, 1)),
        "Patients randomised by then": follow["enrolled_at_interim"].map(lambda v: number(v, 0)),
        "Months to 359 events": follow["events_359_calendar_months"].map(lambda v: number(v, 1)),
        "359 events split (everolimus + placebo)": [f"{number(e, 0)} + {number(c, 0)}" for e, c in
                                                    zip(follow["experimental_events_at_359"], follow["control_events_at_359"])],
    })


def _series_name(series: str) -> str:
    # "boundary, planned" or "observed, local, wald_ci" (kind, assessment, route to z).
    parts = series.split(", ")
    if parts[0] == "observed" and len(parts) == 3:
        return f"observed, {parts[1]} assessment, {OBSERVED_METHODS[parts[2]]}"
    return series


def plotted_points_table(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.design.boundary_plot_points`: the values the boundary figure plots."""
    return pd.DataFrame({
        "Series": points["series"].map(_series_name),
        "Information fraction": points["information_fraction"].map(lambda v: number(v, 4)),
        "z": points["z"].map(lambda v: number(v, 3)),
    })
