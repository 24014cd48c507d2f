"""Tests of bolero_evidence.stats.exact (exact unconditional intervals, citing a ratio).

Reference intervals (tests/reference/exact_unconditional_intervals.csv) come from
StatXact 11 (kept as exact2x2's unit tests) and from lrstat's documented
examples; each row gives its tolerance and why.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from bolero_evidence import cache
from bolero_evidence.stats import exact
from bolero_evidence.stats.exact import (
    _BinomialTerms,
    _Tables,
    exact_unconditional_pvalue,
    ratio_citation,
    risk_difference_exact,
    risk_ratio_exact,
)
from bolero_evidence.stats.proportions import _score_z_difference, _score_z_ratio, risk_ratio

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

with open(REFERENCE / "exact_unconditional_intervals.csv", encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle))


def _tolerances(text: str) -> tuple[float, float]:
    values = [float(v) for v in text.split()]
    return (values[0], values[-1])


@pytest.mark.parametrize("row", ROWS, ids=[r["case_id"] for r in ROWS])
def test_reproduces_reference_interval(row):
    function = risk_ratio_exact if row["measure"] == "ratio" else risk_difference_exact
    result = function(int(row["count1"]), int(row["nobs1"]), int(row["count2"]), int(row["nobs2"]),
                      confidence=float(row["confidence"]))
    low_tol, high_tol = _tolerances(row["tolerance"])
    assert result.low == pytest.approx(float(row["low"]), abs=low_tol)
    assert result.high == pytest.approx(float(row["high"]), abs=high_tol)
    assert result.method == "exact-unconditional"


def test_a_wrong_reference_is_detected():
    # The same comparison must fail for an interval 1% away from StatXact's.
    result = risk_difference_exact(6, 13, 2, 7)
    assert result.low != pytest.approx(-0.3108 * 1.01, abs=5e-5)


def test_bounds_are_where_the_one_sided_pvalues_equal_alpha_over_2():
    result = risk_ratio_exact(11, 13, 2, 7)
    assert exact_unconditional_pvalue(11, 13, 2, 7, result.low, measure="ratio", alternative="greater") == \
        pytest.approx(0.025, abs=1e-6)
    assert exact_unconditional_pvalue(11, 13, 2, 7, result.high, measure="ratio", alternative="less") == \
        pytest.approx(0.025, abs=1e-6)
    # Inside the interval neither one-sided test rejects.
    assert exact_unconditional_pvalue(11, 13, 2, 7, 2.0, measure="ratio", alternative="greater") > 0.025


@pytest.mark.parametrize("x1,n1,x2,n2", [(3, 12, 1, 9), (0, 10, 4, 15), (7, 7, 2, 11), (5, 40, 0, 30)])
@pytest.mark.parametrize("null", [0.4, 1.0, 2.5])
def test_vectorised_ratio_statistic_equals_the_validated_scalar_one(x1, n1, x2, n2, null):
    # The scalar statistic of proportions.py is pinned to Newcombe's published intervals.
    table = _Tables(x1, n1, x2, n2, "ratio").statistic(null)
    for a in range(n1 + 1):
        for b in range(n2 + 1):
            expected = _score_z_ratio(null, a, n1, b, n2, corrected=False)
            assert table[a, b] == pytest.approx(expected, rel=1e-9, abs=1e-12) or (
                math.isinf(expected) and table[a, b] == expected)


@pytest.mark.parametrize("null", [-0.6, -0.1, 0.0, 0.3])
def test_vectorised_difference_statistic_equals_the_validated_scalar_one(null):
    n1, n2 = 9, 7
    table = _Tables(0, n1, 0, n2, "difference").statistic(null)
    for a in range(n1 + 1):
        for b in range(n2 + 1):
            expected = _score_z_difference(null, a, n1, b, n2, corrected=False)
            if math.isinf(expected):
                assert table[a, b] == expected
            else:
                assert table[a, b] == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_zero_counts():
    none = risk_ratio_exact(0, 20, 0, 30)
    assert math.isnan(none.estimate) and (none.low, none.high) == (0.0, math.inf)
    no_control = risk_ratio_exact(5, 20, 0, 30)
    assert no_control.estimate == math.inf and no_control.high == math.inf and 0 < no_control.low < math.inf
    no_experimental = risk_ratio_exact(0, 20, 5, 30)
    assert no_experimental.estimate == 0 and no_experimental.low == 0 and 0 < no_experimental.high < math.inf
    # Symmetry: swapping the arms inverts the ratio interval.
    swapped = risk_ratio_exact(5, 30, 0, 20)
    assert no_experimental.high == pytest.approx(1 / swapped.low, rel=1e-6)


def test_bolero_orr_asymptotic_upper_bound_is_far_too_low():
    # 46 of 485 against 1 of 239 (NEJM 2011, Table 3, local assessment).
    exact = risk_ratio_exact(46, 485, 1, 239)
    score = risk_ratio(46, 485, 1, 239, method="miettinen-nurminen")
    assert exact.estimate == pytest.approx((46 / 485) / (1 / 239))
    assert exact.high > 2 * score.high
    assert exact.low > 1 and score.low > 1  # both exclude no effect


def test_difference_interval_is_symmetric_under_swapping_arms():
    a = risk_difference_exact(6, 13, 2, 7)
    b = risk_difference_exact(2, 7, 6, 13)
    assert (a.low, a.high) == pytest.approx((-b.high, -b.low), abs=1e-7)


def test_ratio_citation_rule():
    assert ratio_citation(0, 10, 0, 10).kind == "undefined"
    infinite = ratio_citation(4, 10, 0, 10)
    assert infinite.kind == "infinite" and not infinite.cite_estimate
    assert ratio_citation(0, 10, 4, 10).kind == "zero"
    sparse = ratio_citation(46, 485, 1, 239)
    assert sparse.kind == "sparse" and sparse.interval_method == "exact-unconditional"
    assert sparse.neighbour_estimates[0] == math.inf
    assert sparse.neighbour_estimates[1] == pytest.approx((46 / 485) / (2 / 239))
    plenty = ratio_citation(46, 485, 20, 239)
    assert plenty.kind == "estimable" and plenty.interval_method == "miettinen-nurminen"
    with pytest.raises(ValueError, match="sparse_below"):
        ratio_citation(1, 2, 1, 2, sparse_below=0)


def test_invalid_input():
    with pytest.raises(ValueError, match="count1"):
        risk_ratio_exact(11, 10, 1, 10)
    with pytest.raises(ValueError, match="confidence"):
        risk_difference_exact(1, 10, 1, 10, confidence=1.5)
    with pytest.raises(ValueError, match="alternative"):
        exact_unconditional_pvalue(1, 10, 1, 10, 1.0, measure="ratio", alternative="two-sided")


def test_pvalue_is_a_probability():
    values = [exact_unconditional_pvalue(3, 12, 1, 9, r, measure="ratio", alternative="greater")
              for r in np.geomspace(0.1, 50, 7)]
    assert all(0.0 <= v <= 1.0 for v in values)


def _plain_statistic(tables: _Tables, null: float, cube=lambda p: p * p * p) -> np.ndarray:
    """The score statistic of every table as whole-array expressions (the code before it was written in place).

    ``cube``: how ``p**3`` of the cubic's solution is computed; the code multiplies (numpy's power is a general
    pow, a third of the statistic's time), which differs from pow in the last bit of about a quarter of the
    values. The p-values are the same either way (the test below).
    """
    x1, n1, x2, n2 = tables.k1, tables.n1, tables.k2, tables.n2
    q1, q2 = x1 / n1, x2 / n2
    n, events = n1 + n2, x1 + x2
    with np.errstate(divide="ignore", invalid="ignore"):
        if tables.measure == "ratio":
            b = -(n1 * null + x1 + n2 + x2 * null)
            p2 = np.where(events > 0, 2.0 * events / (-b + np.sqrt(np.maximum(b * b - 4.0 * (n * null) * events, 0.0))), 0.0)
            p2 = np.clip(p2, 0.0, min(1.0, 1.0 / null))
            p1 = np.minimum(null * p2, 1.0)
            numerator = q1 - null * q2
            variance = p1 * (1 - p1) / n1 + null**2 * p2 * (1 - p2) / n2
        else:
            l3, l2 = float(n), (n1 + 2 * n2) * null - n - events
            l1, l0 = (n2 * null - n - 2 * x2) * null + events, x2 * null * (1.0 - null)
            shift = l2 / (3.0 * l3)
            q = shift**3 - l1 * l2 / (6.0 * l3**2) + l0 / (2.0 * l3)
            p = np.sqrt(np.maximum(shift**2 - l1 / (3.0 * l3), 0.0))
            p = np.where(q < 0, -p, p)
            angle = (math.pi + np.arccos(np.clip(q / cube(p), -1.0, 1.0))) / 3.0
            p2 = np.clip(np.where(p == 0, -shift, 2.0 * p * np.cos(angle) - shift), max(0.0, -null), min(1.0, 1.0 - null))
            p1 = p2 + null
            numerator = q1 - q2 - null
            variance = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        numerator = np.broadcast_to(numerator, variance.shape)
        z = np.where(variance > 0, numerator / np.sqrt(variance), np.where(numerator > 0, np.inf, -np.inf))
    return np.where(numerator == 0, 0.0, z)


@pytest.mark.parametrize("measure,nulls", [("ratio", [0.02, 0.7, 1.0, 3.3, 400.0]), ("difference", [-0.95, -0.2, 0.0, 0.13, 0.999])])
@pytest.mark.parametrize("x1,n1,x2,n2", [(46, 485, 1, 239), (0, 30, 0, 30), (13, 13, 0, 7), (6, 13, 2, 7)])
def test_statistic_computed_in_place_is_the_plain_formula_bit_for_bit(measure, nulls, x1, n1, x2, n2):
    # The statistic is computed step by step into arrays kept between p-values (a new array per step cost more
    # in fresh memory pages than the arithmetic). Each step is the formula's own operation: equal, not close.
    tables = _Tables(x1, n1, x2, n2, measure)
    first = tables.statistic(nulls[0])
    for null in nulls:
        plain = _plain_statistic(tables, null)
        computed = tables.statistic(null)
        assert np.array_equal(computed, plain, equal_nan=True) and np.array_equal(np.signbit(computed), np.signbit(plain))
    # What statistic() returned is the caller's: later p-values do not write into it.
    assert np.array_equal(first, _plain_statistic(tables, nulls[0]), equal_nan=True)


def test_the_bit_for_bit_comparison_fails_on_a_rounding_difference():
    # The test above compares exactly: a statistic one rounding step away (a last bit changed) is told apart.
    tables = _Tables(46, 485, 1, 239, "difference")
    plain = _plain_statistic(tables, 0.13)
    rounded = plain * (1 + np.finfo(float).eps)
    assert not np.array_equal(tables.statistic(0.13), rounded, equal_nan=True)


@pytest.mark.parametrize("n", [1, 7, 239, 485])
def test_binomial_terms_of_one_point_are_those_of_the_general_path_bit_for_bit(n):
    # The nuisance maximisation asks for thousands of single points; point() skips the mending of log(0)
    # that no p strictly inside (0, 1) needs. Its terms must be the general path's, to the last bit.
    terms = _BinomialTerms(n)
    points = [0.0, 5e-324, 1e-300, 1e-9, 0.004184, 0.1, 1 / 3, 0.5, 0.9484536082474226, 1 - 1e-12, 1 - 2**-53, 1.0]
    for p in points:
        general = terms(np.array([p])).copy()
        one = terms.point(p)
        assert one.shape == general.shape == (1, n + 1)
        assert np.array_equal(one, general, equal_nan=True) and np.array_equal(np.signbit(one), np.signbit(general)), p


def test_the_point_comparison_tells_a_neighbouring_point_apart():
    # The case that must fail the comparison above: the next representable p gives other bits.
    terms = _BinomialTerms(485)
    general = terms(np.array([0.1])).copy()
    assert not np.array_equal(terms.point(np.nextafter(0.1, 1.0)), general)


def _as_extreme(tables: _Tables, statistic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tables at least as extreme as the observed one, each way, as ``_Tables.pvalue`` counts them."""
    return tables.as_extreme(statistic, "greater"), tables.as_extreme(statistic, "less")


# Tables of up to a few thousand cells, 41 null values each: at BOLERO-2's sizes (116,000 cells) the same was checked
# once, outside the suite (738 p-values of nine tables, all equal; every interval of the reference file the same bits).
@pytest.mark.parametrize("x1,n1,x2,n2", [(24, 61, 10, 35), (60, 150, 20, 80), (6, 13, 2, 7), (13, 13, 0, 7), (0, 30, 0, 30)])
def test_the_tables_as_extreme_are_those_of_the_cube_computed_by_pow(x1, n1, x2, n2):
    # p**3 by two multiplications moves a last bit of the statistic here and there; which tables are as extreme as
    # the observed one, and so every p-value, is the same as with pow.
    tables = _Tables(x1, n1, x2, n2, "difference")
    for null in np.linspace(-0.95, 0.95, 41):
        computed = _as_extreme(tables, tables.statistic(null))
        by_pow = _as_extreme(tables, _plain_statistic(tables, null, cube=lambda p: p**3))
        assert all(np.array_equal(a, b) for a, b in zip(computed, by_pow, strict=True)), null


def test_a_pvalue_is_the_one_with_the_cube_computed_by_pow():
    tables, by_pow = _Tables(24, 61, 10, 35, "difference"), _Tables(24, 61, 10, 35, "difference")
    by_pow._statistic = lambda null: _plain_statistic(by_pow, null, cube=lambda p: p**3)
    for null in (-0.2, 0.0, 0.13, 0.3):
        assert [tables.pvalue(null, way) for way in ("greater", "less")] == [by_pow.pvalue(null, way) for way in ("greater", "less")]


def test_the_extreme_tables_comparison_tells_another_statistic_apart():
    # The case that must fail the comparison above: a cube off by a thousandth moves tables across the observed one.
    tables = _Tables(60, 150, 20, 80, "difference")
    moved = [not np.array_equal(_as_extreme(tables, tables.statistic(null))[0],
                                _as_extreme(tables, _plain_statistic(tables, null, cube=lambda p: p**3 * 1.001))[0])
             for null in np.linspace(-0.95, 0.95, 41)]
    assert any(moved)


def test_pvalues_do_not_depend_on_the_null_values_asked_before():
    # The arrays kept between p-values carry nothing from one to the next.
    fresh = [_Tables(46, 485, 1, 239, "difference").pvalue(null, "greater") for null in (0.05, 0.12)]
    tables = _Tables(46, 485, 1, 239, "difference")
    assert [tables.pvalue(null, "greater") for null in (0.12, 0.05, 0.12)] == [fresh[1], fresh[0], fresh[1]]


# The record between processes (bolero_evidence.cache) ------------------------------------------


@pytest.fixture
def remembering(tmp_path, monkeypatch):
    """The cache turned on (this folder's conftest turns it off), recording in a temporary folder."""
    monkeypatch.delenv("BOLERO_NO_CACHE")
    monkeypatch.setattr(exact, "_cache_folder", lambda: tmp_path)
    exact.risk_difference_exact.cache_clear()
    yield tmp_path
    exact.risk_difference_exact.cache_clear()


# Small tables (milliseconds each): what is recorded does not depend on the size.
def test_a_recorded_interval_reads_back_equal_and_is_not_computed_again(remembering, monkeypatch):
    computed = exact.risk_difference_exact(7, 20, 2, 20)
    [record] = list(remembering.iterdir())
    exact.risk_difference_exact.cache_clear()
    monkeypatch.setattr(exact, "_Tables", None)  # computing again would now fail
    assert exact.risk_difference_exact(7, 20, 2, 20) == computed
    assert record.exists()


def test_an_unreadable_record_is_computed_again(remembering):
    computed = exact.risk_difference_exact(7, 20, 2, 20)
    [record] = list(remembering.iterdir())
    record.write_text("{not json", encoding="utf-8")
    exact.risk_difference_exact.cache_clear()
    assert exact.risk_difference_exact(7, 20, 2, 20) == computed
    assert json.loads(record.read_text(encoding="utf-8"))["low"] == computed.low


def test_other_arguments_or_code_are_another_record(remembering, monkeypatch):
    exact.risk_difference_exact(7, 20, 2, 20)
    exact.risk_difference_exact(7, 20, 2, 20, confidence=0.9)
    monkeypatch.setattr(cache, "_digest", "another version of the code")
    exact.risk_difference_exact.cache_clear()
    exact.risk_difference_exact(7, 20, 2, 20)
    assert len(list(remembering.iterdir())) == 3


def test_a_bad_argument_is_the_function_s_error_not_a_key(remembering):
    with pytest.raises(ValueError, match="count1"):
        exact.risk_difference_exact(1.5, 20, 2, 20)
    assert list(remembering.iterdir()) == []
