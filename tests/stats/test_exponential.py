"""Tests of bolero_evidence.stats.exponential (model-based intervals from medians and event counts).

No published worked example was found; the methods are checked against
independent computations: the exact chi-square interval of an exponential
median (2 d lambda / lambda_hat ~ chi2(2d), computed here with scipy),
seeded Monte Carlo draws of the same pivots, and seeded simulations of the
coverage under the model. Monte Carlo tolerances are set from the
simulation's own standard error (stated at each test).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bolero_evidence.stats.exponential import (
    hazard_ratio_from_medians_interval,
    median_difference_exponential,
    median_difference_from_printed_intervals,
    median_interval_exponential,
)
from bolero_evidence.stats.survival import NotDerivableError


def test_single_median_chi_square_interval_by_hand():
    # m 2d / chi2_{0.975}(2d) and m 2d / chi2_{0.025}(2d), d = 202, m = 6.9.
    result = median_interval_exponential(6.9, 202)
    assert result.low == pytest.approx(6.9 * 404 / stats.chi2.ppf(0.975, 404), rel=1e-12)
    assert result.high == pytest.approx(6.9 * 404 / stats.chi2.ppf(0.025, 404), rel=1e-12)
    lognormal = median_interval_exponential(6.9, 202, method="log-normal")
    assert lognormal.low == pytest.approx(6.9 * math.exp(-1.959963984540054 / math.sqrt(202)), rel=1e-12)
    # The two agree to about 1/d (0.5%) at d = 202.
    assert lognormal.low == pytest.approx(result.low, rel=0.01)
    assert lognormal.high == pytest.approx(result.high, rel=0.01)


def test_chi_square_interval_covers_95_percent_in_simulation():
    # Type II censored exponential samples: total time on test of d events ~ Gamma(d, 1/lambda).
    rng = np.random.default_rng(20111207)
    d, true_median, reps = 40, 5.0, 20000
    rate = math.log(2) / true_median
    total = rng.gamma(d, 1 / rate, size=reps)
    median_hat = math.log(2) * total / d
    low = median_hat * 2 * d / stats.chi2.ppf(0.975, 2 * d)
    high = median_hat * 2 * d / stats.chi2.ppf(0.025, 2 * d)
    coverage = np.mean((low <= true_median) & (true_median <= high))
    # Binomial SE of a 95% coverage over 20000 runs: 0.0015; allow 4 SE.
    assert coverage == pytest.approx(0.95, abs=0.006)
    ours = median_interval_exponential(float(median_hat[0]), d)
    assert (ours.low, ours.high) == pytest.approx((low[0], high[0]), rel=1e-12)


def test_pivotal_difference_matches_monte_carlo_of_the_pivots():
    # BOLERO-2 local assessment: 6.9 months (202 events) vs 2.8 months (157 events).
    result = median_difference_exponential(6.9, 202, 2.8, 157)
    rng = np.random.default_rng(1)
    draws = 2_000_000
    pivot = 6.9 * 404 / rng.chisquare(404, draws) - 2.8 * 314 / rng.chisquare(314, draws)
    low, high = np.quantile(pivot, [0.025, 0.975])
    # Monte Carlo SE of a 2.5% quantile here is about 0.002 months; allow 0.01.
    assert result.low == pytest.approx(low, abs=0.01)
    assert result.high == pytest.approx(high, abs=0.01)
    assert result.model == "exponential" and result.method == "pivotal"


def test_pivotal_difference_reduces_to_the_chi_square_interval_with_a_known_control_median():
    # With 10^7 control events the control pivot is a point mass at 2.8.
    result = median_difference_exponential(6.9, 202, 2.8, 10_000_000)
    single = median_interval_exponential(6.9, 202)
    assert result.low == pytest.approx(single.low - 2.8, abs=2e-3)
    assert result.high == pytest.approx(single.high - 2.8, abs=2e-3)


def test_delta_difference_by_hand_and_coverage():
    result = median_difference_exponential(6.9, 202, 2.8, 157, method="delta")
    se = math.sqrt(6.9**2 / 202 + 2.8**2 / 157)
    assert result.standard_error == pytest.approx(se, rel=1e-12)
    assert (result.low, result.high) == pytest.approx((4.1 - 1.959963984540054 * se, 4.1 + 1.959963984540054 * se))
    rng = np.random.default_rng(7)
    reps, d1, d2, m1, m2 = 20000, 202, 157, 6.9, 2.8
    hat1 = m1 * rng.gamma(d1, 1.0, reps) / d1
    hat2 = m2 * rng.gamma(d2, 1.0, reps) / d2
    half = 1.959963984540054 * np.sqrt(hat1**2 / d1 + hat2**2 / d2)
    coverage = np.mean(np.abs(hat1 - hat2 - (m1 - m2)) <= half)
    # 4 binomial SE (0.0015 each) plus the delta method's own error at these d (< 0.005).
    assert coverage == pytest.approx(0.95, abs=0.011)


def test_printed_interval_method_by_hand_and_not_reached():
    # NEJM 2011 Table 3 local: 6.9 (6.4-8.1) vs 2.8 (2.8-4.1).
    z = 1.959963984540054
    se_e, se_c = (math.log(8.1) - math.log(6.4)) / (2 * z), (math.log(4.1) - math.log(2.8)) / (2 * z)
    result = median_difference_from_printed_intervals(6.9, (6.4, 8.1), 2.8, (2.8, 4.1))
    se = math.sqrt((6.9 * se_e) ** 2 + (2.8 * se_c) ** 2)
    assert (result.low, result.high) == pytest.approx((4.1 - z * se, 4.1 + z * se), rel=1e-12)
    assert result.standard_errors_log == pytest.approx((se_e, se_c))
    # Central assessment: 10.6 (9.5-NR): no width, no standard error.
    with pytest.raises(NotDerivableError, match="NR"):
        median_difference_from_printed_intervals(10.6, (9.5, None), 4.1, (2.8, 5.8))
    with pytest.raises(ValueError, match="enclose"):
        median_difference_from_printed_intervals(6.9, (7.0, 8.1), 2.8, (2.8, 4.1))


def test_hazard_ratio_from_medians_by_hand_and_f_interval():
    result = hazard_ratio_from_medians_interval(6.9, 202, 2.8, 157)
    se = math.sqrt(1 / 202 + 1 / 157)
    assert result.hazard_ratio == pytest.approx(2.8 / 6.9)
    assert (result.low, result.high) == pytest.approx(
        (2.8 / 6.9 * math.exp(-1.959963984540054 * se), 2.8 / 6.9 * math.exp(1.959963984540054 * se)), rel=1e-12)
    exact = hazard_ratio_from_medians_interval(6.9, 202, 2.8, 157, method="f")
    # Wald and F intervals agree to about 1/d at these counts.
    assert exact.low == pytest.approx(result.low, rel=0.01) and exact.high == pytest.approx(result.high, rel=0.01)


def test_f_interval_covers_95_percent_in_simulation():
    # lambda T ~ Gamma(d, 1) in each arm, so lambda_hat / lambda = d / Gamma(d, 1) and
    # HR_hat = HR (d_E / G_E) / (d_C / G_C).
    rng = np.random.default_rng(11)
    reps, d_e, d_c, hr = 20000, 30, 20, 0.5
    hr_hat = hr * (d_e / rng.gamma(d_e, 1.0, reps)) / (d_c / rng.gamma(d_c, 1.0, reps))
    low = hr_hat / stats.f.ppf(0.975, 2 * d_c, 2 * d_e)
    high = hr_hat / stats.f.ppf(0.025, 2 * d_c, 2 * d_e)
    coverage = np.mean((low <= hr) & (hr <= high))
    # Exact under the model; binomial SE 0.0015 over 20000 runs, allow 4 SE.
    assert coverage == pytest.approx(0.95, abs=0.006)
    # The function computes the same interval (HR = median_C / median_E).
    one = hazard_ratio_from_medians_interval(1.0, d_e, float(hr_hat[0]), d_c, method="f")
    assert (one.low, one.high) == pytest.approx((low[0], high[0]), rel=1e-12)


def test_invalid_input():
    with pytest.raises(NotDerivableError):
        median_difference_exponential(None, 10, 2.8, 10)
    with pytest.raises(ValueError, match="events"):
        hazard_ratio_from_medians_interval(6.9, 0, 2.8, 10)
    with pytest.raises(ValueError, match="method"):
        median_interval_exponential(6.9, 10, method="bootstrap")
