"""Tests of bolero_evidence.derived.response against NEJM Table 3 and the printed clinical benefit rates.

A printed number is a computed number rounded to the printed decimals, so
"reproduced" means |computed - printed| <= half a unit of the last printed
digit (0.05 for Table 3's one-decimal percentages); SLACK only absorbs
binary floating-point error in that comparison.
"""

from __future__ import annotations

import math

import pytest

from bolero_evidence.derived import response
from bolero_evidence.register import Figure
from bolero_evidence.stats.proportions import (
    NoConsistentCountError,
    number_needed_from_difference,
    proportion_interval,
    risk_difference,
    risk_ratio,
)
from bolero_evidence.stats.rounding import (
    counts_for_printed,
    effect_over_counts,
    exact_counts,
    interval_over_counts,
    sum_counts,
)

SLACK = 1e-9
HALF_UNIT_ONE_DECIMAL = 0.05


@pytest.fixture(scope="module")
def orr(tables):
    return response.objective_response(tables).set_index(["assessment", "arm"])


@pytest.fixture(scope="module")
def cbr(tables):
    return response.clinical_benefit(tables).set_index(["source_id", "arm"])


# --------------------------------------------------------------------------
# Counts behind printed percentages and unions over them (generic part)
# --------------------------------------------------------------------------


def count_set(printed, nobs, *, zero_is_none=False):
    """The reading the analyses use: NEJM Table 2's flag where a printed 0 is no patient, plain rounding elsewhere."""
    return counts_for_printed(printed, nobs, flag="<1" if zero_is_none else None)


def test_less_than_one_percent_is_one_patient_to_just_under_one_percent():
    # 4/482 = 0.83% and 5/482 = 1.04%; 2/238 = 0.84% and 3/238 = 1.26%.
    assert count_set("<1", 482).counts == (1, 2, 3, 4)
    assert count_set("< 1%", 238).counts == (1, 2)
    # The point estimate sits at the middle of (0, 1%): 482/200 = 2.41 -> 2.
    assert count_set("<1", 482).central == 2


def test_printed_zero_is_no_patient_only_when_the_table_prints_less_than_one():
    # 2/482 = 0.41% would round to 0, but a table that prints "<1" would have printed it so.
    assert count_set("0", 482).counts == (0, 1, 2)
    assert count_set("0", 482, zero_is_none=True).counts == (0,)


def test_central_count_is_nearest_the_printed_percentage_and_ties_go_down():
    # 33% of 485 = 160.05: counts 158..162 print as 33% (157 = 32.37%, 163 = 33.61%).
    allowed = count_set("33%", 485)
    assert allowed.counts == (158, 159, 160, 161, 162)
    assert allowed.central == 160
    # 1% of 150 = 1.5 exactly, between the consistent counts 1 (0.67%) and 2 (1.33%).
    assert count_set("1", 150).counts == (1, 2)
    assert count_set("1", 150).central == 1


def test_a_percentage_no_count_can_print_is_an_error():
    # 5% of 10 patients: 0 (0%) and 1 (10%) are the only possibilities.
    with pytest.raises(NoConsistentCountError):
        count_set("5", 10)


def test_sums_of_count_sets():
    grade_3 = counts_for_printed("3", 482, flag="<1")
    grade_4 = counts_for_printed("<1", 482)
    assert (grade_3.counts, grade_3.central, grade_4.counts, grade_4.central) == ((13, 14, 15, 16), 14, (1, 2, 3, 4), 2)
    total = sum_counts(grade_3, grade_4)
    assert total.counts == tuple(range(14, 21))
    assert total.central == 16
    with pytest.raises(ValueError):
        sum_counts(grade_3, counts_for_printed("1", 238, flag="<1"))


def test_union_interval_covers_the_interval_of_every_consistent_count():
    allowed = count_set("33%", 485)
    union = interval_over_counts(allowed)
    for k in allowed.counts:
        single = proportion_interval(k, 485)
        assert union.low <= single.low + SLACK and single.high <= union.high + SLACK
    # Clopper-Pearson bounds increase with the count: the union runs from the
    # smallest count's lower bound to the largest count's upper bound.
    assert union.low == pytest.approx(proportion_interval(158, 485).low, abs=1e-15)
    assert union.high == pytest.approx(proportion_interval(162, 485).high, abs=1e-15)
    assert union.estimate == 160 / 485


def test_union_effect_covers_every_count_combination_and_reduces_to_one_table():
    arm1, arm2 = count_set("33%", 485), count_set("18%", 239)
    difference = effect_over_counts(arm1, arm2, "difference")
    ratio = effect_over_counts(arm1, arm2, "ratio")
    assert difference.tables == 5 * 3
    for k1 in arm1.counts:
        for k2 in arm2.counts:
            d = risk_difference(k1, 485, k2, 239)
            r = risk_ratio(k1, 485, k2, 239)
            assert difference.low <= d.low + SLACK and d.high <= difference.high + SLACK
            assert ratio.low <= r.low + SLACK and r.high <= ratio.high + SLACK
    assert difference.estimate == pytest.approx(160 / 485 - 43 / 239, abs=1e-15)
    single = effect_over_counts(exact_counts(46, 485), exact_counts(1, 239), "difference")
    direct = risk_difference(46, 485, 1, 239)
    assert (single.estimate, single.low, single.high) == (direct.estimate, direct.low, direct.high)


def _bounds(needed):
    figure = Figure.number_needed("demo.nnt", needed, method="m", inputs="nejm_2011", description="d")
    return figure.ci_low, figure.ci_high, figure.interval_kind, figure.nnt_benefit_bound, figure.nnt_harm_bound


def test_number_needed_register_bounds():
    harm = number_needed_from_difference(0.15, 0.10, 0.20, event="harmful")
    assert _bounds(harm)[:2] == pytest.approx((5.0, 10.0))
    assert _bounds(harm)[2] == "finite"
    benefit = number_needed_from_difference(0.09, 0.06, 0.12, event="beneficial")
    assert _bounds(benefit)[:2] == pytest.approx((1 / 0.12, 1 / 0.06))
    # An interval through no effect is two disjoint pieces: no pair of bounds,
    # but both finite ends are stored: NNTB 100 to ∞ to NNTH 12.5.
    either = number_needed_from_difference(0.04, -0.01, 0.08, event="harmful")
    low, high, kind, benefit_bound, harm_bound = _bounds(either)
    assert (low, high, kind) == (None, None, "through_infinity")
    assert (benefit_bound, harm_bound) == pytest.approx((100.0, 12.5))


# --------------------------------------------------------------------------
# Objective response (NEJM Table 3)
# --------------------------------------------------------------------------


def test_objective_response_counts_are_fixed_by_the_printed_percentages(orr):
    # 46/485 = 9.485% (45: 9.28, 47: 9.69); 34/485 = 7.010% (33: 6.80, 35: 7.22);
    # 1/239 = 0.418% (0: 0.0, 2: 0.84).
    expected = {("local", "everolimus"): 46, ("local", "placebo"): 1,
                ("central", "everolimus"): 34, ("central", "placebo"): 1}
    for key, count in expected.items():
        assert orr.loc[key, "counts"].counts == (count,)
        assert orr.loc[key, "nobs"] == {"everolimus": 485, "placebo": 239}[key[1]]


def test_clopper_pearson_reproduces_every_printed_objective_response_interval(orr):
    # The NEJM does not name its method; all eight printed bounds are within
    # rounding of Clopper-Pearson.
    for key, row in orr.iterrows():
        assert abs(row["low"] - float(row["printed_low"])) <= HALF_UNIT_ONE_DECIMAL + SLACK, key
        assert abs(row["high"] - float(row["printed_high"])) <= HALF_UNIT_ONE_DECIMAL + SLACK, key
        assert row["low_reproduced"] and row["high_reproduced"]


def test_wilson_misses_a_printed_bound_in_every_row(orr):
    # Makes the method identification meaningful: the two methods differ here.
    for key, row in orr.iterrows():
        low_ok = abs(row["wilson_low"] - float(row["printed_low"])) <= HALF_UNIT_ONE_DECIMAL + SLACK
        high_ok = abs(row["wilson_high"] - float(row["printed_high"])) <= HALF_UNIT_ONE_DECIMAL + SLACK
        assert not (low_ok and high_ok), key
        assert (row["wilson_low_reproduced"], row["wilson_high_reproduced"]) == (low_ok, high_ok)


# --------------------------------------------------------------------------
# Clinical benefit: three printed versions, none chosen
# --------------------------------------------------------------------------


def test_every_printed_clinical_benefit_version_is_kept_with_its_counts(cbr):
    # Randomised N: 50.5% -> 245/485 (50.52%); 25.5% -> 61/239 (25.52%);
    # 49.9% -> 242/485 (49.90%); 22.2% -> 53/239 (22.18%);
    # 33% -> 158..162 of 485; 18% -> 42..44 of 239 (41: 17.15%, 45: 18.83%).
    expected = {("mdanderson_conquest_2012", "everolimus"): (245,), ("mdanderson_conquest_2012", "placebo"): (61,),
                ("mtor_review_2014", "everolimus"): (242,), ("mtor_review_2014", "placebo"): (53,),
                ("oncology_news_2011", "everolimus"): tuple(range(158, 163)),
                ("oncology_news_2011", "placebo"): (42, 43, 44)}
    assert {key: row["counts"].counts for key, row in cbr.iterrows()} == expected


def test_clinical_benefit_versions_are_in_the_list_of_discrepancies(cbr):
    assert all(cbr["discrepancy"].str.match(r"^D\d+$"))
    assert cbr.xs("everolimus", level="arm")["discrepancy"].nunique() == 1


# --------------------------------------------------------------------------
# Comparisons and best overall response
# --------------------------------------------------------------------------


def test_comparisons_cover_both_assessments_and_every_clinical_benefit_version(tables):
    comparisons = response.response_comparisons(tables)
    assert list(zip(comparisons["endpoint"], comparisons["version"], comparisons["assessment"])) == [
        ("orr", "nejm_2011", "local"), ("orr", "nejm_2011", "central"), ("cbr", "oncology_news_2011", "unstated"),
        ("cbr", "mdanderson_conquest_2012", "unstated"), ("cbr", "mtor_review_2014", "unstated"),
        ("orr", "mtor_review_2014", "unstated"), ("os_events", "mtor_review_2014", "unstated")]
    local = comparisons.iloc[0]
    # 46/485 - 1/239 = 0.09066 and (46/485) / (1/239) = 22.67.
    assert local["difference"] == pytest.approx(100 * (46 / 485 - 1 / 239), abs=1e-12)
    assert local["ratio"] == pytest.approx((46 / 485) / (1 / 239), rel=1e-12)
    needed = local["comparison"].number_needed
    assert needed.kind == "benefit"
    assert needed.estimate == pytest.approx(100 / local["difference"])
    assert needed.benefit_range == pytest.approx((100 / local["difference_high"], 100 / local["difference_low"]))
    for _, row in comparisons.iterrows():
        assert row["difference_low"] <= row["difference"] <= row["difference_high"]
        assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"]
    for _, row in comparisons[comparisons["endpoint"] != "os_events"].iterrows():
        # Every response version favours everolimus with an interval excluding no difference.
        assert row["difference_low"] > 0 and row["ratio_low"] > 1
    # Final-analysis deaths (the review's Table 1): 25.4% of 485 = 123, 32.2% of 239 = 77;
    # fewer deaths with everolimus, but the interval includes no difference, so the NNT's passes through infinity.
    deaths = comparisons[comparisons["endpoint"] == "os_events"].iloc[0]
    assert (deaths["comparison"].difference.counts1.counts, deaths["comparison"].difference.counts2.counts) == ((123,), (77,))
    assert deaths["difference"] == pytest.approx(100 * (123 / 485 - 77 / 239), abs=1e-12)
    assert deaths["difference_low"] < 0 < deaths["difference_high"]
    assert deaths["comparison"].number_needed.bounds_kind == "through_infinity"


def test_best_overall_response_adds_up_and_objective_response_is_complete_plus_partial(tables):
    checks = response.bor_checks(tables)
    assert len(checks) == 4
    assert checks["total_ok"].all() and checks["counts_ok"].all()
    assert checks["orr_ok"].all() and checks["orr_counts_ok"].all()
    bor = response.best_overall_response(tables)
    assert len(bor) == 4 * len(response.BOR_CATEGORIES)
    # Every category of Table 3 fixes its count (one decimal of 485 or 239 patients).
    assert all(c.is_unique for c in bor["counts"])


def test_response_rates_stay_within_zero_and_one_hundred(orr, cbr):
    for frame in (orr, cbr):
        assert ((0 <= frame["low"]) & (frame["low"] <= frame["estimate"])
                & (frame["estimate"] <= frame["high"]) & (frame["high"] <= 100)).all()
    assert not any(math.isnan(v) for v in orr["low"])


def test_composition_figure_stacks_each_arm_to_its_printed_total(tables):
    import matplotlib.pyplot as plt

    figure = response.plot_bor_composition(response.best_overall_response(tables))
    try:
        axis = figure.axes[0]
        ends = {}
        for patch in axis.patches:
            y = round(patch.get_y() + patch.get_height() / 2)
            ends[y] = max(ends.get(y, 0.0), patch.get_x() + patch.get_width())
        # Four bars (assessment x arm), each reaching the sum of its printed
        # percentages, 100 within Table 3's rounding (five half-units of 0.05).
        assert len(axis.patches) == 4 * len(response.BOR_CATEGORIES)
        assert all(abs(end - 100) <= 0.25 + SLACK for end in ends.values()) and len(ends) == 4
    finally:
        plt.close(figure)


def test_sparse_objective_response_ratio_gets_the_exact_interval_once(tables):
    # One placebo responder (1/239): the citation rule asks for the exact
    # interval; with one table it is computed, and its upper bound is far
    # above the asymptotic one (the point).
    comparisons = response.response_comparisons(tables)
    local = comparisons.iloc[0]["comparison"]
    assert local.citation.kind == "sparse"
    assert local.ratio_exact is not None and local.ratio_exact.method == "exact-unconditional"
    assert local.ratio_exact.high > 2 * local.ratio.high
    assert local.ratio_exact.low <= local.ratio.estimate <= local.ratio_exact.high
    # The news report's clinical benefit rates allow 15 count combinations: no exact interval there.
    news = comparisons.iloc[2]["comparison"]
    assert news.difference_exact is None and news.ratio_exact is None and news.citation.kind == "estimable"


def test_final_analysis_rates_use_the_randomised_n(tables):
    final = response.final_analysis_rates(tables).set_index(["endpoint", "arm"])
    # 12.6% of 485 -> 61 (12.58%); 2.1% of 239 -> 5 (2.09%).
    assert final.loc[("orr", "everolimus"), "counts"].counts == (61,)
    assert final.loc[("orr", "placebo"), "counts"].counts == (5,)
    assert final["cut_inferred"].all() and set(final["data_cut"]) == {"final"}
    for _, row in final.iterrows():
        assert row["low"] <= row["estimate"] <= row["high"]
