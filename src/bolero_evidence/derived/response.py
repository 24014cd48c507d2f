"""Objective response and clinical benefit: counts behind printed percentages, intervals, comparisons.

What notebook ``03-response`` shows, computed from the validated tables
(:func:`bolero_evidence.data.load_tables`):

- objective response per arm and assessment (NEJM Table 3) with the
  Clopper-Pearson interval beside the printed one, and the Wilson interval as
  a check of which method the paper used;
- the printed versions of the clinical benefit rate, each with its source and
  interval, and the final-analysis response and death figures of the review's
  Table 1 with intervals over the randomised N;
- differences (Newcombe, and the exact unconditional interval where the
  counts are fixed), ratios (Miettinen-Nurminen as the asymptotic interval;
  the exact unconditional interval and the citation rule of
  :func:`~bolero_evidence.stats.exact.ratio_citation` where counts are
  sparse) and numbers needed to treat between the arms;
- the composition of best overall response, with its arithmetic checks.

The first part of the module is generic and is also used by
:mod:`bolero_evidence.derived.safety`. The sources print percentages, not
counts; the counts consistent with a printed percentage, under the project's
one reading of printed rounding, come from
:func:`bolero_evidence.stats.rounding.counts_for_printed`, and where there
are several the intervals are the union over them
(:func:`~bolero_evidence.stats.rounding.interval_over_counts`,
:func:`~bolero_evidence.stats.rounding.effect_over_counts`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..data.discrepancies import find_discrepancies
from ..data.printed import parse_printed
from ..register import Figure
from ..stats.exact import RatioCitation, ratio_citation
from ..stats.proportions import NumberNeeded, number_needed_from_difference
from ..stats.rounding import (
    EffectOverCounts,
    PrintedCounts,
    RateOverCounts,
    counts_for_printed,
    effect_over_counts,
    interval_over_counts,
    sum_counts,
)
from .common import attribute_cuts, pick, pick_row

__all__ = [
    "ARM_LABELS",
    "ARMS",
    "ASSESSMENTS",
    "BOR_CATEGORIES",
    "ArmComparison",
    "EffectOverCounts",
    "PrintedCounts",
    "RateOverCounts",
    "UNION_NOTE",
    "best_overall_response",
    "bor_checks",
    "category_label",
    "CUT_NAMES",
    "VERSION_NAMES",
    "clinical_benefit",
    "comparison_figures",
    "comparison_where",
    "compare_count_sets",
    "final_analysis_rates",
    "method_text",
    "objective_response",
    "plot_bor_composition",
    "prints_as",
    "randomised_n",
    "FINAL_ENDPOINTS",
    "rate_figures",
    "ratio_citation_for",
    "response_comparisons",
]

ARMS = ("everolimus", "placebo")
ASSESSMENTS = ("local", "central")
# NEJM Table 3's rows of best overall response, in its order.
BOR_CATEGORIES = ("complete_response", "partial_response", "stable_disease", "progressive_disease",
                  "unknown_or_too_early")
UNION_NOTE = "union over counts consistent with the printed %"

# Only absorbs binary floating-point error in "computed prints as printed";
# far below any printed unit.
_PRINT_SLACK = 1e-9
# Arms of the review's cross-trial Table 1 (trial_outcomes.csv) as named elsewhere.
_OUTCOME_ARMS = {"everolimus": "experimental", "placebo": "control"}


# --------------------------------------------------------------------------
# Comparisons of two arms over the consistent counts (generic)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmComparison:
    """Difference, ratio and number needed of one outcome, arm 1 against arm 2.

    Attributes
    ----------
    difference : EffectOverCounts
        Newcombe hybrid score interval (union over the consistent counts).
    ratio : EffectOverCounts
        Miettinen-Nurminen score interval: the asymptotic one, shown as such.
    number_needed : NumberNeeded
        Altman's reciprocal of the Newcombe interval.
    citation : RatioCitation
        Whether the ratio may be cited as a point estimate, and with which
        interval (:func:`ratio_citation_for`).
    difference_exact, ratio_exact : EffectOverCounts or None
        Chan-Zhang exact unconditional intervals, computed only where the
        printed figures fix the counts (one table; about two seconds each at
        N = 485/239), the ratio's only where :attr:`citation` asks for the
        exact interval; None otherwise.
    """

    difference: EffectOverCounts
    ratio: EffectOverCounts
    number_needed: NumberNeeded
    citation: RatioCitation
    difference_exact: EffectOverCounts | None = None
    ratio_exact: EffectOverCounts | None = None

    @property
    def ratio_cited(self) -> EffectOverCounts | None:
        """The ratio interval to show: exact where the citation rule asks for it and it was computed."""
        if self.citation.interval_method == "exact-unconditional":
            return self.ratio_exact
        return self.ratio


def ratio_citation_for(counts1: PrintedCounts, counts2: PrintedCounts) -> RatioCitation:
    """:func:`~bolero_evidence.stats.exact.ratio_citation` of the sparsest combination of consistent counts.

    Zero counts are fixed by the printed figure (a printed ``0`` under a
    flag is no patient), so the zero kinds do not depend on the combination;
    a table is sparse if any combination is, which the smallest counts (and,
    for non-events, the largest) decide.
    """
    corners = [(counts1.low, counts2.low), (counts1.high, counts2.high), (counts1.low, counts2.high),
               (counts1.high, counts2.low)]
    citations = [ratio_citation(k1, counts1.nobs, k2, counts2.nobs) for k1, k2 in corners]
    order = ("undefined", "infinite", "zero", "sparse", "estimable")
    return min(citations, key=lambda c: order.index(c.kind))


def compare_count_sets(counts1: PrintedCounts, counts2: PrintedCounts, *, event: Literal["harmful", "beneficial"],
                       exact: bool = False) -> ArmComparison:
    """Newcombe difference, Miettinen-Nurminen ratio, Altman's number needed and, if asked, exact intervals.

    Parameters
    ----------
    counts1, counts2 : PrintedCounts
        Arm 1 (experimental) and arm 2 (control).
    event : {"harmful", "beneficial"}
        Direction of the counted event (adverse event: harmful; response:
        beneficial), which decides between NNTH and NNTB.
    exact : bool, optional
        Compute the Chan-Zhang exact unconditional interval of the difference,
        and of the ratio where :func:`ratio_citation_for` asks for it. Only
        where both printed figures fix their counts: the exact interval takes
        about two seconds per table, and a union over many consistent counts
        would take minutes (then the asymptotic interval is shown and the
        ratio is flagged by its citation).

    Returns
    -------
    ArmComparison
    """
    difference = effect_over_counts(counts1, counts2, "difference")
    ratio = effect_over_counts(counts1, counts2, "ratio")
    needed = number_needed_from_difference(difference.estimate, difference.low, difference.high, event=event)
    citation = ratio_citation_for(counts1, counts2)
    difference_exact = ratio_exact = None
    if exact and counts1.is_unique and counts2.is_unique:
        difference_exact = effect_over_counts(counts1, counts2, "difference", method="exact-unconditional")
        if citation.interval_method == "exact-unconditional":
            ratio_exact = effect_over_counts(counts1, counts2, "ratio", method="exact-unconditional")
    return ArmComparison(difference, ratio, needed, citation, difference_exact, ratio_exact)


def method_text(measure: str, counts_unique: bool) -> str:
    """Method column of a register entry (and of the notebooks' notes)."""
    base = {
        "rate": "Clopper-Pearson 95% CI",
        "difference": "Newcombe hybrid score 95% CI",
        "ratio": "Miettinen-Nurminen score 95% CI (asymptotic)",
        "ratio_exact": "Chan-Zhang exact unconditional 95% CI (inverting two one-sided tests)",
        "difference_exact": "Chan-Zhang exact unconditional 95% CI (inverting two one-sided tests)",
        "nnt": "1 / risk difference; Altman 95% CI from the Newcombe interval",
    }[measure]
    if counts_unique:
        return f"{base}; counts reconstructed from the printed %"
    return f"{base}; {UNION_NOTE}"


def prints_as(computed: float, printed: str) -> bool:
    """Whether ``computed`` rounds to the printed number (within half a unit of its last digit)."""
    parsed = parse_printed(printed)
    return abs(computed - parsed.value) <= parsed.resolution + _PRINT_SLACK


# --------------------------------------------------------------------------
# BOLERO-2 response
# --------------------------------------------------------------------------

ARM_LABELS = {"everolimus": "everolimus + exemestane", "placebo": "placebo + exemestane"}
# Where each version of a response figure is printed, as a reader cites it.
VERSION_NAMES = {
    "nejm_2011": "NEJM 2011, Table 3",
    "oncology_news_2011": "Oncology news report 2011",
    "mdanderson_conquest_2012": "MD Anderson Conquest 2012",
    "mtor_review_2014": "mTOR review 2014, Table 1",
}
CUT_NAMES = {"interim": "interim", "final": "final", "unstated": "cut not stated"}


def randomised_n(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Patients randomised per arm (NEJM Results and Table 3 header: 485 and 239)."""
    design = tables["design"]
    return {arm: int(pick(design, parameter="patients_randomised", arm=arm, source_id="nejm_2011")) for arm in ARMS}


def objective_response(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Objective response per assessment and arm: printed and recomputed intervals (NEJM Table 3).

    Returns
    -------
    DataFrame
        One row per assessment and arm with ``printed`` (the percentage),
        ``nobs`` (randomised N), ``counts`` (:class:`PrintedCounts`), ``estimate``,
        ``low``, ``high`` (Clopper-Pearson, percent, union over consistent
        counts), ``printed_low``, ``printed_high`` (printed text),
        ``low_reproduced``, ``high_reproduced``, and the same for Wilson
        (``wilson_low``, ``wilson_high``, ``wilson_low_reproduced``,
        ``wilson_high_reproduced``). "Reproduced" means the recomputed bound
        rounds to the printed one (half a unit of its last digit).
    """
    response = tables["response"]
    n = randomised_n(tables)
    rows = []
    for assessment in ASSESSMENTS:
        for arm in ARMS:
            where = dict(data_cut="interim", assessment=assessment, arm=arm, category="objective_response",
                         source_id="nejm_2011")
            printed = pick_row(response, statistic="pct", **where)["printed"]
            printed_low = pick_row(response, statistic="ci_low", **where)["printed"]
            printed_high = pick_row(response, statistic="ci_high", **where)["printed"]
            counts = counts_for_printed(printed, n[arm])
            exact = interval_over_counts(counts, "clopper-pearson")
            wilson = interval_over_counts(counts, "wilson")
            estimate, low, high = exact.percent
            _, wilson_low, wilson_high = wilson.percent
            rows.append({
                "assessment": assessment, "arm": arm, "printed": printed, "nobs": n[arm], "counts": counts,
                "estimate": estimate, "low": low, "high": high,
                "printed_low": printed_low, "printed_high": printed_high,
                "low_reproduced": prints_as(low, printed_low), "high_reproduced": prints_as(high, printed_high),
                "wilson_low": wilson_low, "wilson_high": wilson_high,
                "wilson_low_reproduced": prints_as(wilson_low, printed_low),
                "wilson_high_reproduced": prints_as(wilson_high, printed_high),
            })
    return pd.DataFrame(rows)


def _clinical_benefit_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every printed clinical benefit rate, one row per source and arm, in the data's order."""
    response = attribute_cuts(tables["response"])
    rows = response[(response["category"] == "clinical_benefit") & (response["statistic"] == "pct")]
    found = [dict(source_id=r.source_id, data_cut=r.data_cut, cut_inferred=r.cut_inferred, assessment=r.assessment,
                  arm=r.arm, printed=r.printed, locator=r.locator) for r in rows.itertuples()]
    found += _review_rows(tables, "cbr").to_dict("records")
    return pd.DataFrame(found)


def _review_rows(tables: dict[str, pd.DataFrame], endpoint: str) -> pd.DataFrame:
    """The BOLERO-2 rows of the review's Table 1 for one endpoint, arms named as here, cut attributed."""
    outcomes = attribute_cuts(tables["trial_outcomes"])
    review = outcomes[(outcomes["trial"] == "bolero2") & (outcomes["endpoint"] == endpoint)]
    arm_of = {v: k for k, v in _OUTCOME_ARMS.items()}
    return pd.DataFrame([dict(source_id=r.source_id, data_cut=r.data_cut, cut_inferred=bool(r.cut_inferred),
                              assessment=r.assessment, arm=arm_of[r.arm], printed=r.printed, locator=r.locator)
                         for r in review.itertuples()])


def _discrepancy_numbers(discrepancies: list, table: str, measure_part: str) -> str:
    """Numbers (``D5``), as in the list of discrepancies, of those whose measure contains ``measure_part``."""
    numbers = [f"D{i}" for i, d in enumerate(discrepancies, start=1)
               if d.table == table and measure_part in d.measure]
    return ", ".join(numbers)


def clinical_benefit(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each printed version of the clinical benefit rate with its Clopper-Pearson interval.

    The denominator is assumed to be the randomised N of each arm (no source
    names it). The versions disagree (news report, MD Anderson, the review's
    Table 1); none is chosen.

    Returns
    -------
    DataFrame
        One row per source and arm: ``source_id``, ``data_cut``, ``arm``,
        ``printed``, ``nobs``, ``counts`` (:class:`PrintedCounts`), ``estimate``,
        ``low``, ``high`` (percent), ``discrepancy`` (numbers in the list of
        discrepancies, e.g. ``"D5"``).
    """
    n = randomised_n(tables)
    discrepancies = find_discrepancies(tables)
    rows = []
    for r in _clinical_benefit_rows(tables).itertuples():
        counts = counts_for_printed(r.printed, n[r.arm])
        estimate, low, high = interval_over_counts(counts).percent
        rows.append({"source_id": r.source_id, "data_cut": r.data_cut, "cut_inferred": r.cut_inferred,
                     "assessment": r.assessment, "arm": r.arm, "printed": r.printed,
                     "nobs": n[r.arm], "counts": counts, "estimate": estimate, "low": low, "high": high,
                     "discrepancy": _discrepancy_numbers(discrepancies, "response", f"arm={r.arm}, category=clinical_benefit")})
    return pd.DataFrame(rows)


FINAL_ENDPOINTS = {"orr": "Objective response", "os_events": "Deaths"}


def final_analysis_rates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Objective response and deaths of the final analysis (the review's Table 1), with intervals over the randomised N.

    The review prints percentages only, and no denominator; the randomised N
    of the same trial (485 and 239) is assumed, as for the clinical benefit
    rates. The review names no data cut for these rows; they are read under
    the inferred (final) cut, and ``cut_inferred`` says so.

    Returns
    -------
    DataFrame
        One row per ``endpoint`` (``orr``, ``os_events``) and ``arm``:
        ``source_id``, ``data_cut``, ``cut_inferred``, ``assessment``,
        ``printed``, ``nobs``, ``counts`` (:class:`PrintedCounts`),
        ``estimate``, ``low``, ``high`` (Clopper-Pearson, percent).
    """
    n = randomised_n(tables)
    rows = []
    for endpoint in FINAL_ENDPOINTS:
        for r in _review_rows(tables, endpoint).itertuples():
            counts = counts_for_printed(r.printed, n[r.arm])
            estimate, low, high = interval_over_counts(counts).percent
            rows.append({"endpoint": endpoint, "source_id": r.source_id, "data_cut": r.data_cut,
                         "cut_inferred": r.cut_inferred, "assessment": r.assessment, "arm": r.arm, "printed": r.printed,
                         "nobs": n[r.arm], "counts": counts, "estimate": estimate, "low": low, "high": high})
    return pd.DataFrame(rows)


def response_comparisons(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Everolimus against placebo: difference, ratio and NNT for every response version and the final deaths.

    Exact unconditional intervals (:func:`compare_count_sets` with
    ``exact=True``) are computed where the printed figures fix the counts.

    Returns
    -------
    DataFrame
        One row per outcome version: ``endpoint`` (``orr``, ``cbr``,
        ``os_events``), ``version`` (source id), ``assessment``,
        ``data_cut``, ``cut_inferred``, ``event`` (``beneficial`` for
        response, ``harmful`` for death), ``comparison``
        (:class:`ArmComparison`), ``difference``, ``difference_low``,
        ``difference_high`` (percentage points, Newcombe),
        ``difference_exact_low``, ``difference_exact_high`` (NaN where not
        computed), ``ratio``, ``ratio_low``, ``ratio_high`` (asymptotic),
        ``ratio_exact_low``, ``ratio_exact_high``, ``tables`` (count
        combinations the union runs over).
    """
    rows = []
    orr = objective_response(tables)
    for assessment in ASSESSMENTS:
        arms = orr[orr["assessment"] == assessment].set_index("arm")
        rows.append(("orr", "nejm_2011", assessment, "interim", False, "beneficial", arms.loc["everolimus", "counts"],
                     arms.loc["placebo", "counts"]))
    cbr = clinical_benefit(tables)
    for source_id, arms in cbr.groupby("source_id", sort=False):
        arms = arms.set_index("arm")
        first = arms.loc["everolimus"]
        rows.append(("cbr", source_id, first["assessment"], first["data_cut"], bool(first["cut_inferred"]), "beneficial",
                     first["counts"], arms.loc["placebo", "counts"]))
    final = final_analysis_rates(tables)
    for endpoint, arms in final.groupby("endpoint", sort=False):
        arms = arms.set_index("arm")
        first = arms.loc["everolimus"]
        event = "beneficial" if endpoint == "orr" else "harmful"
        rows.append((endpoint, first["source_id"], first["assessment"], first["data_cut"], bool(first["cut_inferred"]),
                     event, first["counts"], arms.loc["placebo", "counts"]))
    result = []
    for endpoint, version, assessment, data_cut, inferred, event, everolimus, placebo in rows:
        comparison = compare_count_sets(everolimus, placebo, event=event, exact=True)
        d, r = comparison.difference, comparison.ratio
        de, re_ = comparison.difference_exact, comparison.ratio_exact
        result.append({"endpoint": endpoint, "version": version, "assessment": assessment, "data_cut": data_cut,
                       "cut_inferred": inferred, "event": event, "comparison": comparison,
                       "difference": 100 * d.estimate, "difference_low": 100 * d.low, "difference_high": 100 * d.high,
                       "difference_exact_low": 100 * de.low if de else math.nan,
                       "difference_exact_high": 100 * de.high if de else math.nan,
                       "ratio": r.estimate, "ratio_low": r.low, "ratio_high": r.high,
                       "ratio_exact_low": re_.low if re_ else math.nan, "ratio_exact_high": re_.high if re_ else math.nan,
                       "tables": d.tables})
    return pd.DataFrame(result)


def _cut_text(data_cut: str, inferred: bool) -> str:
    return CUT_NAMES[data_cut] + (" (cut inferred)" if inferred else "")


def _stem(endpoint: str, version: str, assessment: str, data_cut: str) -> str:
    """Register id stem: ``orr.local`` (interim, NEJM Table 3), ``orr.unstated.final``,
    ``cbr.oncology_news_2011.unstated.interim``, ``deaths.final``."""
    if endpoint == "orr":
        # The interim figures keep their ids of the first release (the cut is the NEJM's only one).
        return f"orr.{assessment}" if data_cut == "interim" else f"orr.{assessment}.{data_cut}"
    if endpoint == "cbr":
        return f"cbr.{version}.{assessment}.{data_cut}"
    return f"deaths.{data_cut}"


def rate_figures(orr: pd.DataFrame, cbr: pd.DataFrame, final: pd.DataFrame | None = None) -> list[Figure]:
    """Register figures of the response rates (percent).

    Ids ``orr.<assessment>.<arm>`` (interim, NEJM Table 3),
    ``orr.<assessment>.final.<arm>``, ``cbr.<source>.<assessment>.<cut>.<arm>``
    and ``deaths.<cut>.<arm>``.

    Parameters
    ----------
    orr, cbr, final : DataFrame
        :func:`objective_response`, :func:`clinical_benefit` and
        :func:`final_analysis_rates` (optional).
    """
    figures = []
    for r in orr.itertuples():
        figures.append(Figure(
            f"orr.{r.assessment}.{r.arm}", r.estimate, ci_low=r.low, ci_high=r.high, unit="percent",
            method=method_text("rate", r.counts.is_unique), inputs=("nejm_2011",),
            description=f"Objective response, {r.assessment} assessment, interim analysis, {ARM_LABELS[r.arm]}: "
                        f"{r.counts.text()} of {r.nobs} randomised (from the printed {r.printed}%)"))
    for r in cbr.itertuples():
        figures.append(Figure(
            f"cbr.{r.source_id}.{r.assessment}.{r.data_cut}.{r.arm}", r.estimate, ci_low=r.low, ci_high=r.high,
            unit="percent", method=method_text("rate", r.counts.is_unique) + "; denominator assumed: randomised N",
            inputs=(r.source_id, "nejm_2011"),
            description=f"Clinical benefit rate as printed by {VERSION_NAMES[r.source_id]} ({_cut_text(r.data_cut, r.cut_inferred)}, "
                        f"assessment {r.assessment}), {ARM_LABELS[r.arm]}: {r.counts.text()} of {r.nobs} randomised "
                        f"(from the printed {r.printed})"))
    for r in ([] if final is None else final.itertuples()):
        stem = _stem(r.endpoint, r.source_id, r.assessment, r.data_cut)
        figures.append(Figure(
            f"{stem}.{r.arm}", r.estimate, ci_low=r.low, ci_high=r.high, unit="percent",
            method=method_text("rate", r.counts.is_unique) + "; denominator assumed: randomised N",
            inputs=(r.source_id, "nejm_2011"),
            description=f"{FINAL_ENDPOINTS[r.endpoint]} as printed by {VERSION_NAMES[r.source_id]} "
                        f"({_cut_text(r.data_cut, r.cut_inferred)}), {ARM_LABELS[r.arm]}: {r.counts.text()} of {r.nobs} "
                        f"randomised (from the printed {r.printed}%)"))
    return figures


def comparison_where(endpoint: str, version: str, data_cut: str, assessment: str = "unstated", inferred: bool = False) -> str:
    """Which version of an outcome a comparison is of: ``NEJM 2011, Table 3, local, interim``."""
    if version == "nejm_2011":
        return f"{VERSION_NAMES['nejm_2011']}, {assessment}, {data_cut}"
    return f"{VERSION_NAMES[version]}, {_cut_text(data_cut, inferred)}"


def comparison_figures(comparisons: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`response_comparisons`: ``<stem>.{difference, difference_exact, ratio, nnt}``.

    The ratio follows :func:`~bolero_evidence.stats.exact.ratio_citation`:
    with sparse counts and an exact interval computed, the registered
    interval is the exact one (the asymptotic interval is in the method
    text); a ratio whose estimate is 0 or infinite is not registered.
    """
    figures = []
    for c in comparisons.itertuples():
        outcome = {"orr": "Objective response", "cbr": "Clinical benefit", "os_events": "Death"}[c.endpoint]
        inputs = ("nejm_2011",) if c.version == "nejm_2011" else (c.version, "nejm_2011")
        prefix = _stem(c.endpoint, c.version, c.assessment, c.data_cut)
        comparison = c.comparison
        difference = comparison.difference
        unique = difference.counts1.is_unique and difference.counts2.is_unique
        needed = comparison.number_needed
        what = f"{outcome} ({comparison_where(c.endpoint, c.version, c.data_cut, c.assessment, c.cut_inferred)}), everolimus vs placebo"
        label = "treat for one more response" if c.event == "beneficial" else "treat for one death more or fewer"
        suffix = "nnt"
        figures.append(Figure(f"{prefix}.difference", c.difference, ci_low=c.difference_low, ci_high=c.difference_high,
                              unit="percentage_points", method=method_text("difference", unique), inputs=inputs,
                              description=f"{what}: difference in rate"))
        if comparison.difference_exact is not None:
            figures.append(Figure(f"{prefix}.difference_exact", c.difference, ci_low=c.difference_exact_low,
                                  ci_high=c.difference_exact_high, unit="percentage_points",
                                  method=method_text("difference_exact", unique), inputs=inputs,
                                  description=f"{what}: difference in rate, exact interval"))
        figures += _ratio_figures(prefix, c, comparison, unique, inputs, what)
        figures.append(Figure.number_needed(f"{prefix}.{suffix}", needed, method=method_text("nnt", unique), inputs=inputs,
                                            description=f"{what}: number needed to {label}, {needed.describe(0)}"))
    return figures


def _ratio_figures(prefix: str, c, comparison: ArmComparison, unique: bool, inputs, what: str) -> list[Figure]:
    citation = comparison.citation
    if not citation.cite_estimate:
        return []
    if citation.kind == "sparse" and comparison.ratio_exact is not None:
        fewer, more = citation.neighbour_estimates
        method = (f"{method_text('ratio_exact', unique)}; sparse counts: {citation.reason}; asymptotic (Miettinen-Nurminen) "
                  f"interval {c.ratio_low:.3g} to {c.ratio_high:.3g}")
        return [Figure(f"{prefix}.ratio", c.ratio, ci_low=c.ratio_exact_low, ci_high=c.ratio_exact_high, unit="ratio",
                       method=method, inputs=inputs,
                       description=f"{what}: ratio of rates (one event fewer or more in the sparse arm: {fewer:.3g}, {more:.3g})")]
    method = method_text("ratio", unique)
    if citation.kind == "sparse":
        method += f"; sparse counts, not to be cited as an estimate: {citation.reason} (no exact interval over the union)"
    return [Figure(f"{prefix}.ratio", c.ratio, ci_low=c.ratio_low, ci_high=c.ratio_high, unit="ratio", method=method,
                   inputs=inputs, description=f"{what}: ratio of rates")]


def best_overall_response(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Best overall response per assessment, arm and category (NEJM Table 3), with consistent counts.

    Returns
    -------
    DataFrame
        ``assessment``, ``arm``, ``category``, ``printed``, ``value``
        (percent), ``nobs`` (randomised N), ``counts`` (:class:`PrintedCounts`).
    """
    response = tables["response"]
    n = randomised_n(tables)
    rows = []
    for assessment in ASSESSMENTS:
        for arm in ARMS:
            for category in BOR_CATEGORIES:
                row = pick_row(response, data_cut="interim", assessment=assessment, arm=arm, category=category,
                               statistic="pct", source_id="nejm_2011")
                rows.append({"assessment": assessment, "arm": arm, "category": category, "printed": row["printed"],
                             "value": float(row["value"]), "nobs": n[arm],
                             "counts": counts_for_printed(row["printed"], n[arm])})
    return pd.DataFrame(rows)


def bor_checks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Arithmetic checks of best overall response per assessment and arm.

    Returns
    -------
    DataFrame
        ``assessment``, ``arm``, ``total`` (sum of the printed percentages),
        ``total_tolerance`` (the sum of the categories' rounding half-units),
        ``total_ok`` (``|total - 100| <= total_tolerance``), ``counts_low``,
        ``counts_high`` (the smallest and largest sum of consistent counts),
        ``counts_ok`` (N lies between them: some choice of counts adds up to
        N), ``orr_printed``, ``cr_pr_printed`` (CR + PR as printed),
        ``orr_ok`` (equal within the three rounding half-units), ``orr_counts_ok``
        (a count consistent with the printed ORR is a sum of counts
        consistent with CR and PR).
    """
    bor = best_overall_response(tables)
    orr = objective_response(tables)
    rows = []
    for assessment in ASSESSMENTS:
        for arm in ARMS:
            part = bor[(bor["assessment"] == assessment) & (bor["arm"] == arm)].set_index("category")
            resolutions = [parse_printed(p).resolution for p in part["printed"]]
            total = float(part["value"].sum())
            tolerance = sum(resolutions)
            counts_low = sum(c.low for c in part["counts"])
            counts_high = sum(c.high for c in part["counts"])
            nobs = int(part["nobs"].iloc[0])
            orr_row = orr[(orr["assessment"] == assessment) & (orr["arm"] == arm)].iloc[0]
            cr, pr = part.loc["complete_response"], part.loc["partial_response"]
            orr_value = parse_printed(orr_row["printed"]).value
            orr_tolerance = (parse_printed(orr_row["printed"]).resolution + parse_printed(cr["printed"]).resolution
                             + parse_printed(pr["printed"]).resolution)
            cr_pr = sum_counts(cr["counts"], pr["counts"])
            rows.append({
                "assessment": assessment, "arm": arm, "total": total, "total_tolerance": tolerance,
                "total_ok": abs(total - 100) <= tolerance + _PRINT_SLACK,
                "counts_low": counts_low, "counts_high": counts_high, "nobs": nobs,
                "counts_ok": counts_low <= nobs <= counts_high,
                "orr_printed": orr_value, "cr_pr_printed": float(cr["value"] + pr["value"]),
                "orr_ok": abs(orr_value - (cr["value"] + pr["value"])) <= orr_tolerance + _PRINT_SLACK,
                "orr_counts_ok": bool(set(orr_row["counts"].counts) & set(cr_pr.counts)),
            })
    return pd.DataFrame(rows)


# Response categories from best to worst; "unknown" is left white.
_BOR_COLOURS = {"complete_response": "#1b7837", "partial_response": "#7fbf7b", "stable_disease": "#d9d9d9",
                "progressive_disease": "#c2a5cf", "unknown_or_too_early": "#ffffff"}


def category_label(category: str) -> str:
    """``stable_disease`` -> ``Stable disease``."""
    return category.replace("_", " ").capitalize()


def plot_bor_composition(bor: pd.DataFrame):
    """Stacked horizontal bars of best overall response, one bar per assessment and arm.

    Parameters
    ----------
    bor : DataFrame
        :func:`best_overall_response` (printed percentages in ``value``).

    Returns
    -------
    matplotlib.figure.Figure
        Fixed size (8 x 3.6 inches, 100 dpi); local assessment on top.
    """
    import matplotlib.pyplot as plt

    bars = [(a, arm) for a in ASSESSMENTS for arm in ARMS][::-1]
    values = bor.set_index(["assessment", "arm", "category"])["value"]
    figure, axis = plt.subplots(figsize=(8, 3.6), dpi=100)
    left = [0.0] * len(bars)
    for category in BOR_CATEGORIES:
        widths = [float(values[(a, arm, category)]) for a, arm in bars]
        axis.barh(range(len(bars)), widths, left=left, color=_BOR_COLOURS[category], edgecolor="black",
                  linewidth=0.6, label=category_label(category))
        left = [start + width for start, width in zip(left, widths)]
    axis.set_yticks(range(len(bars)), [f"{a.capitalize()}: {ARM_LABELS[arm]}" for a, arm in bars])
    axis.set_xlim(0, 100)
    axis.set_xlabel("Patients, % of randomised")
    axis.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.4, -0.25), frameon=False)
    figure.tight_layout()
    return figure
