"""Tests of bolero_evidence.stats.proportions.

Published values are read from tests/reference/*.csv, where each row names its
source. A printed number is a computed number rounded to the printed decimals,
so "reproduced" means |computed - printed| <= half a unit in the last printed
place; PRINT_SLACK only absorbs the binary floating-point error of that
comparison (it is far below any printed unit).
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from bolero_evidence.stats.proportions import (
    AmbiguousCountError,
    NoConsistentCountError,
    ProportionInterval,
    TwoProportionEffect,
    _constrained_mle_difference,
    count_from_percent,
    counts_consistent_with_percent,
    number_needed_from_difference,
    number_needed_to_treat,
    proportion_interval,
    risk_difference,
    risk_ratio,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
PRINT_SLACK = 1e-9


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed place of a number such as '0.3382' or '43'."""
    exponent = Decimal(printed).as_tuple().exponent
    return 0.5 * 10.0 ** int(exponent)


def _prints_as(computed: float, printed: str) -> bool:
    if printed == "inf":
        return math.isinf(computed)
    return abs(computed - float(printed)) <= _half_unit(printed) + PRINT_SLACK


def _ids(rows: list[dict[str, str]]) -> list[str]:
    return [row["case_id"] for row in rows]


SINGLE_ROWS = _rows("published_intervals.csv")
TWO_ROWS = _rows("published_two_proportion_intervals.csv")
PERCENT_ROWS = _rows("printed_percentages.csv")
NNT_ROWS = _rows("published_number_needed.csv")


# --------------------------------------------------------------------------
# One proportion
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", SINGLE_ROWS, ids=_ids(SINGLE_ROWS))
def test_single_proportion_interval_reproduces_published_bounds(row):
    nobs = int(row["nobs"])
    # NEJM prints a percentage, not the count: reconstruct the count first.
    if row["count"]:
        count = int(row["count"])
    else:
        count = count_from_percent(row["estimate_printed"], nobs)
    result = proportion_interval(
        count, nobs, method=row["method"], confidence=float(row["confidence"])
    )
    low, high = (result.percent.low, result.percent.high) if row["scale"] == "percent" else (
        result.low,
        result.high,
    )
    assert _prints_as(low, row["low_printed"]), (row["case_id"], low)
    assert _prints_as(high, row["high_printed"]), (row["case_id"], high)
    if row["estimate_printed"]:
        assert _prints_as(result.percent.estimate, row["estimate_printed"])


def test_nejm_response_intervals_are_not_wilson():
    # Identifies the unnamed NEJM method: Wilson misses at least one printed
    # bound of every NEJM row, so the reproduction above is not a coincidence
    # of two methods agreeing.
    for row in (r for r in SINGLE_ROWS if r["source_id"] == "nejm_2011"):
        nobs = int(row["nobs"])
        count = count_from_percent(row["estimate_printed"], nobs)
        wilson = proportion_interval(count, nobs, method="wilson").percent
        assert not (
            _prints_as(wilson.low, row["low_printed"])
            and _prints_as(wilson.high, row["high_printed"])
        ), row["case_id"]


def test_proportion_interval_result_fields_and_aliases():
    row = next(r for r in SINGLE_ROWS if r["count"] and r["method"] == "clopper-pearson")
    count, nobs = int(row["count"]), int(row["nobs"])
    exact = proportion_interval(count, nobs, method="clopper-pearson")
    assert isinstance(exact, ProportionInterval)
    assert (exact.count, exact.nobs, exact.method, exact.confidence) == (
        count, nobs, "clopper-pearson", 0.95,
    )
    assert exact.estimate == count / nobs
    # Aliases name the same computation, so the results are identical.
    assert proportion_interval(count, nobs, method="exact") == exact
    assert proportion_interval(count, nobs, method="beta") == exact
    # percent is the same numbers times 100; 1e-12 covers the multiplication.
    assert exact.percent.low == pytest.approx(100 * exact.low, abs=1e-12)
    with pytest.raises(AttributeError):
        exact.low = 0.0  # frozen


def test_interval_bounds_are_exact_at_zero_and_full_counts():
    for method in ("clopper-pearson", "wilson"):
        assert proportion_interval(0, 20, method=method).low == 0.0
        assert proportion_interval(20, 20, method=method).high == 1.0


# --------------------------------------------------------------------------
# Two proportions
# --------------------------------------------------------------------------


def _effect(row: dict[str, str]) -> TwoProportionEffect:
    counts = [int(row[key]) for key in ("count1", "nobs1", "count2", "nobs2")]
    compute = risk_difference if row["measure"] == "difference" else risk_ratio
    return compute(*counts, method=row["method"], confidence=float(row["confidence"]))


REPRODUCED = [row for row in TWO_ROWS if row["reproduced"] == "yes"]
DISCREPANT = [row for row in TWO_ROWS if row["reproduced"] == "no"]


@pytest.mark.parametrize("row", REPRODUCED, ids=_ids(REPRODUCED))
def test_two_proportion_interval_reproduces_published_bounds(row):
    result = _effect(row)
    assert _prints_as(result.low, row["low_printed"]), (row["case_id"], result.low)
    assert _prints_as(result.high, row["high_printed"]), (row["case_id"], result.high)
    assert result.low <= result.estimate <= result.high


@pytest.mark.parametrize("row", DISCREPANT, ids=_ids(DISCREPANT))
def test_recorded_discrepancies_are_still_discrepant(row):
    # The CSV note explains each of these; if one starts to match, the note
    # (and the conclusion drawn from it) must be revisited.
    result = _effect(row)
    assert not (
        _prints_as(result.low, row["low_printed"])
        and _prints_as(result.high, row["high_printed"])
    ), row["case_id"]


def _interior_tables() -> list[tuple[int, int, int, int]]:
    """Distinct published tables in which neither arm is 0 or 100% events."""
    tables = {
        tuple(int(row[key]) for key in ("count1", "nobs1", "count2", "nobs2"))
        for row in TWO_ROWS
    }
    return sorted(t for t in tables if 0 < t[0] < t[1] and 0 < t[2] < t[3])


@pytest.mark.parametrize("table", _interior_tables())
def test_score_ratio_intervals_agree_with_statsmodels(table):
    # statsmodels' ratio score interval is correct away from zero counts;
    # 1e-8 covers the two root finders' tolerances (both well below 1e-10).
    for method, correction in (("miettinen-nurminen", True), ("koopman", False)):
        ours = risk_ratio(*table, method=method)
        theirs = confint_proportions_2indep(
            *table, method="score", compare="ratio", alpha=0.05, correction=correction
        )
        assert ours.low == pytest.approx(float(theirs[0]), rel=1e-8)
        assert ours.high == pytest.approx(float(theirs[1]), rel=1e-8)


def test_statsmodels_difference_score_interval_still_has_issue_10269():
    # Why risk_difference computes the Miettinen-Nurminen interval itself:
    # statsmodels 0.15 (issue statsmodels#10269) misses Newcombe's method-6
    # value for example (a). If this fails, statsmodels has been fixed and the
    # difference interval could be delegated to it.
    row = next(r for r in TWO_ROWS if r["case_id"] == "newcombe1998b_t2_a_m6")
    counts = [int(row[key]) for key in ("count1", "nobs1", "count2", "nobs2")]
    low, high = confint_proportions_2indep(
        *counts, method="score", compare="diff", alpha=0.05, correction=True
    )
    assert not _prints_as(float(high), row["high_printed"])


def test_constrained_mle_solves_the_score_equation():
    # The restricted maximum likelihood estimate zeroes the derivative of the
    # log likelihood along p1 - p2 = delta; 1e-7 relative to the size of the
    # terms allows for the closed-form cubic's rounding.
    for x1, n1, x2, n2 in ((7, 34, 1, 34), (56, 70, 48, 80), (3, 10, 9, 12)):
        for step in range(-19, 20):
            delta = step / 20
            p1, p2 = _constrained_mle_difference(delta, x1, n1, x2, n2)
            assert p1 - p2 == pytest.approx(delta, abs=1e-12)
            if not (0 < p2 < 1 and 0 < p1 < 1):
                continue
            terms = (x1 / p1, (n1 - x1) / (1 - p1), x2 / p2, (n2 - x2) / (1 - p2))
            derivative = terms[0] - terms[1] + terms[2] - terms[3]
            assert abs(derivative) <= 1e-7 * max(terms)


def test_score_intervals_cover_the_estimate_for_every_small_table():
    # Exhaustive over small tables, zero and full counts included: no method
    # may fail, return NaN bounds, or exclude its own estimate.
    for n1, n2 in ((1, 1), (3, 7), (10, 20)):
        for x1 in range(n1 + 1):
            for x2 in range(n2 + 1):
                for method in ("newcombe", "miettinen-nurminen"):
                    r = risk_difference(x1, n1, x2, n2, method=method)
                    assert -1.0 <= r.low <= r.estimate <= r.high <= 1.0
                for method in ("miettinen-nurminen", "koopman"):
                    r = risk_ratio(x1, n1, x2, n2, method=method)
                    assert 0.0 <= r.low <= r.high
                    if not math.isnan(r.estimate):
                        assert r.low <= r.estimate <= r.high


def test_ratio_with_zero_counts_reports_zero_and_infinite_bounds():
    none_in_control = risk_ratio(5, 10, 0, 20, method="miettinen-nurminen")
    assert math.isinf(none_in_control.estimate) and math.isinf(none_in_control.high)
    assert 0 < none_in_control.low < math.inf
    none_in_experimental = risk_ratio(0, 10, 5, 20, method="koopman")
    assert none_in_experimental.estimate == 0.0 and none_in_experimental.low == 0.0
    assert 0 < none_in_experimental.high < math.inf
    none_anywhere = risk_ratio(0, 10, 0, 20, method="miettinen-nurminen")
    assert math.isnan(none_anywhere.estimate)
    assert (none_anywhere.low, none_anywhere.high) == (0.0, math.inf)
    with pytest.raises(ValueError, match=r"count1=5, count2=0: the log \(Katz\) interval"):
        risk_ratio(5, 10, 0, 20, method="log")


def test_two_proportion_effect_fields():
    effect = risk_difference(7, 34, 1, 34, method="newcombe")
    assert effect.measure == "difference" and effect.method == "newcombe"
    assert (effect.count1, effect.nobs1, effect.count2, effect.nobs2) == (7, 34, 1, 34)
    assert effect.estimate == effect.proportion1 - effect.proportion2


# --------------------------------------------------------------------------
# Number needed to treat / harm
# --------------------------------------------------------------------------


def _optional(printed: str) -> str | None:
    return printed or None


@pytest.mark.parametrize("row", NNT_ROWS, ids=_ids(NNT_ROWS))
def test_number_needed_reproduces_published_values(row):
    result = number_needed_from_difference(
        float(row["difference"]),
        float(row["difference_low"]),
        float(row["difference_high"]),
        event=row["event"],
        confidence=float(row["confidence"]),
    )
    assert result.kind == row["kind"]
    assert _prints_as(result.estimate, row["estimate_printed"])
    for computed, near, far in (
        (result.benefit_range, row["benefit_near_printed"], row["benefit_far_printed"]),
        (result.harm_range, row["harm_near_printed"], row["harm_far_printed"]),
    ):
        if not near:
            assert computed is None
            continue
        assert _prints_as(computed[0], near) and _prints_as(computed[1], far)
    assert result.includes_infinity == (
        "inf" in (row["benefit_far_printed"], row["harm_far_printed"])
    )
    assert result.describe(int(row["wording_decimals"])) == row["wording"]


def test_number_needed_direction_follows_the_event():
    # The same difference is a benefit for a response and a harm for an
    # adverse event.
    row = next(r for r in NNT_ROWS if r["case_id"] == "barrowman2002_tpa")
    args = (float(row["difference"]), float(row["difference_low"]), float(row["difference_high"]))
    harmful = number_needed_from_difference(*args, event="harmful")
    beneficial = number_needed_from_difference(*args, event="beneficial")
    assert (harmful.kind, beneficial.kind) == ("benefit", "harm")
    assert harmful.estimate == beneficial.estimate
    assert harmful.benefit_range == beneficial.harm_range
    assert beneficial.describe().startswith("NNTH")


def test_number_needed_from_a_risk_difference_result():
    # Objective response is a beneficial event; arm 1 is everolimus.
    response = risk_difference(46, 485, 1, 239, method="newcombe")
    result = number_needed_to_treat(response, event="beneficial")
    assert result.kind == "benefit" and not result.includes_infinity
    # Reciprocals of the difference interval, exchanged; 1e-12 relative for
    # the division.
    assert result.benefit_range == pytest.approx((1 / response.high, 1 / response.low), rel=1e-12)
    assert result.bound_benefit == result.benefit_range[0] and result.bound_harm is None
    ratio = risk_ratio(46, 485, 1, 239, method="koopman")
    with pytest.raises(ValueError, match="expected a TwoProportionEffect with measure='difference'"):
        number_needed_to_treat(ratio, event="beneficial")


def test_zero_difference_has_infinite_estimate_and_no_direction():
    result = number_needed_from_difference(0.0, -0.1, 0.2, event="beneficial")
    assert result.kind == "none" and math.isinf(result.estimate)
    assert result.includes_infinity
    assert result.describe().startswith("NNT ∞ (95% CI NNTB")


# --------------------------------------------------------------------------
# Counts behind printed percentages
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", PERCENT_ROWS, ids=_ids(PERCENT_ROWS))
def test_counts_consistent_with_printed_percentages(row):
    result = counts_consistent_with_percent(row["percent_printed"], int(row["nobs"]))
    expected = tuple(int(k) for k in row["expected_counts"].split(";"))
    assert result.counts == expected
    assert result.is_unique == (len(expected) == 1)
    if result.is_unique:
        assert result.single() == expected[0]
    else:
        with pytest.raises(AmbiguousCountError, match=r"is consistent with counts \["):
            result.single()


def test_exact_ties_accept_both_rounding_rules():
    # 100 * 1 / 8 = 12.5 exactly: half-up prints 13, half-even prints 12, so
    # both printed values must accept the count.
    assert 1 in counts_consistent_with_percent("13", 8).counts
    assert 1 in counts_consistent_with_percent("12", 8).counts


def test_float_percent_needs_decimals_and_matches_the_string_form():
    with pytest.raises(ValueError, match=r"percent=7.0 is a float, whose printed decimals are lost"):
        counts_consistent_with_percent(7.0, 485)
    as_float = counts_consistent_with_percent(7.0, 485, decimals=1)
    assert as_float.counts == counts_consistent_with_percent("7.0", 485).counts
    assert counts_consistent_with_percent(8, 482).counts == counts_consistent_with_percent("8", 482).counts
    with pytest.raises(ValueError, match=r"percent=9.55 has more than decimals=1"):
        counts_consistent_with_percent(9.55, 485, decimals=1)


def test_qualifiers():
    assert counts_consistent_with_percent("1", 238, qualifier="lt").counts == (1, 2)
    assert counts_consistent_with_percent("<1%", 238).qualifier == "lt"
    assert counts_consistent_with_percent(">99", 238).counts == (236, 237)
    with pytest.raises(ValueError, match=r"qualifier='gt' contradicts percent='<1'"):
        counts_consistent_with_percent("<1", 238, qualifier="gt")


def test_no_consistent_count_is_reported():
    # 1 of 3 is 33.3%, 2 of 3 is 66.7%: nothing prints as 50%.
    result = counts_consistent_with_percent("50", 3)
    assert result.counts == ()
    with pytest.raises(NoConsistentCountError, match="no count k in 0..3 gives 50%"):
        result.single()


# --------------------------------------------------------------------------
# Argument errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportion_interval(-1, 10), r"count=-1 is too small: expected an integer >= 0"),
        (lambda: proportion_interval(11, 10), r"count=11 exceeds nobs=10"),
        (lambda: proportion_interval(0, 0), r"nobs=0 is too small: expected an integer >= 1"),
        (lambda: proportion_interval(1.5, 10), r"count=1.5 is not an integer"),
        (lambda: proportion_interval(True, 10), r"count=True is not an integer"),
        (lambda: proportion_interval(1, 10, confidence=1.0), r"confidence=1.0 is outside \(0, 1\)"),
        (lambda: proportion_interval(1, 10, confidence=0), r"confidence=0 is outside \(0, 1\)"),
        (lambda: proportion_interval(1, 10, method="wald"), r"method='wald' is not a known method: expected one of"),
        (lambda: risk_difference(1, 10, 12, 10), r"count2=12 exceeds nobs2=10"),
        (lambda: risk_difference(1, 10, 2, 10, method="score"), r"method='score' is not a method for a risk difference: expected one of \['newcombe', 'miettinen-nurminen'\]"),
        (lambda: risk_ratio(1, 10, 2, 10, method="newcombe"), r"method='newcombe' is not a method for a risk ratio"),
        (lambda: risk_ratio(1, -10, 2, 10), r"nobs1=-10 is too small"),
        (lambda: number_needed_from_difference(0.1, 0.2, 0.3, event="harmful"), r"expected low <= difference <= high"),
        (lambda: number_needed_from_difference(0.1, 0.0, 1.5, event="harmful"), r"high=1.5 is not a risk difference: expected a value in \[-1, 1\]"),
        (lambda: number_needed_from_difference(0.1, 0.0, 0.2, event="adverse"), r"event='adverse' is not a direction: expected 'harmful'"),
        (lambda: counts_consistent_with_percent("101", 10), r"percent='101' is outside \[0, 100\]"),
        (lambda: counts_consistent_with_percent(-0.5, 10, decimals=1), r"percent=-0.5 is outside \[0, 100\]"),
        (lambda: counts_consistent_with_percent("abc", 10), r"percent='abc' is not a number"),
        (lambda: counts_consistent_with_percent("9.5", 0), r"nobs=0 is too small"),
        (lambda: counts_consistent_with_percent("9.5", 485, decimals=2), r"decimals=2 contradicts percent='9.5'"),
        (lambda: counts_consistent_with_percent("9.5", 485, qualifier="le"), r"qualifier='le' is not known: expected 'eq', 'lt' or 'gt'"),
        (lambda: counts_consistent_with_percent("9.5", 485, decimals=-1), r"decimals=-1 is not usable"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------
# Structured bounds of a number needed (issue 10, item 5)
# --------------------------------------------------------------------------


def test_number_needed_structured_fields_through_infinity():
    # Altman 1998 (tests/reference/published_number_needed.csv): NNTB 10 (NNTB 4 to ∞ to NNTH 20).
    row = next(r for r in _rows("published_number_needed.csv") if r["case_id"] == "altman1998_figure1")
    needed = number_needed_from_difference(float(row["difference"]), float(row["difference_low"]),
                                           float(row["difference_high"]), event=row["event"])
    fields = needed.register_fields()
    assert fields["bounds_kind"] == "through_infinity"
    assert fields["low"] is None and fields["high"] is None
    assert fields["nnt_benefit_bound"] == pytest.approx(float(row["benefit_near_printed"]))
    assert fields["nnt_harm_bound"] == pytest.approx(float(row["harm_near_printed"]))
    assert fields["estimate"] == pytest.approx(float(row["estimate_printed"]))


def test_number_needed_structured_fields_finite_and_to_infinity():
    finite = number_needed_from_difference(-0.10, -0.25, -0.05, event="harmful")
    assert finite.bounds_kind == "finite" and finite.finite_bounds == pytest.approx((4.0, 20.0))
    assert finite.nnt_harm_bound is None
    harm = number_needed_from_difference(0.10, 0.05, 0.25, event="harmful")
    assert harm.bounds_kind == "finite" and harm.register_fields()["nnt_harm_bound"] == pytest.approx(4.0)
    edge = number_needed_from_difference(-0.10, -0.25, 0.0, event="harmful")
    assert edge.bounds_kind == "to_infinity" and edge.finite_bounds is None
