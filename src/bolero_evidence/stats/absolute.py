"""Anticipated absolute effects of a time-to-event outcome at a time point, the GRADE way.

A hazard ratio is relative; a reader deciding on treatment needs the number of
patients per 1000 who would have the event by a stated time with and without
it. GRADE guidance 27 (Skoetz et al. 2020) computes it from the control
group's probability of the event by time ``t`` and the hazard ratio, assuming
proportional hazards: event-free survival with the intervention is the control
group's raised to the power HR,

    S_I(t) = S_C(t) ** HR,  so  p_I(t) = 1 - (1 - p_C(t)) ** HR,

and the interval of ``p_I`` (and of the difference ``p_I - p_C``) comes from
the hazard ratio's confidence limits with ``p_C`` held fixed, as in GRADE's
Summary of Findings tables (the uncertainty of the control risk is not
propagated; it is an assumed baseline).

The control probability is taken from a printed landmark (e.g. a Kaplan-Meier
estimate at 6 months) when one exists, otherwise from the control median
under an exponential model, ``p_C(t) = 1 - 2 ** (-t / median)``
(:func:`control_risk_from_median`), which must then be labelled model-based.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AbsoluteEffect",
    "absolute_effect_from_median",
    "absolute_effect_time_to_event",
    "control_risk_from_median",
]


@dataclass(frozen=True)
class AbsoluteEffect:
    """Anticipated absolute effect of an intervention at one time point (GRADE).

    Attributes
    ----------
    outcome : {"event", "event_free"}
        Whether the risks are of having the event by ``time`` (progression or
        death) or of being free of it.
    time : float or None
        The time point, in the unit of the inputs (months here); None when
        the caller gave only a control risk.
    control_risk : float
        Control group's probability of ``outcome`` by ``time`` (0-1).
    control_source : str
        ``"printed landmark"``, ``"exponential model from the median"`` or
        ``"given"``.
    hazard_ratio, hazard_ratio_low, hazard_ratio_high : float
        The hazard ratio (intervention over control) and its limits.
    intervention_risk, intervention_low, intervention_high : float
        Probability of ``outcome`` with the intervention (0-1), at the
        estimate and at the limits of the hazard ratio.
    per : int
        Patients per which the counts are given (1000).
    """

    outcome: Literal["event", "event_free"]
    time: float | None
    control_risk: float
    control_source: str
    hazard_ratio: float
    hazard_ratio_low: float
    hazard_ratio_high: float
    intervention_risk: float
    intervention_low: float
    intervention_high: float
    per: int = 1000

    @property
    def control_per(self) -> float:
        """Control patients per ``per`` with the outcome."""
        return self.per * self.control_risk

    @property
    def intervention_per(self) -> tuple[float, float, float]:
        """Intervention patients per ``per`` with the outcome: estimate, low, high."""
        return self.per * self.intervention_risk, self.per * self.intervention_low, self.per * self.intervention_high

    @property
    def difference_per(self) -> tuple[float, float, float]:
        """``intervention - control`` per ``per``: estimate, low, high (low <= high)."""
        values = [self.per * (v - self.control_risk)
                  for v in (self.intervention_risk, self.intervention_low, self.intervention_high)]
        return values[0], min(values[1:]), max(values[1:])


def control_risk_from_median(median: float, time: float) -> float:
    """Probability of the event by ``time`` under an exponential model with the given median.

    Parameters
    ----------
    median : float
        Control median time to event, > 0.
    time : float
        Time point, >= 0, same unit.

    Returns
    -------
    float
        ``1 - 2 ** (-time / median)``; 0.5 at the median.

    Notes
    -----
    The constant hazard ``log 2 / median`` is the exponential model's; a
    printed Kaplan-Meier landmark, where available, is preferable.
    """
    _check_positive("median", median)
    if isinstance(time, bool) or not isinstance(time, numbers.Real) or not math.isfinite(time) or time < 0:
        raise ValueError(f"time={time!r} is not usable: expected a finite number >= 0")
    return 1.0 - 2.0 ** (-time / median)


def absolute_effect_time_to_event(
    control_risk: float,
    hazard_ratio: float,
    hazard_ratio_low: float,
    hazard_ratio_high: float,
    *,
    outcome: Literal["event", "event_free"] = "event",
    time: float | None = None,
    control_source: str = "given",
    per: int = 1000,
) -> AbsoluteEffect:
    """Anticipated absolute effect per ``per`` patients from a control risk and a hazard ratio (GRADE guidance 27).

    Parameters
    ----------
    control_risk : float
        Control group's probability of ``outcome`` by the time point, in
        (0, 1).
    hazard_ratio, hazard_ratio_low, hazard_ratio_high : float
        Hazard ratio of the event (intervention over control) and its
        confidence limits, ``0 < low <= hr <= high``.
    outcome : {"event", "event_free"}, optional
        ``"event"`` (default): ``control_risk`` is the probability of the
        event, and ``p_I = 1 - (1 - p_C) ** HR``. ``"event_free"``: it is the
        probability of being event-free, and ``S_I = S_C ** HR``.
    time : float, optional
        The time point, recorded in the result.
    control_source : str, optional
        Where ``control_risk`` comes from, recorded in the result.
    per : int, optional
        Denominator of the counts (default 1000, GRADE's).

    Returns
    -------
    AbsoluteEffect

    Raises
    ------
    ValueError
        For a risk outside (0, 1), non-positive or unordered hazard ratios,
        or a non-positive ``per``.

    Notes
    -----
    Proportional hazards up to the time point are assumed, and the hazard
    ratio is that of the event (progression or death), also when the outcome
    is reported as event-free. The interval is the image of the hazard ratio
    interval with the control risk fixed.

    References
    ----------
    Skoetz N, Goldkuhle M, van Dalen EC, Akl EA, Trivella M, Mustafa RA,
    Nowak A, Dahm P, Schünemann H, Bender R; GRADE Working Group. GRADE
    guidelines 27: how to calculate absolute effects for time-to-event
    outcomes in summary of findings tables and Evidence Profiles. J Clin
    Epidemiol 2020;118:124-31. doi:10.1016/j.jclinepi.2019.10.015

    Schünemann HJ, Higgins JPT, Vist GE, et al. Chapter 14: Completing
    'Summary of findings' tables and grading the certainty of the evidence.
    In: Cochrane Handbook for Systematic Reviews of Interventions, version
    6.2. Cochrane; 2021.
    """
    if (isinstance(control_risk, bool) or not isinstance(control_risk, numbers.Real)
            or not 0.0 < control_risk < 1.0):
        raise ValueError(f"control_risk={control_risk!r} is not usable: expected a probability in (0, 1)")
    for name, value in (("hazard_ratio", hazard_ratio), ("hazard_ratio_low", hazard_ratio_low),
                        ("hazard_ratio_high", hazard_ratio_high)):
        _check_positive(name, value)
    if not hazard_ratio_low <= hazard_ratio <= hazard_ratio_high:
        raise ValueError(f"hazard ratio limits ({hazard_ratio_low!r}, {hazard_ratio_high!r}) do not enclose "
                         f"{hazard_ratio!r}: expected low <= hazard_ratio <= high")
    if outcome not in ("event", "event_free"):
        raise ValueError(f"outcome={outcome!r} is not known: expected 'event' or 'event_free'")
    if isinstance(per, bool) or not isinstance(per, numbers.Integral) or per < 1:
        raise ValueError(f"per={per!r} is not usable: expected a positive integer such as 1000")
    survival = 1.0 - control_risk if outcome == "event" else control_risk

    def intervention(hr: float) -> float:
        event_free = survival**hr
        return 1.0 - event_free if outcome == "event" else event_free

    limits = sorted((intervention(hazard_ratio_low), intervention(hazard_ratio_high)))
    return AbsoluteEffect(outcome=outcome, time=None if time is None else float(time),
                          control_risk=float(control_risk), control_source=control_source,
                          hazard_ratio=float(hazard_ratio), hazard_ratio_low=float(hazard_ratio_low),
                          hazard_ratio_high=float(hazard_ratio_high), intervention_risk=intervention(hazard_ratio),
                          intervention_low=limits[0], intervention_high=limits[1], per=int(per))


def absolute_effect_from_median(
    median_control: float,
    time: float,
    hazard_ratio: float,
    hazard_ratio_low: float,
    hazard_ratio_high: float,
    *,
    per: int = 1000,
) -> AbsoluteEffect:
    """Absolute effect on the event by ``time``, with the control risk from the control median (exponential model).

    Parameters
    ----------
    median_control : float
        Control median time to event, > 0.
    time : float
        Time point (same unit), > 0.
    hazard_ratio, hazard_ratio_low, hazard_ratio_high : float
        Printed hazard ratio and its limits.
    per : int, optional

    Returns
    -------
    AbsoluteEffect
        ``outcome="event"``, ``control_source="exponential model from the median"``.

    Notes
    -----
    :func:`control_risk_from_median` then :func:`absolute_effect_time_to_event`.
    For BOLERO-2, local assessment (NEJM 2011, Table 3: control median 2.8
    months, HR 0.43, 0.35-0.54), at 6 months the control risk is
    ``1 - 2 ** (-6 / 2.8) = 0.774``.

    References
    ----------
    Skoetz N, et al. GRADE guidelines 27. J Clin Epidemiol 2020;118:124-31.
    doi:10.1016/j.jclinepi.2019.10.015
    """
    if isinstance(time, bool) or not isinstance(time, numbers.Real) or not math.isfinite(time) or time <= 0:
        raise ValueError(f"time={time!r} is not usable: expected a time point > 0")
    risk = control_risk_from_median(median_control, time)
    return absolute_effect_time_to_event(risk, hazard_ratio, hazard_ratio_low, hazard_ratio_high, outcome="event",
                                         time=time, control_source="exponential model from the median", per=per)


def _check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} is not usable: expected a finite number > 0")
