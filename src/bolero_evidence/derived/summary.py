"""What the summary-of-findings table (notebook 07) reads: register entries by id and printed figures.

In the style of a GRADE summary of findings: one row per outcome with the
figure in each arm, the absolute and the relative effect with their
intervals, and where each comes from. Derived figures are read from
the register (the saved notebooks' published entries) by id (never recomputed or typed here); printed
figures from the data tables. The table itself is written by
:mod:`bolero_evidence.presentation.summary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..grade.certainty import ImprecisionInput, optimal_information_size_binary, optimal_information_size_events
from ..paths import Project, find_project
from ..register import collect_register
from .common import pick, pick_row

__all__ = ["load_register", "RegisterLookup", "printed", "printed_hazard_ratio", "SofOutcome", "summary_of_findings_outcomes",
           "SOF_OUTCOMES"]


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


# The outcomes of the summary of findings, in GRADEpro's order (benefits, then harms); ids match the certainty judgements file.
SOF_OUTCOMES = ("pfs_local", "pfs_central", "overall_survival", "quality_of_life", "objective_response",
                "discontinuation_adverse_events", "serious_adverse_events", "deaths_adverse_events",
                "stomatitis_grade_3_4", "pneumonitis_grade_3_4", "hyperglycaemia_grade_3_4", "anaemia_grade_3_4")
# GRADE's default relative change for the optimal information size of a dichotomous outcome (GRADE guidelines 6).
OIS_RELATIVE_CHANGE = 0.25
ABSOLUTE_TIME_POINT_MONTHS = 6  # the time point at which the time-to-event absolute effects are shown


@dataclass(frozen=True)
class SofOutcome:
    """The numbers of one summary-of-findings row; text is written by :mod:`bolero_evidence.presentation.summary`.

    Risks are per 1000 patients. ``relative_printed`` is a ratio as the
    source prints it (never a model estimate); ``relative`` a recomputed
    ratio with its interval, used only where no ratio is printed.
    """

    outcome: str
    label: str
    cut: str
    participants: int
    participants_note: str
    kind: str  # "time_to_event" or "binary"
    relative_printed: tuple[str, str | None, str | None] | None
    relative: tuple[float, float | None, float | None] | None
    relative_name: str
    relative_note: str
    control_per_1000: float | None
    control_text: str | None  # a printed control risk that is not a single number ("<1%")
    difference_per_1000: tuple[float, float | None, float | None]
    time_point_months: int | None
    imprecision: ImprecisionInput
    comment: str
    sources: str
    register_ids: tuple[str, ...] = field(default=())


def _per_1000(r: RegisterLookup, entry_id: str, scale: float) -> tuple[float, float | None, float | None]:
    value, low, high = r.figure(entry_id)
    return value * scale, None if low is None else low * scale, None if high is None else high * scale


def _citable_ratio(r: RegisterLookup, entry_id: str) -> bool:
    return entry_id in set(r.frame["id"]) and "not to be cited" not in str(r(entry_id)["method"])


def _design(design: pd.DataFrame, parameter: str, arm: str = "all") -> float:
    return pick(design[design["source_id"] == "nejm_2011"], parameter=parameter, arm=arm)


def summary_of_findings_outcomes(tables: dict[str, pd.DataFrame], register: pd.DataFrame) -> list[SofOutcome]:
    """The rows of the summary of findings as numbers: printed figures from the data, derived ones from the register.

    The most mature cut that reports an outcome leads its row; where that cut
    prints no ratio, the row says so and names the cut of every figure
    (interim and final are never mixed silently). Time-to-event absolute
    effects are the register's GRADE figures (Skoetz 2020) at 6 months.

    Parameters
    ----------
    tables : dict of str to DataFrame
        ``pfs``, ``exposure``, ``adverse_events``, ``quality_of_life``, ``design``.
    register : DataFrame
        :func:`load_register`.
    """
    r = RegisterLookup(register)
    pfs, exposure, ae, qol, design = (tables[t] for t in ("pfs", "exposure", "adverse_events", "quality_of_life", "design"))
    randomised = int(_design(design, "patients_randomised"))
    safety_population = int(_design(design, "safety_population", "everolimus") + _design(design, "safety_population", "placebo"))
    control_safety = _design(design, "safety_population", "placebo")
    # The OIS of a time-to-event outcome: the events a 1:1 trial needs to detect the hazard ratio BOLERO-2 was designed to detect.
    target_hr = _design(design, "target_hr")
    ois_events = optimal_information_size_events(target_hr)
    t = ABSOLUTE_TIME_POINT_MONTHS
    rows: list[SofOutcome] = []

    for assessment in ("local", "central"):
        where = dict(data_cut="interim", assessment=assessment, source_id="nejm_2011")
        hr = printed_hazard_ratio(pfs, "interim", assessment, "nejm_2011")
        events = sum(pick(pfs, statistic="events_n", arm=arm, **where) for arm in ("everolimus", "placebo"))
        base = f"pfs.{assessment}.interim.absolute_{t}m"
        medians = " vs ".join(printed(pfs, statistic="median", arm=arm, **where) for arm in ("everolimus", "placebo"))
        comment = f"Interim analysis: median {medians} months"
        if assessment == "local":
            final = dict(data_cut="final", assessment="local", statistic="median", source_id="mtor_review_2014")
            final_medians = " vs ".join(printed(pfs, arm=arm, **final) for arm in ("everolimus", "placebo"))
            comment += f". Final analysis: median {final_medians} months, no hazard ratio reported (mTOR review 2014)"
        rows.append(SofOutcome(
            outcome=f"pfs_{assessment}",
            label=f"Progression-free survival, {'investigator (primary)' if assessment == 'local' else 'central'} assessment; interim analysis",
            cut="interim", participants=randomised, participants_note=f"{int(events)} events",
            kind="time_to_event", relative_printed=hr, relative=None, relative_name="HR",
            relative_note="", control_per_1000=r.figure(f"{base}.control")[0], control_text=None,
            difference_per_1000=r.figure(f"{base}.difference"), time_point_months=t,
            imprecision=ImprecisionInput("ratio", *(float(x) for x in hr), information=events, information_unit="events", ois=ois_events),
            comment=comment, sources="NEJM 2011, Table 3", register_ids=(f"{base}.control", f"{base}.difference")))

    # Overall survival: no hazard ratio anywhere; the final cut's deaths lead, the interim cut's are named.
    interim_deaths = dict(data_cut="interim", measure="death", drug="study_treatment", statistic="pct", source_id="nejm_2011")
    interim = " vs ".join(printed(exposure, arm=arm, **interim_deaths) for arm in ("everolimus", "placebo"))
    total_interim = int(pick(exposure, data_cut="interim", measure="death", drug="study_treatment", statistic="n", arm="all",
                             source_id="nejm_2011"))
    deaths_final = [int(r.figure(f"os.final.deaths.{arm}")[0]) for arm in ("everolimus", "placebo")]
    ratio = r.figure("deaths.final.ratio")
    rows.append(SofOutcome(
        outcome="overall_survival", label="Overall survival (immature): deaths; final analysis",
        cut="final", participants=randomised, participants_note=f"{sum(deaths_final)} deaths",
        kind="binary", relative_printed=None, relative=ratio, relative_name="RR of death",
        relative_note="no HR reported", control_per_1000=r.figure("deaths.final.placebo")[0] * 10, control_text=None,
        difference_per_1000=_per_1000(r, "deaths.final.difference", 10), time_point_months=None,
        imprecision=ImprecisionInput("ratio", *ratio, information=randomised,
                                     ois=optimal_information_size_binary(r.figure("deaths.final.placebo")[0] / 100, OIS_RELATIVE_CHANGE)),
        comment=(f"Final: {deaths_final[0]} vs {deaths_final[1]} deaths, 'not yet statistically significant'. "
                 f"Interim: {total_interim} deaths ({interim}), 'immature'"),
        sources="mTOR review 2014; NEJM 2011",
        register_ids=("os.final.deaths.everolimus", "os.final.deaths.placebo", "deaths.final.ratio", "deaths.final.difference")))

    # Quality of life: the review's primary analysis (5% threshold); the cut is not stated.
    q = dict(endpoint="ttd_qol_5pct", analysis="primary", source_id="mtor_review_2014")
    q10 = dict(endpoint="ttd_qol_10pt", analysis="sensitivity", source_id="mtor_review_2014")
    hr_qol = printed(qol, arm="comparison", statistic="hr", **q)
    base = f"qol.ttd_qol_5pct.unstated.absolute_{t}m"
    medians = " vs ".join(printed(qol, arm=arm, statistic="median", **q) for arm in ("experimental", "control"))
    rows.append(SofOutcome(
        outcome="quality_of_life",
        label="Time to deterioration of quality of life (QLQ-C30, 5%); data cut not stated",
        cut="not stated", participants=randomised, participants_note="number analysed not reported",
        kind="time_to_event", relative_printed=(hr_qol, None, None), relative=None, relative_name="HR",
        relative_note=printed(qol, arm="comparison", statistic="p_value", **q), control_per_1000=r.figure(f"{base}.control")[0],
        control_text=None, difference_per_1000=r.figure(f"{base}.difference"), time_point_months=t,
        imprecision=ImprecisionInput("ratio", float(hr_qol), None, None),
        comment=(f"Median {medians} months. 10-point threshold: HR "
                 f"{printed(qol, arm='comparison', statistic='hr', **q10)}, {printed(qol, arm='comparison', statistic='p_value', **q10)}. "
                 "Interim: 'not statistically different'"),
        sources="mTOR review 2014; NEJM 2011", register_ids=(f"{base}.control", f"{base}.difference", "qol.ttd_qol_5pct.unstated.median_gain")))

    # Objective response: the final analysis (review, Table 1) is the most mature cut that reports it.
    ratio = r.figure("orr.unstated.final.ratio")
    control = r.figure("orr.unstated.final.placebo")[0]
    rows.append(SofOutcome(
        outcome="objective_response", label="Objective response; final analysis (assessment not stated)",
        cut="final", participants=randomised, participants_note="",
        kind="binary", relative_printed=None, relative=ratio, relative_name="RR", relative_note="",
        control_per_1000=control * 10, control_text=None, difference_per_1000=_per_1000(r, "orr.unstated.final.difference", 10),
        time_point_months=None,
        imprecision=ImprecisionInput("ratio", *ratio, information=randomised,
                                     ois=optimal_information_size_binary(control / 100, OIS_RELATIVE_CHANGE)),
        comment=(f"Final: {number_text(r.figure('orr.unstated.final.everolimus')[0])}% vs "
                 f"{number_text(control)}%. Interim, investigator: "
                 f"{number_text(r.figure('orr.local.everolimus')[0])}% vs {number_text(r.figure('orr.local.placebo')[0])}%"),
        sources="mTOR review 2014; NEJM 2011",
        register_ids=("orr.unstated.final.ratio", "orr.unstated.final.difference", "orr.local.difference")))

    def safety_row(outcome, label, measure, drug, prefix, comment_extra=""):
        where = dict(data_cut="interim", measure=measure, drug=drug, statistic="pct", source_id="nejm_2011")
        arms = [pick_row(exposure, arm=arm, **where) for arm in ("everolimus", "placebo")]
        control_row = arms[1]
        counts = dict(data_cut="interim", measure=measure, drug=drug, statistic="n", source_id="nejm_2011")
        has_counts = not exposure[(exposure["measure"] == measure) & (exposure["statistic"] == "n")].empty
        if has_counts:  # printed counts: the control risk from them
            control_per_1000 = pick(exposure, arm="placebo", **counts) / control_safety * 1000
        else:
            control_per_1000 = float(control_row["value"]) * 10
        rows.append(_binary_row(r, outcome, label, prefix, [str(a["printed"]) for a in arms], control_row,
                                control_per_1000, safety_population, comment_extra, "NEJM 2011, Safety"))

    safety_row("discontinuation_adverse_events", "Discontinuation for adverse events (everolimus or placebo); interim analysis",
           "discontinuation_adverse_event", "everolimus_or_placebo", "safety.discontinuation_adverse_event.everolimus_or_placebo")
    safety_row("serious_adverse_events", "Serious adverse events; interim analysis", "serious_adverse_event", "study_treatment",
           "safety.serious_adverse_event.study_treatment")
    safety_row("deaths_adverse_events", "Deaths attributed to adverse events; interim analysis", "death_adverse_event", "study_treatment",
           "safety.death_adverse_event.study_treatment")

    for term, spelled in (("stomatitis", "stomatitis"), ("pneumonitis", "pneumonitis"), ("hyperglycemia", "hyperglycaemia"),
                          ("anemia", "anaemia")):
        where = dict(term=term, grade="3-4", source_id="nejm_2011", locator="Abstract, Results (most common grade 3 or 4 adverse events)")
        arms = [pick_row(ae, arm=arm, **where) for arm in ("everolimus", "placebo")]
        control_row = arms[1]
        rows.append(_binary_row(r, f"{spelled}_grade_3_4", f"Grade 3–4 {spelled}; interim analysis", f"ae.{term}.grade_3_4",
                                [str(a["printed"]) for a in arms], control_row, float(control_row["value"]) * 10, safety_population, "",
                                "NEJM 2011, Table 2"))
    return rows


def number_text(value: float, digits: int = 1) -> str:
    from ..presentation.text import number  # the one place numbers become text

    return number(value, digits)


def _largest_printed_risk(row: pd.Series) -> float:
    """The largest risk a printed percentage allows (``<1%`` → 1%, ``0%`` → 0.5%): the smallest, most lenient OIS."""
    value = float(row["value"])
    if row["qualifier"] == "lt":
        return value / 100
    return max(value, 0.5) / 100


def _binary_row(r: RegisterLookup, outcome, label, prefix, printed_arms, control_row, control_per_1000, participants,
                comment_extra, sources) -> SofOutcome:
    ratio_id = f"{prefix}.ratio"
    citable = _citable_ratio(r, ratio_id)
    relative = r.figure(ratio_id) if citable else None
    if ratio_id not in set(r.frame["id"]):
        note = "not estimable (no events with placebo)"
    elif not citable:
        note = "not citable (sparse counts)"
    else:
        note = "exact interval" if "exact unconditional" in str(r(ratio_id)["method"]) else ""
    difference = r.figure(f"{prefix}.difference")
    measure = ImprecisionInput("ratio", *relative) if relative else ImprecisionInput("difference", *difference)
    control_risk = _largest_printed_risk(control_row)
    measure = ImprecisionInput(measure.measure, measure.estimate, measure.low, measure.high, information=participants,
                               ois=optimal_information_size_binary(control_risk, OIS_RELATIVE_CHANGE))
    control_text = "<10" if control_row["qualifier"] == "lt" else None
    comment = f"{printed_arms[0]} vs {printed_arms[1]}"
    nnh_id = f"{prefix}.nnh"
    ids = [f"{prefix}.difference"] + ([ratio_id] if citable else [])
    if nnh_id in set(r.frame["id"]):
        value, low, high = r.figure(nnh_id)
        if low is not None and high is not None and low > 0:
            comment += f"; NNH {number_text(value, 0)} ({number_text(low, 0)} to {number_text(high, 0)})"
            ids.append(nnh_id)
    return SofOutcome(
        outcome=outcome, label=label, cut="interim", participants=participants, participants_note="safety population",
        kind="binary", relative_printed=None, relative=relative, relative_name="RR", relative_note=note,
        control_per_1000=control_per_1000, control_text=control_text, difference_per_1000=tuple(
            None if v is None else v * 10 for v in difference), time_point_months=None,
        imprecision=measure, comment=comment + comment_extra, sources=sources, register_ids=tuple(ids))
