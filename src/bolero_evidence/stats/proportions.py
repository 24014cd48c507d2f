"""Intervals for proportions, numbers needed to treat, counts behind percentages.

Arm 1 is the experimental arm and arm 2 the control arm throughout: a risk
difference is ``p1 - p2`` and a risk ratio ``p1 / p2``. Proportions, their
bounds and differences are on the 0-1 scale; :attr:`ProportionInterval.percent`
converts for display.

Where statsmodels implements a method it is used with the method named
explicitly: Clopper-Pearson (``proportion_confint(method="beta")``), Wilson
(``method="wilson"``), Newcombe's hybrid score interval
(``confint_proportions_2indep(method="newcomb", compare="diff")``) and the
Katz log interval (``method="log", compare="ratio"``). The asymptotic score
intervals (Miettinen-Nurminen for the difference and the ratio, Koopman for the
ratio) are computed here, for two reasons. statsmodels 0.15's cubic for the
constrained maximum likelihood estimate of the difference has a wrong linear
coefficient (``count0`` where ``nobs0`` belongs; statsmodels issue #10269, open
at the time of writing), so its difference statistic is wrong or NaN and its
interval misses Newcombe's (1998) published values, e.g. 0.0526-0.3440 instead
of 0.0528-0.3382 for 56/70 against 48/80. And its score intervals fail or
return complex numbers when a count is 0 or equal to its denominator (root
brackets that do not straddle the root; polynomial roots of the Koopman
closed form). The statistics below are the published formulas, with the
bounds found by bracketed root finding on the whole parameter range; the tests
compare the ratio intervals with statsmodels where it is correct, and all of
them with published values.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Literal, NamedTuple

from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

__all__ = [
    "AmbiguousCountError",
    "CountsForPercent",
    "NoConsistentCountError",
    "NumberNeeded",
    "Percentages",
    "ProportionInterval",
    "TwoProportionEffect",
    "count_from_percent",
    "counts_consistent_with_percent",
    "number_needed_from_difference",
    "number_needed_to_treat",
    "proportion_interval",
    "risk_difference",
    "risk_ratio",
]

SingleMethod = Literal["clopper-pearson", "wilson"]
DifferenceMethod = Literal["newcombe", "miettinen-nurminen"]
RatioMethod = Literal["miettinen-nurminen", "koopman", "log"]
EventDirection = Literal["harmful", "beneficial"]
PercentQualifier = Literal["eq", "lt", "gt"]

# Accepted spellings -> the name stored in results. "exact" and "beta" are the
# usual other names of the Clopper-Pearson interval (statsmodels calls it beta).
_SINGLE_METHODS: dict[str, SingleMethod] = {
    "clopper-pearson": "clopper-pearson",
    "exact": "clopper-pearson",
    "beta": "clopper-pearson",
    "wilson": "wilson",
}
_DIFFERENCE_METHODS: tuple[str, ...] = ("newcombe", "miettinen-nurminen")
_RATIO_METHODS: tuple[str, ...] = ("miettinen-nurminen", "koopman", "log")

# Distance from the ends of the parameter range at which the score statistic of
# the difference is evaluated; the statistic is infinite at -1 and 1 themselves.
_DIFFERENCE_EDGE = 1e-12
# |log ratio| beyond which exp() overflows; a bracket search that reaches it
# means the bound is 0 or infinity.
_LOG_RATIO_LIMIT = 700.0


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


class Percentages(NamedTuple):
    """An estimate and its confidence bounds in percent."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class ProportionInterval:
    """A proportion ``count / nobs`` with its confidence interval (0-1 scale).

    Attributes
    ----------
    count, nobs : int
        Number of events and number of patients.
    estimate, low, high : float
        Observed proportion and confidence bounds, on the 0-1 scale.
    method : {"clopper-pearson", "wilson"}
        Interval method.
    confidence : float
        Two-sided confidence level, e.g. 0.95.
    """

    count: int
    nobs: int
    estimate: float
    low: float
    high: float
    method: SingleMethod
    confidence: float

    @property
    def percent(self) -> Percentages:
        """Estimate and bounds multiplied by 100."""
        return Percentages(100.0 * self.estimate, 100.0 * self.low, 100.0 * self.high)


@dataclass(frozen=True)
class TwoProportionEffect:
    """Comparison of two independent proportions, arm 1 against arm 2.

    Attributes
    ----------
    measure : {"difference", "ratio"}
        ``p1 - p2`` or ``p1 / p2``.
    estimate, low, high : float
        Point estimate and confidence bounds. A ratio bound may be ``0.0`` or
        ``math.inf``; the ratio estimate is ``math.inf`` when only arm 2 has no
        events and ``math.nan`` when neither arm has any.
    method : str
        Interval method (see :func:`risk_difference`, :func:`risk_ratio`).
    confidence : float
        Two-sided confidence level.
    count1, nobs1, count2, nobs2 : int
        Events and patients in arm 1 (experimental) and arm 2 (control).
    """

    measure: Literal["difference", "ratio"]
    estimate: float
    low: float
    high: float
    method: str
    confidence: float
    count1: int
    nobs1: int
    count2: int
    nobs2: int

    @property
    def proportion1(self) -> float:
        """Observed proportion in arm 1."""
        return self.count1 / self.nobs1

    @property
    def proportion2(self) -> float:
        """Observed proportion in arm 2."""
        return self.count2 / self.nobs2


@dataclass(frozen=True)
class NumberNeeded:
    """Number needed to treat for one more patient to benefit or be harmed.

    Follows Altman (1998): the interval is the reciprocal of the interval of
    the absolute risk difference, read on a scale that runs from NNTB 1 through
    infinity to NNTH 1. When the difference interval includes zero, the
    interval is the two disjoint pieces "NNTB a to infinity" and "NNTH b to
    infinity", written "NNTB a to ∞ to NNTH b".

    Attributes
    ----------
    kind : {"benefit", "harm", "none"}
        Direction of the point estimate: NNTB, NNTH, or ``"none"`` when the
        observed difference is exactly zero (estimate infinite).
    estimate : float
        ``1 / |benefit difference|`` (``math.inf`` when it is zero).
    benefit_range : tuple of float or None
        NNTB values inside the confidence interval as ``(nearest, farthest)``;
        ``farthest`` is ``math.inf`` when the interval reaches no effect.
        None when the interval contains no benefit.
    harm_range : tuple of float or None
        The same for NNTH values.
    includes_infinity : bool
        True when the difference interval contains zero (no effect), so the
        interval of the number needed passes through infinity.
    confidence : float
        Two-sided confidence level of the difference interval.
    event : {"harmful", "beneficial"}
        Whether the counted event is harmful (adverse event, progression) or
        beneficial (response).
    benefit_difference, benefit_low, benefit_high : float
        The difference on the benefit scale (positive favours arm 1):
        ``p2 - p1`` for a harmful event, ``p1 - p2`` for a beneficial one.
    """

    kind: Literal["benefit", "harm", "none"]
    estimate: float
    benefit_range: tuple[float, float] | None
    harm_range: tuple[float, float] | None
    includes_infinity: bool
    confidence: float
    event: EventDirection
    benefit_difference: float
    benefit_low: float
    benefit_high: float

    @property
    def bounds_kind(self) -> Literal["finite", "to_infinity", "through_infinity"]:
        """Shape of the interval, for storing it in structured fields.

        ``"finite"``: one piece with two finite ends on one side (NNTB a to b,
        or NNTH a to b). ``"through_infinity"``: the difference interval
        contains no effect strictly inside, so the interval is NNTB
        :attr:`nnt_benefit_bound` to ∞ to NNTH :attr:`nnt_harm_bound` (two
        pieces). ``"to_infinity"``: one piece reaching ∞ on one side only
        (a difference limit exactly 0, or a point estimate of no effect
        with a one-sided interval).
        """
        if self.benefit_range is not None and self.harm_range is not None:
            return "through_infinity"
        side = self.benefit_range if self.benefit_range is not None else self.harm_range
        if side is None or math.isinf(side[1]):
            return "to_infinity"
        return "finite"

    @property
    def nnt_benefit_bound(self) -> float | None:
        """Smallest NNTB the interval allows (its most favourable end), or None if it allows no benefit."""
        return self.bound_benefit

    @property
    def nnt_harm_bound(self) -> float | None:
        """Smallest NNTH the interval allows (its most harmful end), or None if it allows no harm."""
        return self.bound_harm

    @property
    def finite_bounds(self) -> tuple[float, float] | None:
        """``(low, high)`` of the number needed when :attr:`bounds_kind` is ``"finite"``, else None."""
        if self.bounds_kind != "finite":
            return None
        side = self.benefit_range if self.benefit_range is not None else self.harm_range
        return side

    def register_fields(self) -> dict[str, object]:
        """The interval as flat structured fields (numbers first; the wording is derived).

        Returns
        -------
        dict
            ``kind`` ("benefit" / "harm" / "none"), ``estimate`` (``inf``
            when the difference is 0), ``bounds_kind``, ``low`` and ``high``
            (finite bounds, or None unless ``bounds_kind == "finite"``),
            ``nnt_benefit_bound`` and ``nnt_harm_bound`` (the finite ends of
            each piece, or None), ``confidence``.
        """
        finite = self.finite_bounds
        return {
            "kind": self.kind,
            "estimate": self.estimate,
            "bounds_kind": self.bounds_kind,
            "low": None if finite is None else finite[0],
            "high": None if finite is None else finite[1],
            "nnt_benefit_bound": self.nnt_benefit_bound,
            "nnt_harm_bound": self.nnt_harm_bound,
            "confidence": self.confidence,
        }

    @property
    def bound_benefit(self) -> float | None:
        """Smallest NNTB in the interval (its most favourable end), or None."""
        return None if self.benefit_range is None else self.benefit_range[0]

    @property
    def bound_harm(self) -> float | None:
        """Smallest NNTH in the interval (its most harmful end), or None."""
        return None if self.harm_range is None else self.harm_range[0]

    def describe(self, decimals: int = 1) -> str:
        """Altman's wording, e.g. ``"NNTB 10.0 (95% CI NNTB 4.0 to ∞ to NNTH 20.0)"``.

        Parameters
        ----------
        decimals : int, optional
            Decimals printed for every finite number (default 1).
        """
        _check_non_negative_int("decimals", decimals)

        def number(value: float) -> str:
            return "∞" if math.isinf(value) else f"{value:.{decimals}f}"

        label = {"benefit": "NNTB", "harm": "NNTH", "none": "NNT"}[self.kind]
        head = f"{label} {number(self.estimate)}"
        level = f"{_format_level(self.confidence)}% CI"
        benefit, harm = self.benefit_range, self.harm_range
        if benefit is not None and harm is not None:
            body = f"NNTB {number(benefit[0])} to ∞ to NNTH {number(harm[0])}"
        elif benefit is not None:
            body = f"{number(benefit[0])} to {number(benefit[1])}"
            if self.kind != "benefit":
                body = f"NNTB {body}"
        elif harm is not None:
            body = f"{number(harm[0])} to {number(harm[1])}"
            if self.kind != "harm":
                body = f"NNTH {body}"
        else:
            body = "∞ to ∞"
        return f"{head} ({level} {body})"


@dataclass(frozen=True)
class CountsForPercent:
    """Integer counts whose percentage of ``nobs`` prints as a given value.

    Attributes
    ----------
    printed : str
        The percentage as printed (qualifier included, e.g. ``"<1"``).
    nobs : int
        Denominator.
    decimals : int
        Decimals of the printed percentage.
    qualifier : {"eq", "lt", "gt"}
        ``"eq"``: the percentage rounds to the printed value; ``"lt"``: it is
        above 0 and below the value; ``"gt"``: above the value and below 100.
    counts : tuple of int
        Every consistent count, ascending (may be empty).
    """

    printed: str
    nobs: int
    decimals: int
    qualifier: PercentQualifier
    counts: tuple[int, ...]

    @property
    def is_unique(self) -> bool:
        """True when exactly one count is consistent."""
        return len(self.counts) == 1

    def single(self) -> int:
        """The one consistent count.

        Raises
        ------
        AmbiguousCountError
            If several counts are consistent.
        NoConsistentCountError
            If none is (the percentage cannot come from this denominator).
        """
        if len(self.counts) == 1:
            return self.counts[0]
        if not self.counts:
            raise NoConsistentCountError(
                f"no count k in 0..{self.nobs} gives {self.printed}% "
                f"(qualifier {self.qualifier!r}); check the denominator"
            )
        raise AmbiguousCountError(
            f"{self.printed}% of {self.nobs} is consistent with counts "
            f"{list(self.counts)}; the printed value does not determine the count"
        )


class AmbiguousCountError(ValueError):
    """Several counts are consistent with a printed percentage."""


class NoConsistentCountError(ValueError):
    """No count is consistent with a printed percentage and denominator."""


# --------------------------------------------------------------------------
# One proportion
# --------------------------------------------------------------------------


def proportion_interval(
    count: int,
    nobs: int,
    method: str = "clopper-pearson",
    confidence: float = 0.95,
) -> ProportionInterval:
    """Confidence interval for one binomial proportion.

    Parameters
    ----------
    count : int
        Number of events, ``0 <= count <= nobs``.
    nobs : int
        Number of patients, ``nobs >= 1``.
    method : {"clopper-pearson", "wilson"}, optional
        ``"clopper-pearson"`` (aliases ``"exact"``, ``"beta"``; the default) or
        ``"wilson"``.
    confidence : float, optional
        Two-sided confidence level in (0, 1), default 0.95.

    Returns
    -------
    ProportionInterval
        Estimate and bounds on the 0-1 scale.

    Raises
    ------
    ValueError
        For an invalid count, denominator, confidence or method name.

    Notes
    -----
    Clopper-Pearson inverts two one-sided binomial tests, each at level
    ``alpha / 2`` with ``alpha = 1 - confidence``:
    ``low = B(alpha/2; x, n - x + 1)`` and ``high = B(1 - alpha/2; x + 1, n - x)``
    with ``B`` the beta quantile, ``low = 0`` when ``x = 0`` and ``high = 1``
    when ``x = n``. Coverage is at least the nominal level.

    Wilson inverts the score test ``|p_hat - p| <= z sqrt(p (1 - p) / n)``:
    ``(p_hat + z^2/2n ± z sqrt(p_hat q_hat / n + z^2/4n^2)) / (1 + z^2/n)``,
    ``z = Phi^-1(1 - alpha/2)``. Its bounds are exactly 0 when ``x = 0`` and
    exactly 1 when ``x = n``; they are set so here, because the closed form
    misses them by a rounding error.

    Both assume ``count`` is binomial with a common event probability.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits
    illustrated in the case of the binomial. Biometrika 1934;26:404-13.

    Wilson EB. Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc 1927;22:209-12.

    Newcombe RG. Two-sided confidence intervals for the single proportion:
    comparison of seven methods. Stat Med 1998;17:857-72.
    """
    _check_count_and_nobs("count", count, "nobs", nobs)
    _check_confidence(confidence)
    canonical = _SINGLE_METHODS.get(method) if isinstance(method, str) else None
    if canonical is None:
        raise ValueError(
            f"method={method!r} is not a known method: expected one of "
            f"{sorted(_SINGLE_METHODS)}"
        )
    statsmodels_name = "beta" if canonical == "clopper-pearson" else "wilson"
    low, high = proportion_confint(
        count, nobs, alpha=1.0 - confidence, method=statsmodels_name
    )
    low = 0.0 if count == 0 else min(max(float(low), 0.0), 1.0)
    high = 1.0 if count == nobs else min(max(float(high), 0.0), 1.0)
    return ProportionInterval(
        count=int(count),
        nobs=int(nobs),
        estimate=count / nobs,
        low=low,
        high=high,
        method=canonical,
        confidence=float(confidence),
    )


# --------------------------------------------------------------------------
# Two independent proportions
# --------------------------------------------------------------------------


def risk_difference(
    count1: int,
    nobs1: int,
    count2: int,
    nobs2: int,
    *,
    method: DifferenceMethod = "newcombe",
    confidence: float = 0.95,
) -> TwoProportionEffect:
    """Difference of two independent proportions ``p1 - p2`` with its interval.

    Parameters
    ----------
    count1, nobs1 : int
        Events and patients in arm 1 (experimental).
    count2, nobs2 : int
        Events and patients in arm 2 (control).
    method : {"newcombe", "miettinen-nurminen"}, optional
        ``"newcombe"`` (default): hybrid score interval, Newcombe's method 10.
        ``"miettinen-nurminen"``: asymptotic score interval with the
        ``N / (N - 1)`` variance correction, Newcombe's method 6.
    confidence : float, optional
        Two-sided confidence level in (0, 1), default 0.95.

    Returns
    -------
    TwoProportionEffect
        With ``measure="difference"``; bounds lie in [-1, 1].

    Raises
    ------
    ValueError
        For invalid counts, denominators, confidence or method name.

    Notes
    -----
    Newcombe's hybrid interval combines the Wilson intervals ``(l_i, u_i)`` of
    the two proportions:
    ``low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)``,
    ``high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``, ``d = p1 - p2``.
    It is defined for every table, zero counts included.

    The Miettinen-Nurminen interval is the set of ``delta`` not rejected by
    the score test ``z(delta) = (p1 - p2 - delta) / sqrt(V(delta))``, where
    ``V = [p1~ q1~ / n1 + p2~ q2~ / n2] N / (N - 1)``, ``N = n1 + n2``, and
    ``p1~ = p2~ + delta`` is the maximum likelihood estimate under the
    constraint (the root of a cubic, solved in closed form). The bounds solve
    ``z(delta) = ±z_{1 - alpha/2}``; a bound equals -1 or 1 when the observed
    difference does.

    Both assume two independent binomial samples.

    References
    ----------
    Newcombe RG. Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 1998;17:873-90.

    Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
    1985;4:213-26.
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    _check_confidence(confidence)
    if method not in _DIFFERENCE_METHODS:
        raise ValueError(
            f"method={method!r} is not a method for a risk difference: expected "
            f"one of {list(_DIFFERENCE_METHODS)}"
        )
    estimate = count1 / nobs1 - count2 / nobs2
    if method == "newcombe":
        low, high = confint_proportions_2indep(
            count1, nobs1, count2, nobs2,
            method="newcomb", compare="diff", alpha=1.0 - confidence,
        )
        low, high = float(low), float(high)
    else:
        low, high = _score_interval_difference(
            count1, nobs1, count2, nobs2, _critical_z(confidence)
        )
    return TwoProportionEffect(
        measure="difference",
        estimate=estimate,
        low=min(max(low, -1.0), estimate),
        high=max(min(high, 1.0), estimate),
        method=method,
        confidence=float(confidence),
        count1=int(count1),
        nobs1=int(nobs1),
        count2=int(count2),
        nobs2=int(nobs2),
    )


def risk_ratio(
    count1: int,
    nobs1: int,
    count2: int,
    nobs2: int,
    *,
    method: RatioMethod = "miettinen-nurminen",
    confidence: float = 0.95,
) -> TwoProportionEffect:
    """Ratio of two independent proportions ``p1 / p2`` (relative risk).

    Parameters
    ----------
    count1, nobs1 : int
        Events and patients in arm 1 (experimental).
    count2, nobs2 : int
        Events and patients in arm 2 (control).
    method : {"miettinen-nurminen", "koopman", "log"}, optional
        ``"miettinen-nurminen"`` (default): asymptotic score interval with the
        ``N / (N - 1)`` variance correction. ``"koopman"``: the same score
        interval without the correction. ``"log"``: Katz's interval on the log
        scale.
    confidence : float, optional
        Two-sided confidence level in (0, 1), default 0.95.

    Returns
    -------
    TwoProportionEffect
        With ``measure="ratio"``. Zero counts with the score methods: if only
        arm 2 has no events the estimate and the upper bound are
        ``math.inf``; if only arm 1 has none the estimate and the lower bound
        are 0; if neither has any the estimate is ``math.nan`` and the
        interval is ``(0, inf)``, because no ratio is rejected.

    Raises
    ------
    ValueError
        For invalid counts, denominators, confidence or method name, and for
        ``method="log"`` when a count is 0 (the log interval is undefined
        there; use a score method).

    Notes
    -----
    Score methods: the bounds are the ratios ``R`` not rejected by
    ``z(R) = (p1 - R p2) / sqrt(V(R))``, with
    ``V = p1~ q1~ / n1 + R^2 p2~ q2~ / n2`` (times ``N / (N - 1)`` for
    Miettinen-Nurminen), where ``p1~ = R p2~`` and ``p2~`` is the constrained
    maximum likelihood estimate (root of a quadratic). Koopman's chi-square
    statistic is the square of the uncorrected ``z``.

    Log (Katz) interval:
    ``exp(log(p1/p2) ± z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2))``. It collapses to
    ``(1, 1)`` when both arms have only events.

    All assume two independent binomial samples.

    References
    ----------
    Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
    1985;4:213-26.

    Koopman PAR. Confidence intervals for the ratio of two binomial
    proportions. Biometrics 1984;40:513-17.

    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for
    the risk ratio in cohort studies. Biometrics 1978;34:469-74.
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    _check_confidence(confidence)
    if method not in _RATIO_METHODS:
        raise ValueError(
            f"method={method!r} is not a method for a risk ratio: expected one "
            f"of {list(_RATIO_METHODS)}"
        )
    p1, p2 = count1 / nobs1, count2 / nobs2
    if count2 > 0:
        estimate = p1 / p2
    else:
        estimate = math.nan if count1 == 0 else math.inf
    if method == "log":
        if count1 == 0 or count2 == 0:
            raise ValueError(
                f"count1={count1}, count2={count2}: the log (Katz) interval needs "
                "at least one event in each arm; expected method "
                "'miettinen-nurminen' or 'koopman' for tables with a zero count"
            )
        low, high = confint_proportions_2indep(
            count1, nobs1, count2, nobs2,
            method="log", compare="ratio", alpha=1.0 - confidence,
        )
        low, high = float(low), float(high)
    else:
        low, high = _score_interval_ratio(
            count1, nobs1, count2, nobs2,
            _critical_z(confidence),
            corrected=(method == "miettinen-nurminen"),
        )
    return TwoProportionEffect(
        measure="ratio",
        estimate=estimate,
        low=low,
        high=high,
        method=method,
        confidence=float(confidence),
        count1=int(count1),
        nobs1=int(nobs1),
        count2=int(count2),
        nobs2=int(nobs2),
    )


# --------------------------------------------------------------------------
# Number needed to treat or harm
# --------------------------------------------------------------------------


def number_needed_to_treat(
    effect: TwoProportionEffect, *, event: EventDirection
) -> NumberNeeded:
    """Number needed to treat (benefit) or harm from a risk difference.

    Parameters
    ----------
    effect : TwoProportionEffect
        A result of :func:`risk_difference` (``measure="difference"``),
        arm 1 experimental and arm 2 control.
    event : {"harmful", "beneficial"}
        Whether the counted event is harmful (adverse event, progression:
        fewer in arm 1 is a benefit) or beneficial (response: more in arm 1 is
        a benefit). Required, because the same difference means opposite
        things for the two.

    Returns
    -------
    NumberNeeded
        See :func:`number_needed_from_difference`.

    Raises
    ------
    ValueError
        If ``effect`` is not a difference or ``event`` is not one of the two
        directions.
    """
    if not isinstance(effect, TwoProportionEffect) or effect.measure != "difference":
        raise ValueError(
            f"effect={effect!r} is not usable: expected a TwoProportionEffect with "
            "measure='difference' (from risk_difference)"
        )
    return number_needed_from_difference(
        effect.estimate, effect.low, effect.high,
        event=event, confidence=effect.confidence,
    )


def number_needed_from_difference(
    difference: float,
    low: float,
    high: float,
    *,
    event: EventDirection,
    confidence: float = 0.95,
) -> NumberNeeded:
    """Number needed to treat or harm from a risk difference and its interval.

    Parameters
    ----------
    difference : float
        Risk difference ``p1 - p2`` (experimental minus control), 0-1 scale.
    low, high : float
        Its confidence bounds, ``-1 <= low <= difference <= high <= 1``.
    event : {"harmful", "beneficial"}
        Whether the counted event is harmful or beneficial (see
        :func:`number_needed_to_treat`).
    confidence : float, optional
        Confidence level of the interval (only reported), default 0.95.

    Returns
    -------
    NumberNeeded
        ``kind`` "benefit" (NNTB) or "harm" (NNTH) by the sign of the benefit
        difference, "none" when it is exactly zero.

    Raises
    ------
    ValueError
        For values outside [-1, 1], unordered bounds, an invalid confidence or
        an unknown ``event``.

    Notes
    -----
    Let ``b`` be the difference on the benefit scale (``b = -(p1 - p2)`` for a
    harmful event, ``b = p1 - p2`` for a beneficial one) with interval
    ``(b_low, b_high)``. Then NNT = ``1 / |b|``, NNTB if ``b > 0``, NNTH if
    ``b < 0``. If ``b_low > 0`` the interval is NNTB ``1/b_high`` to
    ``1/b_low``; if ``b_high < 0`` it is NNTH ``1/|b_low|`` to ``1/|b_high|``.
    If ``b_low <= 0 <= b_high`` the interval contains no effect, so it runs
    from NNTB ``1/b_high`` through infinity to NNTH ``1/|b_low|`` (Altman
    1998): two disjoint pieces, reported in :attr:`NumberNeeded.benefit_range`
    and :attr:`NumberNeeded.harm_range`. The interval inherits every assumption
    of the interval of the difference.

    References
    ----------
    Altman DG. Confidence intervals for the number needed to treat. BMJ
    1998;317:1309-12.
    """
    for name, value in (("difference", difference), ("low", low), ("high", high)):
        _check_real(name, value)
        if not -1.0 <= value <= 1.0:
            raise ValueError(
                f"{name}={value!r} is not a risk difference: expected a value in [-1, 1]"
            )
    if not low <= difference <= high:
        raise ValueError(
            f"low={low!r}, difference={difference!r}, high={high!r}: expected "
            "low <= difference <= high"
        )
    if event not in ("harmful", "beneficial"):
        raise ValueError(
            f"event={event!r} is not a direction: expected 'harmful' (adverse "
            "event, progression) or 'beneficial' (response)"
        )
    _check_confidence(confidence)

    sign = -1.0 if event == "harmful" else 1.0
    benefit = sign * difference
    benefit_low, benefit_high = sorted((sign * low, sign * high))

    if benefit > 0:
        kind: Literal["benefit", "harm", "none"] = "benefit"
    elif benefit < 0:
        kind = "harm"
    else:
        kind = "none"

    benefit_range = None
    if benefit_high > 0:
        benefit_range = (
            1.0 / benefit_high,
            1.0 / benefit_low if benefit_low > 0 else math.inf,
        )
    harm_range = None
    if benefit_low < 0:
        harm_range = (
            1.0 / -benefit_low,
            1.0 / -benefit_high if benefit_high < 0 else math.inf,
        )
    return NumberNeeded(
        kind=kind,
        estimate=_reciprocal(abs(benefit)),
        benefit_range=benefit_range,
        harm_range=harm_range,
        includes_infinity=benefit_low <= 0.0 <= benefit_high,
        confidence=float(confidence),
        event=event,
        benefit_difference=benefit,
        benefit_low=benefit_low,
        benefit_high=benefit_high,
    )


# --------------------------------------------------------------------------
# Counts behind a printed percentage
# --------------------------------------------------------------------------


def counts_consistent_with_percent(
    percent: str | float | int,
    nobs: int,
    decimals: int | None = None,
    qualifier: PercentQualifier | None = None,
) -> CountsForPercent:
    """Counts ``k`` in ``0..nobs`` whose ``100 k / nobs`` prints as ``percent``.

    Parameters
    ----------
    percent : str, float or int
        The printed percentage. A string keeps its printed decimals (``"7.0"``
        has one) and may start with ``"<"`` or ``">"`` and end with ``"%"``.
        A float needs ``decimals``, because ``7.0`` and ``7`` are the same
        float; an int has 0 decimals unless told otherwise.
    nobs : int
        Denominator, ``nobs >= 1``.
    decimals : int, optional
        Printed decimals; inferred from a string.
    qualifier : {"eq", "lt", "gt"}, optional
        ``"eq"``: the percentage rounds to the printed value. ``"lt"`` (printed
        "<p"): ``0 < 100 k / nobs < p``; zero events would have been printed
        as 0. ``"gt"`` (printed ">p"): ``p < 100 k / nobs < 100``. Inferred
        from a leading ``"<"`` or ``">"``, otherwise ``"eq"``.

    Returns
    -------
    CountsForPercent
        All consistent counts; :meth:`CountsForPercent.single` gives the count
        when it is unique.

    Raises
    ------
    ValueError
        For a percentage outside [0, 100], an unparseable string, a float
        without ``decimals``, a value with more decimals than ``decimals``,
        a qualifier that contradicts the string, an unknown qualifier, or an
        invalid ``nobs``.

    Notes
    -----
    With ``d`` printed decimals, ``"eq"`` accepts ``k`` when
    ``|100 k / nobs - p| <= 0.5 * 10**-d``. The closed bound accepts both
    round-half-up and round-half-even at an exact tie. The arithmetic is
    exact (rational), so ties are decided without floating-point error.
    Examples: "9.5" of 485 gives 46 (9.485%); "0.4" of 239 gives 1 (0.418%).
    """
    _check_count("nobs", nobs, minimum=1)
    text, value, decimals, qualifier = _parse_percent(percent, decimals, qualifier)
    n = int(nobs)
    if qualifier == "eq":
        half_unit = Fraction(1, 2 * 10**decimals)
        first = max(0, math.ceil((value - half_unit) * n / 100))
        last = min(n, math.floor((value + half_unit) * n / 100))
    elif qualifier == "lt":
        first = 1
        last = min(n, math.ceil(value * n / 100) - 1)
    else:  # "gt"
        first = max(1, math.floor(value * n / 100) + 1)
        last = n - 1
    return CountsForPercent(
        printed=text,
        nobs=n,
        decimals=decimals,
        qualifier=qualifier,
        counts=tuple(range(first, last + 1)),
    )


def count_from_percent(
    percent: str | float | int,
    nobs: int,
    decimals: int | None = None,
    qualifier: PercentQualifier | None = None,
) -> int:
    """The single count consistent with a printed percentage.

    Same parameters as :func:`counts_consistent_with_percent`.

    Returns
    -------
    int
        The count.

    Raises
    ------
    AmbiguousCountError
        If several counts are consistent.
    NoConsistentCountError
        If none is.
    """
    return counts_consistent_with_percent(percent, nobs, decimals, qualifier).single()


def _parse_percent(
    percent: str | float | int,
    decimals: int | None,
    qualifier: str | None,
) -> tuple[str, Fraction, int, PercentQualifier]:
    """Printed text, exact value, decimals and qualifier of a percentage."""
    if decimals is not None:
        _check_non_negative_int("decimals", decimals)
    if qualifier is not None and qualifier not in ("eq", "lt", "gt"):
        raise ValueError(
            f"qualifier={qualifier!r} is not known: expected 'eq', 'lt' or 'gt'"
        )
    if isinstance(percent, str):
        text = percent.strip()
        body = text.removesuffix("%").strip()
        implied: PercentQualifier = "eq"
        if body[:1] in ("<", ">"):
            implied = "lt" if body[0] == "<" else "gt"
            body = body[1:].strip()
        if qualifier is not None and qualifier != implied and implied != "eq":
            raise ValueError(
                f"qualifier={qualifier!r} contradicts percent={percent!r}: expected "
                f"{implied!r} or no qualifier"
            )
        chosen = qualifier or implied
        try:
            number = Decimal(body)
        except InvalidOperation:
            raise ValueError(
                f"percent={percent!r} is not a number: expected a printed "
                "percentage such as '9.5', '<1' or '12%'"
            ) from None
        if not number.is_finite():
            raise ValueError(f"percent={percent!r} is not finite: expected 0 to 100")
        printed_decimals = max(0, -int(number.as_tuple().exponent))
        if decimals is not None and decimals != printed_decimals:
            raise ValueError(
                f"decimals={decimals} contradicts percent={percent!r}, which is "
                f"printed with {printed_decimals}: expected decimals=None or "
                f"{printed_decimals}"
            )
        decimals = printed_decimals
    elif isinstance(percent, numbers.Real) and not isinstance(percent, bool):
        if not math.isfinite(percent):
            raise ValueError(f"percent={percent!r} is not finite: expected 0 to 100")
        chosen = qualifier or "eq"
        if isinstance(percent, numbers.Integral):
            number = Decimal(int(percent))
            decimals = 0 if decimals is None else decimals
        else:
            if decimals is None:
                raise ValueError(
                    f"percent={percent!r} is a float, whose printed decimals are "
                    "lost: expected the printed string (e.g. '7.0') or decimals="
                )
            # repr() is the shortest decimal that round-trips, i.e. the number
            # the caller typed.
            number = Decimal(repr(float(percent)))
            if -int(number.as_tuple().exponent) > decimals:
                raise ValueError(
                    f"percent={percent!r} has more than decimals={decimals} "
                    "decimals: expected the value as printed"
                )
        text = f"{number:.{decimals}f}"
        if chosen != "eq":
            text = ("<" if chosen == "lt" else ">") + text
    else:
        raise ValueError(
            f"percent={percent!r} is not a percentage: expected a string such as "
            "'9.5' or a number with decimals="
        )
    value = Fraction(number)
    if not 0 <= value <= 100:
        raise ValueError(f"percent={percent!r} is outside [0, 100]: expected 0 to 100")
    return text, value, decimals, chosen


# --------------------------------------------------------------------------
# Score intervals (Miettinen-Nurminen, Koopman)
# --------------------------------------------------------------------------


def _score_z(numerator: float, variance: float) -> float:
    """``numerator / sqrt(variance)`` with the limits at zero variance."""
    if numerator == 0.0:
        # At the observed effect the statistic is 0, including tables whose
        # constrained variance is 0 there (e.g. 0/10 against 0/20).
        return 0.0
    if variance <= 0.0:
        return math.copysign(math.inf, numerator)
    return numerator / math.sqrt(variance)


def _constrained_mle_difference(
    delta: float, x1: int, n1: int, x2: int, n2: int
) -> tuple[float, float]:
    """Maximum likelihood ``(p1, p2)`` under ``p1 - p2 = delta``.

    Closed-form root of the cubic of Miettinen & Nurminen (1985, appendix),
    as in Farrington & Manning (1990).
    """
    n = n1 + n2
    events = x1 + x2
    l3 = float(n)
    l2 = (n1 + 2 * n2) * delta - n - events
    l1 = (n2 * delta - n - 2 * x2) * delta + events
    l0 = x2 * delta * (1.0 - delta)
    shift = l2 / (3.0 * l3)
    q = shift**3 - l1 * l2 / (6.0 * l3**2) + l0 / (2.0 * l3)
    p = math.copysign(math.sqrt(max(shift**2 - l1 / (3.0 * l3), 0.0)), q)
    if p == 0.0:
        p2 = -shift
    else:
        # Rounding can push q / p^3 outside [-1, 1] by a few ulps (seen:
        # 3e-15); the root it stands for is the boundary value.
        angle = (math.pi + math.acos(min(1.0, max(-1.0, q / p**3)))) / 3.0
        p2 = 2.0 * p * math.cos(angle) - shift
    p2 = min(max(p2, max(0.0, -delta)), min(1.0, 1.0 - delta))
    return p2 + delta, p2


def _score_z_difference(
    delta: float, x1: int, n1: int, x2: int, n2: int, corrected: bool = True
) -> float:
    """Miettinen-Nurminen score statistic for ``H0: p1 - p2 = delta``."""
    p1_null, p2_null = _constrained_mle_difference(delta, x1, n1, x2, n2)
    variance = p1_null * (1 - p1_null) / n1 + p2_null * (1 - p2_null) / n2
    if corrected:
        variance *= (n1 + n2) / (n1 + n2 - 1)
    return _score_z(x1 / n1 - x2 / n2 - delta, variance)


def _score_interval_difference(
    x1: int, n1: int, x2: int, n2: int, z_crit: float
) -> tuple[float, float]:
    """Bounds of the Miettinen-Nurminen interval of ``p1 - p2``."""
    estimate = x1 / n1 - x2 / n2

    def statistic(delta: float) -> float:
        return _score_z_difference(delta, x1, n1, x2, n2)

    # The statistic decreases in delta, is 0 at the estimate and tends to
    # +inf at -1 and -inf at 1 unless the estimate is itself -1 or 1, where
    # that bound is the estimate.
    low = -1.0
    if estimate > -1.0:
        low = _root_or_edge(statistic, z_crit, -1.0 + _DIFFERENCE_EDGE, estimate, -1.0)
    high = 1.0
    if estimate < 1.0:
        high = _root_or_edge(statistic, -z_crit, estimate, 1.0 - _DIFFERENCE_EDGE, 1.0)
    return low, high


def _root_or_edge(
    statistic: Callable[[float], float],
    target: float,
    left: float,
    right: float,
    edge: float,
) -> float:
    """Root of ``statistic = target`` in ``[left, right]``, or ``edge`` if none.

    No sign change happens only when the bound lies within the distance of
    ``left`` or ``right`` from the end of the range, i.e. at the end itself.
    """
    f_left, f_right = statistic(left) - target, statistic(right) - target
    if f_left == 0.0:
        return left
    if f_right == 0.0:
        return right
    if (f_left > 0) == (f_right > 0):
        return edge
    return optimize.brentq(
        lambda x: statistic(x) - target, left, right, xtol=1e-14, rtol=1e-14
    )


def _constrained_mle_ratio(
    ratio: float, x1: int, n1: int, x2: int, n2: int
) -> tuple[float, float]:
    """Maximum likelihood ``(p1, p2)`` under ``p1 = ratio * p2``.

    ``p2`` is the smaller root of ``N R p^2 - (n1 R + x1 + n2 + x2 R) p + x = 0``
    (Miettinen & Nurminen 1985), written as ``2c / (-b + sqrt(disc))`` to avoid
    cancellation.
    """
    n = n1 + n2
    events = x1 + x2
    if events == 0:
        return 0.0, 0.0
    a = n * ratio
    b = -(n1 * ratio + x1 + n2 + x2 * ratio)
    disc = max(b * b - 4.0 * a * events, 0.0)
    p2 = 2.0 * events / (-b + math.sqrt(disc))
    p2 = min(max(p2, 0.0), min(1.0, 1.0 / ratio))
    return min(ratio * p2, 1.0), p2


def _score_z_ratio(
    ratio: float, x1: int, n1: int, x2: int, n2: int, corrected: bool
) -> float:
    """Score statistic for ``H0: p1 / p2 = ratio`` (MN if corrected, else Koopman)."""
    p1_null, p2_null = _constrained_mle_ratio(ratio, x1, n1, x2, n2)
    variance = p1_null * (1 - p1_null) / n1 + ratio**2 * p2_null * (1 - p2_null) / n2
    if corrected:
        variance *= (n1 + n2) / (n1 + n2 - 1)
    return _score_z(x1 / n1 - ratio * (x2 / n2), variance)


def _score_interval_ratio(
    x1: int, n1: int, x2: int, n2: int, z_crit: float, corrected: bool
) -> tuple[float, float]:
    """Bounds of the score interval of ``p1 / p2``, searched on the log scale."""

    def statistic(log_ratio: float) -> float:
        return _score_z_ratio(math.exp(log_ratio), x1, n1, x2, n2, corrected)

    # Any finite starting point works because the statistic decreases in the
    # log ratio; the Katz-adjusted ratio is finite for every table.
    start = math.log(((x1 + 0.5) / (n1 + 0.5)) / ((x2 + 0.5) / (n2 + 0.5)))
    # With no events in arm 1 the statistic never exceeds 0, so no ratio is
    # rejected from below; with none in arm 2 it never falls below 0.
    low = 0.0 if x1 == 0 else math.exp(_decreasing_root(statistic, z_crit, start))
    high = math.inf if x2 == 0 else math.exp(_decreasing_root(statistic, -z_crit, start))
    return low, high


def _decreasing_root(
    statistic: Callable[[float], float], target: float, start: float
) -> float:
    """Solve ``statistic(t) = target`` for a decreasing function on the real line."""
    left = right = start
    step = 1.0
    while statistic(left) < target:
        left -= step
        step *= 2.0
        if left < -_LOG_RATIO_LIMIT:
            return -math.inf
    step = 1.0
    while statistic(right) > target:
        right += step
        step *= 2.0
        if right > _LOG_RATIO_LIMIT:
            return math.inf
    if left == right:
        return left
    return optimize.brentq(
        lambda t: statistic(t) - target, left, right, xtol=1e-14, rtol=1e-14
    )


# --------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _critical_z(confidence: float) -> float:
    # A pure function of the level; SciPy's distribution machinery costs a tenth of a millisecond a call, and the
    # analyses ask for the 95% value some thousands of times (issue 14: suite time).
    return float(stats.norm.isf((1.0 - confidence) / 2.0))


def _reciprocal(value: float) -> float:
    return math.inf if value == 0 else 1.0 / value


def _format_level(confidence: float) -> str:
    return f"{100 * confidence:.10g}"


def _check_real(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
    ):
        raise ValueError(f"{name}={value!r} is not usable: expected a finite number")


def _check_confidence(confidence: float) -> None:
    _check_real("confidence", confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(
            f"confidence={confidence!r} is outside (0, 1): expected a level such as 0.95"
        )


def _check_non_negative_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name}={value!r} is not usable: expected an integer >= 0")


def _check_count(name: str, value: object, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}={value!r} is not an integer: expected an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value!r} is too small: expected an integer >= {minimum}")


def _check_count_and_nobs(count_name: str, count: object, nobs_name: str, nobs: object) -> None:
    _check_count(nobs_name, nobs, minimum=1)
    _check_count(count_name, count, minimum=0)
    if count > nobs:  # type: ignore[operator]
        raise ValueError(
            f"{count_name}={count!r} exceeds {nobs_name}={nobs!r}: expected "
            f"0 <= {count_name} <= {nobs_name}"
        )


def _check_two_samples(count1: int, nobs1: int, count2: int, nobs2: int) -> None:
    _check_count_and_nobs("count1", count1, "nobs1", nobs1)
    _check_count_and_nobs("count2", count2, "nobs2", nobs2)
