"""BOLERO-2's group-sequential design, recomputed from the printed design inputs.

The NEJM (2011, Methods, Statistical Analysis) prints the design: one-sided
alpha 2.5%, 90% power to detect a hazard ratio of 0.74, 528 PFS events, a
two-look Lan-DeMets design with an O'Brien-Fleming-type boundary, an interim
analysis after "approximately 60%" of the events (359 events), a control
median PFS of 3.7 months, 18 months of recruitment, "a 10% rate of loss to
follow-up", 2:1 randomisation and 705 patients. It does not print the
boundaries. This module derives:

- the information fraction planned (0.6) and reached (359 / 528);
- the efficacy boundaries for both (:func:`boundary_table`): z, one-sided
  nominal p, alpha spent, and the hazard ratio that would just cross;
- the z statistics the printed hazard ratios imply, for the local and central
  assessments, against the interim boundary (:func:`observed_z`), with the z
  the printed P values of the news report imply;
- the events the design needs and the power 528 events give
  (:func:`events_and_power`);
- the calendar time the planning assumptions imply, under explicit readings of
  the loss-to-follow-up rate (:func:`follow_up`).

Sign convention: z is positive when the hazard ratio favours everolimus, as
on the efficacy boundary.

Inputs: ``design`` (NEJM Methods and Results), ``pfs`` (NEJM Table 3; the
Oncology news report for the P values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..data.printed import parse_printed
from ..register import Figure
from ..stats.accrual import NO_LOSS, LossToFollowUp, time_for_events
from ..stats.groupseq import (
    GroupSequentialBoundaries,
    efficacy_boundaries,
    hazard_ratio_at_boundary,
    power_at_events,
    required_events_fixed,
    required_events_group_sequential,
)
from ..stats.survival import hazard_ratio_summary, z_from_hazard_ratio_and_events
from .common import pick, pick_row

__all__ = [
    "DESIGN_SOURCE",
    "NEWS_SOURCE",
    "ASSESSMENTS",
    "LOSS_READINGS",
    "OBSERVED_REGISTERED_AS",
    "DesignInputs",
    "design_inputs",
    "input_rows",
    "design_boundaries",
    "boundary_table",
    "observed_z",
    "events_and_power",
    "loss_reading",
    "follow_up",
    "boundary_plot_points",
    "plot_boundaries",
    "OBSERVED_METHODS",
    "loss_reading_label",
    "patients_modelled",
    "boundary_figures",
    "observed_figures",
    "events_power_figures",
    "follow_up_figures",
]

DESIGN_SOURCE = "nejm_2011"
NEWS_SOURCE = "oncology_news_2011"
EXPERIMENTAL, CONTROL = "everolimus", "placebo"
ASSESSMENTS = ("local", "central")
# The NEJM names the spending function in words; the package's name for it.
_SPENDING = {"lan_demets_obrien_fleming": "obrien_fleming"}
# Design parameters used here, in the order the table shows them.
_DESIGN_PARAMETERS = (
    "alpha_one_sided", "power", "target_hr", "events_required", "looks", "spending_function",
    "interim_info_fraction", "events_interim", "control_median_pfs", "recruitment_duration",
    "loss_to_follow_up", "allocation_ratio", "patients_planned", "patients_randomised",
)
# How "a 10% rate of loss to follow-up" is read (the NEJM does not say over
# what period): not at all, per year, as the share lost before the event, or
# the common planning reading: the planned number of patients already
# inflated by 1 / (1 - 0.1) for loss, so 705 x (1 - 0.1) are followed, none lost.
LOSS_READINGS = ("none", "per_year", "before_event", "inflation")
# The routes to an observed z (:func:`observed_z`), in words.
OBSERVED_METHODS = {
    "wald_ci": "printed HR and 95% CI (Wald)",
    "schoenfeld": "printed HR and events (Schoenfeld)",
    "p_one_sided": "news report P, read one-sided",
    "p_two_sided": "news report P, read two-sided",
}


@dataclass(frozen=True)
class DesignInputs:
    """The printed design of BOLERO-2, on the scales the statistics use.

    Attributes
    ----------
    alpha : float
        One-sided type I error (proportion, 0.025).
    power : float
        Target power (proportion).
    target_hazard_ratio : float
        Hazard ratio the trial was powered for.
    events_final : float
        PFS events required for the final analysis.
    looks : int
        Number of analyses (interim and final).
    spending : str
        Spending function name for :func:`~bolero_evidence.stats.groupseq.efficacy_boundaries`.
    interim_fraction_planned : float
        Planned information fraction of the interim analysis (printed as
        "approximately 60%").
    events_interim : float
        PFS events at the interim analysis as performed.
    control_median : float
        Assumed median PFS of the control arm (months).
    recruitment_months : float
        Assumed duration of uniform recruitment (months).
    loss_to_follow_up : float
        Printed loss-to-follow-up rate (proportion); its period is not stated.
    allocation_ratio : float
        Everolimus : placebo patients (2.0).
    patients_planned, patients_randomised : float
    """

    alpha: float
    power: float
    target_hazard_ratio: float
    events_final: float
    looks: int
    spending: str
    interim_fraction_planned: float
    events_interim: float
    control_median: float
    recruitment_months: float
    loss_to_follow_up: float
    allocation_ratio: float
    patients_planned: float
    patients_randomised: float

    @property
    def interim_fraction_actual(self) -> float:
        """Information fraction reached: interim events over final events."""
        return self.events_interim / self.events_final

    @property
    def events_interim_planned(self) -> float:
        """Events at the planned fraction, unrounded (0.6 x 528 = 316.8)."""
        return self.interim_fraction_planned * self.events_final

    def fractions(self, design: str) -> tuple[float, float]:
        """Information fractions of the two looks, ``design`` = ``planned`` or ``actual``."""
        if design == "planned":
            return (self.interim_fraction_planned, 1.0)
        if design == "actual":
            return (self.interim_fraction_actual, 1.0)
        raise ValueError(f"design must be 'planned' or 'actual'; got {design!r}")


def _design_value(design: pd.DataFrame, parameter: str) -> float:
    value = pick(design, parameter=parameter, arm="all", source_id=DESIGN_SOURCE)
    if value is None:
        raise LookupError(f"design parameter {parameter!r} has no numeric value")
    return value


def design_inputs(tables: dict[str, pd.DataFrame]) -> DesignInputs:
    """Read the design from ``design.csv`` (NEJM rows).

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables (:func:`bolero_evidence.data.load_tables`).

    Returns
    -------
    DesignInputs

    Raises
    ------
    ValueError
        If the printed spending function is not one this module knows, or the
        printed number of looks is not two.
    """
    design = tables["design"]
    spending_text = pick_row(design, parameter="spending_function", arm="all", source_id=DESIGN_SOURCE)["value_text"]
    if spending_text not in _SPENDING:
        raise ValueError(f"spending function {spending_text!r} is not one of {sorted(_SPENDING)}")
    looks = int(_design_value(design, "looks"))
    if looks != 2:
        # The analysis below has one interim look and the final one.
        raise ValueError(f"the analysis assumes a two-look design; the data say {looks} looks")
    return DesignInputs(
        alpha=_design_value(design, "alpha_one_sided") / 100.0,
        power=_design_value(design, "power") / 100.0,
        target_hazard_ratio=_design_value(design, "target_hr"),
        events_final=_design_value(design, "events_required"),
        looks=looks,
        spending=_SPENDING[spending_text],
        interim_fraction_planned=_design_value(design, "interim_info_fraction") / 100.0,
        events_interim=_design_value(design, "events_interim"),
        control_median=_design_value(design, "control_median_pfs"),
        recruitment_months=_design_value(design, "recruitment_duration"),
        loss_to_follow_up=_design_value(design, "loss_to_follow_up") / 100.0,
        allocation_ratio=_design_value(design, "allocation_ratio"),
        patients_planned=_design_value(design, "patients_planned"),
        patients_randomised=_design_value(design, "patients_randomised"),
    )


def _pfs_row(tables: dict[str, pd.DataFrame], assessment: str, arm: str, statistic: str, source_id: str) -> pd.Series:
    return pick_row(tables["pfs"], data_cut="interim", assessment=assessment, arm=arm, statistic=statistic,
                    source_id=source_id)


# The printed PFS figures the observed z statistics use: (arm, statistic, source).
_PFS_INPUTS = (
    ("comparison", "hr", DESIGN_SOURCE),
    ("comparison", "hr_ci_low", DESIGN_SOURCE),
    ("comparison", "hr_ci_high", DESIGN_SOURCE),
    (EXPERIMENTAL, "events_n", DESIGN_SOURCE),
    (CONTROL, "events_n", DESIGN_SOURCE),
    ("comparison", "p_value", DESIGN_SOURCE),
    ("comparison", "p_value", NEWS_SOURCE),
)


def input_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The printed rows this analysis reads, with where they were read.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        Columns ``table``, ``what`` (parameter, or assessment/arm/statistic),
        ``printed``, ``value`` (number or text as typed in data/), ``unit``,
        ``qualifier``, ``source_id``, ``locator``, ``note``: one row per
        figure, the design rows first (NEJM; the first of duplicated rows),
        then the PFS rows.
    """
    design = tables["design"]
    rows = []
    for parameter in _DESIGN_PARAMETERS:
        row = pick_row(design, parameter=parameter, arm="all", source_id=DESIGN_SOURCE)
        value = row["value_text"] if pd.isna(row["value"]) else row["value"]
        rows.append(dict(table="design", what=parameter, printed=row["printed"], value=value, unit=row["unit"],
                         qualifier=row["qualifier"], source_id=row["source_id"], locator=row["locator"],
                         note="" if pd.isna(row["note"]) else row["note"]))
    for assessment in ASSESSMENTS:
        for arm, statistic, source in _PFS_INPUTS:
            row = _pfs_row(tables, assessment, arm, statistic, source)
            rows.append(dict(table="pfs", what=f"interim / {assessment} / {arm} / {statistic}", printed=row["printed"],
                             value=row["value"], unit=row["unit"], qualifier=row["qualifier"],
                             source_id=row["source_id"], locator=row["locator"],
                             note="" if pd.isna(row["note"]) else row["note"]))
    return pd.DataFrame(rows)


def design_boundaries(inputs: DesignInputs, design: str) -> GroupSequentialBoundaries:
    """Lan-DeMets boundaries at the planned or the actual interim fraction.

    Parameters
    ----------
    inputs : DesignInputs
    design : {"planned", "actual"}
        ``planned``: looks at (0.6, 1); ``actual``: at (359/528, 1). The
        spending function adapts the boundary to the fraction reached, so the
        actual boundary is the one the trial's interim is compared against.

    Returns
    -------
    GroupSequentialBoundaries
    """
    return efficacy_boundaries(inputs.fractions(design), alpha=inputs.alpha, spending=inputs.spending)


def boundary_table(inputs: DesignInputs) -> pd.DataFrame:
    """Boundaries of both designs, look by look, with the hazard ratio at each boundary.

    Parameters
    ----------
    inputs : DesignInputs

    Returns
    -------
    DataFrame
        One row per design (``planned``, ``actual``) and look (``interim``,
        ``final``): ``information_fraction``, ``events`` (planned interim:
        0.6 x 528 unrounded; actual interim: 359; final: 528), ``z``,
        ``nominal_p`` (one-sided), ``cumulative_alpha``, ``incremental_alpha``,
        ``hr_at_boundary`` (Schoenfeld, with the 2:1 allocation).

    Notes
    -----
    The planned interim uses 316.8 events rather than 317 so that the events
    and the fraction the boundary was computed for are the same number; an
    interim at a whole number of events would also move the fraction, and the
    boundary with it.
    """
    rows = []
    for design, interim_events in (("planned", inputs.events_interim_planned), ("actual", inputs.events_interim)):
        bounds = design_boundaries(inputs, design)
        events = (interim_events, inputs.events_final)
        ratios = hazard_ratio_at_boundary(np.array(bounds.z), np.array(events), inputs.allocation_ratio)
        for look, k in (("interim", 0), ("final", 1)):
            rows.append(dict(
                design=design, look=look, information_fraction=bounds.information_fractions[k], events=events[k],
                z=bounds.z[k], nominal_p=bounds.nominal_p[k], cumulative_alpha=bounds.cumulative_alpha[k],
                incremental_alpha=bounds.incremental_alpha[k], hr_at_boundary=float(ratios[k]),
            ))
    return pd.DataFrame(rows)


def observed_z(tables: dict[str, pd.DataFrame], inputs: DesignInputs) -> pd.DataFrame:
    """z statistics implied by the printed interim results, against the interim boundary.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.
    inputs : DesignInputs

    Returns
    -------
    DataFrame
        One row per assessment (``local``, ``central``) and ``method``:

        - ``wald_ci``: ``-log HR / SE`` with SE from the printed 95% CI
          (:func:`~bolero_evidence.stats.survival.hazard_ratio_summary`);
          ``z_low``/``z_high`` bound the z any unrounded HR and CI that round
          to the printed ones can give;
        - ``schoenfeld``: ``-log HR`` over Schoenfeld's SE from the printed
          event counts and the 2:1 allocation;
        - ``p_one_sided``, ``p_two_sided``: the normal quantile of the news
          report's P, read as one-sided (``Phi^-1(1 - P)``) or two-sided
          (``Phi^-1(1 - P/2)``).

        Columns: ``assessment``, ``method``, ``z``, ``z_low``, ``z_high``,
        ``hazard_ratio``, ``ci_low``, ``ci_high``, ``events`` (both arms),
        ``events_experimental``, ``events_control``,
        ``own_fraction`` (the assessment's events over 528),
        ``p_printed_nejm`` and ``p_printed_news`` (printed forms),
        ``p_value`` (the news report's P as a number), ``minus_wald`` (z minus
        the ``wald_ci`` z of the same assessment), ``boundary_interim`` (the
        actual design's interim boundary, 359/528), ``crosses``,
        ``boundary_own_fraction`` (the interim boundary if the look were at
        ``own_fraction``), ``crosses_own``.

    Notes
    -----
    The boundary applies to the local assessment, whose events define the
    information fraction. Comparing the central z with the same boundary
    assumes the committee applied the same nominal threshold to both; the
    charter's thresholds are not published. The central review counted fewer
    events, so its own information fraction is lower and an O'Brien-Fleming
    boundary there would be higher: ``boundary_own_fraction`` gives that
    boundary if 528 central events were the maximum (one reading, not the
    charter's).

    The printed P values come from a log-rank test stratified by visceral
    metastases and hormone sensitivity; the Wald and Schoenfeld z here are
    unstratified approximations, so no exact match is expected.
    """
    interim_boundary = design_boundaries(inputs, "actual").z[0]
    rows = []
    for assessment in ASSESSMENTS:
        def row(arm: str, statistic: str, source: str = DESIGN_SOURCE, assessment: str = assessment) -> pd.Series:
            return _pfs_row(tables, assessment, arm, statistic, source)

        hr_rows = [row("comparison", s) for s in ("hr", "hr_ci_low", "hr_ci_high")]
        hr, low, high = (float(r["value"]) for r in hr_rows)
        decimals = max(parse_printed(str(r["printed"])).decimals for r in hr_rows)
        events_experimental = float(row(EXPERIMENTAL, "events_n")["value"])
        events_control = float(row(CONTROL, "events_n")["value"])
        events = events_experimental + events_control
        news_p = row("comparison", "p_value", NEWS_SOURCE)
        p_value = float(news_p["value"])
        own_fraction = events / inputs.events_final
        # The boundary at the assessment's own fraction; at the final
        # analysis's events the look would be the final one.
        own_boundary = (efficacy_boundaries((own_fraction, 1.0), alpha=inputs.alpha, spending=inputs.spending).z[0]
                        if own_fraction < 1.0 else math.nan)

        summary = hazard_ratio_summary(hr, low, high, decimals=decimals)
        half_unit = 0.5 * 10.0 ** -decimals
        se_narrow, se_wide = summary.standard_error_range
        wald = -summary.z
        estimates = {
            "wald_ci": (wald, -math.log(hr + half_unit) / se_wide, -math.log(hr - half_unit) / se_narrow),
            "schoenfeld": (-z_from_hazard_ratio_and_events(hr, events, inputs.allocation_ratio), math.nan, math.nan),
            "p_one_sided": (float(norm.isf(p_value)), math.nan, math.nan),
            "p_two_sided": (float(norm.isf(p_value / 2.0)), math.nan, math.nan),
        }
        for method, (z, z_low, z_high) in estimates.items():
            rows.append(dict(
                assessment=assessment, method=method, z=z, z_low=z_low, z_high=z_high, hazard_ratio=hr,
                ci_low=low, ci_high=high, events=events, events_experimental=events_experimental,
                events_control=events_control, own_fraction=own_fraction,
                p_printed_nejm=row("comparison", "p_value")["printed"], p_printed_news=news_p["printed"],
                p_value=p_value, minus_wald=z - wald, boundary_interim=interim_boundary,
                crosses=bool(z >= interim_boundary), boundary_own_fraction=own_boundary,
                crosses_own=bool(z >= own_boundary),
            ))
    return pd.DataFrame(rows)


def events_and_power(inputs: DesignInputs) -> pd.DataFrame:
    """Events the printed design needs, and the power 528 events give.

    Parameters
    ----------
    inputs : DesignInputs

    Returns
    -------
    DataFrame
        One row per ``quantity`` with ``unit``, ``recomputed`` and ``printed``
        (NaN where the source prints none):

        - ``events_fixed``: Schoenfeld's events for a single analysis;
        - ``inflation_factor``: of the 2-look design at the planned fraction;
        - ``events_group_sequential``: the two multiplied, against 528;
        - ``events_interim_planned``: ``0.6 x`` those events;
        - ``power_planned``, ``power_actual``: power with 528 events and
          looks at the planned or actual fraction, against 90%;
        - ``stop_at_interim_planned``, ``stop_at_interim_actual``: probability
          of crossing at the interim under the target hazard ratio.
    """
    fixed = required_events_fixed(inputs.target_hazard_ratio, inputs.alpha, inputs.power, inputs.allocation_ratio)
    planned = required_events_group_sequential(inputs.target_hazard_ratio, inputs.fractions("planned"), inputs.alpha,
                                               inputs.power, inputs.spending, inputs.allocation_ratio)
    power = {design: power_at_events(inputs.events_final, inputs.target_hazard_ratio, inputs.fractions(design),
                                     inputs.alpha, inputs.spending, inputs.allocation_ratio)
             for design in ("planned", "actual")}
    rows = [
        ("events_fixed", "events", fixed.events, math.nan),
        ("inflation_factor", "ratio", planned.inflation.value, math.nan),
        ("events_group_sequential", "events", planned.max_events, inputs.events_final),
        ("events_interim_planned", "events", planned.events_at_looks[0], math.nan),
        ("power_planned", "proportion", power["planned"].power, inputs.power),
        ("power_actual", "proportion", power["actual"].power, inputs.power),
        ("stop_at_interim_planned", "proportion", power["planned"].crossing_probabilities[0], math.nan),
        ("stop_at_interim_actual", "proportion", power["actual"].crossing_probabilities[0], math.nan),
    ]
    return pd.DataFrame(rows, columns=["quantity", "unit", "recomputed", "printed"])


def loss_reading(reading: str, probability: float) -> LossToFollowUp:
    """A reading of the printed loss rate as a :class:`~bolero_evidence.stats.accrual.LossToFollowUp`.

    Parameters
    ----------
    reading : {"none", "per_year", "before_event"}
        ``none``: no loss; ``per_year``: ``probability`` lost within 12
        months absent progression; ``before_event``: ``probability`` of all
        patients lost before progression, with unlimited follow-up;
        ``inflation``: no loss modelled, the loss being allowed for in the
        number of patients (:func:`patients_modelled`).
    probability : float
        The printed rate as a proportion (0.10).
    """
    if reading in ("none", "inflation"):
        return NO_LOSS
    if reading == "per_year":
        return LossToFollowUp.per_year(probability)
    if reading == "before_event":
        return LossToFollowUp.before_event(probability)
    raise ValueError(f"reading must be one of {LOSS_READINGS}; got {reading!r}")


def patients_modelled(reading: str, inputs: DesignInputs) -> float:
    """Patients the follow-up model enters under a reading of the loss rate.

    The planned 705 (NEJM Methods; not the 724 randomised), except under
    ``inflation``, the common planning reading in which the planned number
    was inflated by ``1 / (1 - loss)`` for loss to follow-up, so that
    ``705 x (1 - 0.1) = 634.5`` patients are followed (a model quantity, not
    a count).
    """
    if reading == "inflation":
        return inputs.patients_planned * (1.0 - inputs.loss_to_follow_up)
    if reading not in LOSS_READINGS:
        raise ValueError(f"reading must be one of {LOSS_READINGS}; got {reading!r}")
    return inputs.patients_planned


def follow_up(inputs: DesignInputs) -> pd.DataFrame:
    """Calendar time the planning assumptions imply, per reading of the loss rate.

    Parameters
    ----------
    inputs : DesignInputs

    Returns
    -------
    DataFrame
        One row per :data:`LOSS_READINGS` entry: ``reading``,
        ``loss_hazard`` (per month), ``calendar_months`` (months from the first
        patient to 528 expected events), ``after_accrual_months`` (that minus
        the recruitment period: the last patient's minimum follow-up),
        ``interim_calendar_months`` (to 0.6 x 528 events),
        ``enrolled_at_interim`` (patients randomised by then),
        ``events_359_calendar_months`` (to 359 events),
        ``control_events_at_359`` and ``experimental_events_at_359`` (expected
        split of those events), ``lost_at_final`` (patients expected lost by
        the 528-event time), ``max_events`` (events if everyone were followed
        to progression or loss), ``patients_modelled``
        (:func:`patients_modelled`).

    Notes
    -----
    Model (:mod:`bolero_evidence.stats.accrual`): the 705 planned patients
    (634.5 under the ``inflation`` reading; never the 724 randomised) enter
    uniformly over 18 months, randomised 2:1; PFS is exponential with
    control median 3.7 months and hazard ratio 0.74; loss is exponential and
    independent of progression.
    """
    rows = []
    for reading in LOSS_READINGS:
        model = dict(n_patients=patients_modelled(reading, inputs), accrual_duration=inputs.recruitment_months,
                     control_median=inputs.control_median, hazard_ratio=inputs.target_hazard_ratio,
                     allocation_ratio=inputs.allocation_ratio)
        loss = loss_reading(reading, inputs.loss_to_follow_up)
        final = time_for_events(inputs.events_final, loss_to_follow_up=loss, **model)
        interim = time_for_events(inputs.events_interim_planned, loss_to_follow_up=loss, **model)
        actual = time_for_events(inputs.events_interim, loss_to_follow_up=loss, **model)
        rows.append(dict(
            reading=reading, loss_hazard=final.expected.loss_hazard, calendar_months=final.calendar_time,
            after_accrual_months=final.follow_up_after_accrual, interim_calendar_months=interim.calendar_time,
            enrolled_at_interim=interim.expected.enrolled, events_359_calendar_months=actual.calendar_time,
            control_events_at_359=actual.expected.events_control,
            experimental_events_at_359=actual.expected.events_experimental,
            lost_at_final=final.expected.lost_to_follow_up, max_events=final.max_events,
            patients_modelled=model["n_patients"],
        ))
    return pd.DataFrame(rows)


def boundary_plot_points(boundaries: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """The points of the boundary plot, as a table.

    Parameters
    ----------
    boundaries : DataFrame
        :func:`boundary_table`.
    observed : DataFrame
        :func:`observed_z`.

    Returns
    -------
    DataFrame
        Columns ``series``, ``information_fraction``, ``z``: the boundary of
        each design at its two looks, then the Wald and Schoenfeld z of each
        assessment, placed at the interim's information fraction (359/528),
        where the committee compared them.
    """
    rows = [dict(series=f"boundary, {r.design}", information_fraction=r.information_fraction, z=r.z)
            for r in boundaries.itertuples()]
    interim = boundaries.loc[(boundaries["design"] == "actual") & (boundaries["look"] == "interim"),
                             "information_fraction"].iloc[0]
    for r in observed[observed["method"].isin(["wald_ci", "schoenfeld"])].itertuples():
        rows.append(dict(series=f"observed, {r.assessment}, {r.method}", information_fraction=interim, z=r.z))
    return pd.DataFrame(rows)


_COLOURS = {"local": "#C44E52", "central": "#4C72B0"}


def plot_boundaries(points: pd.DataFrame):
    """Boundary z against information fraction, with the observed z as points.

    Parameters
    ----------
    points : DataFrame
        :func:`boundary_plot_points`.

    Returns
    -------
    matplotlib.figure.Figure
        Lines: the planned (dashed) and actual (solid) boundaries at their two
        looks. Points: the observed z (filled circles: from the printed CI;
        open diamonds: from the events, Schoenfeld).
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=100)
    for design, style, label in (("planned", "--", "boundary, interim planned at 0.6"),
                                 ("actual", "-", "boundary, interim at 359/528 (actual)")):
        line = points[points["series"] == f"boundary, {design}"]
        axes.plot(line["information_fraction"], line["z"], linestyle=style, marker="s", color="black",
                  markerfacecolor="white" if design == "planned" else "black", label=label)
    for assessment, colour in _COLOURS.items():
        # Different markers, so that the two nearly equal z of one assessment stay visible.
        for method, marker, face, label in (("wald_ci", "o", colour, "from printed HR and CI"),
                                            ("schoenfeld", "D", "white", "from HR and events")):
            point = points[points["series"] == f"observed, {assessment}, {method}"]
            axes.plot(point["information_fraction"], point["z"], linestyle="none", marker=marker, markersize=7,
                      markeredgecolor=colour, markerfacecolor=face, label=f"{assessment} z, {label}")
    axes.set_xlim(0.4, 1.05)
    axes.set_ylim(0.0, math.ceil(points["z"].max()) + 1.0)
    axes.set_xlabel("Information fraction (events / 528)")
    axes.set_ylabel("z (positive favours everolimus)")
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.legend(loc="center left", fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def loss_reading_label(reading: str, probability: float) -> str:
    """A reading of the printed loss rate in words: ``10% lost per year (absent progression)``."""
    return {
        "none": "no loss",
        "per_year": f"{probability:.0%} lost per year (absent progression)",
        "before_event": f"{probability:.0%} of patients lost before progression",
        "inflation": f"planned N inflated by 1/(1 − {probability:.2g}) for loss: {1 - probability:.0%} of it followed, none lost",
    }[reading]


# --------------------------------------------------------------------------
# Register figures
# --------------------------------------------------------------------------

_SOURCES = (DESIGN_SOURCE,)
_BOUNDARY_METHOD = "Lan-DeMets O'Brien-Fleming spending, one-sided alpha 0.025, numerical integration"


def boundary_figures(inputs: DesignInputs, boundaries: pd.DataFrame) -> list[Figure]:
    """Register figures of the information fractions and of :func:`boundary_table` (``design.interim.*``, ``design.boundary.*``)."""
    figures = [
        Figure("design.interim.info_fraction.planned", inputs.interim_fraction_planned, unit="proportion",
               method="printed 'approximately 60%' as a proportion", inputs=_SOURCES,
               description="Planned information fraction of the interim analysis"),
        Figure("design.interim.info_fraction.actual", inputs.interim_fraction_actual, unit="proportion",
               method="interim events / final events (359 / 528)", inputs=_SOURCES,
               description="Information fraction at which the interim analysis was done"),
        Figure("design.interim.events.planned", inputs.events_interim_planned, unit="events",
               method="planned fraction × final events (0.6 × 528), unrounded: an expected (target) number, not a count",
               inputs=_SOURCES, description="Expected number of events at the planned interim fraction (a non-integer target)"),
    ]
    for r in boundaries.itertuples():
        prefix = f"design.boundary.{r.design}"
        where = f"{r.look} look of the {r.design} design (fraction {r.information_fraction:.4f})"
        figures += [
            Figure(f"{prefix}.z_{r.look}", r.z, unit="z", method=_BOUNDARY_METHOD, inputs=_SOURCES,
                   description=f"Efficacy boundary z, {where}"),
            Figure(f"{prefix}.nominal_p_{r.look}", r.nominal_p, unit="p_value", method=_BOUNDARY_METHOD + "; 1 − Φ(z)",
                   inputs=_SOURCES, description=f"One-sided nominal p threshold, {where}"),
        ]
        if r.look == "interim":  # the final look spends all of alpha by definition
            figures.append(Figure(f"{prefix}.alpha_spent_{r.look}", r.cumulative_alpha, unit="proportion",
                                  method=_BOUNDARY_METHOD, inputs=_SOURCES,
                                  description=f"Cumulative one-sided alpha spent by the {where}"))
        figures.append(Figure(f"{prefix}.hr_{r.look}", r.hr_at_boundary, unit="hazard_ratio",
                              method="exp(−z / √(d p (1 − p))), p = 2/3 (Schoenfeld)", inputs=_SOURCES,
                              description=f"Hazard ratio at the boundary with {r.events:g} events, {where}"))
    return figures


# The z of the printed HR (Wald from its CI; Schoenfeld from the events) is
# registered once, by the PFS analysis, with the sign of log HR; this
# section refers to those ids (OBSERVED_REGISTERED_AS) instead of storing the
# same number again with the opposite sign.
OBSERVED_REGISTERED_AS = {"wald_ci": "pfs.{assessment}.interim.z", "schoenfeld": "pfs.{assessment}.interim.z_schoenfeld"}
# Register id suffix, method and source of the other routes to an observed z.
_OBSERVED_IDS = {
    "p_one_sided": ("z_from_p_one_sided", "Φ⁻¹(1 − P) of the printed P", (NEWS_SOURCE,)),
    "p_two_sided": ("z_from_p_two_sided", "Φ⁻¹(1 − P / 2) of the printed P", (NEWS_SOURCE,)),
}


def observed_figures(observed: pd.DataFrame, inputs: DesignInputs) -> list[Figure]:
    """Register figures of :func:`observed_z` (``design.observed.*``) and the central review's own boundary.

    The Wald and Schoenfeld z are not registered here: they are
    ``pfs.<assessment>.interim.z`` and ``.z_schoenfeld`` (negative: log HR over
    its SE), and the design table names those ids (:data:`OBSERVED_REGISTERED_AS`).
    """
    figures = []
    for r in observed.itertuples():
        if r.method in OBSERVED_REGISTERED_AS:
            continue
        suffix, method, sources = _OBSERVED_IDS[r.method]
        figures.append(Figure(f"design.observed.{r.assessment}.{suffix}", r.z, unit="z", method=method, inputs=sources,
                              description=f"z of the {r.assessment} interim PFS analysis from the {OBSERVED_METHODS[r.method]}"))
    central = observed[observed["assessment"] == "central"].iloc[0]
    figures += [
        Figure("design.observed.central.info_fraction", central["own_fraction"], unit="proportion",
               method="central-review events (everolimus + placebo, NEJM Table 3) / final events", inputs=_SOURCES,
               description="Information fraction of the central assessment if 528 events were its maximum"),
        Figure("design.boundary.central_own.z_interim", central["boundary_own_fraction"], unit="z",
               method="Lan-DeMets O'Brien-Fleming spending at the central assessment's own fraction, one-sided 0.025",
               inputs=_SOURCES, description=f"Interim boundary at the central assessment's own information fraction "
                                            f"({central['events']:g}/{inputs.events_final:g})"),
    ]
    return figures


_POWER_METHOD = "crossing probabilities by numerical integration, drift |log HR| √(d p (1 − p)), p = 2/3"
# Register id, method and description of each row of :func:`events_and_power`.
_EVENTS_POWER_IDS = {
    "events_fixed": ("design.events.required_fixed",
                     "Schoenfeld (1983): (z(1 − α) + z(power))² / (p (1 − p) (log HR)²), p = 2/3",
                     "Schoenfeld events for a single analysis, one-sided 0.025, 90% power, HR 0.74, 2:1"),
    "inflation_factor": ("design.events.inflation_factor",
                         "squared ratio of the group-sequential to the fixed-design drift for 90% power (numerical integration)",
                         "Inflation of the maximum information for the 2-look O'Brien-Fleming design at 0.6"),
    "events_group_sequential": ("design.events.required",
                                "Schoenfeld events × inflation factor of the 2-look O'Brien-Fleming design at 0.6",
                                "Final-analysis events for the 2-look O'Brien-Fleming design at 0.6, 90% power"),
    "events_interim_planned": ("design.events.required_interim", "0.6 × the recomputed group-sequential events",
                               "Interim events of the recomputed group-sequential design"),
    "power_planned": ("design.power.at_528", _POWER_METHOD,
                      "Power of the 2-look design with 528 events under HR 0.74, looks at 0.6 and 1"),
    "power_actual": ("design.power.at_528_actual_looks", _POWER_METHOD,
                     "Power of the 2-look design with 528 events under HR 0.74, looks at 359/528 and 1"),
    "stop_at_interim_planned": ("design.power.interim_stop.planned", _POWER_METHOD,
                                "Probability of crossing the interim boundary at 0.6 under HR 0.74 with 528 events"),
    "stop_at_interim_actual": ("design.power.interim_stop.actual", _POWER_METHOD,
                               "Probability of crossing the interim boundary at 359/528 under HR 0.74 with 528 events"),
}


def events_power_figures(events: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`events_and_power` (``design.events.*``, ``design.power.*``)."""
    figures = []
    for r in events.itertuples():
        register_id, method, description = _EVENTS_POWER_IDS[r.quantity]
        figures.append(Figure(register_id, r.recomputed, unit=r.unit, method=method, inputs=_SOURCES, description=description))
    return figures


# Method detail and description of each calendar time of :func:`follow_up`.
_FOLLOW_UP_IDS = {
    "calendar_months": ("months from the first patient to 528 expected events", "Calendar time of the final analysis"),
    "after_accrual_months": ("calendar time to 528 events minus 18 months of recruitment",
                             "Follow-up after the end of recruitment at the final analysis"),
    "interim_calendar_months": ("months from the first patient to 0.6 × 528 expected events",
                                "Calendar time of the planned interim analysis"),
    "events_359_calendar_months": ("months from the first patient to 359 expected events",
                                   "Calendar time at which 359 events are expected"),
}


_N_TEXT = {"none": "the 705 planned, not the 724 randomised", "per_year": "the 705 planned, not the 724 randomised",
           "before_event": "the 705 planned, not the 724 randomised",
           "inflation": "705 planned × (1 − 0.1); not the 724 randomised"}


def follow_up_figures(follow: pd.DataFrame, inputs: DesignInputs) -> list[Figure]:
    """Register figures of :func:`follow_up` (``design.follow_up.<reading>.*``, months)."""
    figures = []
    for r in follow.itertuples():
        reading = loss_reading_label(r.reading, inputs.loss_to_follow_up)
        for column, (method, description) in _FOLLOW_UP_IDS.items():
            figures.append(Figure(
                f"design.follow_up.{r.reading}.{column}", getattr(r, column), unit="months",
                method=f"Lachin-Foulkes expected events (uniform accrual, exponential PFS and loss): {method}",
                inputs=_SOURCES, description=f"{description}, planning assumptions with N = {r.patients_modelled:g} "
                                             f"({_N_TEXT[r.reading]}), loss read as: {reading}"))
    return figures
