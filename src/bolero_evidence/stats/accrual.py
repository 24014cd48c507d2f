"""Expected events over calendar time: uniform accrual, exponential event and loss times.

Model (Lachin & Foulkes 1986): ``n_patients`` enter uniformly over
``[0, accrual_duration]`` months and are randomised r:1 to the experimental
and control arms. Time to the event (e.g. progression) is exponential with
hazard ``lambda_c = log 2 / control_median`` in the control arm and
``lambda_e = hazard_ratio * lambda_c`` in the experimental arm. Loss to
follow-up is an independent exponential time with hazard ``eta``, the same in
both arms (non-informative censoring); how a quoted loss percentage becomes
``eta`` is an explicit choice, see :class:`LossToFollowUp`.

A patient who entered at time ``u`` has, by calendar time ``T``, had an
observed event with probability
``lambda / (lambda + eta) * (1 - exp(-(lambda + eta) (T - u)))``; averaging over
uniform entry gives the closed forms in :func:`expected_events`.

References
----------
Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses
of survival with allowance for nonuniform patient entry, losses to follow-up,
noncompliance, and stratification. Biometrics 42:507-519.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

from scipy import optimize

__all__ = ["LossToFollowUp", "NO_LOSS", "ExpectedEvents", "expected_events", "EventTime", "time_for_events"]


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{name} must be a real number; got {value!r}")
    return float(value)


def _positive(name: str, value: object) -> float:
    number = _real(name, value)
    if not 0.0 < number < math.inf:
        raise ValueError(f"{name} must be a finite number greater than 0; got {value!r}")
    return number


@dataclass(frozen=True)
class LossToFollowUp:
    """A quoted loss-to-follow-up rate and how it is read.

    A trial protocol saying "a 10% rate of loss to follow-up" does not say
    10% of what. Two readings are offered, both giving an exponential loss
    hazard ``eta`` common to the two arms:

    ``"cumulative_by_time"``
        ``probability`` is the chance of being lost within ``months`` months
        in the absence of the event ("10% per year" with ``months = 12``):
        ``eta = -log(1 - probability) / months``.
    ``"before_event"``
        ``probability`` is the share of all randomised patients who would be
        lost before having the event if followed indefinitely:
        ``eta`` solves ``sum_arm w_arm * eta / (lambda_arm + eta) = probability``
        with ``w_arm`` the allocation shares. Under finite follow-up the share
        actually lost by an analysis is smaller.

    Use :meth:`per_year`, :meth:`by_months`, :meth:`before_event` or
    :data:`NO_LOSS` rather than the constructor.

    Attributes
    ----------
    probability : float
        In [0, 1).
    interpretation : {"cumulative_by_time", "before_event"}
    months : float
        Horizon of ``"cumulative_by_time"``; ignored by ``"before_event"``.
    """

    probability: float
    interpretation: Literal["cumulative_by_time", "before_event"]
    months: float = 12.0

    def __post_init__(self) -> None:
        probability = _real("loss_to_follow_up.probability", self.probability)
        if not 0.0 <= probability < 1.0:
            raise ValueError(
                f"loss_to_follow_up.probability must be in [0, 1); got {self.probability!r}"
            )
        if self.interpretation not in ("cumulative_by_time", "before_event"):
            raise ValueError(
                "loss_to_follow_up.interpretation must be 'cumulative_by_time' or 'before_event'; "
                f"got {self.interpretation!r}"
            )
        _positive("loss_to_follow_up.months", self.months)

    @classmethod
    def per_year(cls, probability: float) -> LossToFollowUp:
        """``probability`` lost within 12 months, absent the event."""
        return cls(probability, "cumulative_by_time", 12.0)

    @classmethod
    def by_months(cls, probability: float, months: float) -> LossToFollowUp:
        """``probability`` lost within ``months`` months, absent the event."""
        return cls(probability, "cumulative_by_time", months)

    @classmethod
    def before_event(cls, probability: float) -> LossToFollowUp:
        """``probability`` of all patients lost before their event (unlimited follow-up)."""
        return cls(probability, "before_event")

    def hazard(self, control_hazard: float, experimental_hazard: float, experimental_share: float) -> float:
        """Exponential loss hazard (per month) implied by this reading."""
        if self.probability == 0.0:
            return 0.0
        if self.interpretation == "cumulative_by_time":
            return -math.log1p(-self.probability) / self.months

        def lost_share(eta: float) -> float:
            return (
                experimental_share * eta / (experimental_hazard + eta)
                + (1.0 - experimental_share) * eta / (control_hazard + eta)
            ) - self.probability

        # lost_share rises from -probability at eta = 0 towards 1 - probability.
        high = max(control_hazard, experimental_hazard)
        while lost_share(high) < 0.0:
            high *= 2.0
        return float(optimize.brentq(lost_share, 0.0, high, xtol=1e-15, rtol=1e-14))


NO_LOSS = LossToFollowUp(0.0, "cumulative_by_time")
"""No loss to follow-up."""


@dataclass(frozen=True)
class ExpectedEvents:
    """Expected counts by a calendar time (months since the first patient entered).

    Attributes
    ----------
    calendar_time : float
    enrolled : float
        Patients randomised by ``calendar_time``.
    events : float
        Expected observed events, both arms.
    events_control, events_experimental : float
    lost_to_follow_up : float
        Expected patients lost before their event, both arms.
    loss_hazard : float
        Exponential loss hazard used (per month).
    """

    calendar_time: float
    enrolled: float
    events: float
    events_control: float
    events_experimental: float
    lost_to_follow_up: float
    loss_hazard: float


@dataclass(frozen=True)
class _Design:
    n_patients: float
    accrual_duration: float
    control_hazard: float
    experimental_hazard: float
    experimental_share: float
    loss_hazard: float


def _design(
    n_patients: object,
    accrual_duration: object,
    control_median: object,
    hazard_ratio: object,
    allocation_ratio: object,
    loss_to_follow_up: object,
) -> _Design:
    if not isinstance(loss_to_follow_up, LossToFollowUp):
        raise ValueError(
            "loss_to_follow_up must be a LossToFollowUp (e.g. LossToFollowUp.per_year(0.1), "
            f"LossToFollowUp.before_event(0.1) or NO_LOSS); got {loss_to_follow_up!r}"
        )
    control_hazard = math.log(2.0) / _positive("control_median", control_median)
    experimental_hazard = _positive("hazard_ratio", hazard_ratio) * control_hazard
    ratio = _positive("allocation_ratio", allocation_ratio)
    share = ratio / (1.0 + ratio)
    return _Design(
        n_patients=_positive("n_patients", n_patients),
        accrual_duration=_positive("accrual_duration", accrual_duration),
        control_hazard=control_hazard,
        experimental_hazard=experimental_hazard,
        experimental_share=share,
        loss_hazard=loss_to_follow_up.hazard(control_hazard, experimental_hazard, share),
    )


def _exposure_integral(total_hazard: float, calendar_time: float, accrual_duration: float) -> float:
    """(1/A) * integral over entry u in [0, min(T, A)] of 1 - exp(-h (T - u))."""
    entered = min(calendar_time, accrual_duration)
    # exp(-h(T - m)) - exp(-hT) written with expm1 to stay exact for small h*m.
    tail = math.exp(-total_hazard * (calendar_time - entered)) * -math.expm1(-total_hazard * entered)
    return (entered - tail / total_hazard) / accrual_duration


def _expected(design: _Design, calendar_time: float) -> ExpectedEvents:
    counts = {}
    lost = 0.0
    for arm, hazard, share in (
        ("control", design.control_hazard, 1.0 - design.experimental_share),
        ("experimental", design.experimental_hazard, design.experimental_share),
    ):
        total_hazard = hazard + design.loss_hazard
        exposure = design.n_patients * share * _exposure_integral(total_hazard, calendar_time, design.accrual_duration)
        counts[arm] = exposure * hazard / total_hazard
        lost += exposure * design.loss_hazard / total_hazard
    return ExpectedEvents(
        calendar_time=calendar_time,
        enrolled=design.n_patients * min(calendar_time, design.accrual_duration) / design.accrual_duration,
        events=counts["control"] + counts["experimental"],
        events_control=counts["control"],
        events_experimental=counts["experimental"],
        lost_to_follow_up=lost,
        loss_hazard=design.loss_hazard,
    )


def expected_events(
    calendar_time: float,
    *,
    n_patients: float,
    accrual_duration: float,
    control_median: float,
    hazard_ratio: float,
    allocation_ratio: float = 1.0,
    loss_to_follow_up: LossToFollowUp = NO_LOSS,
) -> ExpectedEvents:
    """Expected number of events by ``calendar_time`` (closed form).

    Parameters
    ----------
    calendar_time : float
        Months since the first patient entered (>= 0).
    n_patients : float
        Patients to randomise (> 0).
    accrual_duration : float
        Months of uniform recruitment (> 0).
    control_median : float
        Median time to event in the control arm, months (> 0).
    hazard_ratio : float
        Experimental / control hazard (> 0).
    allocation_ratio : float, default 1
        ``r`` in r:1 experimental:control randomisation.
    loss_to_follow_up : LossToFollowUp, default NO_LOSS
        Quoted loss rate together with its interpretation.

    Returns
    -------
    ExpectedEvents

    Notes
    -----
    For an arm with ``n`` patients, event hazard ``lambda``, loss hazard
    ``eta``, ``h = lambda + eta``, accrual duration ``A`` and ``m = min(T, A)``:

    ``E[events](T) = n lambda / (h A) * [m - (exp(-h (T - m)) - exp(-h T)) / h]``

    (Lachin & Foulkes 1986, uniform entry, exponential event and loss times,
    losses independent of events). Expected losses are the same expression
    with ``eta`` in place of ``lambda`` in the leading factor.

    References
    ----------
    Lachin & Foulkes (1986), Biometrics 42:507-519.
    """
    time = _real("calendar_time", calendar_time)
    if not 0.0 <= time < math.inf:
        raise ValueError(f"calendar_time must be a finite number of months >= 0; got {calendar_time!r}")
    design = _design(n_patients, accrual_duration, control_median, hazard_ratio, allocation_ratio, loss_to_follow_up)
    return _expected(design, time)


@dataclass(frozen=True)
class EventTime:
    """Calendar time at which a target number of events is expected.

    Attributes
    ----------
    target_events : float
    calendar_time : float
        Months since the first patient entered.
    follow_up_after_accrual : float
        ``calendar_time - accrual_duration``: minimum follow-up of the last
        patient (negative if the target is reached during recruitment).
    expected : ExpectedEvents
        Expected counts at ``calendar_time``.
    max_events : float
        Events expected if every patient were followed until event or loss.
    """

    target_events: float
    calendar_time: float
    follow_up_after_accrual: float
    expected: ExpectedEvents
    max_events: float


def time_for_events(
    target_events: float,
    *,
    n_patients: float,
    accrual_duration: float,
    control_median: float,
    hazard_ratio: float,
    allocation_ratio: float = 1.0,
    loss_to_follow_up: LossToFollowUp = NO_LOSS,
) -> EventTime:
    """Calendar time at which ``target_events`` events are expected.

    Parameters
    ----------
    target_events : float
        Events to reach (> 0, below the number expected with unlimited follow-up).
    n_patients, accrual_duration, control_median, hazard_ratio, allocation_ratio, loss_to_follow_up
        As in :func:`expected_events`.

    Returns
    -------
    EventTime

    Notes
    -----
    Expected events rise continuously and strictly from 0 at ``T = 0`` to
    ``sum_arm n_arm lambda_arm / (lambda_arm + eta)`` as ``T -> inf``; the time
    is found by Brent's method on the closed form of :func:`expected_events`
    to 1e-10 months.

    References
    ----------
    Lachin & Foulkes (1986), Biometrics 42:507-519.
    """
    target = _positive("target_events", target_events)
    design = _design(n_patients, accrual_duration, control_median, hazard_ratio, allocation_ratio, loss_to_follow_up)
    ceiling = design.n_patients * (
        (1.0 - design.experimental_share) * design.control_hazard / (design.control_hazard + design.loss_hazard)
        + design.experimental_share * design.experimental_hazard / (design.experimental_hazard + design.loss_hazard)
    )
    if target >= ceiling:
        raise ValueError(
            f"target_events must be below {ceiling:.6g}, the events expected if all {design.n_patients:g} "
            f"patients were followed until event or loss; got {target_events!r}"
        )

    def shortfall(time: float) -> float:
        return _expected(design, time).events - target

    high = design.accrual_duration
    while shortfall(high) < 0.0:
        high *= 2.0
    time = float(optimize.brentq(shortfall, 0.0, high, xtol=1e-10, rtol=1e-14))
    return EventTime(
        target_events=target,
        calendar_time=time,
        follow_up_after_accrual=time - design.accrual_duration,
        expected=_expected(design, time),
        max_events=ceiling,
    )
