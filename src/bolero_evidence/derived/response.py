"""Objective response and clinical benefit: counts behind printed percentages, intervals, comparisons.

What notebook ``03-response`` shows, computed from the validated tables
(:func:`bolero_evidence.data.load_tables`):

- objective response per arm and assessment (NEJM Table 3) with the
  Clopper-Pearson interval beside the printed one, and the Wilson interval as
  a check of which method the paper used;
- the three printed versions of the clinical benefit rate, each with its
  source and interval;
- differences (Newcombe), ratios (Miettinen-Nurminen) and numbers needed to
  treat between the arms;
- the composition of best overall response, with its arithmetic checks.

The first part of the module is generic and is also used by
:mod:`bolero_evidence.derived.safety`. The sources print percentages, not
counts. A printed percentage is consistent with every count ``k`` for which
``100 k / N`` rounds to it (:func:`~bolero_evidence.stats.proportions.counts_consistent_with_percent`),
and when there are several, none is picked silently: intervals are computed
for every consistent count (for two arms, every combination of counts) and
their union is reported (lowest lower bound, highest upper bound), with the
point estimate at the count nearest the printed percentage of ``N``
(:func:`count_set`, :func:`interval_over_counts`, :func:`effect_over_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import product
from typing import Literal

import pandas as pd

from ..data.discrepancies import find_discrepancies
from ..data.printed import parse_printed
from ..register import Figure
from ..stats.proportions import (
    NoConsistentCountError,
    NumberNeeded,
    counts_consistent_with_percent,
    number_needed_from_difference,
    proportion_interval,
    risk_difference,
    risk_ratio,
)
from .common import pick, pick_row

__all__ = [
    "ARM_LABELS",
    "ARMS",
    "ASSESSMENTS",
    "BOR_CATEGORIES",
    "ArmComparison",
    "CountSet",
    "EffectOverCounts",
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
    "count_set",
    "effect_over_counts",
    "exact_count",
    "interval_over_counts",
    "method_text",
    "number_needed_register_bounds",
    "objective_response",
    "plot_bor_composition",
    "prints_as",
    "randomised_n",
    "rate_figures",
    "response_comparisons",
    "sum_count_sets",
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
# Counts behind printed percentages, and intervals over them (generic)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CountSet:
    """The patient counts a printed figure allows.

    Attributes
    ----------
    printed : str
        The printed form the counts come from (``"9.5"``, ``"<1"``,
        ``"3+<1"`` for a sum of two printed figures, or the printed count).
    nobs : int
        Denominator the counts are counted in.
    counts : tuple of int
        Every consistent count, ascending; never empty.
    central : int
        The count used for the point estimate: the consistent count nearest
        the printed percentage of ``nobs`` (see :func:`count_set`).
    """

    printed: str
    nobs: int
    counts: tuple[int, ...]
    central: int

    @property
    def low(self) -> int:
        """Smallest consistent count."""
        return self.counts[0]

    @property
    def high(self) -> int:
        """Largest consistent count."""
        return self.counts[-1]

    @property
    def is_unique(self) -> bool:
        """True when the printed figure fixes the count."""
        return len(self.counts) == 1

    def text(self) -> str:
        """``"46"`` or ``"37–40"`` (the counts are contiguous)."""
        return str(self.low) if self.is_unique else f"{self.low}–{self.high}"


def _exact_value(printed: str) -> tuple[Fraction, str]:
    """Printed percentage as an exact fraction, with its qualifier."""
    parsed = parse_printed(printed)
    if parsed.value is None:
        raise ValueError(f"printed={printed!r} has no value: expected a percentage")
    return Fraction(Decimal(repr(parsed.value))), parsed.qualifier


def count_set(printed: str, nobs: int, *, zero_is_none: bool = False) -> CountSet:
    """Counts of ``nobs`` consistent with a printed percentage.

    Parameters
    ----------
    printed : str
        The percentage as printed: ``"9.5"``, ``"19%"``, ``"<1"``, ``"< 1%"``.
    nobs : int
        The denominator assumed.
    zero_is_none : bool, optional
        Read a printed ``0`` as no patient at all. Right for a table that
        prints ``<1`` for non-zero percentages under 1 (NEJM Table 2): there a
        non-zero count would have been printed ``<1``, so ``0`` is not "rounds
        to 0". Without it, ``"0"`` of 482 allows counts 0 to 2.

    Returns
    -------
    CountSet
        ``central`` is the consistent count nearest ``p N / 100`` for a
        printed ``p`` (an exact tie goes to the lower count); for ``"<p"``,
        whose value lies anywhere in (0, p), the count nearest the middle,
        ``p N / 200``.

    Raises
    ------
    NoConsistentCountError
        If no count of ``nobs`` prints as ``printed``: the denominator is wrong.

    Notes
    -----
    ``"<1"`` is read by
    :func:`~bolero_evidence.stats.proportions.counts_consistent_with_percent`
    as ``0 < 100 k / N < 1``: at least one patient (none would print ``0``)
    and strictly under 1%, i.e. ``k = 1 .. ceil(N / 100) - 1``.
    """
    allowed = counts_consistent_with_percent(printed, nobs)
    value, qualifier = _exact_value(printed)
    counts = allowed.counts
    if zero_is_none and qualifier == "eq" and value == 0:
        counts = (0,)
    if not counts:
        raise NoConsistentCountError(f"no count of {nobs} prints as {printed!r}; check the denominator")
    target = value * nobs / 100 if qualifier == "eq" else value * nobs / 200
    central = min(counts, key=lambda k: (abs(k - target), k))
    return CountSet(printed=printed, nobs=int(nobs), counts=tuple(counts), central=central)


def exact_count(count: int, nobs: int) -> CountSet:
    """A count that is printed as a count (nothing to reconstruct).

    Parameters
    ----------
    count, nobs : int
        The printed count and the denominator, ``0 <= count <= nobs``.

    Returns
    -------
    CountSet
        With the single count, which is also the central one.
    """
    if not 0 <= count <= nobs:
        raise ValueError(f"count={count!r} is outside 0..{nobs}")
    return CountSet(printed=str(count), nobs=int(nobs), counts=(int(count),), central=int(count))


def sum_count_sets(first: CountSet, second: CountSet) -> CountSet:
    """Counts of patients in either of two disjoint categories (grade 3 and grade 4).

    Parameters
    ----------
    first, second : CountSet
        Counts of the two categories, in the same denominator. The categories
        must be disjoint (each patient counted once, at her worst grade).

    Returns
    -------
    CountSet
        Every sum of a count allowed by ``first`` and one allowed by
        ``second`` (at most ``nobs``); the central count is the sum of the
        central counts.

    Raises
    ------
    ValueError
        If the denominators differ.
    """
    if first.nobs != second.nobs:
        raise ValueError(f"denominators differ: {first.nobs} and {second.nobs}")
    counts = sorted({a + b for a in first.counts for b in second.counts if a + b <= first.nobs})
    return CountSet(printed=f"{first.printed}+{second.printed}", nobs=first.nobs, counts=tuple(counts),
                    central=first.central + second.central)


@dataclass(frozen=True)
class RateOverCounts:
    """A proportion and the union of its intervals over the consistent counts (0-1 scale).

    Attributes
    ----------
    counts : CountSet
        The counts it is computed for.
    estimate : float
        ``counts.central / nobs``.
    low, high : float
        Lowest lower and highest upper bound over all consistent counts.
    method : str
        Interval method of :func:`~bolero_evidence.stats.proportions.proportion_interval`.
    """

    counts: CountSet
    estimate: float
    low: float
    high: float
    method: str

    @property
    def percent(self) -> tuple[float, float, float]:
        """Estimate, low and high in percent."""
        return 100 * self.estimate, 100 * self.low, 100 * self.high


def interval_over_counts(counts: CountSet, method: str = "clopper-pearson") -> RateOverCounts:
    """Interval of one proportion, as the union over the counts a printed % allows.

    Parameters
    ----------
    counts : CountSet
        The consistent counts and the denominator.
    method : {"clopper-pearson", "wilson"}, optional
        Interval method of
        :func:`~bolero_evidence.stats.proportions.proportion_interval`.

    Returns
    -------
    RateOverCounts
        Estimate at the central count; lowest lower and highest upper bound
        over all consistent counts (for Clopper-Pearson, whose bounds increase
        with the count, the bounds of the smallest and the largest count).
    """
    intervals = [proportion_interval(k, counts.nobs, method=method) for k in counts.counts]
    return RateOverCounts(counts=counts, estimate=counts.central / counts.nobs,
                          low=min(i.low for i in intervals), high=max(i.high for i in intervals),
                          method=intervals[0].method)


@dataclass(frozen=True)
class EffectOverCounts:
    """A comparison of two arms and the union of its intervals over the consistent counts.

    Attributes
    ----------
    measure : {"difference", "ratio"}
        ``p1 - p2`` (0-1 scale) or ``p1 / p2``.
    estimate : float
        At the central counts of both arms (``nan`` for a ratio of two zero
        counts, ``inf`` when only arm 2 has none).
    low, high : float
        Lowest lower and highest upper bound over every combination of
        consistent counts.
    method : str
        Interval method.
    counts1, counts2 : CountSet
        Arm 1 (experimental) and arm 2 (control).
    """

    measure: Literal["difference", "ratio"]
    estimate: float
    low: float
    high: float
    method: str
    counts1: CountSet
    counts2: CountSet

    @property
    def tables(self) -> int:
        """Number of count combinations the union runs over."""
        return len(self.counts1.counts) * len(self.counts2.counts)


def effect_over_counts(counts1: CountSet, counts2: CountSet, measure: Literal["difference", "ratio"], *,
                       method: str | None = None) -> EffectOverCounts:
    """Risk difference or ratio of two arms, as the union over every combination of consistent counts.

    Parameters
    ----------
    counts1, counts2 : CountSet
        Arm 1 (experimental) and arm 2 (control).
    measure : {"difference", "ratio"}
        ``p1 - p2`` (:func:`~bolero_evidence.stats.proportions.risk_difference`)
        or ``p1 / p2`` (:func:`~bolero_evidence.stats.proportions.risk_ratio`).
    method : str, optional
        Interval method; default ``"newcombe"`` for the difference and
        ``"miettinen-nurminen"`` for the ratio.

    Returns
    -------
    EffectOverCounts
        Estimate at the central counts of both arms; lowest lower and highest
        upper bound over all ``len(counts1.counts) * len(counts2.counts)``
        tables; every table is computed rather than assuming the bounds come
        from the extreme counts.
    """
    if measure == "difference":
        method = method or "newcombe"

        def compute(k1, k2):
            return risk_difference(k1, counts1.nobs, k2, counts2.nobs, method=method)
    elif measure == "ratio":
        method = method or "miettinen-nurminen"

        def compute(k1, k2):
            return risk_ratio(k1, counts1.nobs, k2, counts2.nobs, method=method)
    else:
        raise ValueError(f"measure={measure!r}: expected 'difference' or 'ratio'")
    effects = [compute(k1, k2) for k1, k2 in product(counts1.counts, counts2.counts)]
    central = compute(counts1.central, counts2.central)
    return EffectOverCounts(measure=measure, estimate=central.estimate, low=min(e.low for e in effects),
                            high=max(e.high for e in effects), method=method, counts1=counts1, counts2=counts2)


@dataclass(frozen=True)
class ArmComparison:
    """Difference, ratio and number needed of one outcome, arm 1 against arm 2."""

    difference: EffectOverCounts
    ratio: EffectOverCounts
    number_needed: NumberNeeded


def compare_count_sets(counts1: CountSet, counts2: CountSet, *, event: Literal["harmful", "beneficial"]) -> ArmComparison:
    """Newcombe difference, Miettinen-Nurminen ratio and Altman's number needed, over all count combinations.

    Parameters
    ----------
    counts1, counts2 : CountSet
        Arm 1 (experimental) and arm 2 (control).
    event : {"harmful", "beneficial"}
        Direction of the counted event (adverse event: harmful; response:
        beneficial), which decides between NNTH and NNTB.

    Returns
    -------
    ArmComparison
        The number needed is the reciprocal of the union interval of the
        difference
        (:func:`~bolero_evidence.stats.proportions.number_needed_from_difference`).
    """
    difference = effect_over_counts(counts1, counts2, "difference")
    ratio = effect_over_counts(counts1, counts2, "ratio")
    needed = number_needed_from_difference(difference.estimate, difference.low, difference.high, event=event)
    return ArmComparison(difference, ratio, needed)


def number_needed_register_bounds(needed: NumberNeeded) -> tuple[float | None, float | None]:
    """Interval of a number needed as two register bounds, or ``(None, None)``.

    When the difference interval includes no effect, Altman's interval is two
    disjoint pieces (NNTB a to ∞ and NNTH b to ∞), which two bounds cannot
    hold: the register then leaves the bounds empty and the description
    carries :meth:`NumberNeeded.describe`.
    """
    if needed.includes_infinity:
        return None, None
    side = needed.benefit_range if needed.kind == "benefit" else needed.harm_range
    return side


def method_text(measure: str, counts_unique: bool) -> str:
    """Method column of a register entry (and of the notebooks' notes)."""
    base = {
        "rate": "Clopper-Pearson 95% CI",
        "difference": "Newcombe hybrid score 95% CI",
        "ratio": "Miettinen-Nurminen score 95% CI",
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
        ``nobs`` (randomised N), ``counts`` (:class:`CountSet`), ``estimate``,
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
            counts = count_set(printed, n[arm])
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
    response = tables["response"]
    rows = response[(response["category"] == "clinical_benefit") & (response["statistic"] == "pct")]
    found = [dict(source_id=r.source_id, data_cut=r.data_cut, assessment=r.assessment, arm=r.arm, printed=r.printed,
                  locator=r.locator) for r in rows.itertuples()]
    outcomes = tables["trial_outcomes"]
    review = outcomes[(outcomes["trial"] == "bolero2") & (outcomes["endpoint"] == "cbr")]
    arm_of = {v: k for k, v in _OUTCOME_ARMS.items()}
    found += [dict(source_id=r.source_id, data_cut=r.data_cut, assessment=r.assessment, arm=arm_of[r.arm],
                   printed=r.printed, locator=r.locator) for r in review.itertuples()]
    return pd.DataFrame(found)


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
        ``printed``, ``nobs``, ``counts`` (:class:`CountSet`), ``estimate``,
        ``low``, ``high`` (percent), ``discrepancy`` (numbers in the list of
        discrepancies, e.g. ``"D5"``).
    """
    n = randomised_n(tables)
    discrepancies = find_discrepancies(tables)
    rows = []
    for r in _clinical_benefit_rows(tables).itertuples():
        counts = count_set(r.printed, n[r.arm])
        estimate, low, high = interval_over_counts(counts).percent
        rows.append({"source_id": r.source_id, "data_cut": r.data_cut, "arm": r.arm, "printed": r.printed,
                     "nobs": n[r.arm], "counts": counts, "estimate": estimate, "low": low, "high": high,
                     "discrepancy": _discrepancy_numbers(discrepancies, "response", f"arm={r.arm}, category=clinical_benefit")})
    return pd.DataFrame(rows)


def response_comparisons(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Everolimus against placebo: difference, ratio and NNT for ORR (each assessment) and each CBR version.

    Returns
    -------
    DataFrame
        One row per outcome version: ``endpoint`` (``orr``/``cbr``),
        ``version`` (assessment for ORR, source id for CBR), ``data_cut``,
        ``comparison`` (:class:`ArmComparison`, response a beneficial event),
        ``difference``, ``difference_low``, ``difference_high`` (percentage
        points), ``ratio``, ``ratio_low``, ``ratio_high``, ``tables`` (count
        combinations the union runs over).
    """
    rows = []
    orr = objective_response(tables)
    for assessment in ASSESSMENTS:
        arms = orr[orr["assessment"] == assessment].set_index("arm")
        rows.append(("orr", assessment, "interim", arms.loc["everolimus", "counts"], arms.loc["placebo", "counts"]))
    cbr = clinical_benefit(tables)
    for source_id, arms in cbr.groupby("source_id", sort=False):
        arms = arms.set_index("arm")
        rows.append(("cbr", source_id, arms.loc["everolimus", "data_cut"], arms.loc["everolimus", "counts"],
                     arms.loc["placebo", "counts"]))
    result = []
    for endpoint, version, data_cut, everolimus, placebo in rows:
        comparison = compare_count_sets(everolimus, placebo, event="beneficial")
        d, r = comparison.difference, comparison.ratio
        result.append({"endpoint": endpoint, "version": version, "data_cut": data_cut, "comparison": comparison,
                       "difference": 100 * d.estimate, "difference_low": 100 * d.low, "difference_high": 100 * d.high,
                       "ratio": r.estimate, "ratio_low": r.low, "ratio_high": r.high, "tables": d.tables})
    return pd.DataFrame(result)


def rate_figures(orr: pd.DataFrame, cbr: pd.DataFrame) -> list[Figure]:
    """Register figures of the response rates: ``orr.<assessment>.<arm>`` and ``cbr.<source>.<arm>`` (percent).

    Parameters
    ----------
    orr, cbr : DataFrame
        :func:`objective_response` and :func:`clinical_benefit`.
    """
    figures = []
    for r in orr.itertuples():
        figures.append(Figure(
            f"orr.{r.assessment}.{r.arm}", r.estimate, ci_low=r.low, ci_high=r.high, unit="percent",
            method=method_text("rate", r.counts.is_unique), inputs=("nejm_2011",),
            description=f"Objective response, {r.assessment} assessment, {ARM_LABELS[r.arm]}: "
                        f"{r.counts.text()} of {r.nobs} randomised (from the printed {r.printed}%)"))
    for r in cbr.itertuples():
        figures.append(Figure(
            f"cbr.{r.source_id}.{r.arm}", r.estimate, ci_low=r.low, ci_high=r.high, unit="percent",
            method=method_text("rate", r.counts.is_unique) + "; denominator assumed: randomised N",
            inputs=(r.source_id, "nejm_2011"),
            description=f"Clinical benefit rate as printed by {r.source_id} ({CUT_NAMES[r.data_cut]}), "
                        f"{ARM_LABELS[r.arm]}: {r.counts.text()} of {r.nobs} randomised (from the printed {r.printed})"))
    return figures


def comparison_where(endpoint: str, version: str, data_cut: str) -> str:
    """Which version of an outcome a comparison is of: ``NEJM 2011, Table 3, local, interim``."""
    if endpoint == "orr":
        return f"{VERSION_NAMES['nejm_2011']}, {version}, interim"
    return f"{VERSION_NAMES[version]}, {CUT_NAMES[data_cut]}"


def comparison_figures(comparisons: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`response_comparisons`: ``<endpoint>.<version>.{difference, ratio, nnt}``."""
    figures = []
    for c in comparisons.itertuples():
        if c.endpoint == "orr":
            outcome, inputs = "Objective response", ("nejm_2011",)
        else:
            outcome, inputs = "Clinical benefit", (c.version, "nejm_2011")
        prefix = f"{c.endpoint}.{c.version}"
        difference = c.comparison.difference
        unique = difference.counts1.is_unique and difference.counts2.is_unique
        needed = c.comparison.number_needed
        what = f"{outcome} ({comparison_where(c.endpoint, c.version, c.data_cut)}), everolimus vs placebo"
        low, high = number_needed_register_bounds(needed)
        figures += [
            Figure(f"{prefix}.difference", c.difference, ci_low=c.difference_low, ci_high=c.difference_high,
                   unit="percentage_points", method=method_text("difference", unique), inputs=inputs,
                   description=f"{what}: difference in rate"),
            Figure(f"{prefix}.ratio", c.ratio, ci_low=c.ratio_low, ci_high=c.ratio_high, unit="ratio",
                   method=method_text("ratio", unique), inputs=inputs, description=f"{what}: ratio of rates"),
            Figure(f"{prefix}.nnt", needed.estimate, ci_low=low, ci_high=high, unit="patients",
                   method=method_text("nnt", unique), inputs=inputs,
                   description=f"{what}: number needed to treat for one more response, {needed.describe(1)}"),
        ]
    return figures


def best_overall_response(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Best overall response per assessment, arm and category (NEJM Table 3), with consistent counts.

    Returns
    -------
    DataFrame
        ``assessment``, ``arm``, ``category``, ``printed``, ``value``
        (percent), ``nobs`` (randomised N), ``counts`` (:class:`CountSet`).
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
                             "value": float(row["value"]), "nobs": n[arm], "counts": count_set(row["printed"], n[arm])})
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
            cr_pr = sum_count_sets(cr["counts"], pr["counts"])
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
