"""Effects derived from published time-to-event aggregates.

Inputs are what a paper prints: median survival times, a hazard ratio with its
confidence interval, numbers of events. Every function states what it assumes
about the unpublished patient-level data, and refuses (``NotDerivableError``)
what cannot be derived from aggregates at all, such as an interval for a
difference of medians. "Experimental" and "control" name the two arms; a
hazard ratio is experimental over control, so values below 1 favour the
experimental arm.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NoReturn

from scipy import stats

__all__ = [
    "ExponentialHazardRatio",
    "HazardRatioSummary",
    "MedianGain",
    "NotDerivableError",
    "hazard_ratio_from_medians",
    "hazard_ratio_summary",
    "median_gain",
    "median_gain_interval",
    "schoenfeld_standard_error",
    "z_from_hazard_ratio_and_events",
]


class NotDerivableError(ValueError):
    """The requested quantity cannot be derived from published aggregates."""


@dataclass(frozen=True)
class MedianGain:
    """Absolute and relative difference of two median times.

    Attributes
    ----------
    median_experimental, median_control : float
        The medians, in the unit they were given (months in this project).
    gain : float
        ``median_experimental - median_control``.
    ratio : float
        ``median_experimental / median_control``.
    """

    median_experimental: float
    median_control: float
    gain: float
    ratio: float


@dataclass(frozen=True)
class ExponentialHazardRatio:
    """Hazard ratio implied by two medians under exponential survival.

    Attributes
    ----------
    median_experimental, median_control : float
        The medians.
    hazard_experimental, hazard_control : float
        Constant hazards ``log(2) / median``, per unit of the medians.
    hazard_ratio : float
        ``hazard_experimental / hazard_control = median_control / median_experimental``.
    """

    median_experimental: float
    median_control: float
    hazard_experimental: float
    hazard_control: float
    hazard_ratio: float


@dataclass(frozen=True)
class HazardRatioSummary:
    """Standard error, z and p-values implied by a hazard ratio and its interval.

    Attributes
    ----------
    hazard_ratio, ci_low, ci_high : float
        As printed.
    confidence : float
        Two-sided confidence level of the printed interval.
    log_hazard_ratio : float
        ``log(hazard_ratio)``.
    standard_error : float
        ``(log ci_high - log ci_low) / (2 z_{(1 + confidence)/2})``.
    z : float
        ``log_hazard_ratio / standard_error``.
    p_two_sided : float
        ``2 Phi(-|z|)``.
    p_one_sided_benefit : float
        ``Phi(z)``: one-sided p-value against ``HR >= 1``, i.e. in the
        direction of benefit of the experimental arm.
    lower_half_width, upper_half_width : float
        ``log hr - log ci_low`` and ``log ci_high - log hr``.
    log_asymmetry : float
        ``upper_half_width - lower_half_width``; 0 for an interval symmetric on
        the log scale, as a Wald interval of a Cox or log-rank estimate is
        before rounding.
    relative_asymmetry : float
        ``log_asymmetry / (log ci_high - log ci_low)``.
    midpoint_hazard_ratio : float
        ``sqrt(ci_low * ci_high)``, the hazard ratio a symmetric interval
        would be centred on.
    decimals : int or None
        Printed decimals, if given.
    symmetric_within_rounding : bool or None
        With ``decimals``: whether some unrounded hazard ratio and limits,
        each within half a printed unit of the printed value, form an
        interval exactly symmetric on the log scale. False means the printed
        interval was not a log-symmetric Wald interval around the printed
        estimate (e.g. a profile-likelihood interval, or a transcription
        error). None without ``decimals``.
    standard_error_range : tuple of float or None
        With ``decimals``: the smallest and largest standard error that
        unrounded limits within half a printed unit could give. None without.
    """

    hazard_ratio: float
    ci_low: float
    ci_high: float
    confidence: float
    log_hazard_ratio: float
    standard_error: float
    z: float
    p_two_sided: float
    p_one_sided_benefit: float
    lower_half_width: float
    upper_half_width: float
    log_asymmetry: float
    relative_asymmetry: float
    midpoint_hazard_ratio: float
    decimals: int | None
    symmetric_within_rounding: bool | None
    standard_error_range: tuple[float, float] | None


def median_gain(
    median_experimental: float | None, median_control: float | None
) -> MedianGain:
    """Difference and ratio of two published medians.

    Parameters
    ----------
    median_experimental, median_control : float
        Median time to event in each arm (same unit), both > 0. ``None``
        stands for "not reached" and raises :class:`NotDerivableError`.

    Returns
    -------
    MedianGain
        ``gain = median_experimental - median_control`` and
        ``ratio = median_experimental / median_control``.

    Raises
    ------
    NotDerivableError
        If a median is not reached (``None``).
    ValueError
        If a median is not a positive finite number.

    Notes
    -----
    A point estimate only, and a summary of two Kaplan-Meier curves at one
    height (survival 0.5) each: it says nothing about the gain elsewhere on
    the curves and assumes nothing about their shape. No interval is
    attached: see :func:`median_gain_interval`.
    """
    experimental = _check_median("median_experimental", median_experimental)
    control = _check_median("median_control", median_control)
    return MedianGain(
        median_experimental=experimental,
        median_control=control,
        gain=experimental - control,
        ratio=experimental / control,
    )


def median_gain_interval(
    median_experimental: float | None,
    median_control: float | None,
    ci_experimental: tuple[float | None, float | None] | None = None,
    ci_control: tuple[float | None, float | None] | None = None,
    confidence: float = 0.95,
) -> NoReturn:
    """Refuse to give a confidence interval for a difference of medians.

    Parameters
    ----------
    median_experimental, median_control : float or None
        The published medians.
    ci_experimental, ci_control : tuple, optional
        Their published confidence intervals (limits may be None for "not
        reached").
    confidence : float, optional
        Confidence level of those intervals.

    Raises
    ------
    NotDerivableError
        Always.

    Notes
    -----
    A published median comes with an interval (Brookmeyer-Crowley, from the
    Kaplan-Meier curve) that is asymmetric, often open ("NR"), and whose
    width reflects the local slope of the curve, not a standard error of a
    normal estimate. Combining two such intervals into an interval for the
    difference would need the sampling distribution of each median, which
    depends on the density of event times at the median and on censoring,
    neither of which is published. Treating the intervals as
    ``median ± 1.96 SE`` invents a symmetry and a normality the data do not
    have. A valid interval needs patient-level data (for instance a
    bootstrap of the Kaplan-Meier medians, or data reconstructed from the
    digitised curves with the method of Guyot et al., BMC Med Res Methodol
    2012;12:9, which is an approximation with its own assumptions).

    Model-based intervals, labelled as such, are in
    :mod:`bolero_evidence.stats.exponential`:
    :func:`~bolero_evidence.stats.exponential.median_difference_exponential`
    (from the medians and event counts under an exponential model) and
    :func:`~bolero_evidence.stats.exponential.median_difference_from_printed_intervals`
    (standard errors backed out of the printed intervals).
    """
    raise NotDerivableError(
        "no valid confidence interval for a difference of medians can be derived "
        "from the published medians and their confidence intervals: those "
        "intervals are asymmetric Kaplan-Meier (Brookmeyer-Crowley) intervals, "
        "not normal standard errors, and the event-time density at the median "
        "that the sampling variance depends on is not published; patient-level "
        "(or reconstructed) data are needed"
    )


def hazard_ratio_from_medians(
    median_experimental: float | None, median_control: float | None
) -> ExponentialHazardRatio:
    """Hazard ratio implied by two medians if survival is exponential.

    Parameters
    ----------
    median_experimental, median_control : float
        Median time to event in each arm (same unit), both > 0. ``None``
        stands for "not reached" and raises :class:`NotDerivableError`.

    Returns
    -------
    ExponentialHazardRatio
        ``hazard_ratio = median_control / median_experimental``.

    Raises
    ------
    NotDerivableError
        If a median is not reached: the implied hazard is then only bounded,
        not known.
    ValueError
        If a median is not a positive finite number.

    Notes
    -----
    With a constant hazard ``lambda`` the survival is ``exp(-lambda t)``, so
    the median is ``log(2) / lambda`` and
    ``HR = lambda_E / lambda_C = median_C / median_E``. The assumption is
    strong: exponential survival in both arms (hence proportional hazards).
    A discrepancy between this value and the hazard ratio of a Cox model or
    log-rank analysis is evidence that the curves are not exponential, not an
    error in either number.

    References
    ----------
    Tierney JF, Stewart LA, Ghersi D, Burdett S, Sydes MR. Practical methods
    for incorporating summary time-to-event data into meta-analysis. Trials
    2007;8:16.
    """
    experimental = _check_median("median_experimental", median_experimental)
    control = _check_median("median_control", median_control)
    return ExponentialHazardRatio(
        median_experimental=experimental,
        median_control=control,
        hazard_experimental=math.log(2.0) / experimental,
        hazard_control=math.log(2.0) / control,
        hazard_ratio=control / experimental,
    )


def hazard_ratio_summary(
    hazard_ratio: float,
    ci_low: float,
    ci_high: float,
    confidence: float = 0.95,
    decimals: int | None = None,
) -> HazardRatioSummary:
    """Standard error, z statistic and p-values implied by a printed hazard ratio.

    Parameters
    ----------
    hazard_ratio : float
        Printed hazard ratio (experimental over control), > 0.
    ci_low, ci_high : float
        Printed confidence limits, ``0 < ci_low <= hazard_ratio <= ci_high``
        and ``ci_low < ci_high``.
    confidence : float, optional
        Two-sided confidence level of the interval, default 0.95.
    decimals : int, optional
        Decimals the three numbers were printed with; enables the rounding
        checks (:attr:`HazardRatioSummary.symmetric_within_rounding`,
        :attr:`HazardRatioSummary.standard_error_range`).

    Returns
    -------
    HazardRatioSummary

    Raises
    ------
    ValueError
        For non-finite or non-positive values, unordered limits, a confidence
        outside (0, 1) or a negative ``decimals``.

    Notes
    -----
    Assumes the interval is a Wald interval on the log scale,
    ``log HR ± z_c SE`` with ``z_c = Phi^-1((1 + confidence) / 2)``, so
    ``SE = (log ci_high - log ci_low) / (2 z_c)`` (Parmar et al. 1998;
    Tierney et al. 2007). Then ``z = log HR / SE``, two-sided
    ``p = 2 Phi(-|z|)`` and one-sided ``p = Phi(z)`` (small when the hazard
    ratio is below 1).

    These are Wald quantities. The p-value a trial reports usually comes from
    a (stratified) log-rank test, which need not agree with them, and printed
    limits are rounded: the asymmetry fields show how far the printed
    interval is from log-symmetric, and with ``decimals`` whether rounding
    alone explains that. The rounding check searches the box of unrounded
    values ``printed ± 0.5 * 10**-decimals`` for an estimate at the geometric
    midpoint of the limits.

    References
    ----------
    Parmar MKB, Torri V, Stewart L. Extracting summary statistics to perform
    meta-analyses of the published literature for survival endpoints. Stat
    Med 1998;17:2815-34.

    Tierney JF, Stewart LA, Ghersi D, Burdett S, Sydes MR. Practical methods
    for incorporating summary time-to-event data into meta-analysis. Trials
    2007;8:16.
    """
    for name, value in (("hazard_ratio", hazard_ratio), ("ci_low", ci_low), ("ci_high", ci_high)):
        _check_positive(name, value)
    if not ci_low <= hazard_ratio <= ci_high:
        raise ValueError(
            f"ci_low={ci_low!r}, hazard_ratio={hazard_ratio!r}, ci_high={ci_high!r}: "
            "expected ci_low <= hazard_ratio <= ci_high"
        )
    if not ci_low < ci_high:
        raise ValueError(
            f"ci_low={ci_low!r} equals ci_high={ci_high!r}: expected an interval "
            "of positive width"
        )
    _check_confidence(confidence)
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral) or decimals < 0
    ):
        raise ValueError(f"decimals={decimals!r} is not usable: expected an integer >= 0 or None")

    z_crit = float(stats.norm.isf((1.0 - confidence) / 2.0))
    log_hr, log_low, log_high = math.log(hazard_ratio), math.log(ci_low), math.log(ci_high)
    standard_error = (log_high - log_low) / (2.0 * z_crit)
    z = log_hr / standard_error
    lower_half, upper_half = log_hr - log_low, log_high - log_hr

    symmetric = None
    se_range = None
    if decimals is not None:
        half_unit = 0.5 * 10.0 ** -int(decimals)

        def log_or_minus_inf(value: float) -> float:
            return math.log(value) if value > 0 else -math.inf

        low_min, low_max = log_or_minus_inf(ci_low - half_unit), math.log(ci_low + half_unit)
        high_min, high_max = log_or_minus_inf(ci_high - half_unit), math.log(ci_high + half_unit)
        hr_min, hr_max = log_or_minus_inf(hazard_ratio - half_unit), math.log(hazard_ratio + half_unit)
        # Geometric midpoints reachable by the unrounded limits, against the
        # unrounded estimates: symmetric if the two ranges overlap.
        midpoint_min, midpoint_max = (low_min + high_min) / 2.0, (low_max + high_max) / 2.0
        symmetric = midpoint_min <= hr_max and hr_min <= midpoint_max
        widest = high_max - low_min
        narrowest = max(high_min - low_max, 0.0)
        se_range = (narrowest / (2.0 * z_crit), widest / (2.0 * z_crit))

    return HazardRatioSummary(
        hazard_ratio=float(hazard_ratio),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        confidence=float(confidence),
        log_hazard_ratio=log_hr,
        standard_error=standard_error,
        z=z,
        p_two_sided=float(2.0 * stats.norm.sf(abs(z))),
        p_one_sided_benefit=float(stats.norm.cdf(z)),
        lower_half_width=lower_half,
        upper_half_width=upper_half,
        log_asymmetry=upper_half - lower_half,
        relative_asymmetry=(upper_half - lower_half) / (log_high - log_low),
        midpoint_hazard_ratio=math.sqrt(ci_low * ci_high),
        decimals=None if decimals is None else int(decimals),
        symmetric_within_rounding=symmetric,
        standard_error_range=se_range,
    )


def schoenfeld_standard_error(events: float, allocation_ratio: float = 1.0) -> float:
    """Approximate standard error of the log hazard ratio from the event count.

    Parameters
    ----------
    events : float
        Total number of events in both arms, > 0 (may be an expected,
        non-integer number at the design stage).
    allocation_ratio : float, optional
        Patients randomised to the experimental arm per patient in the control
        arm, > 0 (2.0 for BOLERO-2's 2:1 randomisation). Default 1.0.

    Returns
    -------
    float
        ``1 / sqrt(d p (1 - p))`` with ``p = r / (1 + r)``.

    Raises
    ------
    ValueError
        If ``events`` or ``allocation_ratio`` is not a positive finite number.

    Notes
    -----
    Schoenfeld's approximation to the variance of the log-rank (or Cox score)
    estimate of the log hazard ratio: ``Var(log HR) ≈ 1 / (d p (1 - p))``,
    where ``d`` is the number of events and ``p`` the proportion randomised to
    one arm. It assumes proportional hazards, a hazard ratio near 1 (it
    loses accuracy as the effect grows) and that the proportion of patients
    at risk in each arm stays near ``p`` throughout; the formula is
    symmetric in the two arms.

    References
    ----------
    Schoenfeld DA. Sample-size formula for the proportional-hazards
    regression model. Biometrics 1983;39:499-503.
    """
    _check_positive("events", events)
    _check_positive("allocation_ratio", allocation_ratio)
    share = allocation_ratio / (1.0 + allocation_ratio)
    return 1.0 / math.sqrt(events * share * (1.0 - share))


def z_from_hazard_ratio_and_events(
    hazard_ratio: float, events: float, allocation_ratio: float = 1.0
) -> float:
    """z statistic of a hazard ratio, using Schoenfeld's standard error.

    Parameters
    ----------
    hazard_ratio : float
        Hazard ratio (experimental over control), > 0.
    events : float
        Total number of events, > 0.
    allocation_ratio : float, optional
        Experimental per control patients randomised, default 1.0.

    Returns
    -------
    float
        ``log(hazard_ratio) / schoenfeld_standard_error(events, allocation_ratio)``;
        negative when the hazard ratio favours the experimental arm.

    Raises
    ------
    ValueError
        For non-positive or non-finite arguments.

    Notes
    -----
    Same assumptions as :func:`schoenfeld_standard_error`.

    References
    ----------
    Schoenfeld DA. Sample-size formula for the proportional-hazards
    regression model. Biometrics 1983;39:499-503.
    """
    _check_positive("hazard_ratio", hazard_ratio)
    return math.log(hazard_ratio) / schoenfeld_standard_error(events, allocation_ratio)


def _check_positive(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name}={value!r} is not usable: expected a finite number > 0")


def _check_median(name: str, value: object) -> float:
    if value is None:
        raise NotDerivableError(
            f"{name} is not reached (None): a median that is not reached is only "
            "bounded below, so nothing that needs its value can be derived"
        )
    _check_positive(name, value)
    return float(value)  # type: ignore[arg-type]


def _check_confidence(confidence: object) -> None:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not math.isfinite(confidence)
        or not 0.0 < confidence < 1.0
    ):
        raise ValueError(
            f"confidence={confidence!r} is outside (0, 1): expected a level such as 0.95"
        )
