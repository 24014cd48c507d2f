"""Tests of bolero_evidence.stats.absolute (GRADE absolute effects for time-to-event outcomes).

Published worked examples are in tests/reference/absolute_effects_time_to_event.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bolero_evidence.stats.absolute import (
    absolute_effect_from_median,
    absolute_effect_time_to_event,
    control_risk_from_median,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
with open(REFERENCE / "absolute_effects_time_to_event.csv", encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle))


@pytest.mark.parametrize("row", ROWS, ids=[r["case_id"] for r in ROWS])
def test_reproduces_published_worked_example(row):
    effect = absolute_effect_time_to_event(
        float(row["control_risk"]), float(row["hazard_ratio"]), float(row["hazard_ratio_low"]),
        float(row["hazard_ratio_high"]), outcome=row["outcome"], per=int(row["per"]))
    estimate, low, high = effect.intervention_per
    tolerance = float(row["tolerance"])
    assert estimate == pytest.approx(float(row["intervention"]), abs=tolerance)
    assert low == pytest.approx(float(row["intervention_low"]), abs=tolerance)
    assert high == pytest.approx(float(row["intervention_high"]), abs=tolerance)


def test_naive_multiplication_would_not_reproduce_the_example():
    # p_I = p_C * HR (the error GRADE guidance 27 warns against) misses abseff's 73 per 1000.
    assert abs(1000 * 0.055 * 1.34 - 73) > 0.5


def test_bolero_local_pfs_at_6_months_by_hand():
    # NEJM 2011 Table 3, local assessment: placebo median 2.8 months, HR 0.43 (0.35-0.54).
    # p_C = 1 - 2 ** (-6 / 2.8); p_I = 1 - (1 - p_C) ** HR, written out here.
    p_c = 1 - 2 ** (-6 / 2.8)
    effect = absolute_effect_from_median(2.8, 6, 0.43, 0.35, 0.54)
    assert effect.control_risk == pytest.approx(p_c, rel=1e-12)
    assert effect.control_risk == pytest.approx(0.7736, abs=5e-5)
    expected = [1000 * (1 - (1 - p_c) ** hr) for hr in (0.43, 0.35, 0.54)]
    assert effect.intervention_per == pytest.approx(tuple(expected), rel=1e-12)
    difference, low, high = effect.difference_per
    assert difference == pytest.approx(expected[0] - 1000 * p_c)
    assert low == pytest.approx(expected[1] - 1000 * p_c) and high == pytest.approx(expected[2] - 1000 * p_c)
    assert low < difference < high < 0
    assert effect.control_source == "exponential model from the median" and effect.time == 6


def test_control_risk_from_median():
    assert control_risk_from_median(2.8, 2.8) == pytest.approx(0.5)
    assert control_risk_from_median(4.0, 0) == 0.0
    assert control_risk_from_median(4.0, 8.0) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="time"):
        control_risk_from_median(4.0, -1)


def test_event_free_and_event_forms_agree():
    event = absolute_effect_time_to_event(0.3, 0.6, 0.4, 0.9, outcome="event")
    free = absolute_effect_time_to_event(0.7, 0.6, 0.4, 0.9, outcome="event_free")
    assert event.intervention_risk == pytest.approx(1 - free.intervention_risk)
    assert event.intervention_low == pytest.approx(1 - free.intervention_high)


@pytest.mark.parametrize("kwargs,match", [
    ({"control_risk": 1.0, "hazard_ratio": 0.5, "hazard_ratio_low": 0.4, "hazard_ratio_high": 0.6}, "control_risk"),
    ({"control_risk": 0.5, "hazard_ratio": 0.5, "hazard_ratio_low": 0.6, "hazard_ratio_high": 0.7}, "enclose"),
    ({"control_risk": 0.5, "hazard_ratio": -0.5, "hazard_ratio_low": 0.4, "hazard_ratio_high": 0.6}, "hazard_ratio"),
])
def test_invalid_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        absolute_effect_time_to_event(**kwargs)
