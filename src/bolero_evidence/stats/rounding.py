"""Counts behind printed percentages, under one stated reading of a table's rounding.

A paper prints percentages, not counts. A printed percentage of ``N`` patients
is consistent with every count ``k`` whose ``100 k / N`` the table would have
printed that way, and where several counts are consistent none is picked
silently: intervals are computed for every consistent count (for two arms,
every combination of counts) and their union is reported
(:func:`interval_over_counts`, :func:`effect_over_counts`).

The reading of a flagged table
------------------------------
NEJM 2011, Table 2 (adverse events) prints whole percentages, ``0`` and, for
small non-zero percentages, ``<1``. Two readings of that convention partition
the percentage scale without overlap:

``reading="threshold"`` (the default, used throughout the project)
    ``<1`` is read literally: ``0 < 100 k / N < 1``. A printed whole number
    ``w`` is ``w`` after rounding *and* not below the flag, so a printed ``1``
    is ``1 <= 100 k / N <= 1.5``. A printed ``0`` is no patient.
``reading="rounding"`` (the sensitivity analysis)
    The table rounds first and replaces a rounded ``0`` of a non-zero count by
    ``<1``: ``<1`` is ``0 < 100 k / N <= 0.5`` and a printed ``1`` is
    ``0.5 <= 100 k / N <= 1.5``. A printed ``0`` is no patient.

Why "threshold": the flag is a statement about the value ("less than 1%"),
and a table that uses it says so of every value it flags; under the rounding
reading the same table would print ``1`` for 0.6% although "<1" was true and
available. The NEJM's own text does not settle it: with Table 2's grade 3 and
grade 4 columns taken as disjoint (each patient at her worst grade), its
grade 3-4 summary "dyspnea (4% vs. 1%)" contradicts the threshold reading
(placebo grade 3 ``1`` = 3 of 238 under it, plus at least one grade 4 = 1.7%,
which prints ``2``) and "anemia (6% vs. <1%)" contradicts the rounding reading
(``<1`` + ``<1`` = 1 + 1 of 238 under it = 0.84%, which prints ``1``); if a
patient may appear in both columns, both readings fit every sentence. The
choice is therefore a stated assumption, and every figure that depends on a
count at the flag should be shown under the other reading as well
(:func:`effect_under_both_readings`).

Without a flag (``flag=None``, e.g. NEJM Table 3's one-decimal percentages)
the two readings coincide: a printed ``p`` with ``d`` decimals is any
``100 k / N`` within half a unit (``0.5 * 10**-d``) of it. Bounds are closed,
so an exact tie is consistent with both neighbouring printed values (it
admits round-half-up and round-half-even). All arithmetic is exact
(rational).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import Literal

from .proportions import (
    NoConsistentCountError,
    _parse_percent,
    proportion_interval,
    risk_difference,
    risk_ratio,
)

__all__ = [
    "DEFAULT_READING",
    "READINGS",
    "EffectOverCounts",
    "PrintedCounts",
    "RateOverCounts",
    "ReadingSensitivity",
    "counts_for_printed",
    "effect_over_counts",
    "effect_under_both_readings",
    "exact_counts",
    "interval_over_counts",
    "sum_counts",
]

Reading = Literal["threshold", "rounding"]
READINGS: tuple[Reading, ...] = ("threshold", "rounding")
DEFAULT_READING: Reading = "threshold"


@dataclass(frozen=True)
class PrintedCounts:
    """The patient counts a printed figure allows, under a stated reading.

    Field names match ``bolero_evidence.derived.response.CountSet`` (``printed``,
    ``nobs``, ``counts``, ``central``), so one can stand for the other.

    Attributes
    ----------
    printed : str
        The printed form (``"9.5"``, ``"<1"``, ``"3+<1"`` for a sum of two
        printed figures, or the printed count).
    nobs : int
        Denominator.
    counts : tuple of int
        Every consistent count, ascending; never empty.
    central : int
        The count used for a point estimate: the consistent count nearest the
        middle of the percentage range the reading allows (the printed value
        itself when nothing clips it); an exact tie goes to the lower count.
    reading : {"threshold", "rounding"} or None
        The reading applied; None when the printed figure does not depend on
        it (no flag, or a printed count).
    percent_low, percent_high : float
        The range of ``100 k / N`` the printed figure allows (closed unless
        the reading makes a bound strict, e.g. ``<1``).
    """

    printed: str
    nobs: int
    counts: tuple[int, ...]
    central: int
    reading: Reading | None
    percent_low: float
    percent_high: float

    @property
    def low(self) -> int:
        """Smallest consistent count."""
        return self.counts[0]

    @property
    def high(self) -> int:
        """Largest consistent count."""
        return self.counts[-1]

    @property
    def is_unique(self) -> bool:
        """True when the printed figure fixes the count."""
        return len(self.counts) == 1

    def text(self) -> str:
        """``"46"`` or ``"37–40"`` (the counts are contiguous)."""
        return str(self.low) if self.is_unique else f"{self.low}–{self.high}"


def counts_for_printed(
    printed: str,
    nobs: int,
    *,
    flag: str | None = None,
    reading: Reading = DEFAULT_READING,
) -> PrintedCounts:
    """Counts ``k`` of ``nobs`` consistent with a printed percentage.

    Parameters
    ----------
    printed : str
        The percentage as printed: ``"9.5"``, ``"19%"``, ``"<1"``, ``"< 1%"``,
        ``"0"``. Its decimals are those printed.
    nobs : int
        The denominator, ``nobs >= 1``.
    flag : str, optional
        The table's flag for small non-zero percentages, e.g. ``"<1"`` for
        NEJM Table 2. With a flag, a printed ``0`` is no patient and printed
        values near the flag are read by ``reading``. A printed ``"<p"``
        implies ``flag="<p"``; a different explicit flag is an error.
        Without a flag a printed value is plain rounding.
    reading : {"threshold", "rounding"}, optional
        How the flag and rounding combine (see the module docstring). Default
        ``"threshold"``: ``<p`` is ``0 < v < p`` and a printed value is not
        below ``p``. ``"rounding"``: ``<p`` is a non-zero ``v`` that rounds
        below ``p`` at the printed decimals.

    Returns
    -------
    PrintedCounts

    Raises
    ------
    ValueError
        For an unparseable percentage, an unknown reading, a ``">"`` qualifier
        (not a table convention this module reads), a printed flag that
        contradicts ``flag``, or an invalid ``nobs``.
    NoConsistentCountError
        If no count of ``nobs`` prints as ``printed`` under the reading: the
        denominator (or the reading) is wrong.

    Notes
    -----
    With ``h`` half a printed unit, ``v = 100 k / N``:

    ==============  =========================  ===========================
    printed         ``threshold``              ``rounding``
    ==============  =========================  ===========================
    ``0`` (flag)    ``v = 0``                  ``v = 0``
    ``<p``          ``0 < v < p``              ``0 < v <= p - h``
    ``w`` (flag)    ``max(w - h, p) <= v <= w + h``  ``w - h <= v <= w + h``
    ``w`` (none)    ``w - h <= v <= w + h``    the same
    ==============  =========================  ===========================

    Examples: of 238, ``<1`` is 1-2 patients (threshold) or 1 (rounding);
    ``1`` is 3 (threshold) or 2-3 (rounding). Of 482, ``<1`` is 1-4 or 1-2,
    ``1`` is 5-7 or 3-7.
    """
    if reading not in READINGS:
        raise ValueError(f"reading={reading!r} is not known: expected one of {list(READINGS)}")
    if isinstance(nobs, bool) or not isinstance(nobs, int) or nobs < 1:
        raise ValueError(f"nobs={nobs!r} is not usable: expected an integer >= 1")
    text, value, decimals, qualifier = _parse_percent(printed, None, None)
    if qualifier == "gt":
        raise ValueError(f"printed={printed!r}: a '>' qualifier is not read by this module; expected '<p' or a value")
    flag_value = _flag_value(flag)
    if qualifier == "lt":
        if flag_value is not None and flag_value != value:
            raise ValueError(f"printed={printed!r} contradicts flag={flag!r}: expected flag=None or '<{value}'")
        flag_value = value
    half = Fraction(1, 2 * 10**decimals)
    n = int(nobs)

    # The allowed range of v = 100 k / N as (low, low_strict, high, high_strict).
    depends_on_reading = False
    if qualifier == "lt":
        depends_on_reading = True
        if reading == "threshold":
            bounds = (Fraction(0), True, value, True)
        else:
            bounds = (Fraction(0), True, value - half, False)
    elif flag_value is not None and value == 0:
        bounds = (Fraction(0), False, Fraction(0), False)
    else:
        low, high = max(value - half, Fraction(0)), min(value + half, Fraction(100))
        low_strict = False
        if flag_value is not None and reading == "threshold" and low < flag_value:
            low, low_strict = flag_value, False
            depends_on_reading = True
        elif flag_value is not None and value - half < flag_value:
            depends_on_reading = True
        bounds = (low, low_strict, high, False)

    counts = _counts_inside(bounds, n)
    if not counts:
        raise NoConsistentCountError(
            f"no count of {n} prints as {printed!r} (reading {reading!r}, flag {flag!r}); check the denominator"
        )
    low, _, high, _ = bounds
    middle = value if qualifier == "eq" and (low, high) == (max(value - half, 0), min(value + half, 100)) else (low + high) / 2
    target = middle * n / 100
    central = min(counts, key=lambda k: (abs(k - target), k))
    return PrintedCounts(
        printed=text if isinstance(printed, str) else str(printed),
        nobs=n,
        counts=counts,
        central=central,
        reading=reading if depends_on_reading else None,
        percent_low=float(low),
        percent_high=float(high),
    )


def exact_counts(count: int, nobs: int) -> PrintedCounts:
    """A count printed as a count (nothing to reconstruct).

    Parameters
    ----------
    count, nobs : int
        The printed count and the denominator, ``0 <= count <= nobs``.

    Returns
    -------
    PrintedCounts
        With the single count, which is also the central one.
    """
    if isinstance(nobs, bool) or not isinstance(nobs, int) or nobs < 1:
        raise ValueError(f"nobs={nobs!r} is not usable: expected an integer >= 1")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= nobs:
        raise ValueError(f"count={count!r} is outside 0..{nobs}: expected an integer count of the denominator")
    percent = 100 * count / nobs
    return PrintedCounts(printed=str(count), nobs=nobs, counts=(count,), central=count, reading=None,
                         percent_low=percent, percent_high=percent)


def sum_counts(first: PrintedCounts, second: PrintedCounts, *, disjoint: bool = True) -> PrintedCounts:
    """Counts of patients in either of two categories (e.g. grade 3 and grade 4).

    Parameters
    ----------
    first, second : PrintedCounts
        Counts of the two categories, same denominator.
    disjoint : bool, optional
        True (default): each patient is in at most one category (counted at
        her worst grade), so the union is the sum. False: a patient may be in
        both, so the union of counts ``a`` and ``b`` is anything from
        ``max(a, b)`` to ``a + b``.

    Returns
    -------
    PrintedCounts
        Every union count allowed by the two (at most ``nobs``); the central
        count is the sum of the central counts (capped at ``nobs``); the
        reading is that of the parts.

    Raises
    ------
    ValueError
        If the denominators differ.
    """
    if first.nobs != second.nobs:
        raise ValueError(f"denominators differ: {first.nobs} and {second.nobs}; expected the same N")
    n = first.nobs
    unions: set[int] = set()
    for a, b in product(first.counts, second.counts):
        start = a + b if disjoint else max(a, b)
        unions.update(range(start, min(a + b, n) + 1))
    counts = tuple(sorted(unions))
    if not counts:
        raise NoConsistentCountError(f"no sum of {first.printed!r} and {second.printed!r} fits within {n}")
    central = min(first.central + second.central, n)
    if central not in unions:
        central = min(counts, key=lambda k: (abs(k - central), k))
    return PrintedCounts(
        printed=f"{first.printed}+{second.printed}", nobs=n, counts=counts, central=central,
        reading=first.reading or second.reading,
        percent_low=100 * counts[0] / n, percent_high=100 * counts[-1] / n,
    )


@dataclass(frozen=True)
class RateOverCounts:
    """A proportion and the union of its intervals over the consistent counts (0-1 scale).

    Attributes
    ----------
    counts : PrintedCounts
    estimate : float
        ``counts.central / nobs``.
    low, high : float
        Lowest lower and highest upper bound over all consistent counts.
    method : str
        Interval method of :func:`~bolero_evidence.stats.proportions.proportion_interval`.
    """

    counts: PrintedCounts
    estimate: float
    low: float
    high: float
    method: str

    @property
    def percent(self) -> tuple[float, float, float]:
        """Estimate, low and high in percent."""
        return 100 * self.estimate, 100 * self.low, 100 * self.high


def interval_over_counts(counts: PrintedCounts, method: str = "clopper-pearson", confidence: float = 0.95) -> RateOverCounts:
    """Interval of one proportion as the union over the counts a printed figure allows.

    Parameters
    ----------
    counts : PrintedCounts
    method : {"clopper-pearson", "wilson"}, optional
    confidence : float, optional

    Returns
    -------
    RateOverCounts
        Estimate at the central count; lowest lower and highest upper bound
        over every consistent count.
    """
    intervals = [proportion_interval(k, counts.nobs, method=method, confidence=confidence) for k in counts.counts]
    return RateOverCounts(counts=counts, estimate=counts.central / counts.nobs, low=min(i.low for i in intervals),
                          high=max(i.high for i in intervals), method=intervals[0].method)


@dataclass(frozen=True)
class EffectOverCounts:
    """A comparison of two arms and the union of its intervals over the consistent counts.

    Attributes
    ----------
    measure : {"difference", "ratio"}
        ``p1 - p2`` (0-1 scale) or ``p1 / p2``.
    estimate : float
        At the central counts (``nan`` for a ratio of two zero counts,
        ``inf`` when only arm 2 has none).
    low, high : float
        Lowest lower and highest upper bound over every combination of counts.
    method : str
    counts1, counts2 : PrintedCounts
        Arm 1 (experimental) and arm 2 (control).
    """

    measure: Literal["difference", "ratio"]
    estimate: float
    low: float
    high: float
    method: str
    counts1: PrintedCounts
    counts2: PrintedCounts

    @property
    def tables(self) -> int:
        """Number of count combinations the union runs over."""
        return len(self.counts1.counts) * len(self.counts2.counts)

    @property
    def excludes_null(self) -> bool:
        """Whether the interval excludes no effect (0 for a difference, 1 for a ratio)."""
        null = 0.0 if self.measure == "difference" else 1.0
        return not self.low <= null <= self.high


def effect_over_counts(
    counts1: PrintedCounts,
    counts2: PrintedCounts,
    measure: Literal["difference", "ratio"],
    *,
    method: str | None = None,
    confidence: float = 0.95,
) -> EffectOverCounts:
    """Risk difference or ratio of two arms, as the union over every combination of consistent counts.

    Parameters
    ----------
    counts1, counts2 : PrintedCounts
        Arm 1 (experimental) and arm 2 (control).
    measure : {"difference", "ratio"}
    method : str, optional
        ``"newcombe"`` (default for the difference), ``"miettinen-nurminen"``
        (default for the ratio), ``"koopman"``, ``"log"``, or
        ``"exact-unconditional"`` (:mod:`bolero_evidence.stats.exact`; slower,
        about a third of a second per table at N = 485/239).
    confidence : float, optional

    Returns
    -------
    EffectOverCounts
        Estimate at the central counts; lowest lower and highest upper bound
        over all tables (every table is computed, the extremes are not
        assumed to come from the extreme counts).
    """
    _effect_function(measure, method, confidence)  # an unknown measure or method is an error even before a table

    def compute(x1, n1, x2, n2):
        return _effect_of_table(measure, method, confidence, int(x1), int(n1), int(x2), int(n2))
    effects = [compute(k1, counts1.nobs, k2, counts2.nobs) for k1, k2 in product(counts1.counts, counts2.counts)]
    central = compute(counts1.central, counts1.nobs, counts2.central, counts2.nobs)
    return EffectOverCounts(measure=measure, estimate=central.estimate, low=min(e.low for e in effects),
                            high=max(e.high for e in effects), method=central.method, counts1=counts1, counts2=counts2)


@dataclass(frozen=True)
class ReadingSensitivity:
    """One comparison under the project's reading and under the other one.

    Attributes
    ----------
    primary : EffectOverCounts
        Under ``reading="threshold"``.
    alternative : EffectOverCounts
        Under ``reading="rounding"``.
    """

    primary: EffectOverCounts
    alternative: EffectOverCounts

    @property
    def interval_changes(self) -> bool:
        """Whether the reading changes the union interval (or the estimate)."""
        a, b = self.primary, self.alternative
        return (a.estimate, a.low, a.high) != (b.estimate, b.low, b.high) and not (
            math.isnan(a.estimate) and math.isnan(b.estimate) and (a.low, a.high) == (b.low, b.high))

    @property
    def conclusion_changes(self) -> bool:
        """Whether the interval excludes no effect under one reading and not under the other."""
        return self.primary.excludes_null != self.alternative.excludes_null


def effect_under_both_readings(
    printed1: str,
    nobs1: int,
    printed2: str,
    nobs2: int,
    measure: Literal["difference", "ratio"],
    *,
    flag: str | None = None,
    method: str | None = None,
    confidence: float = 0.95,
) -> ReadingSensitivity:
    """A comparison of two printed percentages under both readings of the table's flag.

    Parameters
    ----------
    printed1, printed2 : str
        Printed percentages of arm 1 (experimental) and arm 2 (control).
    nobs1, nobs2 : int
        Denominators.
    measure : {"difference", "ratio"}
    flag : str, optional
        The table's flag (``"<1"`` for NEJM Table 2); see :func:`counts_for_printed`.
    method, confidence
        As in :func:`effect_over_counts`.

    Returns
    -------
    ReadingSensitivity
        ``conclusion_changes`` says whether the reading decides if the
        interval excludes no effect.
    """
    results = {}
    for reading in READINGS:
        c1 = counts_for_printed(printed1, nobs1, flag=flag, reading=reading)
        c2 = counts_for_printed(printed2, nobs2, flag=flag, reading=reading)
        results[reading] = effect_over_counts(c1, c2, measure, method=method, confidence=confidence)
    return ReadingSensitivity(primary=results["threshold"], alternative=results["rounding"])


@lru_cache(maxsize=8192)
def _effect_of_table(measure: str, method: str | None, confidence: float, x1: int, n1: int, x2: int, n2: int):
    # One table's effect, remembered: the analyses compare the same tables many times over (every union over
    # consistent counts contains its central table; the scorecard and the summary re-read the response and safety
    # comparisons), and each is a root search. The results are frozen dataclasses, safe to share.
    return _effect_function(measure, method, confidence)(x1, n1, x2, n2)


def _effect_function(measure: str, method: str | None, confidence: float) -> Callable:
    if measure == "difference":
        method = method or "newcombe"
        if method == "exact-unconditional":
            from .exact import risk_difference_exact

            return lambda x1, n1, x2, n2: risk_difference_exact(x1, n1, x2, n2, confidence=confidence)
        return lambda x1, n1, x2, n2: risk_difference(x1, n1, x2, n2, method=method, confidence=confidence)
    if measure == "ratio":
        method = method or "miettinen-nurminen"
        if method == "exact-unconditional":
            from .exact import risk_ratio_exact

            return lambda x1, n1, x2, n2: risk_ratio_exact(x1, n1, x2, n2, confidence=confidence)
        return lambda x1, n1, x2, n2: risk_ratio(x1, n1, x2, n2, method=method, confidence=confidence)
    raise ValueError(f"measure={measure!r} is not known: expected 'difference' or 'ratio'")


def _flag_value(flag: str | None) -> Fraction | None:
    if flag is None:
        return None
    _, value, _, qualifier = _parse_percent(flag, None, None)
    if qualifier != "lt":
        raise ValueError(f"flag={flag!r} is not a flag: expected the table's '<p' form, e.g. '<1'")
    return value


def _counts_inside(bounds: tuple[Fraction, bool, Fraction, bool], n: int) -> tuple[int, ...]:
    """Counts ``k`` in 0..n with ``100 k / n`` inside the bounds (exact arithmetic)."""
    low, low_strict, high, high_strict = bounds
    first = math.floor(low * n / 100) + 1 if low_strict else math.ceil(low * n / 100)
    last = math.ceil(high * n / 100) - 1 if high_strict else math.floor(high * n / 100)
    return tuple(range(max(first, 0), min(last, n) + 1))
