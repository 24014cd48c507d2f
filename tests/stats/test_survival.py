"""Tests of bolero_evidence.stats.survival.

Published values are read from tests/reference/*.csv, where each row names its
source.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from scipy import stats

from bolero_evidence.stats.survival import (
    HazardRatioSummary,
    NotDerivableError,
    hazard_ratio_from_medians,
    hazard_ratio_summary,
    median_gain,
    median_gain_interval,
    schoenfeld_standard_error,
    z_from_hazard_ratio_and_events,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _ids(rows: list[dict[str, str]]) -> list[str]:
    return [row["case_id"] for row in rows]


HR_ROWS = _rows("published_hazard_ratios.csv")
MEDIAN_ROWS = _rows("published_medians.csv")


def _summary(row: dict[str, str]) -> HazardRatioSummary:
    return hazard_ratio_summary(
        float(row["hazard_ratio"]),
        float(row["ci_low"]),
        float(row["ci_high"]),
        confidence=float(row["confidence"]),
        decimals=int(row["decimals"]),
    )


# --------------------------------------------------------------------------
# Hazard ratio from its printed interval
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", HR_ROWS, ids=_ids(HR_ROWS))
def test_interval_implies_the_printed_p_threshold(row):
    summary = _summary(row)
    threshold = float(row["p_printed"].removeprefix("<"))
    assert row["p_printed"].startswith("<")
    assert summary.p_two_sided < threshold
    assert summary.z < 0  # the hazard ratio favours everolimus
    # The implied Wald p is not compared with the reported log-rank p
    # (logrank_p_reported): they are different tests, and the CSV keeps the
    # reported value only as context.


@pytest.mark.parametrize("row", HR_ROWS, ids=_ids(HR_ROWS))
def test_summary_formulas(row):
    summary = _summary(row)
    hr, low, high = (float(row[key]) for key in ("hazard_ratio", "ci_low", "ci_high"))
    z_crit = stats.norm.ppf(0.5 + float(row["confidence"]) / 2)
    # Each identity below is one or two floating-point operations away from
    # the implementation, hence rel=1e-12.
    assert summary.standard_error == pytest.approx(
        (math.log(high) - math.log(low)) / (2 * z_crit), rel=1e-12
    )
    assert summary.z == pytest.approx(math.log(hr) / summary.standard_error, rel=1e-12)
    assert summary.p_one_sided_benefit == pytest.approx(summary.p_two_sided / 2, rel=1e-12)
    assert summary.log_asymmetry == pytest.approx(
        math.log(high) + math.log(low) - 2 * math.log(hr), rel=1e-12
    )
    assert summary.midpoint_hazard_ratio == pytest.approx(math.sqrt(low * high), rel=1e-12)


@pytest.mark.parametrize("row", HR_ROWS, ids=_ids(HR_ROWS))
def test_printed_intervals_are_log_symmetric_within_rounding(row):
    # The printed limits are not exactly symmetric around the printed hazard
    # ratio on the log scale, but rounding to the printed decimals explains it.
    summary = _summary(row)
    assert summary.log_asymmetry != 0.0
    assert summary.symmetric_within_rounding is True
    narrowest, widest = summary.standard_error_range
    assert narrowest < summary.standard_error < widest


@pytest.mark.parametrize("row", HR_ROWS, ids=_ids(HR_ROWS))
def test_schoenfeld_standard_error_is_consistent_with_the_printed_interval(row):
    # A consistency check, not a reproduction: Schoenfeld's approximation from
    # the event count should fall among the standard errors that the rounded
    # printed limits allow.
    events = int(row["events_experimental"]) + int(row["events_control"])
    standard_error = schoenfeld_standard_error(events, float(row["allocation_ratio"]))
    narrowest, widest = _summary(row).standard_error_range
    assert narrowest <= standard_error <= widest


def test_rounding_check_detects_an_asymmetric_interval():
    # 0.43 (0.30-0.54) cannot come from a log-symmetric interval rounded to
    # two decimals: the geometric midpoint is at most sqrt(0.305 * 0.545) = 0.408.
    assert hazard_ratio_summary(0.43, 0.30, 0.54, decimals=2).symmetric_within_rounding is False
    unrounded = hazard_ratio_summary(0.43, 0.30, 0.54)
    assert unrounded.symmetric_within_rounding is None and unrounded.standard_error_range is None


def test_one_sided_p_is_in_the_direction_of_benefit():
    harmful = hazard_ratio_summary(1.5, 1.2, 1.9)
    assert harmful.p_one_sided_benefit > 0.5
    # Symmetric around HR = 1: z = 0 exactly, p two-sided 1, one-sided 0.5.
    null = hazard_ratio_summary(1.0, 0.5, 2.0)
    assert null.z == 0.0 and null.p_two_sided == 1.0 and null.p_one_sided_benefit == 0.5


# --------------------------------------------------------------------------
# Schoenfeld
# --------------------------------------------------------------------------


def test_schoenfeld_formula():
    # 1:1 gives 2 / sqrt(d); r and 1/r give the same p(1 - p); rel=1e-12 for
    # the floating-point operations.
    assert schoenfeld_standard_error(400) == pytest.approx(2 / math.sqrt(400), rel=1e-12)
    assert schoenfeld_standard_error(359, 2.0) == pytest.approx(
        schoenfeld_standard_error(359, 0.5), rel=1e-12
    )
    assert schoenfeld_standard_error(359, 2.0) == pytest.approx(
        1 / math.sqrt(359 * (2 / 3) * (1 / 3)), rel=1e-12
    )


@pytest.mark.parametrize("row", HR_ROWS, ids=_ids(HR_ROWS))
def test_z_from_events_uses_schoenfeld(row):
    events = int(row["events_experimental"]) + int(row["events_control"])
    ratio, hr = float(row["allocation_ratio"]), float(row["hazard_ratio"])
    z = z_from_hazard_ratio_and_events(hr, events, ratio)
    assert z == pytest.approx(math.log(hr) / schoenfeld_standard_error(events, ratio), rel=1e-12)
    assert z < 0


# --------------------------------------------------------------------------
# Medians
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", MEDIAN_ROWS, ids=_ids(MEDIAN_ROWS))
def test_median_gain(row):
    experimental, control = float(row["median_experimental"]), float(row["median_control"])
    gain = median_gain(experimental, control)
    # One subtraction and one division: exact up to one rounding.
    assert gain.gain == pytest.approx(experimental - control, abs=1e-12)
    assert gain.ratio == pytest.approx(experimental / control, rel=1e-12)
    assert gain.gain > 0


@pytest.mark.parametrize("row", MEDIAN_ROWS, ids=_ids(MEDIAN_ROWS))
def test_no_interval_for_a_difference_of_medians(row):
    ci_experimental = (
        float(row["median_experimental_ci_low"]),
        float(row["median_experimental_ci_high"]) if row["median_experimental_ci_high"] else None,
    )
    ci_control = (float(row["median_control_ci_low"]), float(row["median_control_ci_high"]))
    with pytest.raises(NotDerivableError, match="patient-level"):
        median_gain_interval(
            float(row["median_experimental"]),
            float(row["median_control"]),
            ci_experimental,
            ci_control,
        )


@pytest.mark.parametrize("row", MEDIAN_ROWS, ids=_ids(MEDIAN_ROWS))
def test_exponential_hazard_ratio_from_medians(row):
    experimental, control = float(row["median_experimental"]), float(row["median_control"])
    implied = hazard_ratio_from_medians(experimental, control)
    assert implied.hazard_ratio == pytest.approx(control / experimental, rel=1e-12)
    assert implied.hazard_experimental == pytest.approx(math.log(2) / experimental, rel=1e-12)
    assert implied.hazard_ratio == pytest.approx(
        implied.hazard_experimental / implied.hazard_control, rel=1e-12
    )
    # Not compared with hazard_ratio_reported: the exponential model is an
    # assumption, and the gap between the two is information, not an error.


def test_median_not_reached_is_not_derivable():
    with pytest.raises(NotDerivableError, match="median_experimental is not reached"):
        hazard_ratio_from_medians(None, 4.1)
    with pytest.raises(NotDerivableError, match="median_control is not reached"):
        median_gain(10.6, None)
    assert issubclass(NotDerivableError, ValueError)


# --------------------------------------------------------------------------
# Argument errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: median_gain(0.0, 2.8), r"median_experimental=0.0 is not usable: expected a finite number > 0"),
        (lambda: median_gain(6.9, -1), r"median_control=-1 is not usable"),
        (lambda: hazard_ratio_from_medians(math.inf, 2.8), r"median_experimental=inf is not usable"),
        (lambda: hazard_ratio_summary(0.43, 0.54, 0.35), r"expected ci_low <= hazard_ratio <= ci_high"),
        (lambda: hazard_ratio_summary(0.60, 0.35, 0.54), r"expected ci_low <= hazard_ratio <= ci_high"),
        (lambda: hazard_ratio_summary(0.43, 0.0, 0.54), r"ci_low=0.0 is not usable: expected a finite number > 0"),
        (lambda: hazard_ratio_summary(0.43, 0.43, 0.43), r"ci_low=0.43 equals ci_high=0.43"),
        (lambda: hazard_ratio_summary(0.43, 0.35, 0.54, confidence=95), r"confidence=95 is outside \(0, 1\)"),
        (lambda: hazard_ratio_summary(0.43, 0.35, 0.54, decimals=-2), r"decimals=-2 is not usable"),
        (lambda: schoenfeld_standard_error(0), r"events=0 is not usable: expected a finite number > 0"),
        (lambda: schoenfeld_standard_error(359, allocation_ratio=0), r"allocation_ratio=0 is not usable"),
        (lambda: z_from_hazard_ratio_and_events(-0.4, 359, 2), r"hazard_ratio=-0.4 is not usable"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
