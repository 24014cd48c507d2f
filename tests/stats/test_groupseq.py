"""Tests of bolero_evidence.stats.groupseq.

Published values live in tests/reference/groupseq_reference.csv (one row per
value, with its source and tolerance); the other tests compare against
independent computations: scipy's bivariate normal distribution, adaptive
quadrature, a seeded Monte Carlo simulation and Schoenfeld's formula by hand.
"""

from __future__ import annotations

import csv
import functools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.stats import multivariate_normal, norm

from bolero_evidence.stats import groupseq
from bolero_evidence.stats.groupseq import (
    GroupSequentialBoundaries,
    HwangShihDeCaniSpending,
    efficacy_boundaries,
    hazard_ratio_at_boundary,
    inflation_factor,
    power_at_events,
    required_events_fixed,
    required_events_group_sequential,
    spending_function,
)

REFERENCE_CSV = Path(__file__).resolve().parents[1] / "reference" / "groupseq_reference.csv"
with REFERENCE_CSV.open(newline="", encoding="utf-8") as _reference_file:
    REFERENCE_ROWS = list(csv.DictReader(_reference_file))


def _rows(quantity: str) -> list[dict[str, str]]:
    return [row for row in REFERENCE_ROWS if row["quantity"] == quantity]


def _fractions(text: str) -> tuple[float, ...]:
    return tuple(float(Fraction(part)) for part in text.split())


def _spending_params(row: dict[str, str]) -> dict[str, float]:
    return {"gamma": float(row["gamma"])} if row["gamma"] else {}


@functools.cache
def _cached_boundaries(fractions: tuple[float, ...], alpha: float, spending: str, gamma: str) -> GroupSequentialBoundaries:
    params = {"gamma": float(gamma)} if gamma else {}
    return efficacy_boundaries(fractions, alpha, spending, **params)


# ---------------------------------------------------------------------------
# Published values
# ---------------------------------------------------------------------------


def test_reference_table_is_complete():
    assert len(REFERENCE_ROWS) >= 20
    for row in REFERENCE_ROWS:
        assert row["source"].strip(), row["id"]
        assert float(row["tolerance"]) > 0, row["id"]


@pytest.mark.parametrize("row", _rows("z_boundary"), ids=lambda row: row["id"])
def test_boundary_reproduces_published_value(row):
    boundaries = _cached_boundaries(
        _fractions(row["information_fractions"]), float(row["alpha"]), row["spending"], row["gamma"]
    )
    # Tolerance per row in the CSV: the rounding of the printed value or the
    # accuracy of the publishing software's own integration.
    assert boundaries.z[int(row["look"]) - 1] == pytest.approx(float(row["value"]), abs=float(row["tolerance"]))


@pytest.mark.parametrize("row", _rows("cumulative_alpha"), ids=lambda row: row["id"])
def test_spending_reproduces_published_alpha_spent(row):
    spending = spending_function(row["spending"], **_spending_params(row))
    fraction = _fractions(row["information_fractions"])[int(row["look"]) - 1]
    spent = spending.cumulative_alpha(fraction, float(row["alpha"]))
    assert float(spent) == pytest.approx(float(row["value"]), abs=float(row["tolerance"]))


@pytest.mark.parametrize("row", _rows("inflation_factor"), ids=lambda row: row["id"])
def test_inflation_factor_reproduces_published_value(row):
    result = inflation_factor(
        _fractions(row["information_fractions"]),
        float(row["alpha"]),
        float(row["power"]),
        row["spending"],
        **_spending_params(row),
    )
    assert result.value == pytest.approx(float(row["value"]), abs=float(row["tolerance"]))


# ---------------------------------------------------------------------------
# Spending functions
# ---------------------------------------------------------------------------

SPENDINGS = [
    spending_function("obrien_fleming"),
    spending_function("pocock"),
    spending_function("hwang_shih_decani", gamma=-4),
    spending_function("hwang_shih_decani", gamma=0),
    spending_function("hwang_shih_decani", gamma=1),
]


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label)
@pytest.mark.parametrize("alpha", [0.001, 0.025, 0.05, 0.2])
def test_spending_is_zero_at_start_alpha_at_end_and_increasing(spending, alpha):
    grid = np.linspace(0.0, 1.0, 201)
    spent = spending.cumulative_alpha(grid, alpha)
    # Exact by construction: the final look spends alpha itself.
    assert spent[-1] == pytest.approx(alpha, abs=0.0)
    assert spent[0] == pytest.approx(0.0, abs=1e-300)
    # Non-decreasing: O'Brien-Fleming spending underflows to exactly 0 near t = 0.
    assert np.all(np.diff(spent) >= 0)
    assert spent[-2] < spent[-1]


def test_hwang_shih_decani_with_gamma_zero_is_linear():
    fractions = np.linspace(0.0, 1.0, 11)
    spent = HwangShihDeCaniSpending(gamma=0.0).cumulative_alpha(fractions, 0.025)
    # Machine precision: alpha * t computed directly.
    np.testing.assert_allclose(spent, 0.025 * fractions, rtol=0, atol=1e-17)


def test_hwang_shih_decani_is_continuous_in_gamma_at_zero():
    near_zero = HwangShihDeCaniSpending(gamma=1e-9).cumulative_alpha(0.3, 0.025)
    # The expm1 form loses no precision near gamma = 0; the difference is O(gamma).
    assert float(near_zero) == pytest.approx(0.025 * 0.3, rel=1e-8)


# ---------------------------------------------------------------------------
# Boundaries: internal consistency and independent computations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label)
def test_incremental_alpha_sums_to_alpha_and_matches_spending(spending):
    fractions = (0.2, 0.45, 0.6, 0.8, 1.0)
    boundaries = efficacy_boundaries(fractions, 0.025, spending)
    # Summation of five doubles: a few ulp of 0.025.
    assert sum(boundaries.incremental_alpha) == pytest.approx(0.025, abs=1e-15)
    np.testing.assert_allclose(
        boundaries.cumulative_alpha, spending.cumulative_alpha(np.array(fractions), 0.025), rtol=1e-14
    )
    np.testing.assert_allclose(boundaries.nominal_p, norm.sf(boundaries.z), rtol=1e-14)
    assert boundaries.spending == spending.label
    assert boundaries.alpha == 0.025


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label)
def test_boundaries_spend_the_incremental_alpha_look_by_look(spending):
    fractions = (0.25, 0.5, 0.75, 1.0)
    boundaries = efficacy_boundaries(fractions, 0.025, spending)
    crossing = groupseq._crossing_probabilities(fractions, boundaries.z, 0.0)
    # Brent's method solves each look to 1e-13 in z; the grid integration is
    # accurate to about 1e-9 relative in these probabilities.
    np.testing.assert_allclose(crossing, boundaries.incremental_alpha, rtol=1e-9)


def _second_boundary_bivariate_normal(t1: float, alpha: float, spending) -> tuple[float, float]:
    """Independent K = 2 solution with scipy's (deterministic) bivariate normal cdf."""
    spent = spending.cumulative_alpha(np.array([t1, 1.0]), alpha)
    c1 = float(norm.isf(spent[0]))
    rho = math.sqrt(t1)
    covariance = [[1.0, rho], [rho, 1.0]]

    def excess(c2: float) -> float:
        # P(Z1 < c1, Z2 >= c2) = Phi(c1) - P(Z1 < c1, Z2 < c2)
        joint = multivariate_normal.cdf([c1, c2], mean=[0.0, 0.0], cov=covariance, abseps=1e-14, releps=1e-14)
        return float(norm.cdf(c1) - joint) - (spent[1] - spent[0])

    return c1, float(optimize.brentq(excess, 0.5, 5.0, xtol=1e-13))


@pytest.mark.parametrize(
    "t1, alpha, spending",
    [
        (0.5, 0.025, spending_function("obrien_fleming")),
        (0.3, 0.025, spending_function("obrien_fleming")),
        (0.6, 0.05, spending_function("pocock")),
        (0.75, 0.025, spending_function("hwang_shih_decani", gamma=-4)),
        (0.4, 0.01, spending_function("hwang_shih_decani", gamma=2)),
    ],
)
def test_two_look_boundaries_match_bivariate_normal(t1, alpha, spending):
    boundaries = efficacy_boundaries((t1, 1.0), alpha, spending)
    c1, c2 = _second_boundary_bivariate_normal(t1, alpha, spending)
    # Required: 1e-6. The grid integration achieves about 1e-10 here, and at
    # worst about 1e-7 in z for the earliest O'Brien-Fleming looks.
    assert boundaries.z[0] == pytest.approx(c1, abs=1e-12)
    assert boundaries.z[1] == pytest.approx(c2, abs=1e-6)


def test_two_look_boundary_matches_adaptive_quadrature():
    t1, alpha = 0.5, 0.025
    spent = spending_function("obrien_fleming").cumulative_alpha(np.array([t1, 1.0]), alpha)
    c1, rho = float(norm.isf(spent[0])), math.sqrt(t1)

    def excess(c2: float) -> float:
        integrand = lambda z1: norm.pdf(z1) * norm.sf((c2 - rho * z1) / math.sqrt(1.0 - rho**2))  # noqa: E731
        probability, _ = integrate.quad(integrand, -np.inf, c1, epsabs=1e-15, epsrel=1e-13)
        return probability - (spent[1] - spent[0])

    c2 = optimize.brentq(excess, 1.0, 3.0, xtol=1e-13)
    assert efficacy_boundaries((t1, 1.0), alpha).z[1] == pytest.approx(c2, abs=1e-6)


def test_single_look_is_the_fixed_design():
    boundaries = efficacy_boundaries([1.0], 0.025)
    assert boundaries.z[0] == pytest.approx(norm.isf(0.025), abs=1e-12)
    assert boundaries.incremental_alpha == (0.025,)


def test_a_look_that_spends_nothing_cannot_reject():
    # O'Brien-Fleming spends 2 (1 - Phi(224)) = 0 in double precision at t = 1e-4.
    boundaries = efficacy_boundaries((1e-4, 1.0), 0.025)
    assert boundaries.z[0] == math.inf
    assert boundaries.nominal_p[0] == 0.0
    # The final look is then a fixed-design test; 1e-7 is the accuracy of the
    # grid integration over the whole, untrimmed, distribution of Z_1.
    assert boundaries.z[1] == pytest.approx(norm.isf(0.025), abs=1e-7)


def test_obrien_fleming_boundaries_decrease_and_are_deterministic():
    fractions = (0.2, 0.4, 0.6, 0.8, 1.0)
    first, second = efficacy_boundaries(fractions), efficacy_boundaries(fractions)
    assert first == second
    assert all(earlier > later for earlier, later in zip(first.z, first.z[1:]))


def test_monte_carlo_rejection_rate_matches_alpha_and_power():
    fractions = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    boundaries = efficacy_boundaries(tuple(fractions), 0.025)
    draws = 200_000
    rng = np.random.default_rng(20110211)
    # Canonical joint distribution: score S_k = Z_k sqrt(t_k) has independent
    # N(drift dt, dt) increments, so Corr(Z_i, Z_j) = sqrt(t_i / t_j).
    increments = rng.standard_normal((draws, fractions.size)) * np.sqrt(np.diff(fractions, prepend=0.0))
    null_z = np.cumsum(increments, axis=1) / np.sqrt(fractions)
    drift = 3.0
    alternative_z = null_z + drift * np.sqrt(fractions)

    def rejection_rate(z: np.ndarray) -> float:
        return float(np.mean(np.any(z >= np.array(boundaries.z), axis=1)))

    expected_power = float(groupseq._crossing_probabilities(tuple(fractions), boundaries.z, drift).sum())
    # Tolerance: 4 binomial standard errors of a proportion from 200 000 draws
    # (a false alarm about once in 16 000 runs; the seed makes it reproducible).
    for observed, expected in ((rejection_rate(null_z), 0.025), (rejection_rate(alternative_z), expected_power)):
        standard_error = math.sqrt(expected * (1.0 - expected) / draws)
        assert observed == pytest.approx(expected, abs=4.0 * standard_error)


# ---------------------------------------------------------------------------
# Hazard ratios, events and power
# ---------------------------------------------------------------------------


def test_hazard_ratio_at_boundary_formula_and_vectorisation():
    z, events, ratio = np.array([2.9626, 1.9686]), np.array([264.0, 528.0]), 2.0
    share = ratio / (1.0 + ratio)
    expected = np.exp(-z / np.sqrt(events * share * (1.0 - share)))
    np.testing.assert_allclose(hazard_ratio_at_boundary(z, events, ratio), expected, rtol=1e-15)
    scalar = hazard_ratio_at_boundary(1.96, 528.0)
    assert isinstance(scalar, float)
    assert scalar == pytest.approx(math.exp(-1.96 / math.sqrt(528.0 / 4.0)), rel=1e-15)
    assert hazard_ratio_at_boundary(0.0, 100.0) == pytest.approx(1.0, abs=0.0)


def test_schoenfeld_events_for_bolero2_assumptions_match_hand_formula():
    result = required_events_fixed(0.74, alpha=0.025, power=0.9, allocation_ratio=2.0)
    share = 2.0 / 3.0
    by_hand = (norm.ppf(0.975) + norm.ppf(0.9)) ** 2 / (share * (1.0 - share) * math.log(0.74) ** 2)
    # Same formula, different quantile calls (isf versus ppf): a few ulp.
    assert result.events == pytest.approx(by_hand, rel=1e-12)
    assert result.events_rounded_up == math.ceil(by_hand)
    assert (result.hazard_ratio, result.alpha, result.power, result.allocation_ratio) == (0.74, 0.025, 0.9, 2.0)


def test_schoenfeld_events_are_symmetric_in_log_hazard_ratio():
    assert required_events_fixed(0.74).events == pytest.approx(required_events_fixed(1 / 0.74).events, rel=1e-12)


def _two_look_power_bivariate_normal(fractions, bounds, drift) -> float:
    rho = math.sqrt(fractions[0])
    means = [drift * math.sqrt(fractions[0]), drift]
    below_both = multivariate_normal.cdf(
        list(bounds), mean=means, cov=[[1.0, rho], [rho, 1.0]], abseps=1e-14, releps=1e-14
    )
    return float(1.0 - below_both)


def test_two_look_inflation_factor_matches_bivariate_normal():
    fractions, power = (0.5, 1.0), 0.9
    result = inflation_factor(fractions, 0.025, power)
    drift = optimize.brentq(
        lambda d: _two_look_power_bivariate_normal(fractions, result.boundaries.z, d) - power, 2.0, 5.0, xtol=1e-13
    )
    assert result.drift_fixed == pytest.approx(norm.isf(0.025) + norm.isf(0.1), rel=1e-14)
    # Grid integration error (about 1e-9) propagated through the root.
    assert result.value == pytest.approx((drift / result.drift_fixed) ** 2, abs=1e-7)
    assert result.value > 1.0


def test_group_sequential_events_and_power_are_inverse():
    fractions = (0.3, 0.6, 1.0)
    design = required_events_group_sequential(0.74, fractions, 0.025, 0.9, "obrien_fleming", allocation_ratio=2.0)
    assert design.max_events == pytest.approx(design.fixed.events * design.inflation.value, rel=1e-15)
    assert design.max_events_rounded_up == math.ceil(design.max_events)
    np.testing.assert_allclose(design.events_at_looks, np.array(fractions) * design.max_events, rtol=1e-15)
    achieved = power_at_events(design.max_events, 0.74, fractions, 0.025, "obrien_fleming", allocation_ratio=2.0)
    # The inflation factor is solved to 1e-12 in the drift.
    assert achieved.power == pytest.approx(0.9, abs=1e-9)
    assert achieved.cumulative_power[-1] == pytest.approx(achieved.power, abs=1e-15)
    np.testing.assert_allclose(
        design.hazard_ratio_at_boundaries,
        hazard_ratio_at_boundary(np.array(design.inflation.boundaries.z), np.array(design.events_at_looks), 2.0),
        rtol=1e-15,
    )


def test_two_look_power_matches_bivariate_normal():
    fractions = (0.5, 1.0)
    result = power_at_events(528.0, 0.74, fractions, 0.025, allocation_ratio=2.0)
    expected = _two_look_power_bivariate_normal(fractions, result.boundaries.z, result.drift)
    assert result.drift == pytest.approx(-math.log(0.74) * math.sqrt(528.0 * 2.0 / 9.0), rel=1e-15)
    # Grid integration (error about 5e-9 here, shrinking as r^-4) against
    # Genz's bivariate normal algorithm.
    assert result.power == pytest.approx(expected, abs=1e-8)
    assert result.crossing_probabilities[0] == pytest.approx(
        norm.sf(result.boundaries.z[0] - result.drift * math.sqrt(0.5)), abs=1e-15
    )


# ---------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fractions, message",
    [
        ((0.5, 0.4, 1.0), r"information_fractions .* look 2 \(0\.4\) is not after look 1 \(0\.5\)"),
        ((0.5, 0.5, 1.0), r"look 2 \(0\.5\) is not after look 1"),
        ((0.0, 1.0), r"look 1 has fraction 0\.0, outside \(0, 1\]"),
        ((0.5, 1.2), r"look 2 has fraction 1\.2, outside \(0, 1\]"),
        ((0.3, 0.8), r"last look is the final analysis and must be 1, not 0\.8"),
        ((), r"information_fractions must be .*; got an empty sequence"),
        (0.5, r"information_fractions must be a non-empty sequence"),
        ((0.5, "x"), r"information_fractions must be a real number; got 'x'"),
        ((0.5, float("nan")), r"information_fractions must be a real number; got nan"),
    ],
)
def test_bad_information_fractions_are_named_in_the_error(fractions, message):
    with pytest.raises(ValueError, match=message):
        efficacy_boundaries(fractions)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: efficacy_boundaries((0.5, 1.0), alpha=0.0), r"alpha must be strictly between 0 and 1; got 0\.0"),
        (lambda: efficacy_boundaries((0.5, 1.0), alpha=1.5), r"alpha must be strictly between 0 and 1; got 1\.5"),
        (lambda: efficacy_boundaries((0.5, 1.0), alpha=True), r"alpha must be a real number; got True"),
        (lambda: efficacy_boundaries((0.5, 1.0), spending="lan_demets"), r"spending must be one of .*; got 'lan_demets'"),
        (lambda: efficacy_boundaries((0.5, 1.0), spending="hwang_shih_decani"), r"exactly one parameter, gamma; got \[\]"),
        (lambda: efficacy_boundaries((0.5, 1.0), spending="pocock", gamma=1.0), r"'pocock' takes no parameters; got \['gamma'\]"),
        (lambda: spending_function("hwang_shih_decani", gamma=float("inf")), r"gamma must be a finite real number; got inf"),
        (
            lambda: efficacy_boundaries((0.5, 1.0), spending=spending_function("pocock"), gamma=1.0),
            r"spending parameters \['gamma'\] cannot be combined",
        ),
        (lambda: required_events_fixed(1.0), r"hazard_ratio must differ from 1"),
        (lambda: required_events_fixed(-0.5), r"hazard_ratio must be a finite number greater than 0; got -0\.5"),
        (lambda: required_events_fixed(0.74, power=1.0), r"power must be strictly between 0 and 1; got 1\.0"),
        (lambda: required_events_fixed(0.74, allocation_ratio=0), r"allocation_ratio must be a finite number greater than 0; got 0"),
        (lambda: inflation_factor((0.5, 1.0), power=0.0), r"power must be strictly between 0 and 1; got 0\.0"),
        (lambda: power_at_events(0, 0.74, (0.5, 1.0)), r"events must be a finite number greater than 0; got 0"),
        (lambda: power_at_events(528, 1.0, (0.5, 1.0)), r"hazard_ratio must differ from 1"),
        (lambda: hazard_ratio_at_boundary(1.96, -3.0), r"events must be finite and greater than 0; got -3\.0"),
        (lambda: hazard_ratio_at_boundary(float("nan"), 10.0), r"z must contain numbers, not NaN"),
        (lambda: spending_function("pocock").cumulative_alpha(1.5, 0.025), r"information fractions must lie in \[0, 1\]; got 1\.5"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
