"""The engine: grades at and around every threshold, the adjustments, and refusals of bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bolero_evidence.mcbs import (
    HazardRatio,
    McbsInputError,
    McbsInputs,
    Medians,
    MissingInputError,
    NotSignificantError,
    OsFinding,
    OutOfRangeError,
    ToxicityFinding,
    UnknownFormError,
    load_rules,
    score,
)

from .helpers import inputs, no, os_not_improved, qol, quiet_toxicity, yes

# Hand-written expectations at each form 2b threshold (just below, at, just above), independent of the table's
# encoding: (control median, gain, HR CI lower limit, expected preliminary grade).
FORM_2B_BOUNDARIES = [
    # control <= 6 months: grade 3 needs CI lower limit <= 0.65 and gain >= 1.5 (Dafni Table 1).
    (4.0, 1.5, 0.64, 3), (4.0, 1.5, 0.65, 3), (4.0, 1.5, 0.66, 2),
    (4.0, 1.4, 0.50, 1), (4.0, 1.5, 0.50, 3), (4.0, 1.6, 0.50, 3),
    # grade 2 / grade 1 split on the CI lower limit at 0.75 (unconfirmed rows).
    (4.0, 2.0, 0.74, 2), (4.0, 2.0, 0.75, 2), (4.0, 2.0, 0.76, 1),
    # control exactly 6 is the <=6 sheet; just above is the >6 sheet, where a 2-month gain is short of 3.
    (5.9, 2.0, 0.50, 3), (6.0, 2.0, 0.50, 3), (6.1, 2.0, 0.50, 2),
    # control > 6 months: grade 3 needs gain >= 3 (Dafni Table 1).
    (10.0, 2.9, 0.50, 2), (10.0, 3.0, 0.50, 3), (10.0, 3.1, 0.50, 3),
    (10.0, 3.0, 0.64, 3), (10.0, 3.0, 0.65, 3), (10.0, 3.0, 0.66, 2),
    (10.0, 1.4, 0.50, 1), (10.0, 1.5, 0.50, 2),
    (10.0, 2.0, 0.75, 2), (10.0, 2.0, 0.76, 1),
]


@pytest.mark.parametrize(("control", "gain", "ci_low", "grade"), FORM_2B_BOUNDARIES)
def test_form_2b_grade_at_each_threshold(control, gain, ci_low, grade):
    assert score(inputs(control, gain, ci_low), form="2b").preliminary.grade == grade


def test_gain_is_compared_as_printed_not_in_binary_floating_point():
    # 4.6 - 3.1 is 1.4999999999999996 in floating point; the printed gain is 1.5, which meets ">= 1.5".
    card = score(McbsInputs("PFS", HazardRatio(0.5, 0.4, 0.6, "test"), Medians(4.6, 3.1, "test")), form="2b")
    assert card.preliminary.median_gain == Decimal("1.5")
    assert card.preliminary.grade == 3


def _numeric_conditions():
    for form in load_rules().values():
        for rule in form.preliminary:
            for condition in rule.conditions:
                yield pytest.param(form.form, rule, condition, id=f"{rule.rule_id}-{condition.variable}-{condition.comparison}")


@pytest.mark.parametrize(("form", "rule", "condition"), list(_numeric_conditions()))
@pytest.mark.parametrize("offset", [Decimal("-0.01"), Decimal(0), Decimal("0.01")], ids=["below", "at", "above"])
def test_every_criterion_of_the_table_is_checked_as_written(form, rule, condition, offset):
    # Put the variable just below, at and just above the row's threshold (the other figures at a neutral value) and
    # check that the engine's verdict for this row is the comparison's.
    value = condition.threshold + offset
    control = rule.control_max if rule.control_max is not None else rule.control_min + 1  # inside the row's sheet
    gain, ci_low = Decimal("2"), Decimal("0.5")
    if condition.variable == "median_gain":
        gain = value
    else:
        ci_low = value
    endpoint = "PFS" if form == "2b" else "OS"
    card = score(inputs(str(control), str(gain), str(ci_low), ci_high=0.99, endpoint=endpoint), form=form)
    checked = next(c for c in card.preliminary.checks if c.rule_id == rule.rule_id)
    verdict = next(c.met for c in checked.conditions if c.variable == condition.variable and c.threshold == condition.threshold
                   and c.comparison == condition.comparison)
    expected = {"le": value <= condition.threshold, "lt": value < condition.threshold,
                "ge": value >= condition.threshold, "gt": value > condition.threshold}[condition.comparison]
    assert verdict is expected


def test_form_2a_top_grade_at_its_thresholds():
    # Dafni Table 1: OS control <= 12 months, grade 4 needs CI lower limit <= 0.65 and gain >= 3.
    assert score(inputs(10, 3.0, 0.65, endpoint="OS"), form="2a").preliminary.grade == 4
    assert score(inputs(10, 2.9, 0.65, endpoint="OS"), form="2a").preliminary.grade == 3
    assert score(inputs(10, 3.0, 0.66, endpoint="OS"), form="2a").preliminary.grade < 4
    # >12 months (<=24 encoded): grade 4 needs <= 0.70 and >= 5.
    assert score(inputs(18, 5.0, 0.70, endpoint="OS"), form="2a").preliminary.grade == 4
    assert score(inputs(18, 4.9, 0.70, endpoint="OS"), form="2a").preliminary.grade == 3
    assert score(inputs(18, 5.0, 0.71, endpoint="OS"), form="2a").preliminary.grade < 4


def test_preliminary_records_every_criterion_and_whether_its_rule_is_confirmed():
    card = score(inputs(4.0, 2.0, 0.5), form="2b")
    assert [c.grade for c in card.preliminary.checks] == sorted((c.grade for c in card.preliminary.checks), reverse=True)
    assert card.preliminary.rule.rule_id == "2b_le6_g3" and card.preliminary.confirmed
    assert score(inputs(4.0, 2.0, 0.7), form="2b").preliminary.confirmed is False  # grade 2 rests on an unconfirmed row


def _step(card, rule_id):
    return next(s for s in card.adjustments if s.rule_id == rule_id)


def test_qol_upgrade_shows_both_outcomes_and_the_judgement_taken():
    card = score(inputs(4.0, 2.0, 0.5, qol=qol(True), toxicity=quiet_toxicity(), os=os_not_improved()), form="2b")
    up = _step(card, "2b_qol_up")
    assert up.applies and up.basis == "judgement" and up.judgements[0].answer is True
    assert (up.grade_before, up.grade_if_applied, up.grade_if_not_applied, up.grade_after) == (3, 4, 3, 4)
    assert card.final_grade == 4


def test_toxicity_downgrade_and_qol_downgrade_when_only_pfs_improves_without_qol_benefit():
    card = score(inputs(4.0, 2.0, 0.5, qol=qol(False), toxicity=ToxicityFinding(incremental=yes(), less=no()),
                        os=os_not_improved()), form="2b")
    assert _step(card, "2b_tox_down").applies and _step(card, "2b_qol_down").applies
    assert card.final_grade == 1
    # The QoL downgrade reads OS: with OS improved it would not apply (and OS would rescore on form 2a).
    assert _step(card, "2b_qol_down").conditions[1].variable == "os_improved"


def test_grades_stay_within_the_form_range():
    top = score(inputs(4.0, 2.0, 0.5, qol=qol(True), toxicity=ToxicityFinding(incremental=no(), less=yes())), form="2b")
    assert top.final_grade == 4  # 3 + 1 + 1 capped at form 2b's highest
    bottom = score(inputs(4.0, 1.0, 0.5, qol=qol(False), toxicity=ToxicityFinding(incremental=yes(), less=no()),
                          os=os_not_improved()), form="2b")
    assert bottom.preliminary.grade == 1 and bottom.final_grade == 1


def test_missing_findings_leave_adjustments_unapplied_and_say_so():
    card = score(inputs(4.0, 2.0, 0.5), form="2b")
    assert all(s.basis == "no finding given" and not s.applies for s in card.adjustments)
    assert card.final_grade == card.preliminary.grade == 3


def test_significant_os_rescores_on_form_2a():
    os = OsFinding(mature=True, significant_improvement=True, hazard_ratio=HazardRatio(0.6, 0.5, 0.8, "test OS"),
                   medians=Medians(14.0, 10.0, "test OS"))
    card = score(inputs(4.0, 2.0, 0.5, qol=qol(True), toxicity=quiet_toxicity(), os=os), form="2b")
    rescore = _step(card, "2b_os_rescore")
    assert rescore.applies and rescore.rescored.form == "2a"
    assert rescore.rescored.preliminary.grade == 4  # OS control 10 months, CI lower limit 0.5, gain 4 months
    assert card.final_grade == rescore.rescored.final_grade == 5  # form 2a grade 4 with the QoL upgrade


def test_significant_os_without_its_figures_is_refused():
    with pytest.raises(MissingInputError, match="OS hazard ratio and medians are not given"):
        score(inputs(4.0, 2.0, 0.5, os=OsFinding(mature=True, significant_improvement=True)), form="2b")


def test_steps_table_has_every_criterion_every_adjustment_and_the_final_grade():
    card = score(inputs(4.0, 2.0, 0.5, qol=qol(True), toxicity=quiet_toxicity(), os=os_not_improved()), form="2b")
    steps = card.steps()
    assert len(steps) == len(card.preliminary.checks) + len(card.adjustments) + 1
    assert steps.iloc[-1]["grade"] == "4"
    assert "grade if applied 4, if not 3" in steps.loc[steps["rule"].str.startswith("Upgrade 1 level if improved QoL"), "outcome"].iloc[0]


# --- bad input: a clear error, never a grade -------------------------------------------------------------------

def test_missing_hr_interval_is_refused_naming_it():
    bad = McbsInputs("PFS", HazardRatio(0.45, None, None, "review, final cut"), Medians(7.8, 3.2, "review"), label="final local")
    with pytest.raises(MissingInputError, match=r"final local: the lower limit of the PFS hazard ratio's 95% CI is missing "
                                                 r"\(source: review, final cut\)"):
        score(bad, form="2b")


def test_missing_control_median_is_refused_naming_it():
    bad = McbsInputs("PFS", HazardRatio(0.45, 0.38, 0.54, "t"), Medians(7.8, None, "somewhere"), label="x")
    with pytest.raises(MissingInputError, match="control-arm median PFS is missing"):
        score(bad, form="2b")


@pytest.mark.parametrize(("form", "endpoint", "control"), [("2a", "OS", 30.0), ("2a", "OS", 0.0), ("2b", "PFS", 0.0), ("2b", "PFS", -1.0)])
def test_control_median_outside_every_sheet_is_refused(form, endpoint, control):
    bad = McbsInputs(endpoint, HazardRatio(0.6, 0.5, 0.8, "t"), Medians(control + 5, control, "t"), label="x")
    with pytest.raises(OutOfRangeError, match=rf"control-arm median {endpoint} {Decimal(repr(control))} months .*outside every sheet"):
        score(bad, form=form)


def test_unknown_form_is_refused():
    with pytest.raises(UnknownFormError, match="form '2c' is not encoded"):
        score(inputs(4.0, 2.0, 0.5), form="2c")


def test_interval_including_one_is_not_graded():
    with pytest.raises(NotSignificantError, match="includes 1"):
        score(inputs(4.0, 2.0, 0.8, ci_high=1.0), form="2b")


def test_endpoint_must_match_the_form():
    with pytest.raises(McbsInputError, match="endpoint 'OS' cannot be scored on form 2b"):
        score(inputs(4.0, 2.0, 0.5, endpoint="OS"), form="2b")


@pytest.mark.parametrize(("build", "message"), [
    (lambda: HazardRatio(0.5, 0.6, 0.4, "t"), "expected lower limit <= upper limit"),
    (lambda: HazardRatio(0.5, float("nan"), 0.7, "t"), "expected a finite number or None"),
    (lambda: HazardRatio(0.5, 0.4, 0.7, "t", level=0.9), "expected 0.95"),
    (lambda: Medians(float("inf"), 3.0, "t"), "expected a finite number or None"),
])
def test_malformed_figures_are_refused_when_built(build, message):
    with pytest.raises(McbsInputError, match=message):
        build()
