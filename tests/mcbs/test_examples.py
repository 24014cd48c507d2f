"""The engine against ESMO's published scorecards (tests/reference/mcbs_examples.csv).

Grades are whole numbers, so the comparison is exact (tolerance 0 in the reference file).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from bolero_evidence.mcbs import (
    Figure,
    HazardRatio,
    Judgement,
    McbsInputs,
    Medians,
    OsFinding,
    OutOfRangeError,
    QolFinding,
    ToxicityFinding,
    score,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mcbs_examples.csv"


def _rows():
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _inputs(row) -> McbsInputs:
    where = f"{row['source']}: {row['locator']}"
    control = Decimal(row["control_median"])
    experimental = control + Decimal(row["median_gain"])  # the scorecards print the gain; the arm median is control + gain
    # ESMO's comments are ESMO's judgements; they are taken as printed, with the comment as the reason.
    qol = QolFinding(assessed=row["qol_assessed"] == "yes",
                     improved=Judgement("Statistically significant improvement or delay in deterioration of QoL?",
                                        row["qol_improved"] == "yes", f"ESMO's comment: {row['qol_comment']}", by="ESMO"),
                     figures=(Figure("QoL comment", row["qol_comment"], row["source"]),))
    toxicity = ToxicityFinding(
        incremental=Judgement("Statistically significantly increased incremental toxicity?", False,
                              f"no toxicity adjustment on the scorecard (toxicity comment: {row['toxicity_comment']})", by="ESMO"),
        less=Judgement("Statistically significantly fewer grade 3-4 toxicities?", False, "no toxicity adjustment on the scorecard",
                       by="ESMO"))
    os = None if row["endpoint"] == "OS" else OsFinding(mature=False, significant_improvement=row["os_significant"] == "yes")
    return McbsInputs(row["endpoint"], HazardRatio(float(row["hr"]), float(row["hr_ci_low"]), float(row["hr_ci_high"]), where),
                      Medians(float(experimental), float(control), where), qol=qol, toxicity=toxicity, os=os, label=row["trial"])


def _cases(expectation):
    return [pytest.param(r, id=r["case_id"]) for r in _rows() if r["engine_expectation"] == expectation]


@pytest.mark.parametrize("row", _cases("grade") + _cases("grade_conflict"))
def test_preliminary_grade_matches_the_scorecard(row):
    assert score(_inputs(row), form=row["form"]).preliminary.grade == int(row["expected_preliminary"])


@pytest.mark.parametrize("row", _cases("grade"))
def test_final_grade_matches_the_scorecard(row):
    assert score(_inputs(row), form=row["form"]).final_grade == int(row["expected_final"])


@pytest.mark.parametrize("row", _cases("grade_conflict"))
@pytest.mark.xfail(strict=True, reason="PALOMA-2: ESMO printed no QoL downgrade; the downgrade rule as read in the secondary source "
                                       "(ESMO Open 2021;6:100166, Table 1) applies. Kept as a known conflict: the form's own wording "
                                       "must be read to resolve it. Strict: if the engine ever agrees, this test fails and is revisited.")
def test_final_grade_conflicts_with_the_scorecard(row):
    assert score(_inputs(row), form=row["form"]).final_grade == int(row["expected_final"])


def test_the_conflict_is_the_qol_downgrade():
    row = next(r for r in _rows() if r["engine_expectation"] == "grade_conflict")
    card = score(_inputs(row), form=row["form"])
    applied = [s.rule_id for s in card.adjustments if s.applies]
    assert applied == ["2b_qol_down"]
    assert card.final_grade == int(row["expected_final"]) - 1


@pytest.mark.parametrize("row", _cases("out_of_range"))
def test_scorecards_beyond_the_encoded_sheets_are_refused(row):
    with pytest.raises(OutOfRangeError, match=f"control-arm median OS {row['control_median']} months"):
        score(_inputs(row), form=row["form"])
