"""Typed inputs of an ESMO-MCBS evaluation, and the errors raised for bad input.

Every figure carries where it was read (:class:`Figure`), and every finding
that needs a judgement the data cannot make carries that judgement as data
(:class:`Judgement`: the question, the answer taken, the reason and who
took it), so that a scorecard can show both outcomes and which was taken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Endpoint",
    "Figure",
    "HazardRatio",
    "Judgement",
    "McbsInputError",
    "McbsInputs",
    "Medians",
    "MissingInputError",
    "NotSignificantError",
    "OsFinding",
    "OutOfRangeError",
    "QolFinding",
    "ToxicityFinding",
    "UnknownFormError",
]

Endpoint = Literal["PFS", "OS"]


class McbsInputError(ValueError):
    """An ESMO-MCBS evaluation cannot be made from the inputs given; no grade is returned."""


class MissingInputError(McbsInputError):
    """A figure a criterion reads is missing (e.g. the hazard ratio's 95% CI)."""


class OutOfRangeError(McbsInputError):
    """A figure lies outside every range the encoded forms cover (e.g. a control median)."""


class UnknownFormError(McbsInputError):
    """The form asked for is not encoded."""


class NotSignificantError(McbsInputError):
    """The hazard ratio's 95% CI includes 1: the forms grade statistically significant benefit only."""


@dataclass(frozen=True)
class Figure:
    """One printed figure used by the scorecard, with where it was read.

    Attributes
    ----------
    name : str
        What it is, in words (``"median PFS, placebo arm"``).
    printed : str
        The figure as printed (``"2.8"``, ``"HR 0.74; P=0.0084"``).
    source : str
        Where, as a reader cites it (``"NEJM 2011, Table 3, local assessment"``).
    """

    name: str
    printed: str
    source: str


@dataclass(frozen=True)
class Judgement:
    """A yes/no answer the data cannot give by themselves, recorded with its reason.

    Attributes
    ----------
    question : str
        The question the form asks, in the form's terms.
    answer : bool
        The answer taken.
    reason : str
        Why, citing the figures it rests on.
    by : str
        Who or what took it (a person, a panel, "this report").
    """

    question: str
    answer: bool
    reason: str
    by: str = "this report"


def _finite_or_none(name: str, value: float | None) -> None:
    if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
        raise McbsInputError(f"{name}: got {value!r}; expected a finite number or None")


@dataclass(frozen=True)
class HazardRatio:
    """A hazard ratio (experimental vs control) with its confidence interval.

    ``None`` marks a figure that is not printed; the engine raises
    :class:`MissingInputError` naming it when a criterion needs it.
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    source: str
    level: float = 0.95

    def __post_init__(self) -> None:
        for name in ("estimate", "ci_low", "ci_high"):
            _finite_or_none(f"hazard ratio {name} ({self.source})", getattr(self, name))
        if self.level != 0.95:
            raise McbsInputError(f"hazard ratio CI level ({self.source}): got {self.level!r}; expected 0.95, the level the forms read")
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise McbsInputError(f"hazard ratio CI ({self.source}): got {self.ci_low} to {self.ci_high}; "
                                 "expected lower limit <= upper limit")


@dataclass(frozen=True)
class Medians:
    """Median time to event in each arm, in months (``None`` for not printed or not reached)."""

    experimental: float | None
    control: float | None
    source: str

    def __post_init__(self) -> None:
        _finite_or_none(f"median, experimental arm ({self.source})", self.experimental)
        _finite_or_none(f"median, control arm ({self.source})", self.control)


@dataclass(frozen=True)
class QolFinding:
    """What the trial shows on quality of life.

    Attributes
    ----------
    assessed : bool
        Whether QoL was assessed and reported.
    improved : Judgement
        "Does the QoL evidence show a statistically significant improvement
        or delay in deterioration?" The answer depends on which analysis is
        taken (threshold, instrument, scale), hence a judgement with its reason.
    figures : tuple of Figure
        The figures it rests on.
    """

    assessed: bool
    improved: Judgement
    figures: tuple[Figure, ...] = ()

    @property
    def no_difference(self) -> bool:
        """Assessed, and not improved: the condition of the form 2b QoL downgrade."""
        return self.assessed and not self.improved.answer


@dataclass(frozen=True)
class ToxicityFinding:
    """What the trial shows on toxicity, as the two judgements the forms ask for.

    Attributes
    ----------
    incremental : Judgement
        "Is the treatment associated with one or more statistically
        significantly increased incremental toxicities (impacting daily
        well-being)?" (form 2b downgrade).
    less : Judgement
        "Does the treatment cause statistically significantly fewer grade 3–4
        toxicities impacting daily well-being?" (forms 2a and 2b upgrade).
    figures : tuple of Figure
    """

    incremental: Judgement
    less: Judgement
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class OsFinding:
    """What the trial shows on overall survival when OS is not the evaluated end point.

    Attributes
    ----------
    mature : bool
        Whether the OS analysis is mature (final).
    significant_improvement : bool
        Whether OS is statistically significantly improved.
    hazard_ratio, medians : optional
        The OS figures, needed only to rescore on form 2a when OS is improved.
    figures : tuple of Figure
    """

    mature: bool
    significant_improvement: bool
    hazard_ratio: HazardRatio | None = None
    medians: Medians | None = None
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class McbsInputs:
    """Everything one ESMO-MCBS evaluation reads.

    Attributes
    ----------
    endpoint : {"PFS", "OS"}
        The evaluated end point that ``hazard_ratio`` and ``medians`` describe.
    hazard_ratio : HazardRatio
    medians : Medians
    qol, toxicity, os : optional findings
        ``None`` means "no finding given": the adjustment that reads it is
        not applied, and the scorecard says so.
    label : str
        What is scored (trial, data cut, assessment), for display.
    """

    endpoint: Endpoint
    hazard_ratio: HazardRatio
    medians: Medians
    qol: QolFinding | None = None
    toxicity: ToxicityFinding | None = None
    os: OsFinding | None = None
    label: str = ""
    figures: tuple[Figure, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.endpoint not in ("PFS", "OS"):
            raise McbsInputError(f"endpoint of {self.label or 'the inputs'}: got {self.endpoint!r}; expected 'PFS' or 'OS'")
