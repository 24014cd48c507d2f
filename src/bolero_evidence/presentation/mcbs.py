"""Display tables of notebook 09 (ESMO-MCBS v1.1 scorecard of BOLERO-2)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..mcbs import SOURCES, Bolero2Score, ConditionCheck, load_rules
from .text import MISSING, number

__all__ = ["adjustments_table", "analysis_label", "criteria_table", "esmo_analysis_table", "findings_table", "grades_table",
           "judgements_table", "rule_sources_table"]

VARIABLE_TEXT = {
    "hr_ci_low": "HR 95% CI lower limit", "median_gain": "gain in median PFS (months)", "qol_improved": "QoL improved",
    "qol_no_difference": "QoL assessed, no difference", "toxicity_incremental": "significantly increased toxicity impairing well-being",
    "toxicity_less": "significantly fewer grade 3–4 toxicities", "os_improved": "OS significantly improved",
}
SYMBOL = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">"}


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


SHORT_NAME = {"2b_qol_up": "upgrade: QoL improved", "2b_tox_up": "upgrade: less grade 3–4 toxicity",
              "2b_tox_down": "downgrade: increased toxicity", "2b_qol_down": "downgrade: no QoL difference, only PFS improved",
              "2b_os_rescore": "rescoring on OS (form 2a)"}


def _grade_summary(step) -> str:
    if_applied = MISSING if step.grade_if_applied is None else str(step.grade_if_applied)
    return f"{step.grade_before} → {step.grade_after} (if applied {if_applied}, if not {step.grade_if_not_applied})"


def grades_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """One row per data cut and assessment: preliminary grade, adjustments applied, final grade, or that it is not scored."""
    rows = []
    for r in results:
        card = r.scorecard
        applied = "; ".join(SHORT_NAME.get(s.rule_id, s.wording) for s in card.adjustments if s.applies) if card else ""
        rows.append({
            "Analysis": analysis_label(r.cut, r.assessment), "ESMO's analysis": "yes" if r.esmo_analysis else "no",
            "Preliminary grade": f"{card.preliminary.grade} (form {card.form}, {card.preliminary.sheet})" if card else MISSING,
            "Adjustments applied": (applied or "none") if card else MISSING,
            "Final grade": str(card.final_grade) if card else "not scored (see the next table)",
            "Rests on unconfirmed rules": ("yes" if card.uses_unconfirmed_rules else "no") if card else MISSING,
        })
    return pd.DataFrame(rows)


def criteria_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """Every PFS criterion of the sheet applied, met or not, with the figures checked and where they were printed."""
    rows = []
    for r in results:
        if r.scorecard is None:
            continue
        card = r.scorecard
        sources = " and ".join(dict.fromkeys([card.inputs.hazard_ratio.source, card.inputs.medians.source]))
        for check in card.preliminary.checks:
            gives = check.rule_id == card.preliminary.rule.rule_id
            rows.append({
                "Analysis": analysis_label(r.cut, r.assessment), "Criterion (grade)": f"{check.wording} (grade {check.grade})",
                "Figures checked": "; ".join(_condition(c) for c in check.conditions),
                "Met": ("yes, gives the grade" if gives else "yes") if check.met else "no",
                "Figures printed in": sources, "Rule's standing": _standing(check.confirmed_from),
            })
    return pd.DataFrame(rows)


def adjustments_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """Each adjustment of form 2b in order: the rule text, the findings checked, applied or not, the grade either way."""
    rows = []
    for r in results:
        if r.scorecard is None:
            continue
        for step in r.scorecard.adjustments:
            decided = {"judgement": "a recorded judgement", "data": "the data"}.get(step.basis, step.basis)
            rows.append({
                "Analysis": analysis_label(r.cut, r.assessment),
                "Rule text (standing)": f"{step.wording} ({_standing(step.confirmed_from)})",
                "Findings checked": "; ".join(_condition(c) for c in step.conditions),
                "Applied": f"{'yes' if step.applies else 'no'} (decided by {decided})", "Grade": _grade_summary(step),
            })
    return pd.DataFrame(rows)


def findings_table(results: list[Bolero2Score]) -> pd.DataFrame:
    """The figures behind the adjustments (quality of life, toxicity, overall survival) with where each was printed, per data cut."""
    rows, seen = [], set()
    for r in results:
        if r.scorecard is None:
            continue
        inputs = r.scorecard.inputs
        for finding, found in (("quality of life", inputs.qol), ("toxicity", inputs.toxicity), ("overall survival", inputs.os)):
            for figure in (found.figures if found else ()):
                key = (r.cut, finding, figure)
                if key in seen:
                    continue
                seen.add(key)
                rows.append({"Data cut": r.cut, "Finding": finding, "Figure": figure.name, "As printed (derived)": figure.printed,
                             "Source": figure.source})
    return pd.DataFrame(rows)


def judgements_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The judgements taken, why, who could disagree and what changes, and the final grade under each answer."""
    def grades(group: pd.DataFrame, column: str) -> str:
        return "; ".join(f"{g} ({c}, {a})" for g, c, a in zip(group[column], group["cut"], group["assessment"]))

    rows = []
    for _, group in outcomes.groupby("judgement_id", sort=False):
        first = group.iloc[0]
        rows.append({"Judgement": first["question"], "Answer taken": "yes" if first["answer"] else "no", "Reason": first["reason"],
                     "Who could disagree, and what changes": f"{first['who_could_disagree']} {first['what_changes']}",
                     "Final grade if yes": grades(group, "grade_if_yes"), "Final grade if no": grades(group, "grade_if_no")})
    return pd.DataFrame(rows)


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
