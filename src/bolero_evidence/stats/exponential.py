"""Model-based intervals for medians and hazard ratios from published aggregates (exponential model).

What a paper prints about a time-to-event outcome (two Kaplan-Meier medians
with their intervals, event counts, a Cox hazard ratio) gives **no
model-free interval** for the difference of the medians: that needs the
density of event times at each median and the censoring pattern, which are
not published (see :func:`bolero_evidence.stats.survival.median_gain_interval`).
Intervals can be derived only by assuming a model. The model here is the
exponential one, in each arm separately:

* event times are exponential with a constant hazard ``lambda`` (so the
  median is ``log(2) / lambda`` and the two arms have proportional hazards
  with ``HR = median_control / median_experimental``);
* censoring is non-informative; the maximum likelihood estimate of
  ``lambda`` is ``d / T`` (``d`` events in total follow-up time ``T``), and
  ``2 d lambda / lambda_hat`` is chi-square with ``2 d`` degrees of freedom
  (exactly when follow-up stops at the ``d``-th event, approximately
  otherwise), so ``Var(log median_hat) = 1 / d`` to first order;
* the printed (Kaplan-Meier) median stands in for the exponential median
  estimate ``log(2) T / d``; the two agree only if the curve is exponential.

Every result says ``model="exponential"``; figures derived from them must be
labelled model-based.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, stats

from .survival import NotDerivableError

__all__ = [
    "ExponentialHazardRatioInterval",
    "MedianDifferenceInterval",
    "MedianInterval",
    "hazard_ratio_from_medians_interval",
    "median_difference_exponential",
    "median_difference_from_printed_intervals",
    "median_interval_exponential",
]

MODEL = "exponential"
# Points of the quadrature over the control arm's pivot in the generalised
# pivotal interval (midpoints of equal-probability cells). With 4000 cells
# the bounds move by less than 1e-4 months when the number is doubled.
_PIVOT_CELLS = 4000


@dataclass(frozen=True)
class MedianInterval:
    """Confidence interval of one median under the exponential model.

    Attributes
    ----------
    median : float
        The median used as the estimate.
    events : int
        Events the interval rests on.
    low, high : float
    method : {"chi-square", "log-normal"}
    confidence : float
    model : str
        ``"exponential"``.
    """

    median: float
    events: int
    low: float
    high: float
    method: str
    confidence: float
    model: str = MODEL


@dataclass(frozen=True)
class MedianDifferenceInterval:
    """Model-based interval of ``median_experimental - median_control``.

    Attributes
    ----------
    difference : float
        ``median_experimental - median_control``.
    low, high : float
    standard_error : float or None
        Of the difference, for the methods that use one (delta, printed
        intervals); None for the pivotal method.
    method : {"pivotal", "delta", "printed-intervals"}
    confidence : float
    model : str
        ``"exponential"`` for the event-count methods; ``"log-normal
        medians"`` for the method that backs standard errors out of the
        printed intervals.
    standard_errors_log : tuple of float
        Standard errors of ``log median`` used for the two arms
        (experimental, control): ``1 / sqrt(d)`` or backed out of the
        printed intervals.
    """

    difference: float
    low: float
    high: float
    standard_error: float | None
    method: str
    confidence: float
    model: str
    standard_errors_log: tuple[float, float]


@dataclass(frozen=True)
class ExponentialHazardRatioInterval:
    """Hazard ratio implied by two medians with its model-based interval.

    Attributes
    ----------
    hazard_ratio : float
        ``median_control / median_experimental``.
    low, high : float
    standard_error_log : float
        ``sqrt(1 / d_experimental + 1 / d_control)``.
    method : {"wald", "f"}
    confidence : float
    model : str
        ``"exponential"``.
    """

    hazard_ratio: float
    low: float
    high: float
    standard_error_log: float
    method: str
    confidence: float
    model: str = MODEL


def median_interval_exponential(
    median: float, events: int, *, confidence: float = 0.95, method: Literal["chi-square", "log-normal"] = "chi-square"
) -> MedianInterval:
    """Confidence interval of a median from the median and the number of events (exponential model).

    Parameters
    ----------
    median : float
        The median, > 0.
    events : int
        Number of events in the arm, >= 1.
    confidence : float, optional
    method : {"chi-square", "log-normal"}, optional
        ``"chi-square"`` (default): exact under the model,
        ``[m 2d / chi2_{1-a/2}(2d), m 2d / chi2_{a/2}(2d)]``.
        ``"log-normal"``: ``m exp(± z / sqrt(d))``, the delta method on the
        log scale.

    Returns
    -------
    MedianInterval

    Notes
    -----
    Under the model ``2 d lambda / lambda_hat ~ chi2(2d)`` and the median is
    ``log 2 / lambda``, which gives the chi-square interval; the log-normal
    one is its large-``d`` approximation. Compared with the printed
    Kaplan-Meier interval, a much wider printed interval suggests a flat
    survival curve at the median (not exponential), a narrower one a steep
    curve.

    References
    ----------
    Cox DR. Some simple approximate tests for Poisson variates. Biometrika
    1953;40:354-60. doi:10.1093/biomet/40.3-4.354

    Lawless JF. Statistical Models and Methods for Lifetime Data. 2nd ed.
    Hoboken: Wiley; 2003, section 2.2. doi:10.1002/9781118033005
    """
    _check_positive("median", median)
    _check_events("events", events)
    _check_confidence(confidence)
    alpha = 1.0 - confidence
    if method == "chi-square":
        df = 2 * events
        low = median * df / stats.chi2.ppf(1 - alpha / 2, df)
        high = median * df / stats.chi2.ppf(alpha / 2, df)
    elif method == "log-normal":
        z = stats.norm.isf(alpha / 2)
        low, high = median * math.exp(-z / math.sqrt(events)), median * math.exp(z / math.sqrt(events))
    else:
        raise ValueError(f"method={method!r} is not known: expected 'chi-square' or 'log-normal'")
    return MedianInterval(median=float(median), events=int(events), low=float(low), high=float(high), method=method,
                          confidence=float(confidence))


def median_difference_exponential(
    median_experimental: float,
    events_experimental: int,
    median_control: float,
    events_control: int,
    *,
    confidence: float = 0.95,
    method: Literal["pivotal", "delta"] = "pivotal",
) -> MedianDifferenceInterval:
    """Interval of the difference of two medians from the medians and event counts (exponential model).

    Parameters
    ----------
    median_experimental, median_control : float
        The medians (same unit), > 0. A median not reached cannot be used
        (pass a number or the call raises).
    events_experimental, events_control : int
        Events in each arm, >= 1.
    confidence : float, optional
    method : {"pivotal", "delta"}, optional
        ``"pivotal"`` (default): generalised pivotal interval. Each median's
        pivot is ``M_i = m_i 2 d_i / W_i`` with ``W_i ~ chi2(2 d_i)``
        independent; the bounds are the ``alpha/2`` and ``1 - alpha/2``
        quantiles of ``M_E - M_C``, computed by quadrature (no Monte Carlo
        error). With one arm it reduces to the exact chi-square interval.
        ``"delta"``: ``D ± z sqrt(m_E^2 / d_E + m_C^2 / d_C)``, the delta
        method with ``Var(m_i) = m_i^2 / d_i``.

    Returns
    -------
    MedianDifferenceInterval
        ``model="exponential"``.

    Raises
    ------
    NotDerivableError
        If a median is None (not reached).
    ValueError
        For non-positive medians, event counts below 1, an invalid
        confidence or method.

    Notes
    -----
    Model-based only: see the module docstring for the assumptions. The
    published aggregates give no model-free interval. The pivotal interval
    is asymmetric (the difference is skewed to the right when the
    experimental median is the larger); the delta interval is symmetric.

    References
    ----------
    Weerahandi S. Generalized confidence intervals. J Am Stat Assoc
    1993;88:899-905. doi:10.1080/01621459.1993.10476355

    Lawless JF. Statistical Models and Methods for Lifetime Data. 2nd ed.
    Hoboken: Wiley; 2003. doi:10.1002/9781118033005
    """
    m_e = _check_median("median_experimental", median_experimental)
    m_c = _check_median("median_control", median_control)
    _check_events("events_experimental", events_experimental)
    _check_events("events_control", events_control)
    _check_confidence(confidence)
    alpha = 1.0 - confidence
    difference = m_e - m_c
    se_log = (1.0 / math.sqrt(events_experimental), 1.0 / math.sqrt(events_control))
    if method == "delta":
        z = float(stats.norm.isf(alpha / 2))
        se = math.sqrt(m_e**2 / events_experimental + m_c**2 / events_control)
        return MedianDifferenceInterval(difference, difference - z * se, difference + z * se, se, "delta",
                                        float(confidence), MODEL, se_log)
    if method != "pivotal":
        raise ValueError(f"method={method!r} is not known: expected 'pivotal' or 'delta'")
    df_e, df_c = 2 * events_experimental, 2 * events_control
    cells = (np.arange(_PIVOT_CELLS) + 0.5) / _PIVOT_CELLS
    control_pivots = m_c * df_c / stats.chi2.ppf(cells, df_c)

    def cdf(x: float) -> float:
        # P(M_E - M_C <= x) = E over M_C of P(M_E <= x + M_C), and
        # M_E <= y  <=>  W_E >= m_E df_E / y for y > 0.
        y = x + control_pivots
        with np.errstate(divide="ignore"):
            inside = np.where(y > 0, stats.chi2.sf(m_e * df_e / np.where(y > 0, y, 1.0), df_e), 0.0)
        return float(inside.mean())

    scale = math.sqrt(m_e**2 / events_experimental + m_c**2 / events_control)
    low = _quantile(cdf, alpha / 2, difference, scale)
    high = _quantile(cdf, 1 - alpha / 2, difference, scale)
    return MedianDifferenceInterval(difference, low, high, None, "pivotal", float(confidence), MODEL, se_log)


def median_difference_from_printed_intervals(
    median_experimental: float,
    ci_experimental: tuple[float | None, float | None],
    median_control: float,
    ci_control: tuple[float | None, float | None],
    *,
    confidence: float = 0.95,
) -> MedianDifferenceInterval:
    """Approximate interval of the difference of two medians from their printed intervals.

    Parameters
    ----------
    median_experimental, median_control : float
        The printed medians.
    ci_experimental, ci_control : tuple of (float or None)
        Their printed ``(low, high)`` limits; None stands for "NR" (not
        reached), which makes the method unusable.
    confidence : float, optional
        Level of the printed intervals and of the result.

    Returns
    -------
    MedianDifferenceInterval
        ``method="printed-intervals"``, ``model="log-normal medians"``.

    Raises
    ------
    NotDerivableError
        If a limit is not reached (None): an open interval has no width to
        back a standard error out of. (NEJM 2011, Table 3, central
        assessment: the everolimus median's upper limit is NR.)
    ValueError
        For non-positive values, limits that do not enclose the median, or a
        degenerate interval (both limits equal).

    Notes
    -----
    Treats each printed interval as ``exp(log m ± z se_i)``, so
    ``se_i = (log high - log low) / (2 z)``; then ``Var(m_i) = m_i^2 se_i^2``
    (delta method) and ``D ± z sqrt(Var(m_E) + Var(m_C))``. Kaplan-Meier
    (Brookmeyer-Crowley) intervals are asymmetric and rounded, so this is a
    rougher approximation than the event-count methods; a printed interval
    whose lower limit equals the median (e.g. 2.8 (2.8-4.1)) shows how far
    from log-symmetric they can be. It needs no exponential assumption but
    assumes log-normal sampling of each median and independence of the arms.

    References
    ----------
    Brookmeyer R, Crowley J. A confidence interval for the median survival
    time. Biometrics 1982;38:29-41. doi:10.2307/2530286
    """
    _check_confidence(confidence)
    z = float(stats.norm.isf((1.0 - confidence) / 2))
    ses = []
    for name, median, ci in (("experimental", median_experimental, ci_experimental),
                             ("control", median_control, ci_control)):
        m = _check_median(f"median_{name}", median)
        low, high = ci
        if low is None or high is None:
            raise NotDerivableError(
                f"the printed interval of the {name} median is open ({low!r}, {high!r}; NR = not reached): no "
                "standard error can be backed out of it; use median_difference_exponential (event counts) instead"
            )
        _check_positive(f"ci_{name} low", low)
        _check_positive(f"ci_{name} high", high)
        if not low <= m <= high or not low < high:
            raise ValueError(f"ci_{name}=({low!r}, {high!r}) does not enclose median {m!r} with positive width: "
                             "expected low <= median <= high and low < high")
        ses.append((math.log(high) - math.log(low)) / (2 * z))
    m_e, m_c = float(median_experimental), float(median_control)
    difference = m_e - m_c
    se = math.sqrt((m_e * ses[0]) ** 2 + (m_c * ses[1]) ** 2)
    return MedianDifferenceInterval(difference, difference - z * se, difference + z * se, se, "printed-intervals",
                                    float(confidence), "log-normal medians", (ses[0], ses[1]))


def hazard_ratio_from_medians_interval(
    median_experimental: float,
    events_experimental: int,
    median_control: float,
    events_control: int,
    *,
    confidence: float = 0.95,
    method: Literal["wald", "f"] = "wald",
) -> ExponentialHazardRatioInterval:
    """Hazard ratio implied by two medians, with its interval from the event counts (exponential model).

    Parameters
    ----------
    median_experimental, median_control : float
        The medians, > 0.
    events_experimental, events_control : int
        Events in each arm, >= 1.
    confidence : float, optional
    method : {"wald", "f"}, optional
        ``"wald"`` (default): ``exp(log HR ± z sqrt(1/d_E + 1/d_C))``.
        ``"f"``: exact under the model, ``HR / F_{1-a/2}(2 d_C, 2 d_E)`` to
        ``HR / F_{a/2}(2 d_C, 2 d_E)``, from the ratio of the two chi-square
        pivots.

    Returns
    -------
    ExponentialHazardRatioInterval
        ``hazard_ratio = median_control / median_experimental``.

    Notes
    -----
    ``log HR_hat = log lambda_E_hat - log lambda_C_hat`` with
    ``Var(log lambda_hat) = 1 / d`` in each arm. Shown beside a printed Cox
    hazard ratio, a disagreement says the curves are not exponential (or the
    Kaplan-Meier medians are not where an exponential fit would put them),
    not that either number is wrong.

    References
    ----------
    Tierney JF, Stewart LA, Ghersi D, Burdett S, Sydes MR. Practical methods
    for incorporating summary time-to-event data into meta-analysis. Trials
    2007;8:16. doi:10.1186/1745-6215-8-16

    Cox DR. Some simple approximate tests for Poisson variates. Biometrika
    1953;40:354-60. doi:10.1093/biomet/40.3-4.354
    """
    m_e = _check_median("median_experimental", median_experimental)
    m_c = _check_median("median_control", median_control)
    _check_events("events_experimental", events_experimental)
    _check_events("events_control", events_control)
    _check_confidence(confidence)
    alpha = 1.0 - confidence
    hr = m_c / m_e
    se = math.sqrt(1.0 / events_experimental + 1.0 / events_control)
    if method == "wald":
        z = float(stats.norm.isf(alpha / 2))
        low, high = hr * math.exp(-z * se), hr * math.exp(z * se)
    elif method == "f":
        df_c, df_e = 2 * events_control, 2 * events_experimental
        low = hr / stats.f.ppf(1 - alpha / 2, df_c, df_e)
        high = hr / stats.f.ppf(alpha / 2, df_c, df_e)
    else:
        raise ValueError(f"method={method!r} is not known: expected 'wald' or 'f'")
    return ExponentialHazardRatioInterval(hazard_ratio=hr, low=float(low), high=float(high), standard_error_log=se,
                                          method=method, confidence=float(confidence))


def _quantile(cdf, probability: float, start: float, scale: float) -> float:
    """Solve ``cdf(x) = probability`` for an increasing ``cdf``, bracketing outward from ``start``."""
    left, right, step = start - scale, start + scale, scale
    while cdf(left) > probability:
        step *= 2.0
        left -= step
    step = scale
    while cdf(right) < probability:
        step *= 2.0
        right += step
    return optimize.brentq(lambda x: cdf(x) - probability, left, right, xtol=1e-10)


def _check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} is not usable: expected a finite number > 0")


def _check_median(name: str, value: object) -> float:
    if value is None:
        raise NotDerivableError(f"{name} is not reached (None): no model-based interval uses an unknown median")
    _check_positive(name, value)
    return float(value)  # type: ignore[arg-type]


def _check_events(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name}={value!r} is not usable: expected an integer number of events >= 1")


def _check_confidence(confidence: object) -> None:
    if (isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not math.isfinite(confidence)
            or not 0.0 < confidence < 1.0):
        raise ValueError(f"confidence={confidence!r} is outside (0, 1): expected a level such as 0.95")
