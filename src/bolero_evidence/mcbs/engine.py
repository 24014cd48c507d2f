"""Evaluate an ESMO-MCBS form on typed inputs, criterion by criterion.

:func:`score` reads the rule table (:mod:`.rules`), finds the sheet of the
form that covers the control-arm median, checks every criterion of that sheet
against the figures (keeping the figures, thresholds and outcome of each), takes
the highest grade with a rule met as the preliminary grade, then applies the
form's adjustments in order. Each adjustment records its rule text, the
figures and judgements it read, the grade if it applies and if it does not,
and which was taken. Bad input raises a :class:`~.inputs.McbsInputError`
naming what is missing or out of range; no grade is ever returned for it.

Comparisons are made on the printed decimals (``Decimal(repr(x))``), not on
binary floats: a gain of 4.6 - 3.1 months is 1.5 exactly as printed but
1.4999999999999996 in floating point, which would fail a ">= 1.5" criterion
the form means to pass.

References
----------
.. [1] Cherny NI, Dafni U, Bogaerts J, et al. ESMO-Magnitude of Clinical Benefit
   Scale version 1.1. Ann Oncol 2017;28:2340-66. doi:10.1093/annonc/mdx310
.. [2] Dafni U et al. Detailed statistical assessment of the characteristics of
   the ESMO-MCBS threshold rules. ESMO Open 2017;2:e000216.
   doi:10.1136/esmoopen-2017-000216
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .inputs import (
    Figure,
    Judgement,
    McbsInputError,
    McbsInputs,
    MissingInputError,
    NotSignificantError,
    OutOfRangeError,
)
from .rules import SOURCES, Condition, Rule, form_rules

__all__ = ["AdjustmentStep", "ConditionCheck", "PreliminaryGrade", "RuleCheck", "Scorecard", "score"]

FORM_ENDPOINT = {"2a": "OS", "2b": "PFS"}


@dataclass(frozen=True)
class ConditionCheck:
    """One condition checked: the value read, the threshold, and whether it is met (None: not evaluable)."""

    variable: str
    comparison: str
    threshold: Decimal | None
    value: Decimal | bool | None
    met: bool | None

    def __str__(self) -> str:
        symbol = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">", "is_true": "is", "is_false": "is"}[self.comparison]
        target = {"is_true": "yes", "is_false": "no"}.get(self.comparison, str(self.threshold))
        shown = {True: "yes", False: "no", None: "not given"}.get(self.value, str(self.value)) if not isinstance(self.value, Decimal) \
            else str(self.value)
        return f"{self.variable} = {shown} {symbol} {target}: {'met' if self.met else 'not met' if self.met is False else 'not evaluable'}"


@dataclass(frozen=True)
class RuleCheck:
    """One rule (conditions joined by AND) checked against the inputs."""

    rule_id: str
    grade: int | None
    wording: str
    conditions: tuple[ConditionCheck, ...]
    met: bool
    source: str
    locator: str
    confirmed_from: str


@dataclass(frozen=True)
class PreliminaryGrade:
    """The preliminary grade and every criterion of the sheet that was checked.

    Attributes
    ----------
    form, sheet : str
        The form and the sheet (control-arm median range) applied.
    hr_ci_low, median_gain, control_median : Decimal
        The figures the criteria read.
    grade : int
        Highest grade with a rule met.
    rule : RuleCheck
        The rule that gave the grade.
    checks : tuple of RuleCheck
        Every rule of the sheet, met or not, highest grade first.
    confirmed : bool
        Whether the rule that gave the grade was read in an ESMO publication.
    """

    form: str
    sheet: str
    hr_ci_low: Decimal
    median_gain: Decimal
    control_median: Decimal
    grade: int
    rule: RuleCheck
    checks: tuple[RuleCheck, ...]
    confirmed: bool


@dataclass(frozen=True)
class AdjustmentStep:
    """One adjustment of the form, applied or not, with both outcomes.

    Attributes
    ----------
    rule_id, wording, source, locator, confirmed_from : str
        The rule and where it was read.
    effect : str
        ``+1``, ``-1`` or ``rescore:2a``.
    conditions : tuple of ConditionCheck
        The findings read and whether each condition holds.
    basis : str
        What decided it: ``data``, ``judgement`` (the judgements are listed),
        or ``no finding given``.
    judgements : tuple of Judgement
        The judgements the conditions rest on (question, answer, reason).
    figures : tuple of Figure
        The figures the findings cite.
    applies : bool
    grade_before, grade_if_applied, grade_if_not_applied, grade_after : int
    rescored : Scorecard or None
        For ``rescore:2a``: the form 2a scorecard on the OS figures.
    """

    rule_id: str
    wording: str
    source: str
    locator: str
    confirmed_from: str
    effect: str
    conditions: tuple[ConditionCheck, ...]
    basis: str
    judgements: tuple[Judgement, ...]
    figures: tuple[Figure, ...]
    applies: bool
    grade_before: int
    grade_if_applied: int | None
    grade_if_not_applied: int
    grade_after: int
    rescored: Scorecard | None = None


@dataclass(frozen=True)
class Scorecard:
    """An ESMO-MCBS scorecard: preliminary grade, each adjustment, final grade.

    Attributes
    ----------
    form : str
    label : str
        What was scored.
    inputs : McbsInputs
    preliminary : PreliminaryGrade
    adjustments : tuple of AdjustmentStep
    final_grade : int
    lowest, highest : int
        The form's grade range after adjustment.
    uses_unconfirmed_rules : bool
        Whether any rule that changed or decided the grade was not read in an
        ESMO publication (see each rule's ``confirmed_from``).
    """

    form: str
    label: str
    inputs: McbsInputs
    preliminary: PreliminaryGrade
    adjustments: tuple[AdjustmentStep, ...]
    final_grade: int
    lowest: int
    highest: int

    @property
    def uses_unconfirmed_rules(self) -> bool:
        deciding = [self.preliminary.rule.confirmed_from] + [s.confirmed_from for s in self.adjustments if s.applies]
        return any(c != "confirmed" for c in deciding)

    def steps(self) -> pd.DataFrame:
        """One row per step (each criterion of the sheet, then each adjustment), as text for display."""
        rows = []
        for check in self.preliminary.checks:
            rows.append({
                "step": f"preliminary, grade {check.grade}", "rule": check.wording,
                "figures": "; ".join(str(c) for c in check.conditions),
                "outcome": "met" if check.met else "not met",
                "grade": str(self.preliminary.grade) if check.rule_id == self.preliminary.rule.rule_id else "",
                "source": f"{SOURCES[check.source]}, {check.locator}", "confirmed_from": check.confirmed_from})
        for step in self.adjustments:
            judged = "; ".join(f"{j.question} {'Yes' if j.answer else 'No'} ({j.reason})" for j in step.judgements)
            rows.append({
                "step": f"adjustment {step.effect}", "rule": step.wording,
                "figures": "; ".join([str(c) for c in step.conditions] + [f"{f.name}: {f.printed} ({f.source})" for f in step.figures]),
                "outcome": (f"{'applied' if step.applies else 'not applied'} ({step.basis}"
                            + (f": {judged}" if judged else "") + ")"
                            + (f"; grade if applied {step.grade_if_applied}, if not {step.grade_if_not_applied}"
                               if step.grade_if_applied is not None else "")),
                "grade": str(step.grade_after),
                "source": f"{SOURCES[step.source]}, {step.locator}", "confirmed_from": step.confirmed_from})
        rows.append({"step": "final", "rule": "", "figures": "", "outcome": "", "grade": str(self.final_grade), "source": "",
                     "confirmed_from": "uses unconfirmed rules" if self.uses_unconfirmed_rules else "confirmed"})
        return pd.DataFrame(rows)


def _dec(value: float) -> Decimal:
    # repr gives the shortest decimal that round-trips: the printed figure (see module docstring).
    return Decimal(repr(float(value)))


def _check(condition: Condition, value: Decimal | bool | None) -> ConditionCheck:
    if value is None:
        met = None
    elif condition.comparison == "is_true":
        met = value is True
    elif condition.comparison == "is_false":
        met = value is False
    else:
        t = condition.threshold
        met = {"le": value <= t, "lt": value < t, "ge": value >= t, "gt": value > t}[condition.comparison]
    return ConditionCheck(condition.variable, condition.comparison, condition.threshold, value, met)


def _rule_check(rule: Rule, values: dict) -> RuleCheck:
    conditions = tuple(_check(c, values.get(c.variable)) for c in rule.conditions)
    return RuleCheck(rule.rule_id, rule.grade, rule.wording, conditions, all(c.met for c in conditions),
                     rule.source, rule.locator, rule.confirmed_from)


def _require(value: float | None, what: str, source: str, label: str) -> Decimal:
    if value is None:
        raise MissingInputError(f"{label}: {what} is missing (source: {source}); the form's criteria read it, so no grade is given")
    return _dec(value)


def _preliminary(inputs: McbsInputs, form: str) -> PreliminaryGrade:
    rules = form_rules(form)
    label = inputs.label or "inputs"
    if inputs.endpoint != FORM_ENDPOINT[form]:
        raise McbsInputError(f"{label}: endpoint {inputs.endpoint!r} cannot be scored on form {form}, "
                             f"whose evaluated end point is {FORM_ENDPOINT[form]}")
    hr, medians = inputs.hazard_ratio, inputs.medians
    ci_low = _require(hr.ci_low, f"the lower limit of the {inputs.endpoint} hazard ratio's 95% CI", hr.source, label)
    ci_high = _require(hr.ci_high, f"the upper limit of the {inputs.endpoint} hazard ratio's 95% CI", hr.source, label)
    control = _require(medians.control, f"the control-arm median {inputs.endpoint}", medians.source, label)
    experimental = _require(medians.experimental, f"the experimental-arm median {inputs.endpoint}", medians.source, label)
    if ci_high >= 1:
        raise NotSignificantError(f"{label}: the {inputs.endpoint} hazard ratio's 95% CI ({ci_low} to {ci_high}; {hr.source}) "
                                  "includes 1; the forms grade a statistically significant benefit only")
    sheet_rules = [r for r in rules.preliminary if r.covers(control)]
    if not sheet_rules:
        sheets = sorted({r.sheet for r in rules.preliminary})
        raise OutOfRangeError(f"{label}: control-arm median {inputs.endpoint} {control} months ({medians.source}) is outside every "
                              f"sheet of form {form} encoded: {'; '.join(sheets)}")
    gain = experimental - control
    values = {"hr_ci_low": ci_low, "median_gain": gain}
    checks = sorted((_rule_check(r, values) for r in sheet_rules), key=lambda c: -c.grade)
    met = [c for c in checks if c.met]
    if not met:
        raise McbsInputError(f"{label}: no rule of form {form}, sheet {sheet_rules[0].sheet!r}, is met by HR CI lower limit {ci_low} "
                             f"and gain {gain} months; the rule table does not cover these figures")
    best = met[0]
    return PreliminaryGrade(form, sheet_rules[0].sheet, ci_low, gain, control, best.grade, best, tuple(checks),
                            best.confirmed_from == "confirmed")


def _finding_values(inputs: McbsInputs) -> tuple[dict, dict, dict]:
    """Value, judgements and figures behind each adjustment variable (None where no finding is given)."""
    values: dict[str, bool | None] = {}
    judgements: dict[str, tuple[Judgement, ...]] = {}
    figures: dict[str, tuple[Figure, ...]] = {}
    qol, tox, os = inputs.qol, inputs.toxicity, inputs.os
    values["qol_improved"] = qol.improved.answer if qol else None
    values["qol_no_difference"] = qol.no_difference if qol else None
    for name in ("qol_improved", "qol_no_difference"):
        judgements[name] = (qol.improved,) if qol and qol.assessed else ()
        figures[name] = qol.figures if qol else ()
    values["toxicity_incremental"] = tox.incremental.answer if tox else None
    values["toxicity_less"] = tox.less.answer if tox else None
    judgements["toxicity_incremental"] = (tox.incremental,) if tox else ()
    judgements["toxicity_less"] = (tox.less,) if tox else ()
    figures["toxicity_incremental"] = figures["toxicity_less"] = tox.figures if tox else ()
    values["os_improved"] = os.significant_improvement if os else None
    judgements["os_improved"] = ()
    figures["os_improved"] = os.figures if os else ()
    return values, judgements, figures


def _clip(grade: int, lowest: int, highest: int) -> int:
    return max(lowest, min(highest, grade))


def score(inputs: McbsInputs, form: str = "2b") -> Scorecard:
    """Score one comparison on an ESMO-MCBS v1.1 form, criterion by criterion.

    Parameters
    ----------
    inputs : McbsInputs
        Hazard ratio with its 95% CI, medians per arm, and the QoL, toxicity
        and OS findings (each optional; a missing finding leaves its
        adjustment unapplied, and the scorecard says so).
    form : {"2b", "2a"}
        Form 2b (non-curative, PFS evaluated) or 2a (non-curative, OS evaluated).

    Returns
    -------
    Scorecard
        Preliminary grade with every criterion checked, each adjustment with
        both outcomes, and the final grade.

    Raises
    ------
    UnknownFormError
        ``form`` is not encoded.
    MissingInputError
        A figure the criteria read is missing (the HR interval, a median), or
        OS is improved but its figures are not given for the form 2a rescoring.
    NotSignificantError
        The hazard ratio's 95% CI includes 1.
    OutOfRangeError
        The control-arm median is outside every encoded sheet of the form.
    McbsInputError
        The end point does not match the form, or no rule is met.

    Notes
    -----
    Adjustments apply in the order of the rule table, each moving the grade
    by its effect within the form's range; that the effects add up this way is
    this module's reading, not confirmed from the form. Each rule's
    ``confirmed_from`` says how far its source confirms it, and
    :attr:`Scorecard.uses_unconfirmed_rules` flags a grade resting on one.

    References
    ----------
    .. [1] Cherny NI, Dafni U, Bogaerts J, et al. ESMO-Magnitude of Clinical
       Benefit Scale version 1.1. Ann Oncol 2017;28:2340-66. doi:10.1093/annonc/mdx310
    """
    rules = form_rules(form)
    preliminary = _preliminary(inputs, form)
    lowest, highest = rules.bound.lowest, rules.bound.highest
    values, judgements, figures = _finding_values(inputs)
    grade = preliminary.grade
    steps = []
    for rule in rules.adjustments:
        conditions = tuple(_check(c, values[c.variable]) for c in rule.conditions)
        used_judgements = tuple(dict.fromkeys(j for c in rule.conditions for j in judgements[c.variable]))
        used_figures = tuple(dict.fromkeys(f for c in rule.conditions for f in figures[c.variable]))
        if any(c.met is None for c in conditions):
            basis, applies = "no finding given", False
        else:
            basis, applies = ("judgement" if used_judgements else "data"), all(c.met for c in conditions)
        rescored = None
        if rule.effect == "rescore:2a":
            grade_if_applied = None
            if applies:
                rescored = score(_os_inputs(inputs), form="2a")
                grade_if_applied = rescored.final_grade
        else:
            grade_if_applied = _clip(grade + int(rule.effect), lowest, highest)
        after = grade_if_applied if applies else grade
        steps.append(AdjustmentStep(rule.rule_id, rule.wording, rule.source, rule.locator, rule.confirmed_from, rule.effect,
                                    conditions, basis, used_judgements, used_figures, applies, grade, grade_if_applied, grade,
                                    after, rescored))
        if rescored is not None:
            # OS prevails: the form 2a scorecard (with its own adjustments) replaces this one's grade; stop here.
            grade = after
            break
        grade = after
    return Scorecard(form, inputs.label, inputs, preliminary, tuple(steps), grade, lowest, highest)


def _os_inputs(inputs: McbsInputs) -> McbsInputs:
    os = inputs.os
    label = f"{inputs.label} (OS, form 2a)" if inputs.label else "OS, form 2a"
    if os.hazard_ratio is None or os.medians is None:
        raise MissingInputError(f"{label}: OS is significantly improved, so form 2b says to score OS on form 2a, "
                                "but the OS hazard ratio and medians are not given")
    return McbsInputs("OS", os.hazard_ratio, os.medians, qol=inputs.qol, toxicity=inputs.toxicity, os=None, label=label)
