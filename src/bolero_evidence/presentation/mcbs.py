"""Display tables of notebook 09 (ESMO-MCBS v1.1 scorecard of BOLERO-2)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..mcbs import SOURCES, Bolero2Score, ConditionCheck, load_rules
from .text import MISSING, number

__all__ = ["adjustments_table", "analysis_label", "criteria_table", "esmo_analysis_table", "grades_table", "judgements_table",
           "rule_sources_table"]

VARIABLE_TEXT = {
    "hr_ci_low": "HR 95% CI lower limit", "median_gain": "gain in median PFS (months)", "qol_improved": "QoL improved",
    "qol_no_difference": "QoL assessed, no difference", "toxicity_incremental": "significantly increased toxicity impairing well-being",
    "toxicity_less": "significantly fewer grade 3-4 toxicities", "os_improved": "OS significantly improved",
}
SYMBOL = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">"}
EFFECT_TEXT = {"+1": "upgrade by 1", "-1": "downgrade by 1", "rescore:2a": "rescore on form 2a (OS)"}


def analysis_label(cut: str, assessment: str) -> str:
    """``Interim, local assessment``."""
    return f"{cut.capitalize()}, {assessment} assessment"


def _value(value) -> str:
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    # As many decimals as printed: a float's shortest repr is the printed figure (0.35, not 0.34999...).
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number(float(exact), max(0, -exact.normalize().as_tuple().exponent))


def _condition(check: ConditionCheck) -> str:
    outcome = {True: "met", False: "not met", None: "not evaluable"}[check.met]
    if check.comparison in ("is_true", "is_false"):
        wanted = "yes" if check.comparison == "is_true" else "no"
        return f"{VARIABLE_TEXT[check.variable]}: {_value(check.value)} (rule needs {wanted}): {outcome}"
    return f"{VARIABLE_TEXT[check.variable]} {_value(check.value)} {SYMBOL[check.comparison]} {_value(check.threshold)}: {outcome}"


def _standing(confirmed_from: str) -> str:
    if confirmed_from == "confirmed":
        return "read in an ESMO publication"
    return "secondary source" if confirmed_from.startswith("secondary") else "not read (recollection of the form)"


def _why_not(error: Exception) -> str:
    # The engine's message starts with the label of what was scored, which the table's Analysis column already gives.
    return str(error).split(": ", 1)[-1]


def _rule_source(source: str, locator: str) -> str:
    short = SOURCES[source].split(". doi")[0].split(", doi")[0]
    return f"{short}; {locator}"


def grades_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """One row per data cut and assessment: preliminary grade, adjustments applied, final grade, or why no grade."""
    rows = []
    for r in results:
        card = r.scorecard
        applied = "; ".join(s.wording for s in card.adjustments if s.applies) if card else ""
        rows.append({
            "Analysis": analysis_label(r.cut, r.assessment), "ESMO's method scores it": "yes" if r.esmo_analysis else "no",
            "Form, sheet": f"form {card.form}, {card.preliminary.sheet}" if card else MISSING,
            "Preliminary grade": str(card.preliminary.grade) if card else MISSING,
            "Adjustments applied": (applied or "none") if card else MISSING,
            "Final grade": str(card.final_grade) if card else f"not scored: {_why_not(r.error)}",
            "Grade rests on rules not read in ESMO's form": ("yes" if card.uses_unconfirmed_rules else "no") if card else MISSING,
        })
    return pd.DataFrame(rows)


def criteria_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """Every PFS criterion of the sheet applied, met or not, with the figures read and where each was printed."""
    rows = []
    for r in results:
        if r.scorecard is None:
            continue
        card = r.scorecard
        inputs = card.inputs
        read = (f"HR {_value(inputs.hazard_ratio.estimate)} ({_value(inputs.hazard_ratio.ci_low)} to "
                f"{_value(inputs.hazard_ratio.ci_high)}): {inputs.hazard_ratio.source}; medians {_value(inputs.medians.experimental)} vs "
                f"{_value(inputs.medians.control)} months: {inputs.medians.source}")
        for check in card.preliminary.checks:
            rows.append({
                "Analysis": analysis_label(r.cut, r.assessment), "Criterion (grade)": f"{check.wording} (grade {check.grade})",
                "Figures checked": "; ".join(_condition(c) for c in check.conditions), "Met": "yes" if check.met else "no",
                "Gives the grade": "yes" if check.rule_id == card.preliminary.rule.rule_id else "",
                "Figures read from": read, "Rule's standing": _standing(check.confirmed_from),
            })
    return pd.DataFrame(rows)


def adjustments_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """Each adjustment of form 2b in order: the rule text, the findings read, applied or not, the grade either way."""
    rows = []
    for r in results:
        if r.scorecard is None:
            continue
        for step in r.scorecard.adjustments:
            if_applied = MISSING if step.grade_if_applied is None else str(step.grade_if_applied)
            rows.append({
                "Analysis": analysis_label(r.cut, r.assessment), "Adjustment": EFFECT_TEXT[step.effect], "Rule text": step.wording,
                "Findings checked": "; ".join(_condition(c) for c in step.conditions),
                "Figures behind them": "; ".join(f"{f.name}: {f.printed} ({f.source})" for f in step.figures) or MISSING,
                "Decided by": {"judgement": "a recorded judgement", "data": "the data"}.get(step.basis, step.basis),
                "Applied": "yes" if step.applies else "no", "Grade before": str(step.grade_before),
                "Grade if applied": if_applied, "Grade if not": str(step.grade_if_not_applied), "Grade after": str(step.grade_after),
                "Rule's standing": _standing(step.confirmed_from),
            })
    return pd.DataFrame(rows)


def judgements_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The judgements taken, why, who could disagree, and the final grade under each answer."""
    return pd.DataFrame({
        "Judgement": outcomes["question"], "Answer taken": outcomes["answer"].map({True: "yes", False: "no"}),
        "Reason": outcomes["reason"], "Who could disagree": outcomes["who_could_disagree"], "What changes": outcomes["what_changes"],
        "Analysis": [analysis_label(c, a) for c, a in zip(outcomes["cut"], outcomes["assessment"])],
        "Final grade if yes": outcomes["grade_if_yes"].astype(str), "Final grade if no": outcomes["grade_if_no"].astype(str),
    })


ESMO_REASON = (
    "ESMO scores the trial's primary end point as published; BOLERO-2's primary end point is PFS by the local investigators' "
    "assessment, the central assessment being supportive (NEJM 2011, Methods). Of the cuts, the latest with a hazard-ratio interval "
    "in the data is scored. This reading rests on ESMO's published scorecards and the trial's stated primary analysis, not on the "
    "v1.1 paper's own wording, which was not read.")


def esmo_analysis_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """Which analysis ESMO's method would score, and why each other analysis is not it."""
    rows = []
    for r in results:
        if r.esmo_analysis:
            why = ESMO_REASON
        elif r.scorecard is None:
            why = "cannot be scored from the data: " + _why_not(r.error)
        else:
            why = "supportive analysis (central assessment), not the trial's primary analysis"
        rows.append({"Analysis": analysis_label(r.cut, r.assessment), "Can be scored": "yes" if r.scorecard else "no",
                     "Scored by ESMO's method": "yes" if r.esmo_analysis else "no", "Why": why})
    return pd.DataFrame(rows)


def rule_sources_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """The form 2b rules the scorecards checked, with where each was read and how far that confirms it as ESMO's."""
    used = []
    for r in results:
        if r.scorecard is None:
            continue
        used += [c.rule_id for c in r.scorecard.preliminary.checks] + [s.rule_id for s in r.scorecard.adjustments]
    rows, seen = [], set()
    rules = load_rules()["2b"]
    for rule in (*rules.preliminary, *rules.adjustments):
        # A rule written with OR is encoded as two rules (one per alternative) of the same wording: list it once.
        shown = rule.wording if rule.kind == "adjustment" else f"{rule.sheet}: grade {rule.grade}, {rule.wording}"
        if rule.rule_id not in used or shown in seen:
            continue
        seen.add(shown)
        rows.append({"Rule": shown,
                     "Standing": _standing(rule.confirmed_from), "Read in": _rule_source(rule.source, rule.locator),
                     "Note": rule.confirmed_from})
    return pd.DataFrame(rows)
