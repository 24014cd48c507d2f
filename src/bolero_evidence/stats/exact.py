"""Exact unconditional intervals for a risk ratio and a risk difference, and when a ratio can be cited.

Arm 1 is experimental and arm 2 control, as in :mod:`.proportions`: the ratio is
``p1 / p2`` and the difference ``p1 - p2``.

Why exact here: BOLERO-2's objective-response ratio rests on one placebo
responder (1 of 239 against 46 of 485, NEJM 2011, Table 3). With so few events
the asymptotic score interval's upper bound is far too low (its coverage
fails where the sampling distribution is most skewed), and the point
estimate moves by a factor of two with one responder more. The interval
here inverts two one-sided exact unconditional tests, each at level
``alpha / 2`` (Chan & Zhang 1999): its coverage is at least the nominal
level for every value of the nuisance parameter. No Python library provides
it (statsmodels has only asymptotic two-sample intervals), so it is written
here and validated against StatXact 11 and the R package lrstat
(``tests/reference/exact_unconditional_intervals.csv``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import optimize
from scipy.special import gammaln

from ..cache import code_digest, read_record, write_record
from ..paths import find_project
from .proportions import TwoProportionEffect, _check_confidence, _check_two_samples, risk_difference, risk_ratio

__all__ = [
    "RatioCitation",
    "exact_unconditional_pvalue",
    "ratio_citation",
    "risk_difference_exact",
    "risk_ratio_exact",
]

METHOD = "exact-unconditional"
# Points of the grid over the nuisance parameter before local refinement; the
# refinement maximises around the best grid points, so the grid only has to
# find the right peak (checked against the reference values).
_NUISANCE_GRID = 240
_NUISANCE_PEAKS = 3
# Tables whose statistic equals the observed one up to rounding error are "as
# extreme" (the conservative convention of exact tests).
_TIE_TOLERANCE = 1e-9
# Bounds are located to this relative precision (lrstat: 1e-6; StatXact
# prints 4 significant digits).
_ROOT_XTOL = 1e-8
_LOG_RATIO_LIMIT = 30.0


def exact_unconditional_pvalue(
    count1: int,
    nobs1: int,
    count2: int,
    nobs2: int,
    null: float,
    *,
    measure: Literal["ratio", "difference"],
    alternative: Literal["greater", "less"],
) -> float:
    """One-sided exact unconditional p-value of the score test of a ratio or difference.

    Parameters
    ----------
    count1, nobs1, count2, nobs2 : int
        Events and patients, arm 1 (experimental) and arm 2 (control).
    null : float
        The ratio ``p1 / p2`` (> 0) or difference ``p1 - p2`` (in (-1, 1))
        under the null hypothesis.
    measure : {"ratio", "difference"}
    alternative : {"greater", "less"}
        ``"greater"``: evidence that the true effect exceeds ``null`` (small
        p rejects values below the observed effect; used for the lower
        bound). ``"less"``: the reverse.

    Returns
    -------
    float
        ``sup over p2 of P(T >= T_obs)`` (``"greater"``) or
        ``P(T <= T_obs)`` (``"less"``), the probability computed over all
        ``(n1 + 1)(n2 + 1)`` tables under ``p1 = null * p2`` (ratio) or
        ``p1 = p2 + null`` (difference), with ``T`` the Miettinen-Nurminen
        score statistic.

    Notes
    -----
    The statistic orders the tables; its ``N / (N - 1)`` factor is a constant
    and does not change the order, so Miettinen-Nurminen and
    Farrington-Manning give the same p-value. The supremum over the nuisance
    parameter ``p2`` is taken over a grid of 240 points and refined by a
    bounded scalar maximisation around the three best grid points.

    References
    ----------
    Chan ISF, Zhang Z. Test-based exact confidence intervals for the
    difference of two binomial proportions. Biometrics 1999;55:1202-9.
    doi:10.1111/j.0006-341X.1999.01202.x
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    if measure not in ("ratio", "difference"):
        raise ValueError(f"measure={measure!r} is not known: expected 'ratio' or 'difference'")
    if alternative not in ("greater", "less"):
        raise ValueError(f"alternative={alternative!r} is not known: expected 'greater' or 'less'")
    return _Tables(count1, nobs1, count2, nobs2, measure).pvalue(float(null), alternative)


def _cache_folder() -> Path | None:
    try:
        return find_project().cache / "exact"
    except FileNotFoundError:
        return None


def _remembered(function: Callable[..., TwoProportionEffect]) -> Callable[..., TwoProportionEffect]:
    """``function`` with its results recorded in ``.build-cache/exact/`` (:mod:`bolero_evidence.cache`).

    One interval takes about a third of a second, and the notebooks' kernels and the
    test workers are separate processes that ask for the same ones: each
    is computed once per version of the code. The arguments are checked
    before they become a key, so a bad one is the function's own error.
    """
    @functools.wraps(function)
    def remembered(count1: int, nobs1: int, count2: int, nobs2: int, *, confidence: float = 0.95) -> TwoProportionEffect:
        _check_two_samples(count1, nobs1, count2, nobs2)
        _check_confidence(confidence)
        folder = _cache_folder()
        key = hashlib.sha256(f"{code_digest()} {function.__name__} {int(count1)} {int(nobs1)} {int(count2)} {int(nobs2)} "
                             f"{float(confidence)!r}".encode()).hexdigest()
        if folder is not None and (text := read_record(folder, key)) is not None:
            try:
                return TwoProportionEffect(**json.loads(text))
            except (ValueError, TypeError):
                pass  # an unreadable record is computed again and rewritten
        result = function(count1, nobs1, count2, nobs2, confidence=confidence)
        if folder is not None:
            write_record(folder, key, json.dumps(asdict(result)))  # floats read back bit-for-bit (repr)
        return result
    return remembered


# A pure function of its integers returning a frozen result: cached, in memory and on disk (_remembered),
# since one interval takes a third of a second and the analyses and their tests ask for the same ones again.
@lru_cache(maxsize=512)
@_remembered
def risk_ratio_exact(
    count1: int, nobs1: int, count2: int, nobs2: int, *, confidence: float = 0.95
) -> TwoProportionEffect:
    """Exact unconditional confidence interval for the risk ratio ``p1 / p2`` (Chan-Zhang).

    Parameters
    ----------
    count1, nobs1 : int
        Events and patients in arm 1 (experimental).
    count2, nobs2 : int
        Events and patients in arm 2 (control).
    confidence : float, optional
        Two-sided level; each one-sided test has level ``(1 - confidence) / 2``.

    Returns
    -------
    TwoProportionEffect
        ``measure="ratio"``, ``method="exact-unconditional"``. The estimate is
        ``inf`` when only arm 2 has no events (upper bound ``inf``), 0 when
        only arm 1 has none (lower bound 0), ``nan`` when neither has any
        (interval ``(0, inf)``). See :func:`ratio_citation` for whether to cite
        the estimate.

    Raises
    ------
    ValueError
        For invalid counts or confidence.

    Notes
    -----
    The lower bound is the ratio ``R`` at which
    ``exact_unconditional_pvalue(..., R, alternative="greater") = alpha / 2``
    and the upper bound the one at which the ``"less"`` p-value is
    ``alpha / 2`` (two one-sided tests, "central" in StatXact's terms). Each
    is found by stepping outward from the asymptotic Miettinen-Nurminen bound
    on the log scale until the p-value drops below ``alpha / 2``, then by
    Brent's method. The p-value need not be monotone in ``R``; the bound is
    the crossing nearest the estimate at the stepping resolution, which
    reproduces the reference implementations.

    Run time grows with ``n1 * n2``: about a third of a second for 485 and 239
    (``tests/stats/benchmark_exact.py``).

    References
    ----------
    Chan ISF, Zhang Z. Test-based exact confidence intervals for the
    difference of two binomial proportions. Biometrics 1999;55:1202-9.
    doi:10.1111/j.0006-341X.1999.01202.x

    Agresti A, Min Y. On small-sample confidence intervals for parameters in
    discrete distributions. Biometrics 2001;57:963-71.
    doi:10.1111/j.0006-341X.2001.00963.x

    Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
    1985;4:213-26. doi:10.1002/sim.4780040211
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    _check_confidence(confidence)
    target = (1.0 - confidence) / 2.0
    if count2 > 0:
        estimate = (count1 / nobs1) / (count2 / nobs2)
    else:
        estimate = math.nan if count1 == 0 else math.inf
    asymptotic = risk_ratio(count1, nobs1, count2, nobs2, method="miettinen-nurminen", confidence=confidence)
    tables = _Tables(count1, nobs1, count2, nobs2, "ratio")

    def log_pvalue_gap(alternative: str) -> Callable[[float], float]:
        return lambda t: tables.pvalue(math.exp(t), alternative) - target

    start = math.log(((count1 + 0.5) / (nobs1 + 0.5)) / ((count2 + 0.5) / (nobs2 + 0.5)))
    low = 0.0
    if count1 > 0:
        guess = math.log(asymptotic.low) if asymptotic.low > 0 else start - 1.0
        low = math.exp(_outward_root(log_pvalue_gap("greater"), min(guess, start), start, -1.0,
                                     -_LOG_RATIO_LIMIT, edge=-math.inf))
    high = math.inf
    if count2 > 0:
        guess = math.log(asymptotic.high) if math.isfinite(asymptotic.high) else start + 1.0
        high = math.exp(_outward_root(log_pvalue_gap("less"), max(guess, start), start, 1.0,
                                      _LOG_RATIO_LIMIT, edge=math.inf))
    return TwoProportionEffect(measure="ratio", estimate=estimate, low=low, high=high, method=METHOD,
                               confidence=float(confidence), count1=int(count1), nobs1=int(nobs1),
                               count2=int(count2), nobs2=int(nobs2))


# A pure function of its integers returning a frozen result: cached, since one interval
# takes seconds and the analyses and their tests ask for the same ones again.
@lru_cache(maxsize=512)
@_remembered
def risk_difference_exact(
    count1: int, nobs1: int, count2: int, nobs2: int, *, confidence: float = 0.95
) -> TwoProportionEffect:
    """Exact unconditional confidence interval for the risk difference ``p1 - p2`` (Chan-Zhang).

    Parameters
    ----------
    count1, nobs1, count2, nobs2 : int
        Events and patients, arm 1 (experimental) and arm 2 (control).
    confidence : float, optional
        Two-sided level; each one-sided test has level ``(1 - confidence) / 2``.

    Returns
    -------
    TwoProportionEffect
        ``measure="difference"``, ``method="exact-unconditional"``; bounds in
        [-1, 1].

    Notes
    -----
    As :func:`risk_ratio_exact`, on the difference scale: the bounds are the
    differences at which the one-sided exact unconditional p-values of the
    Miettinen-Nurminen score statistic equal ``alpha / 2``. This is the
    interval of Chan & Zhang (1999), StatXact's "exact unconditional,
    inverting two one-sided tests" interval for the difference.

    References
    ----------
    Chan ISF, Zhang Z. Test-based exact confidence intervals for the
    difference of two binomial proportions. Biometrics 1999;55:1202-9.
    doi:10.1111/j.0006-341X.1999.01202.x
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    _check_confidence(confidence)
    target = (1.0 - confidence) / 2.0
    estimate = count1 / nobs1 - count2 / nobs2
    asymptotic = risk_difference(count1, nobs1, count2, nobs2, method="miettinen-nurminen", confidence=confidence)
    tables = _Tables(count1, nobs1, count2, nobs2, "difference")
    edge = 1.0 - 1e-9

    def gap(alternative: str) -> Callable[[float], float]:
        return lambda d: tables.pvalue(d, alternative) - target

    low = -1.0
    if estimate > -1.0:
        low = _outward_root(gap("greater"), max(min(asymptotic.low, estimate), -edge), estimate, -0.05, -edge, edge=-1.0)
    high = 1.0
    if estimate < 1.0:
        high = _outward_root(gap("less"), min(max(asymptotic.high, estimate), edge), estimate, 0.05, edge, edge=1.0)
    return TwoProportionEffect(measure="difference", estimate=estimate, low=max(low, -1.0), high=min(high, 1.0),
                               method=METHOD, confidence=float(confidence), count1=int(count1), nobs1=int(nobs1),
                               count2=int(count2), nobs2=int(nobs2))


@dataclass(frozen=True)
class RatioCitation:
    """Whether and how a risk ratio of two observed proportions can be cited.

    Attributes
    ----------
    kind : {"estimable", "sparse", "infinite", "zero", "undefined"}
        ``"undefined"``: no events in either arm (no ratio, interval 0 to
        infinity). ``"infinite"``: no events in arm 2 only. ``"zero"``: no
        events in arm 1 only. ``"sparse"``: both arms have events but one
        count (events or non-events) is below ``sparse_below``.
        ``"estimable"``: otherwise.
    cite_estimate : bool
        False for an infinite, zero or undefined ratio: no point estimate is
        shown, only the finite bound of the exact interval.
    interval_method : {"exact-unconditional", "miettinen-nurminen"}
        The interval to show: exact for every kind but ``"estimable"``.
    reason : str
        One sentence for the reader.
    neighbour_estimates : tuple of float or None
        For ``"sparse"``: the ratio with one event fewer and one more in the
        sparsest arm, to show how much the estimate rests on single events.
    """

    kind: Literal["estimable", "sparse", "infinite", "zero", "undefined"]
    cite_estimate: bool
    interval_method: Literal["exact-unconditional", "miettinen-nurminen"]
    reason: str
    neighbour_estimates: tuple[float, float] | None


def ratio_citation(count1: int, nobs1: int, count2: int, nobs2: int, *, sparse_below: int = 5) -> RatioCitation:
    """The rule for citing a risk ratio: point estimate or not, exact or asymptotic interval.

    Parameters
    ----------
    count1, nobs1, count2, nobs2 : int
        Events and patients, arm 1 (experimental) and arm 2 (control).
    sparse_below : int, optional
        A table with fewer than this many events or non-events in an arm is
        sparse (default 5, the usual threshold below which the normal
        approximation to a binomial count is not trusted).

    Returns
    -------
    RatioCitation

    Notes
    -----
    The rule: (1) a ratio whose estimate is 0, infinite or undefined (a zero
    count) is never shown as a point estimate; the exact interval's finite
    bound is shown instead ("at least 3.1"). (2) With a count below
    ``sparse_below`` the estimate may be shown only beside the exact
    interval, with the estimates one event away (for 46/485 against 1/239:
    22.7, and 11.3 with a second placebo responder). (3) Otherwise the
    asymptotic score interval is adequate.
    """
    _check_two_samples(count1, nobs1, count2, nobs2)
    if isinstance(sparse_below, bool) or not isinstance(sparse_below, int) or sparse_below < 1:
        raise ValueError(f"sparse_below={sparse_below!r} is not usable: expected an integer >= 1")
    if count1 == 0 and count2 == 0:
        return RatioCitation("undefined", False, METHOD,
                             "no events in either arm: the ratio is undefined and every value is compatible "
                             "with the data", None)
    if count2 == 0:
        return RatioCitation("infinite", False, METHOD,
                             "no events in the control arm: the ratio estimate is infinite; only the exact "
                             "lower bound is informative", None)
    if count1 == 0:
        return RatioCitation("zero", False, METHOD,
                             "no events in the experimental arm: the ratio estimate is 0; only the exact "
                             "upper bound is informative", None)
    smallest = min(count1, count2, nobs1 - count1, nobs2 - count2)
    if smallest < sparse_below:
        sparse_arm_is_2 = min(count2, nobs2 - count2) <= min(count1, nobs1 - count1)
        if sparse_arm_is_2:
            fewer = (count1 / nobs1) / ((count2 - 1) / nobs2) if count2 > 1 else math.inf
            more = (count1 / nobs1) / ((count2 + 1) / nobs2) if count2 < nobs2 else math.nan
        else:
            fewer = ((count1 - 1) / nobs1) / (count2 / nobs2)
            more = ((count1 + 1) / nobs1) / (count2 / nobs2) if count1 < nobs1 else math.nan
        return RatioCitation("sparse", True, METHOD,
                             f"a count of {smallest} in one arm: the estimate rests on single events and the "
                             "asymptotic interval is unreliable; cite it only with the exact interval",
                             (fewer, more))
    return RatioCitation("estimable", True, "miettinen-nurminen", "enough events in both arms for the asymptotic "
                         "score interval", None)


# --------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------


class _Tables:
    """Every table of two binomial samples, for p-values of one observed table."""

    def __init__(self, x1: int, n1: int, x2: int, n2: int, measure: str) -> None:
        self.x1, self.n1, self.x2, self.n2, self.measure = int(x1), int(n1), int(x2), int(n2), measure
        self.k1 = np.arange(n1 + 1, dtype=float)[:, None]
        self.k2 = np.arange(n2 + 1, dtype=float)[None, :]
        self.pmf1 = _BinomialTerms(n1)
        self.pmf2 = _BinomialTerms(n2)
        # What does not depend on the null value is computed once per observed table, not once per p-value:
        # each p-value is asked for at 20 to 60 null values while its bounds are searched.
        self.q1, self.q2 = self.k1 / n1, self.k2 / n2
        self.q_difference = self.q1 - self.q2
        self.events = np.arange(n1 + 1)[:, None] + np.arange(n2 + 1)[None, :]  # x1 + x2 of every table
        # Room for the arithmetic over every table, reused by each p-value: a new array of that size for each
        # step cost more in fresh memory pages than the step itself (the statistic took 18 ms instead of 8).
        self.work = np.empty((4, n1 + 1, n2 + 1))
        self.mask = np.empty((n1 + 1, n2 + 1), dtype=bool)

    def statistic(self, null: float) -> np.ndarray:
        """Score statistic of every table, shape (n1 + 1, n2 + 1)."""
        return self._statistic(null).copy()

    def _statistic(self, null: float) -> np.ndarray:
        """:meth:`statistic` in the room of ``self.work``: valid until the next call.

        Each step is the operation of the plain formula in its comment, on the same values, so the result is
        equal to the formula's (``tests/stats/test_exact.py`` compares it with that formula bit for bit, and
        with the validated scalar statistic).
        """
        n1, n2 = self.n1, self.n2
        numerator, variance, p2, p1 = self.work
        if self.measure == "ratio":
            _constrained_ratio(null, self, out=(p1, p2))
            np.subtract(self.q1, null * self.q2, out=numerator)  # numerator = q1 - null * q2
            # variance = p1 * (1 - p1) / n1 + null**2 * p2 * (1 - p2) / n2
            _binomial_variance(p1, n1, out=variance)
            second = np.multiply(null**2, p2, out=p1)
            np.multiply(second, np.subtract(1, p2, out=p2), out=second)
            np.divide(second, n2, out=second)
        else:
            _constrained_difference(null, self, out=(p1, p2))
            np.subtract(self.q_difference, null, out=numerator)  # numerator = q1 - q2 - null
            # variance = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
            _binomial_variance(p1, n1, out=variance)
            second = _binomial_variance(p2, n2, out=p1)
        np.add(variance, second, out=variance)
        # z = numerator / sqrt(variance) where variance > 0, else +inf or -inf by the numerator's sign;
        # 0 where the numerator is 0
        z = np.sqrt(variance, out=p2)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(numerator, z, out=z)
        # Masked copies only where a mask holds anything: most hold nothing, and a masked copy over every table
        # costs as much as a sum of them.
        no_variance = np.less_equal(variance, 0, out=self.mask) | np.isnan(variance)  # not (variance > 0)
        if no_variance.any():
            np.copyto(z, np.inf, where=no_variance & (numerator > 0))
            np.copyto(z, -np.inf, where=no_variance & ~(numerator > 0))
        no_difference = np.equal(numerator, 0, out=self.mask)
        if no_difference.any():
            np.copyto(z, 0.0, where=no_difference)
        return z

    def as_extreme(self, statistic: np.ndarray, alternative: str) -> np.ndarray:
        """Which tables are at least as extreme as the observed one (ties within the tolerance count): all a
        p-value takes from the statistic."""
        observed = statistic[self.x1, self.x2]
        tolerance = _TIE_TOLERANCE * max(1.0, abs(observed)) if math.isfinite(observed) else 0.0
        if alternative == "greater":
            return statistic >= observed - tolerance
        return statistic <= observed + tolerance

    def pvalue(self, null: float, alternative: str) -> float:
        extreme = self.as_extreme(self._statistic(null), alternative).astype(float)
        if self.measure == "ratio":
            low, high = 0.0, min(1.0, 1.0 / null)
        else:
            low, high = max(0.0, -null), min(1.0, 1.0 - null)

        def probability(p2: np.ndarray) -> np.ndarray:
            p1 = null * p2 if self.measure == "ratio" else p2 + null
            b1 = self.pmf1(np.clip(p1, 0.0, 1.0))
            b2 = self.pmf2(np.clip(p2, 0.0, 1.0))
            # sum_ij b1[k, i] extreme[i, j] b2[k, j], as one matrix product: einsum's path search
            # cost more than the product itself for the single points of the maximisation below.
            return np.sum((b1 @ extreme) * b2, axis=1)

        def point_probability(p2: float) -> float:
            # probability(np.array([p2]))[0] in fewer steps: the maximisation below asks for some 3,000 single
            # points per interval. The same operations on the same shapes, so the same bits.
            p1 = null * p2 if self.measure == "ratio" else p2 + null
            b1 = self.pmf1.point(min(max(p1, 0.0), 1.0))
            b2 = self.pmf2.point(min(max(p2, 0.0), 1.0))
            return float(np.sum((b1 @ extreme) * b2, axis=1)[0])

        grid = np.linspace(low, high, _NUISANCE_GRID)
        values = probability(grid)
        best = float(values.max())
        order = np.argsort(values)[::-1]
        refined = 0
        for index in order:
            if refined == _NUISANCE_PEAKS:
                break
            left = grid[max(index - 1, 0)]
            right = grid[min(index + 1, len(grid) - 1)]
            if right <= left:
                continue
            result = optimize.minimize_scalar(lambda p: -point_probability(p), bounds=(left, right),
                                              method="bounded", options={"xatol": 1e-10 * max(high - low, 1e-12)})
            best = max(best, -float(result.fun))
            refined += 1
        return min(best, 1.0)


def _outward_root(gap: Callable[[float], float], guess: float, start: float, step: float, limit: float,
                  edge: float) -> float:
    """Root of ``gap`` between ``start`` and ``limit``, bracketed by stepping from ``guess``.

    ``gap`` is positive near the estimate (``start``) and becomes negative
    outward. Returns ``edge`` when it stays positive up to ``limit``.
    """
    # The bracketing and brentq ask for the same points again (brentq starts at both ends of the bracket):
    # each p-value is an exact computation over every table, so each point is computed once.
    values: dict[float, float] = {}
    plain_gap = gap

    def gap(point: float) -> float:
        if point not in values:
            values[point] = plain_gap(point)
        return values[point]

    inner, outer = start, guess
    if outer == inner:
        outer = inner + step
    while (outer - limit) * math.copysign(1.0, step) < 0 and gap(outer) > 0:
        inner, outer = outer, outer + step
        step *= 1.5
    if (outer - limit) * math.copysign(1.0, step) >= 0:
        outer = limit
        if gap(outer) > 0:
            return edge
    if gap(inner) <= 0:
        # The asymptotic guess lies outside the exact bound's side of the
        # estimate only if the exact p-value is already small at the start.
        return inner
    return optimize.brentq(gap, min(inner, outer), max(inner, outer), xtol=_ROOT_XTOL, rtol=_ROOT_XTOL)


class _BinomialTerms:
    """Binomial probabilities of 0..n for given p, shape (len(p), n + 1); exact at p = 0 and 1.

    The parts that depend on ``n`` alone (the log binomial coefficients, the counts, which terms are
    present) are computed once: the maximisation over the nuisance parameter asks for single values of
    ``p`` thousands of times per interval. The result is written into an array kept per number of
    values of ``p``: it is valid until the next call with as many.
    """

    def __init__(self, n: int) -> None:
        k = np.arange(n + 1, dtype=float)
        self.log_choose = (gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0))[None, :]
        self.k = k[None, :]
        self.rest = (n - k)[None, :]
        self.no_k = self.k == 0
        self.no_rest = self.rest == 0
        self.room: dict[int, np.ndarray] = {}

    def __call__(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=float)[:, None]
        terms, rest = self._room(p.shape[0])
        # log_choose + where(k > 0, k * log(p), 0) + where(n - k > 0, (n - k) * log1p(-p), 0), step by step
        with np.errstate(divide="ignore", invalid="ignore"):
            np.multiply(self.k, np.log(p), out=terms)
            np.multiply(self.rest, np.log1p(-p), out=rest)
        np.copyto(terms, 0.0, where=self.no_k)
        np.copyto(rest, 0.0, where=self.no_rest)
        return self._probabilities(terms, rest)

    def point(self, p: float) -> np.ndarray:
        """``self(np.array([p]))``, shape (1, n + 1), in fewer steps where ``0 < p < 1`` (no log of 0 to mend).

        There ``k * log(p)`` at ``k = 0`` is ``-0.0``, not the ``0.0`` that :meth:`__call__` writes, and adding
        either to the log coefficient gives the same bits; so does ``(n - k) * log1p(-p)`` at ``k = n``.
        """
        if not 0.0 < p < 1.0:
            return self(np.array([p]))
        terms, rest = self._room(1)
        value = np.full((1, 1), p)
        np.multiply(self.k, np.log(value), out=terms)
        np.multiply(self.rest, np.log1p(np.negative(value, out=value), out=value), out=rest)
        return self._probabilities(terms, rest)

    def _room(self, count: int) -> np.ndarray:
        """The two arrays, shape (count, n + 1), that the terms of ``count`` values of ``p`` are written into."""
        if count not in self.room:
            self.room[count] = np.empty((2, count, self.k.shape[1]))
        return self.room[count]

    def _probabilities(self, terms: np.ndarray, rest: np.ndarray) -> np.ndarray:
        """``exp(log_choose + terms + rest)``, in the room of ``terms``."""
        np.add(self.log_choose, terms, out=terms)
        np.add(terms, rest, out=terms)
        return np.exp(terms, out=terms)


def _binomial_variance(p: np.ndarray, n: int, out: np.ndarray) -> np.ndarray:
    """``p * (1 - p) / n`` into ``out`` (another array than ``p``)."""
    np.subtract(1, p, out=out)
    np.multiply(p, out, out=out)
    return np.divide(out, n, out=out)


def _constrained_ratio(ratio: float, tables: _Tables, out: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised maximum likelihood ``(p1, p2)`` under ``p1 = ratio * p2`` (see proportions), into ``out``.

    Each step is the operation of the plain formula in its comment, on the same values (see
    :meth:`_Tables._statistic`).
    """
    n1, n2, x1, x2, events = tables.n1, tables.n2, tables.k1, tables.k2, tables.events
    p1, p2 = out
    b, disc = tables.work[0], tables.work[1]
    n = n1 + n2
    a = n * ratio
    # b = -(n1 * ratio + x1 + n2 + x2 * ratio)
    np.add(n1 * ratio + x1 + n2, x2 * ratio, out=b)
    np.negative(b, out=b)
    # disc = max(b * b - 4 * a * events, 0)
    np.multiply(b, b, out=disc)
    np.subtract(disc, np.multiply(4.0 * a, events, out=p1), out=disc)
    np.maximum(disc, 0.0, out=disc)
    # denominator = -b + sqrt(disc)
    denominator = np.add(np.negative(b, out=b), np.sqrt(disc, out=disc), out=disc)
    # p2 = 2 * events / denominator where events > 0, else 0; clipped to [0, min(1, 1 / ratio)]
    np.multiply(2.0, events, out=p2)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(p2, denominator, out=p2)
    np.copyto(p2, 0.0, where=np.equal(events, 0, out=tables.mask))
    np.clip(p2, 0.0, min(1.0, 1.0 / ratio), out=p2)
    # p1 = min(ratio * p2, 1)
    np.minimum(np.multiply(ratio, p2, out=p1), 1.0, out=p1)
    return p1, p2


def _by_total(per_total: np.ndarray, rows: int) -> np.ndarray:
    """``per_total[x1 + x2]`` for every table, shape (rows, len(per_total) - rows + 1): a read-only view.

    Row ``x1`` of the view starts at element ``x1`` of ``per_total`` (a Hankel matrix), so no array of every
    table is filled to look the values up.
    """
    return np.lib.stride_tricks.sliding_window_view(per_total, len(per_total) - rows + 1)[:rows]


def _constrained_difference(delta: float, tables: _Tables,
                            out: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised maximum likelihood ``(p1, p2)`` under ``p1 - p2 = delta`` (cubic of Miettinen & Nurminen), into ``out``.

    The terms that depend on the total events ``x1 + x2`` alone (``l2``, the shift and its powers) are
    computed once per total, n1 + n2 + 1 values, and read for every table through :func:`_by_total` (a
    view, nothing copied). Each step is the operation of the plain formula in its comment, on the same
    values (see :meth:`_Tables._statistic`).
    """
    n1, n2, x2, events = tables.n1, tables.n2, tables.k2, tables.events
    p1, p2 = out
    l1, q = tables.work[0], tables.work[1]
    rows = n1 + 1
    n = n1 + n2
    total = np.arange(n + 1, dtype=float)
    l3 = float(n)
    l2_total = (n1 + 2 * n2) * delta - n - total
    np.add((n2 * delta - n - 2 * x2) * delta, events, out=l1)  # l1 = (n2 * delta - n - 2 * x2) * delta + events
    l0 = x2 * delta * (1.0 - delta)
    shift_total = l2_total / (3.0 * l3)
    # q = shift**3 - l1 * l2 / (6 * l3**2) + l0 / (2 * l3)
    np.copyto(q, _by_total(shift_total**3, rows))
    term = np.multiply(l1, _by_total(l2_total, rows), out=p1)
    np.divide(term, 6.0 * l3**2, out=term)
    np.subtract(q, term, out=q)
    np.add(q, l0 / (2.0 * l3), out=q)
    # p = sqrt(max(shift**2 - l1 / (3 * l3), 0)), negated where q < 0
    p = np.subtract(_by_total(shift_total**2, rows), np.divide(l1, 3.0 * l3, out=l1), out=p2)
    np.maximum(p, 0.0, out=p)
    np.sqrt(p, out=p)
    np.negative(p, out=p, where=np.less(q, 0, out=tables.mask))
    # angle = (pi + arccos(clip(q / (p * p * p), -1, 1))) / 3; p cubed by multiplying, not by numpy's power (a
    # general pow, a third of the statistic's time): a last bit differs here and there, no p-value does
    # (tests/stats/test_exact.py compares them with the cube computed by pow)
    angle = np.multiply(np.multiply(p, p, out=l1), p, out=l1)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(q, angle, out=angle)
    np.clip(angle, -1.0, 1.0, out=angle)
    np.arccos(angle, out=angle)
    np.add(math.pi, angle, out=angle)
    np.divide(angle, 3.0, out=angle)
    # p2 = -shift where p == 0, else 2 * p * cos(angle) - shift; clipped to the range delta allows
    at_zero = np.equal(p, 0, out=tables.mask)
    np.multiply(2.0, p, out=p2)
    np.multiply(p2, np.cos(angle, out=angle), out=p2)
    shift = _by_total(shift_total, rows)
    np.subtract(p2, shift, out=p2)
    np.negative(shift, out=p2, where=at_zero)
    np.clip(p2, max(0.0, -delta), min(1.0, 1.0 - delta), out=p2)
    np.add(p2, delta, out=p1)  # p1 = p2 + delta
    return p1, p2
