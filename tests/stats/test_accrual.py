"""Tests of bolero_evidence.stats.accrual.

The closed forms are checked against adaptive quadrature of the per-patient
event probability, a seeded simulation of the trial, their limits, and the
definitions of the two readings of a loss-to-follow-up rate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from bolero_evidence.stats.accrual import (
    NO_LOSS,
    LossToFollowUp,
    expected_events,
    time_for_events,
)

# The BOLERO-2 planning assumptions (705 patients, 2:1, 18 months of
# recruitment, control median PFS 3.7 months, HR 0.74): inputs, not results.
BOLERO2 = dict(n_patients=705, accrual_duration=18.0, control_median=3.7, hazard_ratio=0.74, allocation_ratio=2.0)
LOSSES = [NO_LOSS, LossToFollowUp.per_year(0.10), LossToFollowUp.by_months(0.2, 6.0), LossToFollowUp.before_event(0.10)]


def _events_by_quadrature(calendar_time: float, loss_hazard: float, **design) -> float:
    """Average over uniform entry of P(event observed by calendar_time), by quadrature."""
    control_hazard = math.log(2.0) / design["control_median"]
    share = design["allocation_ratio"] / (1.0 + design["allocation_ratio"])
    total = 0.0
    for hazard, arm_share in ((control_hazard, 1.0 - share), (design["hazard_ratio"] * control_hazard, share)):
        rate = hazard + loss_hazard

        def observed(entry: float, hazard: float = hazard, rate: float = rate) -> float:
            return hazard / rate * -math.expm1(-rate * (calendar_time - entry))

        upper = min(calendar_time, design["accrual_duration"])
        integral, _ = integrate.quad(observed, 0.0, upper, epsabs=1e-13, epsrel=1e-13)
        total += design["n_patients"] * arm_share * integral / design["accrual_duration"]
    return total


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: f"{loss.interpretation}-{loss.probability}")
@pytest.mark.parametrize("calendar_time", [0.5, 9.0, 18.0, 20.0, 40.0])
def test_closed_form_matches_quadrature(calendar_time, loss):
    result = expected_events(calendar_time, loss_to_follow_up=loss, **BOLERO2)
    by_quadrature = _events_by_quadrature(calendar_time, result.loss_hazard, **BOLERO2)
    # Two exact evaluations of the same integral: quadrature error only.
    assert result.events == pytest.approx(by_quadrature, rel=1e-10)
    assert result.events == pytest.approx(result.events_control + result.events_experimental, rel=1e-15)
    assert result.enrolled == pytest.approx(705 * min(calendar_time, 18.0) / 18.0, rel=1e-15)


def test_closed_form_matches_seeded_simulation():
    design = dict(n_patients=200_000, accrual_duration=18.0, control_median=3.7, hazard_ratio=0.74, allocation_ratio=2.0)
    calendar_time, loss = 21.0, LossToFollowUp.per_year(0.10)
    result = expected_events(calendar_time, loss_to_follow_up=loss, **design)
    rng = np.random.default_rng(20090605)
    n = design["n_patients"]
    entry = rng.uniform(0.0, 18.0, n)
    experimental = rng.random(n) < 2.0 / 3.0
    hazard = math.log(2.0) / 3.7 * np.where(experimental, 0.74, 1.0)
    event_time = rng.exponential(1.0 / hazard)
    loss_time = rng.exponential(1.0 / result.loss_hazard, n)
    observed = (event_time <= loss_time) & (entry + event_time <= calendar_time)
    lost = (loss_time < event_time) & (entry + loss_time <= calendar_time)
    # Tolerance: 4 binomial standard errors of a proportion from 200 000
    # simulated patients (the seed makes the outcome reproducible).
    for simulated, expected in ((observed.mean(), result.events / n), (lost.mean(), result.lost_to_follow_up / n)):
        assert simulated == pytest.approx(expected, abs=4.0 * math.sqrt(expected * (1.0 - expected) / n))


def test_limits_at_time_zero_and_long_follow_up():
    assert expected_events(0.0, **BOLERO2).events == pytest.approx(0.0, abs=0.0)
    # After 100 control medians nobody is left at risk: exp(-27 * 69) underflows.
    everyone = expected_events(10_000.0, **BOLERO2)
    assert everyone.events == pytest.approx(705.0, rel=1e-12)
    assert everyone.events_experimental == pytest.approx(705.0 * 2.0 / 3.0, rel=1e-12)
    assert everyone.lost_to_follow_up == pytest.approx(0.0, abs=0.0)


def test_per_year_reading_loses_the_stated_share_in_a_year():
    loss = LossToFollowUp.per_year(0.10)
    hazard = loss.hazard(0.2, 0.1, 0.5)
    # Definition: P(lost within 12 months, absent the event) = 10%.
    assert -math.expm1(-12.0 * hazard) == pytest.approx(0.10, rel=1e-14)
    assert LossToFollowUp.by_months(0.10, 12.0) == loss


def test_before_event_reading_loses_the_stated_share_with_unlimited_follow_up():
    result = time_for_events(500.0, loss_to_follow_up=LossToFollowUp.before_event(0.10), **BOLERO2)
    # With unlimited follow-up every patient has either the event or is lost.
    assert 1.0 - result.max_events / 705.0 == pytest.approx(0.10, rel=1e-10)
    long_run = expected_events(10_000.0, loss_to_follow_up=LossToFollowUp.before_event(0.10), **BOLERO2)
    assert long_run.lost_to_follow_up == pytest.approx(0.10 * 705.0, rel=1e-10)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: f"{loss.interpretation}-{loss.probability}")
def test_time_for_events_inverts_expected_events(loss):
    result = time_for_events(528.0, loss_to_follow_up=loss, **BOLERO2)
    # Brent's method to 1e-10 months; d(events)/dT is about 25 per month here.
    assert result.expected.events == pytest.approx(528.0, abs=1e-6)
    assert result.follow_up_after_accrual == pytest.approx(result.calendar_time - 18.0, abs=1e-12)
    assert result.expected == expected_events(result.calendar_time, loss_to_follow_up=loss, **BOLERO2)


def test_bolero2_follow_up_for_528_events_grows_with_loss():
    times = [time_for_events(528.0, loss_to_follow_up=loss, **BOLERO2) for loss in LOSSES[:2] + LOSSES[3:]]
    no_loss, per_year, before_event = (t.calendar_time for t in times)
    assert 18.0 < no_loss < per_year < before_event
    assert all(t.expected.enrolled == pytest.approx(705.0, rel=1e-15) for t in times)


def test_target_reached_during_accrual_gives_negative_follow_up():
    result = time_for_events(50.0, **BOLERO2)
    assert result.calendar_time < 18.0
    assert result.follow_up_after_accrual < 0.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: expected_events(-1.0, **BOLERO2), r"calendar_time must be a finite number of months >= 0; got -1\.0"),
        (lambda: expected_events(math.inf, **BOLERO2), r"calendar_time must be a finite number of months >= 0; got inf"),
        (lambda: expected_events(1.0, **{**BOLERO2, "n_patients": 0}), r"n_patients must be a finite number greater than 0; got 0"),
        (lambda: expected_events(1.0, **{**BOLERO2, "accrual_duration": -18}), r"accrual_duration must be .* got -18"),
        (lambda: expected_events(1.0, **{**BOLERO2, "control_median": "3.7"}), r"control_median must be a real number; got '3\.7'"),
        (lambda: expected_events(1.0, **{**BOLERO2, "hazard_ratio": 0.0}), r"hazard_ratio must be a finite number greater than 0; got 0\.0"),
        (lambda: expected_events(1.0, **{**BOLERO2, "allocation_ratio": -2}), r"allocation_ratio must be .* got -2"),
        (lambda: expected_events(1.0, loss_to_follow_up=0.1, **BOLERO2), r"loss_to_follow_up must be a LossToFollowUp .* got 0\.1"),
        (lambda: LossToFollowUp.per_year(1.0), r"loss_to_follow_up\.probability must be in \[0, 1\); got 1\.0"),
        (lambda: LossToFollowUp.by_months(0.1, 0.0), r"loss_to_follow_up\.months must be a finite number greater than 0; got 0\.0"),
        (lambda: LossToFollowUp(0.1, "per_year"), r"interpretation must be 'cumulative_by_time' or 'before_event'; got 'per_year'"),
        (lambda: time_for_events(0.0, **BOLERO2), r"target_events must be a finite number greater than 0; got 0\.0"),
        (
            lambda: time_for_events(700.0, loss_to_follow_up=LossToFollowUp.before_event(0.10), **BOLERO2),
            r"target_events must be below [0-9.]+, the events expected if all 705 patients .*; got 700\.0",
        ),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
