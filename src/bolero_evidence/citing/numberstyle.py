"""The report's number style, in one place: how a register figure is written.

The rules, decided from the register's ``unit`` column:

==================== ============================== ======================
unit                 rounding                       written as
==================== ============================== ======================
``hazard_ratio``     2 decimals                     ``0.41``
``ratio``            2 decimals                     ``2.46``
``z``                2 decimals                     ``−7.63``
``log_hazard_ratio`` 3 decimals (a standard error)  ``0.111``
``percent``          1 decimal                      ``9.5%``
``percentage_points`` 1 decimal                     ``9.1 percentage points``
``months``           1 decimal                      ``4.6 months``
``weeks``            1 decimal                      ``2.6 weeks``
``patients``         whole number (NNT, NNH, counts) ``11``
``events``, ``count`` whole number                  ``526 events``
``grade``            whole number                   ``3`` (ESMO-MCBS)
``proportion``       3 significant digits           ``0.680``
``p_value``          2 significant digits; below    ``0.0038``, ``<0.001``
                     0.001 written ``<0.001``
other                3 significant digits
==================== ============================== ======================

Negative numbers take the Unicode minus (U+2212), an interval is written
``estimate (low to high)`` with the unit on the estimate only, and an
unbounded side is ``∞``. Rounding is half away from zero on the register's
decimal digits (not on the binary float), so ``0.125`` gives ``0.13``.

The report's tables write numbers through
:mod:`bolero_evidence.presentation.text`, which calls :func:`format_number`
(its register table, :mod:`bolero_evidence.presentation.register`, writes
each figure by its unit), so the report and the citations of it round and
sign each figure the same way.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["MINUS", "decimals_for", "format_number", "format_figure", "unit_suffix"]

MINUS = "\u2212"
_DECIMALS = {"hazard_ratio": 2, "ratio": 2, "z": 2, "log_hazard_ratio": 3, "percent": 1, "percentage_points": 1, "months": 1,
             "weeks": 1, "patients": 0, "events": 0, "count": 0, "grade": 0}
_SIGNIFICANT = {"proportion": 3, "p_value": 2}
_DEFAULT_SIGNIFICANT = 3
_SUFFIX = {"percent": "%", "percentage_points": " percentage points", "months": " months", "weeks": " weeks", "events": " events"}
_P_FLOOR = Decimal("0.001")


def decimals_for(value: float, unit: str) -> int:
    """Decimals the report writes for ``value`` in ``unit`` (see the module's table)."""
    if unit in _DECIMALS:
        return _DECIMALS[unit]
    digits = _SIGNIFICANT.get(unit, _DEFAULT_SIGNIFICANT)
    if value == 0 or not math.isfinite(value):
        return digits - 1
    return max(0, digits - 1 - math.floor(math.log10(abs(value))))


def _rounded(value: float, decimals: int) -> Decimal:
    # repr() is the shortest string that reads back as the same float: the
    # register's six significant digits, so rounding acts on what is printed.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float, unit: str, decimals: int | None = None) -> str:
    """One number in the report's style, without its unit (``−0.4``, ``∞``, ``<0.001``)."""
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    if unit == "p_value" and 0 <= value < _P_FLOOR:
        return "<0.001"
    text = str(_rounded(value, decimals_for(value, unit) if decimals is None else decimals))
    if text.startswith("-"):
        text = MINUS + text[1:] if set(text[1:]) - {"0", "."} else text[1:]  # no "−0.0"
    return text


def unit_suffix(unit: str) -> str:
    """What follows the estimate: ``%``, `` months``, ... (nothing for ratios and statistics)."""
    return _SUFFIX.get(unit, "")


def format_figure(value: float, ci_low: float | None, ci_high: float | None, unit: str) -> str:
    """A figure with its interval: ``9.5% (7.0 to 12.4)``, ``4.6 months``, ``0.41``.

    Both bounds are rounded like the estimate, so an interval never claims
    more precision than the figure it belongs to.
    """
    estimate = format_number(value, unit)
    text = estimate + unit_suffix(unit)
    if ci_low is None or ci_high is None or (isinstance(ci_low, float) and math.isnan(ci_low)):
        return text
    decimals = None if unit in _DECIMALS else decimals_for(value, unit)
    return f"{text} ({format_number(ci_low, unit, decimals)} to {format_number(ci_high, unit, decimals)})"
