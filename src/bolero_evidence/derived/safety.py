"""Safety: discontinuation, serious adverse events, NEJM Table 2 adverse events and exposure.

What notebook ``04-safety`` shows, computed from the validated tables
(:func:`bolero_evidence.data.load_tables`). The NEJM prints percentages of
the safety population (482 and 238 patients who received treatment), so the
counts are reconstructed from them, and where a printed percentage allows
several counts the intervals are the union over every combination of
consistent counts (see :mod:`bolero_evidence.derived.response`):
differences by Newcombe's hybrid score method, relative risks by
Miettinen-Nurminen, numbers needed to harm by Altman's reciprocal of the
difference interval.
"""

from __future__ import annotations

import pandas as pd

from ..presentation.names import british
from ..presentation.text import number
from ..register import Figure
from ..stats.rounding import (
    PrintedCounts,
    ReadingSensitivity,
    counts_for_printed,
    effect_over_counts,
    exact_counts,
    sum_counts,
)
from .common import attribute_cuts, pick, pick_row
from .response import ARMS, ArmComparison, compare_count_sets, method_text, randomised_n

# NEJM Table 2 prints "<1" for small non-zero percentages; the project's
# reading of that convention is stated once in bolero_evidence.stats.rounding.
TABLE2_FLAG = "<1"

__all__ = [
    "DISCONTINUATION_MEASURES",
    "DRUGS",
    "DRUG_NAMES",
    "GRADES",
    "GRADE_NAMES",
    "MEASURE_NAMES",
    "adverse_event_counts",
    "adverse_event_figures",
    "adverse_events",
    "discontinuation",
    "discontinuation_figures",
    "exposure_figures",
    "exposure_overview",
    "grade_3_4_headline_check",
    "median_exposure",
    "on_treatment",
    "plot_adverse_event_differences",
    "safety_n",
    "table2_rows",
]

DRUGS = ("everolimus_or_placebo", "exemestane")
DISCONTINUATION_MEASURES = ("discontinuation_adverse_event", "discontinuation_withdrawal_of_consent")
# Events of the NEJM Safety section compared like the discontinuations.
_OTHER_EVENTS = ("serious_adverse_event", "serious_adverse_event_treatment_related")
GRADES = ("any", "grade_3_4")
MEASURE_NAMES = {
    "discontinuation_adverse_event": "Discontinued for adverse events",
    "discontinuation_withdrawal_of_consent": "Discontinued for withdrawal of consent",
    "serious_adverse_event": "Serious adverse event",
    "serious_adverse_event_treatment_related": "Serious adverse event attributed to study treatment",
    "death_adverse_event": "Death attributed to an adverse event",
    "median_exposure": "Median exposure, weeks",
    "on_treatment_at_cutoff": "On study treatment at cutoff",
}
DRUG_NAMES = {"everolimus_or_placebo": "everolimus or placebo", "exemestane": "exemestane",
              "study_treatment": "study treatment"}
GRADE_NAMES = {"any": "any", "grade_3_4": "3–4"}


def safety_n(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Patients who received treatment per arm (NEJM Table 2 header: 482 and 238)."""
    design = tables["design"]
    return {arm: int(pick(design, parameter="safety_population", arm=arm, source_id="nejm_2011")) for arm in ARMS}


def _comparison_columns(comparison: ArmComparison) -> dict:
    """Raw numbers of a comparison: difference in percentage points, ratio, number needed."""
    d, r, nn = comparison.difference, comparison.ratio, comparison.number_needed
    return {"comparison": comparison, "difference": 100 * d.estimate, "difference_low": 100 * d.low,
            "difference_high": 100 * d.high, "ratio": r.estimate, "ratio_low": r.low, "ratio_high": r.high,
            "number_needed": nn.estimate, "number_needed_kind": nn.kind, "tables": d.tables}


def discontinuation(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Discontinuation for adverse events and withdrawal of consent, serious adverse events, deaths from adverse events.

    Percentages (NEJM Results, Safety) are read as percentages of the safety
    population; the count sets they would give with the randomised N are
    returned beside them. Deaths attributed to adverse events are printed as
    counts (seven and one) and used as such.

    Returns
    -------
    DataFrame
        One row per ``measure`` and ``drug``: ``printed_everolimus``,
        ``printed_placebo``, ``counts_everolimus``, ``counts_placebo``
        (:class:`PrintedCounts` of the safety population),
        ``randomised_counts_everolimus``, ``randomised_counts_placebo`` (of
        the randomised N), ``counts_differ`` (the two denominators allow
        different counts in at least one arm), ``counts_printed`` (counts are
        printed, not reconstructed), and the comparison columns
        ``difference``/``_low``/``_high`` (percentage points), ``ratio``,
        ``ratio_low``, ``ratio_high``, ``number_needed`` (NNH when
        ``number_needed_kind`` is ``"harm"``), ``comparison``
        (:class:`~bolero_evidence.derived.response.ArmComparison`, the
        event counted as harmful).
    """
    exposure = tables["exposure"]
    safety, randomised = safety_n(tables), randomised_n(tables)
    items = [(m, d) for m in DISCONTINUATION_MEASURES for d in DRUGS] + [(m, "study_treatment") for m in _OTHER_EVENTS]
    rows = []
    for measure, drug in items:
        printed = {arm: pick_row(exposure, data_cut="interim", measure=measure, drug=drug, arm=arm, statistic="pct",
                                 source_id="nejm_2011")["printed"] for arm in ARMS}
        counts = {arm: counts_for_printed(printed[arm], safety[arm]) for arm in ARMS}
        alternative = {arm: counts_for_printed(printed[arm], randomised[arm]) for arm in ARMS}
        rows.append(_discontinuation_row(measure, drug, printed, counts, alternative, counts_printed=False))
    measure = "death_adverse_event"
    where = dict(data_cut="interim", measure=measure, drug="study_treatment", source_id="nejm_2011")
    printed, counts, alternative = {}, {}, {}
    for arm in ARMS:
        n = int(pick(exposure, arm=arm, statistic="n", **where))
        percent = pick_row(exposure, arm=arm, statistic="pct", **where)["printed"]
        printed[arm] = f"{n} ({percent})"
        counts[arm], alternative[arm] = exact_counts(n, safety[arm]), exact_counts(n, randomised[arm])
    rows.append(_discontinuation_row(measure, "study_treatment", printed, counts, alternative, counts_printed=True))
    return pd.DataFrame(rows)


def _discontinuation_row(measure: str, drug: str, printed: dict, counts: dict[str, PrintedCounts],
                         alternative: dict[str, PrintedCounts], *, counts_printed: bool) -> dict:
    # Exact intervals where the counts are printed (the deaths: 7 and 1, sparse).
    comparison = compare_count_sets(counts["everolimus"], counts["placebo"], event="harmful", exact=counts_printed)
    return {"measure": measure, "drug": drug,
            "printed_everolimus": printed["everolimus"], "printed_placebo": printed["placebo"],
            "counts_everolimus": counts["everolimus"], "counts_placebo": counts["placebo"],
            "randomised_counts_everolimus": alternative["everolimus"],
            "randomised_counts_placebo": alternative["placebo"],
            "counts_differ": any(counts[a].counts != alternative[a].counts for a in ARMS),
            "counts_printed": counts_printed, **_comparison_columns(comparison)}


def table2_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The NEJM Table 2 rows of ``adverse_events`` (grades any, 3 and 4; N 482 and 238)."""
    events = tables["adverse_events"]
    return events[(events["source_id"] == "nejm_2011") & events["locator"].str.startswith("Table 2,")]


def _label(locator: str) -> str:
    """The term as Table 2 prints it, from the locator ``Table 2, <term>, <arm>, <grade>``."""
    return locator.split(", ")[1]


def adverse_event_counts(tables: dict[str, pd.DataFrame], reading: str = "threshold") -> pd.DataFrame:
    """Counts consistent with each Table 2 percentage, per term and arm, in Table 2's order.

    Read with :func:`~bolero_evidence.stats.rounding.counts_for_printed` and
    the table's flag ``<1`` under the project's reading (``"threshold"``: a
    printed ``0`` is no patient, ``<1`` is ``0 < 100 k / N < 1`` and a
    printed ``1`` is ``1 <= 100 k / N <= 1.5``), or under ``reading``;
    grade 3-4 is the set of sums of the grade 3 and grade 4 counts (a patient
    is counted at her worst grade, so the two are disjoint).

    Returns
    -------
    DataFrame
        ``term``, ``label`` (as printed), ``arm``, ``nobs`` (Table 2's N),
        ``printed_any``, ``printed_3``, ``printed_4``, ``any``, ``grade_3``,
        ``grade_4``, ``grade_3_4`` (:class:`PrintedCounts`).
    """
    table2 = table2_rows(tables)
    rows = []
    for term, rows_of_term in table2.groupby("term", sort=False):
        for arm in ARMS:
            cells = {grade: pick_row(rows_of_term, arm=arm, grade=grade) for grade in ("any", "3", "4")}
            nobs = int(cells["any"]["n_arm"])
            sets = {grade: counts_for_printed(cell["printed"], nobs, flag=TABLE2_FLAG, reading=reading)
                    for grade, cell in cells.items()}
            rows.append({"term": term, "label": _label(cells["any"]["locator"]), "arm": arm, "nobs": nobs,
                         "printed_any": cells["any"]["printed"], "printed_3": cells["3"]["printed"],
                         "printed_4": cells["4"]["printed"], "any": sets["any"], "grade_3": sets["3"],
                         "grade_4": sets["4"], "grade_3_4": sum_counts(sets["3"], sets["4"])})
    return pd.DataFrame(rows)


def adverse_events(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Risk difference and relative risk of every Table 2 term, any grade and grade 3-4.

    Returns
    -------
    DataFrame
        One row per ``term`` and ``grade`` (``any``, ``grade_3_4``), Table 2
        order: ``label``, ``printed_everolimus``, ``printed_placebo`` (for
        grade 3-4 the grade 3 and grade 4 percentages, ``"8/0"``),
        ``counts_everolimus``, ``counts_placebo`` (:class:`PrintedCounts`) and the
        comparison columns (see :func:`discontinuation`), and the sensitivity
        to the reading of the table's rounding: ``rounding_difference_low``,
        ``rounding_difference_high`` (the difference's union interval under
        the ``"rounding"`` reading), ``reading_changes_interval`` and
        ``reading_changes_conclusion`` (whether the interval excludes 0
        under one reading and not the other; the same for the ratio's 1 in
        ``reading_changes_ratio_conclusion``).
    """
    counts = adverse_event_counts(tables).set_index(["term", "arm"])
    other = adverse_event_counts(tables, reading="rounding").set_index(["term", "arm"])
    rows = []
    for term in counts.index.get_level_values("term").drop_duplicates():
        e, p = counts.loc[(term, "everolimus")], counts.loc[(term, "placebo")]
        for grade, column in (("any", "any"), ("grade_3_4", "grade_3_4")):
            if grade == "any":
                printed_e, printed_p = e["printed_any"], p["printed_any"]
            else:
                printed_e, printed_p = f"{e['printed_3']}/{e['printed_4']}", f"{p['printed_3']}/{p['printed_4']}"
            comparison = compare_count_sets(e[column], p[column], event="harmful")
            e_other, p_other = other.loc[(term, "everolimus"), column], other.loc[(term, "placebo"), column]
            sensitivity = {measure: _reading_sensitivity(e[column], p[column], e_other, p_other, measure)
                           for measure in ("difference", "ratio")}
            d_other = sensitivity["difference"][1]
            rows.append({"term": term, "label": e["label"], "grade": grade, "printed_everolimus": printed_e,
                         "printed_placebo": printed_p, "counts_everolimus": e[column], "counts_placebo": p[column],
                         **_comparison_columns(comparison),
                         "rounding_counts_everolimus": e_other, "rounding_counts_placebo": p_other,
                         "rounding_difference_low": 100 * d_other.low, "rounding_difference_high": 100 * d_other.high,
                         "reading_changes_interval": sensitivity["difference"][0].interval_changes,
                         "reading_changes_conclusion": sensitivity["difference"][0].conclusion_changes,
                         "reading_changes_ratio_conclusion": sensitivity["ratio"][0].conclusion_changes})
    return pd.DataFrame(rows)


def _reading_sensitivity(e: PrintedCounts, p: PrintedCounts, e_other: PrintedCounts, p_other: PrintedCounts, measure: str):
    """:class:`~bolero_evidence.stats.rounding.ReadingSensitivity` of one comparison, from counts already read both ways.

    :func:`~bolero_evidence.stats.rounding.effect_under_both_readings` takes
    printed percentages; a grade 3-4 row is a sum of two printed cells, so the
    two readings' counts are compared here with the same union rule.
    """
    primary = effect_over_counts(e, p, measure)
    alternative = effect_over_counts(e_other, p_other, measure)
    return ReadingSensitivity(primary=primary, alternative=alternative), alternative


def grade_3_4_headline_check(tables: dict[str, pd.DataFrame], reading: str = "threshold") -> pd.DataFrame:
    """Whether the printed grade 3-4 figures (NEJM abstract and text, news report) fit Table 2.

    For each printed grade 3-4 percentage: the counts of the safety
    population consistent with it, the sums of Table 2's grade 3 and grade 4
    counts, and whether the two sets share a count. A printed ``0%`` is read
    as no patient (the same sentences print ``<1%``). Both sides are read
    under ``reading`` (:mod:`bolero_evidence.stats.rounding`); under the
    project's ``"threshold"`` reading, three sentences that print the
    placebo dyspnoea as 1% and the news report's 5% for anaemia do not fit
    Table 2 with grade 3 and grade 4 disjoint, as the module documents.

    Returns
    -------
    DataFrame
        ``term``, ``label``, ``arm``, ``source_id``, ``locator``,
        ``printed``, ``printed_counts``, ``table2_counts``
        (:class:`PrintedCounts`), ``overlap`` (tuple of shared counts),
        ``consistent`` (bool).
    """
    # Table 2 is the interim analysis: compare the grade 3-4 figures stated to
    # be interim, and those inferred to be (marked by cut_inferred).
    events = attribute_cuts(tables["adverse_events"])
    headline = events[(events["grade"] == "3-4") & (events["data_cut"] == "interim")]
    table2 = adverse_event_counts(tables, reading=reading).set_index(["term", "arm"])
    safety = safety_n(tables)
    rows = []
    seen = set()
    for r in headline.itertuples():
        key = (r.term, r.arm, r.source_id, r.printed.replace(" ", "").rstrip("%"))
        if key in seen:  # the NEJM prints the same figures in its abstract and its text
            continue
        seen.add(key)
        # The typed value, not the printed text: the review's extraction prints "<1" as ",1".
        percent = f"<{r.value:g}" if r.qualifier == "lt" else r.printed
        printed_counts = counts_for_printed(percent, safety[r.arm], flag=TABLE2_FLAG, reading=reading)
        table2_counts = table2.loc[(r.term, r.arm), "grade_3_4"]
        overlap = tuple(sorted(set(printed_counts.counts) & set(table2_counts.counts)))
        rows.append({"term": r.term, "label": table2.loc[(r.term, r.arm), "label"], "arm": r.arm,
                     "source_id": r.source_id, "locator": r.locator.split(",")[0], "printed": r.printed,
                     "printed_counts": printed_counts, "table2_counts": table2_counts, "overlap": overlap,
                     "consistent": bool(overlap), "cut_inferred": bool(r.cut_inferred)})
    return pd.DataFrame(rows)


def median_exposure(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Median duration of exposure per drug: difference and ratio of the printed medians (weeks).

    Only medians are printed (no interval, no spread, no patient-time), so no
    interval of the difference or ratio can be derived.

    Returns
    -------
    DataFrame
        ``drug``, ``everolimus``, ``placebo`` (weeks), ``printed_everolimus``,
        ``printed_placebo``, ``difference`` (weeks), ``ratio``.
    """
    exposure = tables["exposure"]
    rows = []
    for drug in DRUGS:
        cells = {arm: pick_row(exposure, data_cut="interim", measure="median_exposure", drug=drug, arm=arm,
                               statistic="median", source_id="nejm_2011") for arm in ARMS}
        e, p = float(cells["everolimus"]["value"]), float(cells["placebo"]["value"])
        rows.append({"drug": drug, "everolimus": e, "placebo": p, "printed_everolimus": cells["everolimus"]["printed"],
                     "printed_placebo": cells["placebo"]["printed"], "difference": e - p, "ratio": e / p})
    return pd.DataFrame(rows)


def on_treatment(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Patients still on study treatment at the cutoff (227 and 69): difference and ratio.

    The counts are printed; the denominator is taken to be the randomised N
    (the sentence is in the NEJM's Treatment section, before the safety
    population is introduced), and whether the printed percentages fit each
    denominator is returned.

    Returns
    -------
    DataFrame
        One row per arm: ``arm``, ``count``, ``printed_pct``, ``nobs``
        (randomised), ``fits_randomised``, ``fits_safety`` (the printed
        percentage allows the printed count with that denominator), and, on
        every row, ``difference``/``_low``/``_high`` (percentage points,
        Newcombe) and ``ratio``/``_low``/``_high`` (Miettinen-Nurminen).
    """
    exposure = tables["exposure"]
    randomised, safety = randomised_n(tables), safety_n(tables)
    where = dict(data_cut="interim", measure="on_treatment_at_cutoff", drug="study_treatment", source_id="nejm_2011")
    counts, rows = {}, []
    for arm in ARMS:
        n = int(pick(exposure, arm=arm, statistic="n", **where))
        pct = pick_row(exposure, arm=arm, statistic="pct", **where)["printed"]
        counts[arm] = exact_counts(n, randomised[arm])
        rows.append({"arm": arm, "count": n, "printed_pct": pct, "nobs": randomised[arm],
                     "fits_randomised": n in counts_for_printed(pct, randomised[arm]).counts,
                     "fits_safety": n in counts_for_printed(pct, safety[arm]).counts})
    d = effect_over_counts(counts["everolimus"], counts["placebo"], "difference")
    r = effect_over_counts(counts["everolimus"], counts["placebo"], "ratio")
    frame = pd.DataFrame(rows)
    frame["difference"], frame["difference_low"], frame["difference_high"] = 100 * d.estimate, 100 * d.low, 100 * d.high
    frame["ratio"], frame["ratio_low"], frame["ratio_high"] = r.estimate, r.low, r.high
    return frame


def exposure_overview(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Exposure beside on-treatment and discontinuation: one row per quantity, raw numbers.

    Returns
    -------
    DataFrame
        ``quantity``, ``drug``, ``unit`` (``weeks`` or ``percent``),
        ``everolimus``, ``placebo`` (printed text), ``difference``,
        ``difference_low``, ``difference_high`` (weeks or percentage points;
        no bounds for medians), ``ratio``, ``ratio_low``, ``ratio_high``;
        ``nobs_everolimus``, ``nobs_placebo`` (the denominators, for the
        on-treatment counts only).
    """
    rows = []
    for r in median_exposure(tables).itertuples():
        rows.append({"quantity": "median_exposure", "drug": r.drug, "unit": "weeks",
                     "everolimus": r.printed_everolimus, "placebo": r.printed_placebo, "difference": r.difference,
                     "difference_low": None, "difference_high": None, "ratio": r.ratio, "ratio_low": None,
                     "ratio_high": None})
    treated = on_treatment(tables).set_index("arm")
    first = treated.iloc[0]
    rows.append({"quantity": "on_treatment_at_cutoff", "drug": "study_treatment", "unit": "percent",
                 **{arm: f"{treated.loc[arm, 'count']} ({treated.loc[arm, 'printed_pct']})" for arm in ARMS},
                 **{f"nobs_{arm}": int(treated.loc[arm, "nobs"]) for arm in ARMS},
                 **{k: first[k] for k in ("difference", "difference_low", "difference_high", "ratio", "ratio_low",
                                          "ratio_high")}})
    stopped = discontinuation(tables)
    for r in stopped[stopped["measure"].isin(DISCONTINUATION_MEASURES)].itertuples():
        rows.append({"quantity": r.measure, "drug": r.drug, "unit": "percent", "everolimus": r.printed_everolimus,
                     "placebo": r.printed_placebo, "difference": r.difference, "difference_low": r.difference_low,
                     "difference_high": r.difference_high, "ratio": r.ratio, "ratio_low": r.ratio_low,
                     "ratio_high": r.ratio_high})
    return pd.DataFrame(rows)


def _counts_text(everolimus: PrintedCounts, placebo: PrintedCounts) -> str:
    return f"counts {everolimus.text()} of {everolimus.nobs} vs {placebo.text()} of {placebo.nobs}"


def discontinuation_figures(stopped: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`discontinuation`: ``safety.<measure>.<drug>.{difference, ratio, nnh}``."""
    denominator = "; denominator assumed: safety population"
    figures = []
    for r in stopped.itertuples():
        unique = r.counts_everolimus.is_unique and r.counts_placebo.is_unique
        prefix = f"safety.{r.measure}.{r.drug}"
        what = (f"{MEASURE_NAMES[r.measure]} ({DRUG_NAMES[r.drug]}), everolimus vs placebo arm, safety population "
                f"({_counts_text(r.counts_everolimus, r.counts_placebo)})")
        needed = r.comparison.number_needed
        exact = r.comparison.difference_exact
        figures.append(Figure(f"{prefix}.difference", r.difference, ci_low=r.difference_low, ci_high=r.difference_high,
                              unit="percentage_points", method=method_text("difference", unique) + denominator,
                              inputs=("nejm_2011",), description=f"{what}: risk difference"))
        if exact is not None:
            figures.append(Figure(f"{prefix}.difference_exact", r.difference, ci_low=100 * exact.low, ci_high=100 * exact.high,
                                  unit="percentage_points", method=method_text("difference_exact", unique) + denominator,
                                  inputs=("nejm_2011",), description=f"{what}: risk difference, exact interval"))
        figures += _ratio_figures(f"{prefix}.ratio", r, unique, f"{what}: relative risk", denominator)
        figures.append(Figure.number_needed(f"{prefix}.nnh", needed, method=method_text("nnt", unique) + denominator,
                                            inputs=("nejm_2011",), description=f"{what}: number needed to harm, {needed.describe(0)}"))
    return figures


def adverse_event_figures(events: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`adverse_events`: ``ae.<term>.<grade>.difference`` and, where citable, ``.ratio``.

    A relative risk whose estimate is infinite, 0 or undefined (no patient
    with the event in an arm) is not registered
    (:func:`~bolero_evidence.stats.exact.ratio_citation`); a sparse one is
    registered with its asymptotic interval and says it is not to be cited
    (an exact interval over the union of consistent counts would need one
    exact computation per combination). Where the other reading of Table 2's
    rounding changes whether the difference's interval excludes 0, the
    method says so and gives that interval.
    """
    figures = []
    for r in events.itertuples():
        unique = r.counts_everolimus.is_unique and r.counts_placebo.is_unique
        what = (f"{r.label}, grade {GRADE_NAMES[r.grade]} (NEJM Table 2), everolimus vs placebo arm, safety population "
                f"({_counts_text(r.counts_everolimus, r.counts_placebo)})")
        method = method_text("difference", unique)
        if r.reading_changes_conclusion:
            method += (f"; under the other reading of the printed rounding (<1 as under 0.5%) the interval is "
                       f"{number(r.rounding_difference_low, 1)} to {number(r.rounding_difference_high, 1)} and the conclusion changes")
        figures.append(Figure(f"ae.{r.term}.{r.grade}.difference", r.difference, ci_low=r.difference_low,
                              ci_high=r.difference_high, unit="percentage_points", method=method,
                              inputs=("nejm_2011",), description=f"{what}: risk difference"))
        figures += _ratio_figures(f"ae.{r.term}.{r.grade}.ratio", r, unique, f"{what}: relative risk", "")
    return figures


def _ratio_figures(register_id: str, r, unique: bool, description: str, denominator: str) -> list[Figure]:
    """The relative risk as the citation rule allows: none for a 0/infinite ratio, exact where computed, else flagged."""
    citation = r.comparison.citation
    if not citation.cite_estimate:
        return []
    exact = r.comparison.ratio_exact
    if citation.kind == "sparse" and exact is not None:
        fewer, more = citation.neighbour_estimates
        return [Figure(register_id, r.ratio, ci_low=exact.low, ci_high=exact.high, unit="ratio",
                       method=f"{method_text('ratio_exact', unique)}{denominator}; sparse counts: {citation.reason}; "
                              f"asymptotic (Miettinen-Nurminen) interval {r.ratio_low:.3g} to {r.ratio_high:.3g}",
                       inputs=("nejm_2011",),
                       description=f"{description} (one event fewer or more in the sparse arm: {fewer:.3g}, {more:.3g})")]
    method = method_text("ratio", unique) + denominator
    if citation.kind == "sparse":
        method += f"; sparse counts, not to be cited as an estimate: {citation.reason} (no exact interval over the union)"
    return [Figure(register_id, r.ratio, ci_low=r.ratio_low, ci_high=r.ratio_high, unit="ratio", method=method,
                   inputs=("nejm_2011",), description=description)]


def exposure_figures(overview: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`exposure_overview`: median exposure and on-treatment comparisons (``exposure.*``)."""
    figures = []
    for r in overview.itertuples():
        if r.quantity == "median_exposure":
            what = (f"Median exposure to {DRUG_NAMES[r.drug]}, everolimus vs placebo arm "
                    f"(printed {r.everolimus} vs {r.placebo} weeks)")
            figures += [
                Figure(f"exposure.{r.drug}.median_difference", r.difference, unit="weeks",
                       method="difference of the printed medians; no interval (only medians printed)", inputs=("nejm_2011",),
                       description=f"{what}: difference"),
                Figure(f"exposure.{r.drug}.median_ratio", r.ratio, unit="ratio",
                       method="ratio of the printed medians; no interval (only medians printed)", inputs=("nejm_2011",),
                       description=f"{what}: ratio"),
            ]
        elif r.quantity == "on_treatment_at_cutoff":
            what = (f"Patients on study treatment at the cutoff, everolimus vs placebo arm (printed {r.everolimus} of "
                    f"{r.nobs_everolimus:.0f} vs {r.placebo} of {r.nobs_placebo:.0f} randomised)")
            figures += [
                Figure(f"exposure.{r.drug}.on_treatment_difference", r.difference, ci_low=r.difference_low,
                       ci_high=r.difference_high, unit="percentage_points",
                       method="Newcombe hybrid score 95% CI; printed counts; denominator assumed: randomised N",
                       inputs=("nejm_2011",), description=f"{what}: difference"),
                Figure(f"exposure.{r.drug}.on_treatment_ratio", r.ratio, ci_low=r.ratio_low, ci_high=r.ratio_high,
                       unit="ratio", method="Miettinen-Nurminen score 95% CI; printed counts; denominator assumed: randomised N",
                       inputs=("nejm_2011",), description=f"{what}: ratio"),
            ]
    return figures


_PANEL_TITLES = {"any": "Any grade", "grade_3_4": "Grade 3–4"}


def plot_adverse_event_differences(events: pd.DataFrame):
    """Dot-and-whisker plot of the risk differences of every Table 2 term, any grade and grade 3-4.

    Parameters
    ----------
    events : DataFrame
        :func:`adverse_events`.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the terms, sorted by the any-grade difference
        (largest on top; ties by term); estimate and union interval in
        percentage points; fixed size (10 x 9 inches, 100 dpi).
    """
    import matplotlib.pyplot as plt

    order = events[events["grade"] == "any"].sort_values(["difference", "term"])["term"].tolist()
    labels = events.drop_duplicates("term").set_index("term")["label"]
    figure, axes = plt.subplots(1, 2, figsize=(10, 9), dpi=100, sharey=True)
    for axis, grade in zip(axes, GRADES):
        part = events[events["grade"] == grade].set_index("term").loc[order]
        axis.errorbar(part["difference"], range(len(order)),
                      xerr=[part["difference"] - part["difference_low"], part["difference_high"] - part["difference"]],
                      fmt="o", color="black", ecolor="grey", markersize=4, capsize=2)
        axis.axvline(0, color="black", linewidth=0.8, linestyle="--")
        axis.set_title(_PANEL_TITLES[grade])
        axis.set_xlabel("Risk difference, percentage points")
        axis.grid(axis="x", color="#dddddd", linewidth=0.6)
    # The source's row labels in the report's spelling (Anaemia), as the tables show them.
    axes[0].set_yticks(range(len(order)), [british(labels[t]) for t in order], fontsize=8)
    figure.tight_layout()
    return figure
