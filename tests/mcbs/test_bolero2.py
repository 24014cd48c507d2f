"""BOLERO-2: inputs from the pfs table, findings read from the data tables (bolero_evidence.mcbs.findings), scorecards per cut.

The findings were first built here by hand from the sentences quoted below; they are now read from the
quality_of_life, finding, adverse_events and exposure tables. The tests check the module's findings against
those sentences (every quoted sentence is in its seed, and the figures the findings print are the sentences'),
and that a change in the data or in a recorded judgement changes the grade.
"""

from __future__ import annotations

import re

import pytest

from bolero_evidence.data import load_tables
from bolero_evidence.data.provenance import fold_whitespace, read_seed
from bolero_evidence.mcbs import ESMO_ANALYSIS, MissingInputError, bolero2_inputs, bolero2_scorecards
from bolero_evidence.mcbs.findings import (
    JudgementTableError,
    bolero2_findings,
    judgement_outcomes,
    load_judgements,
    score_bolero2,
    toxicity_evidence,
    with_answer,
)

NEJM, REVIEW = "003_47ceb6856ae0d802.txt", "004_e5b7ac3fa1a98ba6.txt"

# Review 2014, "Everolimus" paragraph on quality of life (citing Burris et al., the review's reference 34):
QOL_REVIEW_QUOTES = (
    "Time to definitive deterioration analysis at a 5% decrease in the quality of life score versus baseline, "
    "with no subsequent increase above this threshold, was evaluated prospectively.",
    "The median time to definitive deterioration in quality of life was 8.3 months in the combined treatment arm "
    "versus 5.8 months in the control arm (HR 0.74; P=0.0084).",
    "The median time to definitive deterioration in the combined treatment arm was 11.7 months versus 8.4 months "
    "in the control arm (HR 0.80; P=0.1017).",
)
# NEJM 2011, Results (interim analysis):
QOL_NEJM_QUOTE = ("The time to deterioration of ECOG performance status and time to deterioration of quality of life "
                  "($\\geq 5\\%$) were not statistically different between the two treatment groups (data not shown).")
TOXICITY_NEJM_QUOTES = (
    "The most common grade 3 or 4 adverse events were stomatitis (8% in the everolimus-plus-exemestane group vs. 1% in the "
    "placebo-plus-exemestane group), anemia (6% vs. <1%), dyspnea (4% vs. 1%), hyperglycemia (4% vs. <1%), fatigue (4% vs. 1%), "
    "and pneumonitis (3% vs. 0%).",
    "A higher percentage of patients discontinued everolimus in the combination-therapy group than discontinued placebo in the "
    "control group because of adverse events (19% vs. 4%) and withdrawal of consent (5% vs. 2%).",
)
OS_NEJM_QUOTE = ("Overall survival results were immature at the time of the interim analysis, with a total of 83 deaths: 10.7% of "
                 "patients in the combination-therapy group and 13.0% of those in the exemestane-alone group died.")

@pytest.fixture(scope="module")
def evidence(tables):
    """The safety comparisons, computed once: their intervals over every consistent count take seconds."""
    return toxicity_evidence(tables)


@pytest.fixture(scope="module")
def tables():
    return load_tables()


@pytest.mark.parametrize(("seed", "quote"), [(REVIEW, q) for q in QOL_REVIEW_QUOTES] + [(NEJM, QOL_NEJM_QUOTE), (NEJM, OS_NEJM_QUOTE)]
                         + [(NEJM, q) for q in TOXICITY_NEJM_QUOTES])
def test_quoted_sentences_are_in_the_seeds(seeds, seed, quote):
    assert fold_whitespace(quote) in fold_whitespace(read_seed(seeds / seed))


def test_inputs_are_read_from_the_pfs_table(tables):
    cases = {(c.cut, c.assessment): c.inputs for c in bolero2_inputs(tables)}
    assert list(cases) == [("interim", "local"), ("interim", "central"), ("final", "local"), ("final", "central")]
    # NEJM 2011 Table 3 (tests/reference/published_hazard_ratios.csv and published_medians.csv hold the same figures).
    local, central = cases["interim", "local"], cases["interim", "central"]
    assert (local.hazard_ratio.estimate, local.hazard_ratio.ci_low, local.hazard_ratio.ci_high) == (0.43, 0.35, 0.54)
    assert (local.medians.experimental, local.medians.control) == (6.9, 2.8)
    assert (central.hazard_ratio.ci_low, central.hazard_ratio.ci_high, central.medians.experimental, central.medians.control) \
        == (0.27, 0.47, 10.6, 4.1)
    assert local.hazard_ratio.source.startswith("NEJM 2011, Table 3")
    # Final cut (2014 review): medians printed, no hazard ratio.
    final_local = cases["final", "local"]
    assert (final_local.medians.experimental, final_local.medians.control) == (7.8, 3.2)
    assert final_local.hazard_ratio.ci_low is None


def _by_cut(results):
    return {(r.cut, r.assessment): r for r in results}


def _printed(finding):
    return {f.name: f.printed for f in finding.figures}


def test_qol_finding_is_the_review_sentences(tables, evidence):
    qol = bolero2_findings(tables, "interim", evidence=evidence).qol
    printed = _printed(qol)
    # The review's sentences (QOL_REVIEW_QUOTES) print these figures; the finding must show them as printed.
    assert printed["time to definitive deterioration of QoL (prospectively defined, 5% decrease)"] \
        == "8.3 vs 5.8 months (HR 0.74; P=0.0084)"
    assert printed["time to definitive deterioration of QoL (sensitivity analysis, 10-point decrease)"] \
        == "11.7 vs 8.4 months (HR 0.80; P=0.1017)"
    assert "8.3 months in the combined treatment arm versus 5.8 months in the control arm (HR 0.74; P=0.0084)" in QOL_REVIEW_QUOTES[1]
    assert "11.7 months versus 8.4 months in the control arm (HR 0.80; P=0.1017)" in QOL_REVIEW_QUOTES[2]
    # The NEJM's interim statement (QOL_NEJM_QUOTE) is shown too, as a verbal finding.
    assert printed["time to deterioration of QoL (≥5%), interim analysis"].startswith("not statistically different")
    assert "were not statistically different" in QOL_NEJM_QUOTE
    # Judgement taken: the prospectively defined analysis counts, and P=0.0084 < 0.05.
    assert qol.assessed and qol.improved.answer and not qol.no_difference


def test_qol_finding_follows_the_data_not_a_fixed_answer(tables, evidence):
    # The case that must fail with a hand-built finding: the review's P changed to 0.06 makes QoL not improved.
    changed = dict(tables)
    qol = tables["quality_of_life"].copy()
    qol.loc[(qol["trial"] == "bolero2") & (qol["analysis"] == "primary") & (qol["statistic"] == "p_value"), ["value", "printed"]] \
        = [0.06, "P=0.06"]
    changed["quality_of_life"] = qol
    assert not bolero2_findings(changed, "interim", evidence=evidence).qol.improved.answer
    card = _by_cut(score_bolero2(changed, evidence=evidence))["interim", "local"].scorecard
    assert [s.rule_id for s in card.adjustments if s.applies] == ["2b_tox_down", "2b_qol_down"]


def test_toxicity_finding_is_the_nejm_figures(tables, evidence):
    tox = bolero2_findings(tables, "interim", evidence=evidence).toxicity
    printed = _printed(tox)
    # TOXICITY_NEJM_QUOTES: grade 3-4 stomatitis 8% vs 1% (Table 2: grade 3 8 and 1, grade 4 0 and 0); stopped for AEs 19% vs 4%.
    assert printed["grade 3–4 stomatitis (grade 3/grade 4, %)"].startswith("8/0 vs 1/0")
    assert printed["everolimus or placebo stopped for adverse events"].startswith("19% vs 4%")
    assert "stomatitis (8% in the everolimus-plus-exemestane group vs. 1%" in TOXICITY_NEJM_QUOTES[0]
    assert "because of adverse events (19% vs. 4%)" in TOXICITY_NEJM_QUOTES[1]
    # Stomatitis' 95% risk-difference interval (over every count 8% and 1% allow) lies above zero: significantly increased.
    assert "stomatitis" in tox.incremental.reason and tox.incremental.answer
    # Grade 3-4 back pain is significantly less frequent under the decided reading of printed rounding (the
    # statistics layer): whether that earns the upgrade is a recorded judgement (answered no), not the data's.
    assert "back pain" in tox.less.reason and not tox.less.answer and tox.less.by == "this report"


def test_os_finding_is_the_nejm_statement(tables, evidence):
    os = bolero2_findings(tables, "interim", evidence=evidence).os
    assert not os.mature and not os.significant_improvement
    shown = {(f.name, f.printed, f.source) for f in os.figures}
    assert ("overall survival", "'immature'", "NEJM 2011, Results, Efficacy, paragraph 2") in shown
    assert "immature" in OS_NEJM_QUOTE
    # OS_NEJM_QUOTE: "10.7% of patients in the combination-therapy group and 13.0% of those in the exemestane-alone group died".
    assert ("deaths, everolimus vs placebo (share of arm)", "10.7% vs 13.0%", "NEJM 2011, Results, Efficacy, paragraph 2") in shown
    final = bolero2_findings(tables, "final", evidence=evidence).os
    assert not final.significant_improvement  # the review: "not yet statistically significant"


def test_os_claim_of_improvement_would_trigger_the_rescoring(tables, evidence):
    # The case that must fail if OS were not read from the data: a claim of significant OS improvement at the interim cut.
    changed = dict(tables)
    finding = tables["finding"].copy()
    finding.loc[(finding["trial"] == "bolero2") & (finding["endpoint"] == "overall_survival") & (finding["data_cut"] == "interim"),
                "claim"] = "statistically_significant"
    changed["finding"] = finding
    assert bolero2_findings(changed, "interim", evidence=evidence).os.significant_improvement
    result = _by_cut(score_bolero2(changed, evidence=evidence))["interim", "local"]
    # Form 2b says to rescore on form 2a, which needs the OS hazard ratio and medians: none is printed, so no grade.
    assert result.scorecard is None and isinstance(result.error, MissingInputError)
    assert "OS hazard ratio and medians are not given" in str(result.error)


def test_final_cut_is_not_scored_and_says_which_figure_is_missing(tables, evidence):
    results = _by_cut(score_bolero2(tables, evidence=evidence))
    for assessment in ("local", "central"):
        result = results["final", assessment]
        assert result.scorecard is None and isinstance(result.error, MissingInputError)
        assert "lower limit of the PFS hazard ratio's 95% CI is missing" in str(result.error)


def test_esmo_analysis_is_interim_local(tables, evidence):
    results = score_bolero2(tables, evidence=evidence)
    assert [(r.cut, r.assessment) for r in results if r.esmo_analysis] == [ESMO_ANALYSIS] == [("interim", "local")]


@pytest.mark.parametrize("assessment", ["local", "central"])
def test_interim_scorecards_with_the_recorded_judgements(tables, assessment, evidence):
    card = _by_cut(score_bolero2(tables, evidence=evidence))["interim", assessment].scorecard
    # Control median 2.8 (local) / 4.1 (central) <= 6 months; CI lower limit 0.35 / 0.27 <= 0.65; gain 4.1 / 6.5 >= 1.5.
    assert card.preliminary.sheet == "median PFS with standard treatment ≤6 months"
    assert card.preliminary.grade == 3 and card.preliminary.confirmed
    steps = {s.rule_id: s for s in card.adjustments}
    assert steps["2b_qol_up"].applies and steps["2b_qol_up"].grade_after == 4
    assert not steps["2b_tox_up"].applies
    tox = steps["2b_tox_down"]
    assert tox.applies and tox.basis == "judgement" and (tox.grade_if_applied, tox.grade_if_not_applied) == (3, 4)
    assert not steps["2b_qol_down"].applies and not steps["2b_os_rescore"].applies
    assert card.final_grade == 3
    assert card.uses_unconfirmed_rules  # the adjustments rest on secondary sources


def test_interim_local_with_the_interim_qol_statement(tables, evidence):
    # A panel taking the NEJM interim statement (QoL not different) instead of the review's analysis: both downgrades apply.
    judgements = with_answer(load_judgements(), "qol_prospective_analysis", False)
    card = next(r.scorecard for r in score_bolero2(tables, judgements, evidence=evidence) if r.esmo_analysis)
    assert [s.rule_id for s in card.adjustments if s.applies] == ["2b_tox_down", "2b_qol_down"]
    assert card.final_grade == 1


def test_judgement_outcomes_show_both_answers(tables, evidence):
    outcomes = judgement_outcomes(tables, evidence=evidence).set_index(["judgement_id", "cut", "assessment"])
    qol = outcomes.loc["qol_prospective_analysis", "interim", "local"]
    assert (qol["answer"], qol["grade_if_yes"], qol["grade_if_no"], qol["grade_taken"]) == (True, 3, 1, 3)
    tox = outcomes.loc["toxicity_impacts_wellbeing", "interim", "local"]
    assert (tox["answer"], tox["grade_if_yes"], tox["grade_if_no"]) == (True, 3, 4)
    assert set(outcomes.index.get_level_values("cut")) == {"interim"}  # the final cut has no grade


def test_without_findings_only_the_preliminary_grade_is_given(tables):
    card = next(r.scorecard for r in bolero2_scorecards(tables) if r.esmo_analysis)
    assert card.final_grade == card.preliminary.grade == 3
    assert all(s.basis == "no finding given" for s in card.adjustments)


def _write(path, rows):
    header = "judgement_id,question,answer,reason,by,who_could_disagree,what_changes\n"
    path.write_text(header + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = [["qol_prospective_analysis", "q", "yes", "r", "b", "w", "c"], ["toxicity_impacts_wellbeing", "q", "no", "r", "b", "w", "c"],
        ["less_toxicity_spares_wellbeing", "q", "no", "r", "b", "w", "c"]]


def test_judgements_table_reads_answers(tmp_path):
    judgements = load_judgements(_write(tmp_path / "j.csv", GOOD))
    assert judgements["qol_prospective_analysis"].answer and not judgements["toxicity_impacts_wellbeing"].answer


@pytest.mark.parametrize(("rows", "message"), [
    ([GOOD[0][:2] + ["maybe"] + GOOD[0][3:], GOOD[1]], "row 2, column 'answer': got 'maybe'; expected 'yes' or 'no'"),
    ([GOOD[0]], "no row for judgement(s) ['toxicity_impacts_wellbeing', 'less_toxicity_spares_wellbeing']"),
    ([GOOD[0], GOOD[1], GOOD[2], ["qol_typo"] + GOOD[0][1:]], "row 5, column 'judgement_id': got 'qol_typo'"),
    ([GOOD[0], GOOD[1][:3] + [""] + GOOD[1][4:], GOOD[2]], "row 3, column 'reason': empty"),
])
def test_bad_judgements_table_gives_a_clear_message(tmp_path, rows, message):
    with pytest.raises(JudgementTableError, match=re.escape(message)):
        load_judgements(_write(tmp_path / "j.csv", rows))
