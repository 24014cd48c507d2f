"""Absolute and relative PFS effects of BOLERO-2 from the published medians and hazard ratios.

What a guideline needs beside the hazard ratio is the absolute gain: how many
months the median progression-free survival moves. This module derives, for
each analysis the seeds print (interim and final data cut, local and central
assessment, and the review's subgroups):

- the gain and ratio of the medians (:func:`bolero_evidence.stats.survival.median_gain`);
- the hazard ratio the medians imply if both arms were exponential
  (:func:`bolero_evidence.stats.survival.hazard_ratio_from_medians`), beside
  the printed hazard ratio where one is printed;
- for a printed hazard ratio, the standard error, z and p its interval implies
  (:func:`bolero_evidence.stats.survival.hazard_ratio_summary`), and
  Schoenfeld's standard error from the printed event counts, for comparison;
- what cannot be derived from these aggregates, and why (no model-free
  interval for the gain in median PFS);
- model-based (exponential) intervals where the event counts are printed:
  for the gain in median PFS (generalised pivotal; the delta method as a
  check; from the printed median CIs where both are closed) and for the
  hazard ratio the medians imply
  (:mod:`bolero_evidence.stats.exponential`);
- GRADE absolute effects at 6 and 12 months per 1000 patients for each
  analysis with a printed hazard ratio, and for the time to deterioration of
  quality of life (:mod:`bolero_evidence.stats.absolute`).

Inputs: ``pfs`` (NEJM 2011 Table 3 for the interim cut; the 2014 review for
the final cut), ``pfs_subgroups`` (the review), ``design`` (allocation ratio).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..data.printed import parse_printed
from ..register import Figure
from ..stats.absolute import absolute_effect_time_to_event, control_risk_from_median
from ..stats.exponential import (
    hazard_ratio_from_medians_interval,
    median_difference_exponential,
    median_difference_from_printed_intervals,
)
from ..stats.survival import (
    NotDerivableError,
    hazard_ratio_from_medians,
    hazard_ratio_summary,
    median_gain,
    median_gain_interval,
    schoenfeld_standard_error,
    z_from_hazard_ratio_and_events,
)
from .common import attribute_cuts, pick, pick_row

__all__ = [
    "Analysis",
    "OVERALL_ANALYSES",
    "SUBGROUP_ORDER",
    "SUBGROUP_LABELS",
    "overall_effects",
    "hazard_ratio_precision",
    "subgroup_effects",
    "not_derivable",
    "median_gain_interval_message",
    "gain_interval_refusal",
    "overall_figures",
    "precision_figures",
    "subgroup_figures",
    "plot_effects",
    "model_based_intervals",
    "model_based_figures",
    "absolute_effects",
    "absolute_figures",
    "LANDMARK_MONTHS",
    "MODEL_LABEL",
]

MODEL_LABEL = "model-based (exponential)"
# Time points of the GRADE absolute effects: the control median is 2.8-4.1
# months and the everolimus median 6.9-10.6, so 6 and 12 months span them.
LANDMARK_MONTHS = (6, 12)

EXPERIMENTAL, CONTROL = "everolimus", "placebo"
# The NEJM prints P < 0.001 only; the news report of the EMCC 2011 presentation
# is the one seed that prints the (stratified log-rank) P value itself.
EXACT_P_SOURCE = "oncology_news_2011"


@dataclass(frozen=True)
class Analysis:
    """One overall PFS analysis as a seed prints it.

    Attributes
    ----------
    assessment : str
        ``local`` (investigators, the primary end point) or ``central``.
    data_cut : str
        ``interim`` (NEJM 2011, 359 local events) or ``final``.
    source_id : str
        The seed whose figures are used: the NEJM's Table 3 for the interim
        cut, the review (citing the final analysis) for the final cut.
    """

    assessment: str
    data_cut: str
    source_id: str

    @property
    def label(self) -> str:
        """Row label, e.g. ``Local, interim``."""
        return f"{self.assessment.capitalize()}, {self.data_cut}"


# Interim figures are read from the primary publication (its Table 3, abstract
# and text agree); the final cut is printed only in the review.
OVERALL_ANALYSES = (
    Analysis("local", "interim", "nejm_2011"),
    Analysis("central", "interim", "nejm_2011"),
    Analysis("local", "final", "mtor_review_2014"),
    Analysis("central", "final", "mtor_review_2014"),
)
SUBGROUP_ORDER = ("visceral", "non_visceral", "bone_only", "nsai_adjuvant_only")
SUBGROUP_LABELS = {
    "visceral": "Visceral disease",
    "non_visceral": "No visceral disease",
    "bone_only": "Bone-only disease",
    # Nonsteroidal aromatase inhibitor in the adjuvant setting only, no
    # treatment yet for advanced disease (the review's wording).
    "nsai_adjuvant_only": "NSAI adjuvant only",
}


def _optional(frame: pd.DataFrame, **where) -> float | None:
    """:func:`pick` that returns None where no such figure is printed."""
    try:
        return pick(frame, **where)
    except LookupError:
        return None


def _optional_row(frame: pd.DataFrame, **where) -> pd.Series | None:
    try:
        return pick_row(frame, **where)
    except LookupError:
        return None


def _median_effects(median_experimental: float | None, median_control: float | None) -> tuple[float, float, float]:
    """Gain, ratio and exponential HR of two medians; NaN for all three if a median is NR.

    An NR median is listed by :func:`not_derivable`; the other analyses are
    still shown.
    """
    try:
        gain = median_gain(median_experimental, median_control)
        exponential = hazard_ratio_from_medians(median_experimental, median_control)
    except NotDerivableError:
        return math.nan, math.nan, math.nan
    return gain.gain, gain.ratio, exponential.hazard_ratio


def _printed_hazard_ratio(pfs: pd.DataFrame, analysis: Analysis) -> tuple[float, float, float, int] | None:
    """Printed HR, CI limits and the decimals they are printed with; None if the seed prints none."""
    where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, arm="comparison", source_id=analysis.source_id)
    rows = [_optional_row(pfs, statistic=s, **where) for s in ("hr", "hr_ci_low", "hr_ci_high")]
    if any(r is None for r in rows):
        return None
    decimals = max(parse_printed(str(r["printed"])).decimals for r in rows)
    return float(rows[0]["value"]), float(rows[1]["value"]), float(rows[2]["value"]), decimals


def overall_effects(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Gain, ratio and exponential HR of the overall medians, beside the printed HR.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables (:func:`bolero_evidence.data.load_tables`).

    Returns
    -------
    DataFrame
        One row per :data:`OVERALL_ANALYSES` entry with columns
        ``assessment``, ``data_cut``, ``source_id``, ``label``,
        ``median_everolimus``, ``median_placebo``, ``median_gain``,
        ``median_ratio``, ``hr_exponential``, ``hr_printed``,
        ``hr_ci_low``, ``hr_ci_high`` (NaN where none is printed),
        ``exponential_within_ci`` (whether the exponential HR lies inside the
        printed 95% CI; None without one), ``exponential_minus_printed``
        (on the log scale, ``log hr_exponential - log hr_printed``),
        ``printed_gain`` (a gain the source itself prints, NaN if none),
        ``printed_gain_reproduced`` (whether the recomputed gain equals it
        within the printed rounding; None without one).
    """
    pfs = attribute_cuts(tables["pfs"])
    rows = []
    for analysis in OVERALL_ANALYSES:
        where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
        med_e = pick(pfs, arm=EXPERIMENTAL, statistic="median", **where)
        med_c = pick(pfs, arm=CONTROL, statistic="median", **where)
        gain, ratio, hr_exponential = _median_effects(med_e, med_c)
        printed = _printed_hazard_ratio(pfs, analysis)
        hr, low, high = (printed[:3] if printed else (math.nan,) * 3)
        gain_row = _optional_row(pfs, arm="comparison", statistic="median_gain", **where)
        if gain_row is not None:
            printed_gain = float(gain_row["value"])
            # The printed gain is rounded to its last printed place, so the
            # recomputed gain must lie within half a unit of it, no closer.
            tolerance = parse_printed(str(gain_row["printed"])).resolution
            reproduced = abs(gain - printed_gain) <= tolerance * (1 + 1e-9)
        else:
            printed_gain, reproduced = math.nan, None
        inferred = bool(pick_row(pfs, arm=EXPERIMENTAL, statistic="median", **where)["cut_inferred"])
        rows.append({
            "assessment": analysis.assessment, "data_cut": analysis.data_cut, "source_id": analysis.source_id,
            "label": analysis.label + (" (cut inferred)" if inferred else ""), "cut_inferred": inferred,
            "median_everolimus": med_e, "median_placebo": med_c,
            "median_gain": gain, "median_ratio": ratio, "hr_exponential": hr_exponential,
            "hr_printed": hr, "hr_ci_low": low, "hr_ci_high": high,
            "exponential_within_ci": (low <= hr_exponential <= high) if printed and not math.isnan(hr_exponential) else None,
            # NaN propagates from an NR median (hr_exponential NaN).
            "exponential_minus_printed": math.log(hr_exponential) - math.log(hr) if printed else math.nan,
            "printed_gain": printed_gain, "printed_gain_reproduced": reproduced,
        })
    return pd.DataFrame(rows)


def hazard_ratio_precision(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What each printed hazard ratio's interval implies, beside Schoenfeld's SE from the events.

    Only analyses with a printed HR and 95% CI appear (the interim cut:
    NEJM Table 3).

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        One row per analysis with columns ``assessment``, ``data_cut``,
        ``source_id``, ``label``, ``hr``, ``ci_low``, ``ci_high``,
        ``log_hr``, ``se_from_ci``, ``se_from_ci_min``, ``se_from_ci_max``
        (the range rounding of the printed limits allows),
        ``symmetric_within_rounding``, ``z_from_ci``, ``p_two_sided_from_ci``,
        ``events_everolimus``, ``events_placebo``, ``events_total``,
        ``allocation_ratio``, ``se_schoenfeld``, ``z_schoenfeld``,
        ``se_ratio`` (``se_from_ci / se_schoenfeld``), ``p_printed``
        (as the source prints it) and ``p_reported_exact`` (the P value the
        news report prints for the same analysis, NaN if none).

    Notes
    -----
    The interval-implied SE assumes a Wald interval on the log scale; the
    Schoenfeld SE assumes proportional hazards, an effect near HR 1 and the
    planned 2:1 split of patients at risk throughout. Agreement of the two is
    a plausibility check of the printed interval, not a test of either. The
    reported P comes from a stratified log-rank test, not from the interval,
    and is not expected to equal the Wald P the interval implies.
    """
    pfs, design = attribute_cuts(tables["pfs"]), tables["design"]
    allocation = pick(design, parameter="allocation_ratio", arm="all", source_id="nejm_2011")
    rows = []
    for analysis in OVERALL_ANALYSES:
        printed = _printed_hazard_ratio(pfs, analysis)
        if printed is None:
            continue
        hr, low, high, decimals = printed
        summary = hazard_ratio_summary(hr, low, high, confidence=0.95, decimals=decimals)
        where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
        events_e = pick(pfs, arm=EXPERIMENTAL, statistic="events_n", **where)
        events_c = pick(pfs, arm=CONTROL, statistic="events_n", **where)
        se_s = schoenfeld_standard_error(events_e + events_c, allocation)
        p_row = pick_row(pfs, arm="comparison", statistic="p_value", **where)
        rows.append({
            "assessment": analysis.assessment, "data_cut": analysis.data_cut, "source_id": analysis.source_id,
            "label": analysis.label, "hr": hr, "ci_low": low, "ci_high": high, "log_hr": summary.log_hazard_ratio,
            "se_from_ci": summary.standard_error, "se_from_ci_min": summary.standard_error_range[0],
            "se_from_ci_max": summary.standard_error_range[1],
            "symmetric_within_rounding": summary.symmetric_within_rounding,
            "z_from_ci": summary.z, "p_two_sided_from_ci": summary.p_two_sided,
            "events_everolimus": events_e, "events_placebo": events_c, "events_total": events_e + events_c,
            "allocation_ratio": allocation, "se_schoenfeld": se_s,
            "z_schoenfeld": z_from_hazard_ratio_and_events(hr, events_e + events_c, allocation),
            "se_ratio": summary.standard_error / se_s, "p_printed": str(p_row["printed"]),
            "p_reported_exact": _optional(pfs, data_cut=analysis.data_cut, assessment=analysis.assessment,
                                          arm="comparison", statistic="p_value", source_id=EXACT_P_SOURCE) or math.nan,
        })
    return pd.DataFrame(rows)


def subgroup_effects(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Gain, ratio and exponential HR of the review's subgroup medians.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        One row per subgroup (:data:`SUBGROUP_ORDER`) with columns
        ``subgroup``, ``label``, ``data_cut``, ``assessment``, ``source_id``,
        ``median_everolimus``, ``median_placebo``, ``median_gain``,
        ``median_ratio``, ``hr_exponential``. No printed HR: the seeds print
        none for these subgroups.
    """
    frame = attribute_cuts(tables["pfs_subgroups"])
    rows = []
    for subgroup in SUBGROUP_ORDER:
        here = frame[frame["subgroup"] == subgroup]
        # Every subgroup figure comes from one place in one seed; take its cut
        # and assessment from the rows rather than assuming them.
        keys = here[["data_cut", "assessment", "source_id"]].drop_duplicates()
        if len(keys) != 1:
            raise ValueError(f"subgroup {subgroup!r} is printed for several analyses: {keys.to_dict('records')}")
        cut, assessment, source = keys.iloc[0]
        where = dict(subgroup=subgroup, data_cut=cut, assessment=assessment, source_id=source, statistic="median")
        med_e = pick(frame, arm=EXPERIMENTAL, **where)
        med_c = pick(frame, arm=CONTROL, **where)
        gain, ratio, hr_exponential = _median_effects(med_e, med_c)
        inferred = bool(pick_row(frame, arm=EXPERIMENTAL, **where)["cut_inferred"])
        rows.append({
            "subgroup": subgroup, "label": SUBGROUP_LABELS[subgroup], "data_cut": cut, "assessment": assessment,
            "cut_inferred": inferred,
            "source_id": source, "median_everolimus": med_e, "median_placebo": med_c, "median_gain": gain,
            "median_ratio": ratio, "hr_exponential": hr_exponential,
        })
    return pd.DataFrame(rows)


def median_gain_interval_message() -> str:
    """The reason :func:`bolero_evidence.stats.survival.median_gain_interval` gives for refusing."""
    try:
        median_gain_interval(1.0, 1.0)
    except NotDerivableError as refusal:
        return str(refusal)
    raise AssertionError("median_gain_interval returned instead of refusing")  # pragma: no cover


def gain_interval_refusal(tables: dict[str, pd.DataFrame], analysis: Analysis = OVERALL_ANALYSES[0]) -> NotDerivableError:
    """Ask for an interval of the gain in median PFS from the printed medians and their 95% CIs; return the refusal.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.
    analysis : Analysis, optional
        Default: local assessment, interim analysis (NEJM Table 3).

    Returns
    -------
    NotDerivableError
        What :func:`bolero_evidence.stats.survival.median_gain_interval`
        raises for these printed figures.
    """
    where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
    arms = {arm: [pick(tables["pfs"], arm=arm, statistic=s, **where) for s in ("median", "median_ci_low", "median_ci_high")]
            for arm in (EXPERIMENTAL, CONTROL)}
    try:
        median_gain_interval(arms[EXPERIMENTAL][0], arms[CONTROL][0], tuple(arms[EXPERIMENTAL][1:]), tuple(arms[CONTROL][1:]))
    except NotDerivableError as refusal:
        return refusal
    raise AssertionError("median_gain_interval returned instead of refusing")  # pragma: no cover


_GAIN_METHOD = ("difference of printed medians (everolimus − placebo); no model-free interval derivable "
                "(model-based intervals: the model-based gains of this section)")
_RATIO_METHOD = "ratio of printed medians (everolimus / placebo)"
_EXPONENTIAL_METHOD = "median placebo / median everolimus (exponential PFS in both arms assumed)"


def _median_figures(stem: str, who: str, row) -> list[Figure]:
    return [
        Figure(f"{stem}.median_gain", row["median_gain"], unit="months", method=_GAIN_METHOD, inputs=row["source_id"],
               description=f"Gain in median PFS, {who}"),
        Figure(f"{stem}.median_ratio", row["median_ratio"], unit="ratio", method=_RATIO_METHOD, inputs=row["source_id"],
               description=f"Ratio of median PFS, {who}"),
        Figure(f"{stem}.hr_exponential", row["hr_exponential"], unit="hazard_ratio", method=_EXPONENTIAL_METHOD,
               inputs=row["source_id"], description=f"Hazard ratio implied by the medians under an exponential model, {who}"),
    ]


def overall_figures(overall: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`overall_effects`: gain, ratio and exponential HR per analysis (``pfs.<assessment>.<cut>.*``)."""
    figures = []
    for _, row in overall.iterrows():
        who = f"{row['assessment']} assessment, {row['data_cut']} analysis"
        figures += _median_figures(f"pfs.{row['assessment']}.{row['data_cut']}", who, row)
    return figures


def subgroup_figures(subgroups: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`subgroup_effects` (``pfs.<assessment>.<cut>.subgroup.<subgroup>.*``)."""
    figures = []
    for _, row in subgroups.iterrows():
        who = f"subgroup {row['label']} ({row['assessment']} assessment, {row['data_cut']} analysis)"
        figures += _median_figures(f"pfs.{row['assessment']}.{row['data_cut']}.subgroup.{row['subgroup']}", who, row)
    return figures


def precision_figures(precision: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`hazard_ratio_precision`: SE, z and P from the printed CI; Schoenfeld SE and z."""
    figures = []
    for _, row in precision.iterrows():
        stem = f"pfs.{row['assessment']}.{row['data_cut']}"
        who = f"{row['assessment']} assessment, {row['data_cut']} analysis"
        source = row["source_id"]
        figures += [
            Figure(f"{stem}.log_hr_se", row["se_from_ci"], unit="log_hazard_ratio",
                   method="(log upper − log lower) / (2 × 1.959964) from the printed 95% CI (Wald, log scale)", inputs=source,
                   description=f"Standard error of the log hazard ratio implied by the printed 95% CI, {who}"),
            Figure(f"{stem}.z", row["z_from_ci"], unit="z", method="log HR / SE from the printed 95% CI", inputs=source,
                   description=f"Wald z statistic implied by the printed HR and 95% CI, {who}"),
            Figure(f"{stem}.p_value", row["p_two_sided_from_ci"], unit="p_value", significant=1,
                   method="two-sided Wald P from the z implied by the printed 95% CI; one significant digit (the CI is "
                          "printed to two decimals, which moves the P by a factor of several)", inputs=source,
                   description=f"Two-sided Wald P implied by the printed HR and 95% CI, {who}"),
            Figure(f"{stem}.log_hr_se_schoenfeld", row["se_schoenfeld"], unit="log_hazard_ratio",
                   method="Schoenfeld: 1 / √(d p (1 − p)), d = printed events of both arms, p = 2/3 (2:1 allocation)",
                   inputs=source, description=f"Standard error of the log hazard ratio from the event count (Schoenfeld), {who}"),
            Figure(f"{stem}.z_schoenfeld", row["z_schoenfeld"], unit="z", method="log of the printed HR / Schoenfeld SE",
                   inputs=source, description=f"z statistic from the printed HR and the Schoenfeld SE, {who}"),
        ]
    return figures


_NOT_REACHED_WHAT = {
    "median": "median",
    "median_ci_low": "95% CI of the median (lower limit NR)",
    "median_ci_high": "95% CI of the median (upper limit NR)",
}
_NOT_REACHED_LIMIT = ("printed as NR (not reached): the Kaplan-Meier curve did not cross that level, so the limit "
                      "is only bounded. The point median is still usable for the gain and the exponential HR, "
                      "but nothing that needs this limit (such as a standard error of the median read off its "
                      "interval) can be derived.")
_NOT_REACHED_MEDIAN = ("printed as NR: the median is only bounded below, so neither a gain nor an "
                       "exponential-model HR can be computed for this analysis.")


def not_derivable(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the printed PFS aggregates cannot give, where, and why.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        Columns ``quantity``, ``applies_to``, ``reason``; the rows are found
        from the data (which analyses lack a printed HR, event counts, or have
        a median or limit printed as NR), not listed by hand.
    """
    pfs, subgroups = attribute_cuts(tables["pfs"]), attribute_cuts(tables["pfs_subgroups"])
    subgroup_names = ", ".join(SUBGROUP_LABELS[s] for s in SUBGROUP_ORDER)
    rows = [{
        "quantity": "95% CI for the gain in median PFS (difference of medians)",
        "applies_to": "every analysis and subgroup",
        "reason": median_gain_interval_message(),
    }]
    # The subgroup table holds medians only (its schema allows no other
    # statistic), so the subgroups never have a printed HR or event count.
    without_hr = [a.label for a in OVERALL_ANALYSES if _printed_hazard_ratio(pfs, a) is None]
    rows.append({
        "quantity": "Hazard ratio with its 95% CI; the log-HR SE, z and P it implies",
        "applies_to": "; ".join(without_hr + [f"subgroups ({subgroup_names})"]),
        "reason": "no hazard ratio or interval is printed in the sources for these analyses (the review prints "
                  "medians only; the NEJM's subgroup forest plot, Fig. 2, is interim and its numbers are not "
                  "in the source's text). The exponential-model HR from the medians is shown instead: an "
                  "assumption, not an estimate of the trial's Cox or log-rank HR.",
    })
    without_events = [a.label for a in OVERALL_ANALYSES
                      if _optional(pfs, data_cut=a.data_cut, assessment=a.assessment, source_id=a.source_id,
                                   arm=EXPERIMENTAL, statistic="events_n") is None]
    rows.append({
        "quantity": "Schoenfeld SE of the log HR; any interval for the exponential-model HR",
        "applies_to": "; ".join(without_events + ["all subgroups"]),
        "reason": "both need the number of events (per arm for the exponential interval), which the sources do "
                  "not print for these analyses; the subgroups' sizes are not printed either.",
    })
    open_rows = pd.concat([
        pfs[(pfs["qualifier"] == "not_reached") & pfs["statistic"].isin(list(_NOT_REACHED_WHAT))],
        subgroups[subgroups["qualifier"] == "not_reached"].assign(arm=lambda f: f["subgroup"] + ", " + f["arm"]),
    ])
    # The source as a reader cites it (short_name), where the notebook read the sources table.
    names = dict(zip(tables["sources"]["source_id"], tables["sources"]["short_name"])) if "sources" in tables else {}
    for _, row in open_rows.drop_duplicates(["data_cut", "assessment", "arm", "statistic", "source_id"]).iterrows():
        rows.append({
            "quantity": f"{row['arm'].capitalize()} {_NOT_REACHED_WHAT[row['statistic']]}",
            "applies_to": f"{row['assessment'].capitalize()}, {row['data_cut']} ({names.get(row['source_id'], row['source_id'])})",
            "reason": _NOT_REACHED_MEDIAN if row["statistic"] == "median" else _NOT_REACHED_LIMIT,
        })
    return pd.DataFrame(rows, columns=["quantity", "applies_to", "reason"])


def plot_effects(overall: pd.DataFrame, subgroups: pd.DataFrame):
    """Absolute (median gain) and relative (HR) effects side by side, one row per analysis.

    Parameters
    ----------
    overall : DataFrame
        :func:`overall_effects`.
    subgroups : DataFrame
        :func:`subgroup_effects`.

    Returns
    -------
    matplotlib.figure.Figure
        Left panel: gain in median PFS (months). Right panel: hazard ratio on
        a log scale, the printed HR with its 95% CI where one is printed
        (filled square and line) and the HR implied by the medians under an
        exponential model (open circle).
    """
    import matplotlib.pyplot as plt

    labels = list(overall["label"]) + [f"Subgroup: {label}" for label in subgroups["label"]]
    gains = list(overall["median_gain"]) + list(subgroups["median_gain"])
    exponential = list(overall["hr_exponential"]) + list(subgroups["hr_exponential"])
    printed = list(overall["hr_printed"]) + [math.nan] * len(subgroups)
    lows = list(overall["hr_ci_low"]) + [math.nan] * len(subgroups)
    highs = list(overall["hr_ci_high"]) + [math.nan] * len(subgroups)
    positions = list(range(len(labels)))[::-1]

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 4.6), dpi=100, sharey=True,
                                         gridspec_kw={"width_ratios": [1, 1]})
    left.barh(positions, gains, color="#4C72B0", height=0.55)
    left.set_yticks(positions, labels)
    left.set_xlabel("Gain in median PFS (months, everolimus − placebo)")
    left.axvline(0, color="black", linewidth=0.8)
    left.set_xlim(0, max(g for g in gains if not math.isnan(g)) * 1.15)

    for y, hr, low, high, exp_hr in zip(positions, printed, lows, highs, exponential):
        if not math.isnan(hr):
            right.plot([low, high], [y, y], color="black", linewidth=1.5)
            right.plot(hr, y, marker="s", color="black", markersize=6, linestyle="none")
        # Hollow and on top, so that a printed HR at the same place stays visible.
        right.plot(exp_hr, y, marker="o", markerfacecolor="none", markeredgecolor="#C44E52", markersize=8,
                   markeredgewidth=1.5, linestyle="none", zorder=3)
    right.set_xscale("log")
    right.set_xlim(0.2, 1.2)
    ticks = [0.25, 0.35, 0.5, 0.7, 1.0]
    right.set_xticks(ticks, [f"{t:g}" for t in ticks])
    right.minorticks_off()
    right.axvline(1.0, color="grey", linewidth=0.8, linestyle="--")
    right.set_xlabel("Hazard ratio (log scale)")
    right.plot([], [], marker="s", color="black", linestyle="-", label="printed HR, 95% CI")
    right.plot([], [], marker="o", markerfacecolor="none", markeredgecolor="#C44E52", markeredgewidth=1.5,
               linestyle="none", label="exponential HR from medians")
    figure.legend(*right.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=9, frameon=False)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def _events(pfs: pd.DataFrame, analysis: Analysis) -> tuple[float, float] | None:
    where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
    events = [_optional(pfs, arm=arm, statistic="events_n", **where) for arm in (EXPERIMENTAL, CONTROL)]
    return None if None in events else (events[0], events[1])


def model_based_intervals(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Model-based (exponential) intervals for the gain in median PFS and the HR the medians imply.

    Only analyses whose event counts are printed (the interim cut, NEJM
    Table 3) have them; the published aggregates still give no model-free
    interval (:func:`not_derivable`).

    Returns
    -------
    DataFrame
        One row per analysis with events: ``assessment``, ``data_cut``,
        ``source_id``, ``label``, ``events_everolimus``, ``events_placebo``,
        ``median_gain``, ``pivotal_low``, ``pivotal_high`` (generalised
        pivotal interval), ``delta_low``, ``delta_high`` (delta method, the
        check), ``printed_ci_low``, ``printed_ci_high`` (from the printed
        median CIs; NaN where a limit is NR), ``printed_ci_refusal`` (the
        reason, else empty), ``hr_exponential``, ``hr_exponential_low``,
        ``hr_exponential_high`` (Wald, from the event counts), ``hr_printed``,
        ``hr_printed_low``, ``hr_printed_high``.
    """
    pfs = attribute_cuts(tables["pfs"])
    rows = []
    for analysis in OVERALL_ANALYSES:
        events = _events(pfs, analysis)
        if events is None:
            continue
        where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
        arms = {arm: [pick(pfs, arm=arm, statistic=s, **where) for s in ("median", "median_ci_low", "median_ci_high")]
                for arm in (EXPERIMENTAL, CONTROL)}
        (m_e, *ci_e), (m_c, *ci_c) = arms[EXPERIMENTAL], arms[CONTROL]
        d_e, d_c = int(events[0]), int(events[1])
        pivotal = median_difference_exponential(m_e, d_e, m_c, d_c, method="pivotal")
        delta = median_difference_exponential(m_e, d_e, m_c, d_c, method="delta")
        try:
            printed = median_difference_from_printed_intervals(m_e, tuple(ci_e), m_c, tuple(ci_c))
            printed_low, printed_high, refusal = printed.low, printed.high, ""
        except NotDerivableError as error:
            printed_low, printed_high, refusal = math.nan, math.nan, str(error)
        hr = hazard_ratio_from_medians_interval(m_e, d_e, m_c, d_c, method="wald")
        hr_printed = _printed_hazard_ratio(pfs, analysis)
        rows.append({
            "assessment": analysis.assessment, "data_cut": analysis.data_cut, "source_id": analysis.source_id,
            "label": analysis.label, "events_everolimus": d_e, "events_placebo": d_c, "median_gain": pivotal.difference,
            "pivotal_low": pivotal.low, "pivotal_high": pivotal.high, "delta_low": delta.low, "delta_high": delta.high,
            "printed_ci_low": printed_low, "printed_ci_high": printed_high, "printed_ci_refusal": refusal,
            "hr_exponential": hr.hazard_ratio, "hr_exponential_low": hr.low, "hr_exponential_high": hr.high,
            "hr_printed": hr_printed[0] if hr_printed else math.nan,
            "hr_printed_low": hr_printed[1] if hr_printed else math.nan,
            "hr_printed_high": hr_printed[2] if hr_printed else math.nan,
        })
    return pd.DataFrame(rows)


def model_based_figures(model: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`model_based_intervals`.

    Ids ``pfs.<assessment>.<cut>.median_gain_model``, ``.median_gain_model_delta``,
    ``.median_gain_printed_ci`` (where derivable) and ``.hr_exponential_interval``.
    """
    figures = []
    for r in model.itertuples():
        stem = f"pfs.{r.assessment}.{r.data_cut}"
        who = f"{r.assessment} assessment, {r.data_cut} analysis ({r.events_everolimus} and {r.events_placebo} events)"
        figures += [
            Figure(f"{stem}.median_gain_model", r.median_gain, ci_low=r.pivotal_low, ci_high=r.pivotal_high, unit="months",
                   method=f"{MODEL_LABEL}: generalised pivotal 95% CI from the printed medians and event counts "
                          "(Weerahandi 1993); the published aggregates give no model-free interval",
                   inputs=r.source_id, description=f"Gain in median PFS with a model-based interval, {who}"),
            Figure(f"{stem}.median_gain_model_delta", r.median_gain, ci_low=r.delta_low, ci_high=r.delta_high, unit="months",
                   method=f"{MODEL_LABEL}: delta-method 95% CI, Var(median) = median² / events (check of the pivotal interval)",
                   inputs=r.source_id, description=f"Gain in median PFS, delta-method interval (check), {who}"),
        ]
        if not math.isnan(r.printed_ci_low):
            figures.append(Figure(
                f"{stem}.median_gain_printed_ci", r.median_gain, ci_low=r.printed_ci_low, ci_high=r.printed_ci_high,
                unit="months", method="model-based (log-normal medians): standard errors backed out of the printed median "
                                      "95% CIs, delta method", inputs=r.source_id,
                description=f"Gain in median PFS, interval from the printed median CIs (approximation), {who}"))
        figures.append(Figure(
            f"{stem}.hr_exponential_interval", r.hr_exponential, ci_low=r.hr_exponential_low, ci_high=r.hr_exponential_high,
            unit="hazard_ratio", method=f"{MODEL_LABEL}: median placebo / median everolimus; Wald 95% CI on the log scale, "
                                        "SE = √(1/d + 1/d′), d and d′ the events of the two arms",
            inputs=r.source_id, description=f"Hazard ratio implied by the medians with its interval from the event counts "
                                            f"(printed Cox HR {r.hr_printed:.2f}, {r.hr_printed_low:.2f} to "
                                            f"{r.hr_printed_high:.2f}), {who}"))
    return figures


def absolute_effects(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """GRADE absolute effects at :data:`LANDMARK_MONTHS`, per 1000 patients, for PFS and quality of life.

    The control probability of the event by each time point comes from the
    control median under an exponential model (no Kaplan-Meier landmark is
    printed), and the intervention's from it and the hazard ratio (GRADE
    guidance 27, Skoetz et al. 2020). PFS: every analysis with a printed
    HR and 95% CI. Quality of life: time to definitive deterioration
    (5% threshold, the review), whose HR 0.74 is printed without an
    interval, so its absolute effect has none either.

    Returns
    -------
    DataFrame
        One row per outcome, analysis and time point: ``outcome`` (``pfs``,
        ``qol``), ``endpoint``, ``assessment``, ``data_cut``, ``cut_inferred``,
        ``source_id``, ``label``, ``months``, ``control_median``,
        ``hazard_ratio``, ``hazard_ratio_low``, ``hazard_ratio_high`` (NaN
        without a printed interval), ``control_per_1000``,
        ``intervention_per_1000``, ``intervention_low``, ``intervention_high``,
        ``difference_per_1000``, ``difference_low``, ``difference_high`` (NaN
        without an interval), ``effect`` (the
        :class:`~bolero_evidence.stats.absolute.AbsoluteEffect`).
    """
    pfs = attribute_cuts(tables["pfs"])
    items = []
    for analysis in OVERALL_ANALYSES:
        printed = _printed_hazard_ratio(pfs, analysis)
        if printed is None:
            continue
        where = dict(data_cut=analysis.data_cut, assessment=analysis.assessment, source_id=analysis.source_id)
        items.append(("pfs", "pfs", analysis.assessment, analysis.data_cut, False, analysis.source_id,
                      f"PFS, {analysis.label}", pick(pfs, arm=CONTROL, statistic="median", **where), printed[:3]))
    qol = attribute_cuts(tables["quality_of_life"])
    primary = qol[(qol["trial"] == "bolero2") & (qol["endpoint"] == "ttd_qol_5pct") & (qol["analysis"] == "primary")]
    if not primary.empty:
        row = pick_row(primary, arm="comparison", statistic="hr")
        ci = [_optional(primary, arm="comparison", statistic=s) for s in ("hr_ci_low", "hr_ci_high")]
        hr = float(row["value"])
        items.append(("qol", "ttd_qol_5pct", "unstated", row["data_cut"], bool(row["cut_inferred"]), row["source_id"],
                      "Time to definitive deterioration of quality of life (5%)",
                      pick(primary, arm="control", statistic="median"),
                      (hr, *(ci if None not in ci else (math.nan, math.nan)))))
    rows = []
    for outcome, endpoint, assessment, cut, inferred, source, label, median, (hr, low, high) in items:
        has_interval = not (math.isnan(low) or math.isnan(high))
        for months in LANDMARK_MONTHS:
            effect = absolute_effect_time_to_event(
                control_risk_from_median(median, months), hr, low if has_interval else hr, high if has_interval else hr,
                time=months, control_source="exponential model from the median")
            intervention, i_low, i_high = effect.intervention_per
            difference, d_low, d_high = effect.difference_per
            if not has_interval:
                i_low = i_high = d_low = d_high = math.nan
            rows.append({"outcome": outcome, "endpoint": endpoint, "assessment": assessment, "data_cut": cut,
                         "cut_inferred": inferred, "source_id": source, "label": label, "months": months,
                         "control_median": median, "hazard_ratio": hr, "hazard_ratio_low": low, "hazard_ratio_high": high,
                         "control_per_1000": effect.control_per, "intervention_per_1000": intervention,
                         "intervention_low": i_low, "intervention_high": i_high, "difference_per_1000": difference,
                         "difference_low": d_low, "difference_high": d_high, "effect": effect})
    return pd.DataFrame(rows)


def absolute_figures(absolute: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`absolute_effects`.

    Ids ``pfs.<assessment>.<cut>.absolute_<t>m.{control, everolimus, difference}``
    and ``qol.<endpoint>.<cut>.absolute_<t>m.*`` (patients per 1000).
    """
    figures = []
    for r in absolute.itertuples():
        stem = (f"pfs.{r.assessment}.{r.data_cut}.absolute_{r.months}m" if r.outcome == "pfs"
                else f"qol.{r.endpoint}.{r.data_cut}.absolute_{r.months}m")
        event = "progression or death" if r.outcome == "pfs" else "definitive deterioration"
        interval = (f"HR {r.hazard_ratio:.2f} ({r.hazard_ratio_low:.2f} to {r.hazard_ratio_high:.2f})"
                    if not math.isnan(r.hazard_ratio_low)
                    else f"HR {r.hazard_ratio:.2f}, printed without an interval, so no interval")
        method = (f"{MODEL_LABEL}: GRADE guidance 27, risk with everolimus = 1 − (1 − control risk)^HR, "
                  f"control risk = 1 − 2^(−{r.months}/{r.control_median:g}) from the control median; {interval}")
        who = f"{r.label}, by {r.months} months, per 1000 patients" + (" (cut inferred)" if r.cut_inferred else "")
        figures += [
            Figure(f"{stem}.control", r.control_per_1000, unit="patients", method=method, inputs=r.source_id,
                   description=f"Patients with {event} in the control arm, {who}"),
            Figure(f"{stem}.everolimus", r.intervention_per_1000, ci_low=_nan_none(r.intervention_low),
                   ci_high=_nan_none(r.intervention_high), unit="patients", method=method, inputs=r.source_id,
                   description=f"Patients with {event} with everolimus, {who}"),
            Figure(f"{stem}.difference", r.difference_per_1000, ci_low=_nan_none(r.difference_low),
                   ci_high=_nan_none(r.difference_high), unit="patients", method=method, inputs=r.source_id,
                   description=f"Difference (everolimus − control) in patients with {event}, {who}"),
        ]
    return figures


def _nan_none(value: float) -> float | None:
    return None if math.isnan(value) else value
