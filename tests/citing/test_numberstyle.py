"""The report's number style (citing.numberstyle), rule by rule."""

from __future__ import annotations

import math

import pytest

from bolero_evidence.citing.numberstyle import format_figure, format_number


@pytest.mark.parametrize(("value", "low", "high", "unit", "expected"), [
    (0.405797, None, None, "hazard_ratio", "0.41"),
    (9.48454, 7.02768, 12.4482, "percent", "9.5% (7.0 to 12.4)"),
    (4.11277, -0.382565, 7.9695, "percentage_points", "4.1 percentage points (\u22120.4 to 8.0)"),
    (6.9, None, None, "months", "6.9 months"),
    (11.0301, 8.31845, 16.4591, "patients", "11 (8 to 16)"),
    (525.63, None, None, "events", "526 events"),
    (-7.62921, None, None, "z", "\u22127.63"),
    (0.679924, None, None, "proportion", "0.680"),
    (0.00380806, None, None, "p_value", "0.0038"),
    (2.36189e-14, None, None, "p_value", "<0.001"),
    (2.0, 1.5, math.inf, "ratio", "2.00 (1.50 to ∞)"),
])
def test_figures_in_the_report_style(value, low, high, unit, expected):
    assert format_figure(value, low, high, unit) == expected


def test_rounding_is_half_up_on_the_printed_digits():
    # 0.125 is exact in binary and 2.675 is not (2.67499999...): both are rounded as printed.
    assert format_number(0.125, "hazard_ratio") == "0.13"
    assert format_number(2.675, "ratio") == "2.68"


def test_no_negative_zero():
    assert format_number(-0.01, "percent") == "0.0"
