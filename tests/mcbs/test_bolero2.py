"""BOLERO-2: inputs from the pfs table, findings built from the seeds' sentences (quoted), scorecards per cut.

The QoL, toxicity and OS tables are being added by another issue; until they are, the findings are built here
from the sentences of the NEJM 2011 paper and the 2014 review, and a test checks that every quoted sentence is
in its seed.
"""

from __future__ import annotations

import pytest

from bolero_evidence.data import load_tables
from bolero_evidence.data.provenance import fold_whitespace, read_seed
from bolero_evidence.mcbs import (
    ESMO_ANALYSIS,
    Figure,
    Judgement,
    MissingInputError,
    OsFinding,
    QolFinding,
    ToxicityFinding,
    bolero2_inputs,
    bolero2_scorecards,
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

QOL_QUESTION = "Does the QoL evidence show a statistically significant improvement or delay in deterioration of QoL?"


def qol_review() -> QolFinding:
    """Later QoL analysis (review 2014): significant delay at the prospectively defined 5% threshold, not at 10 points."""
    return QolFinding(
        assessed=True,
        improved=Judgement(QOL_QUESTION, True,
                           "the prospectively evaluated analysis (definitive deterioration = 5% decrease in the global QoL score) "
                           "shows a significant delay, 8.3 vs 5.8 months, HR 0.74, P=0.0084; the sensitivity analysis at a "
                           "10-point minimal important difference does not (HR 0.80, P=0.1017): if the scale requires the latter, "
                           "the answer is No (mTOR review 2014, citing Burris et al.)"),
        figures=(Figure("time to definitive deterioration of QoL (5% threshold)", "8.3 vs 5.8 months (HR 0.74; P=0.0084)",
                        "mTOR review 2014, Everolimus, quality of life paragraph"),
                 Figure("time to definitive deterioration of QoL (10-point threshold)", "11.7 vs 8.4 months (HR 0.80; P=0.1017)",
                        "mTOR review 2014, Everolimus, quality of life paragraph")))


def qol_nejm_interim() -> QolFinding:
    """Interim QoL statement (NEJM 2011): no statistical difference in time to deterioration (>= 5%)."""
    return QolFinding(
        assessed=True,
        improved=Judgement(QOL_QUESTION, False, "time to deterioration of QoL (>=5%) not statistically different (NEJM 2011, "
                                                "Results; data not shown)"),
        figures=(Figure("time to deterioration of QoL (>=5%)", "not statistically different (data not shown)", "NEJM 2011, Results"),))


def toxicity_nejm() -> ToxicityFinding:
    """Safety at the interim analysis (NEJM 2011): the judgements the form asks for, with their reasons."""
    return ToxicityFinding(
        incremental=Judgement(
            "Is everolimus associated with one or more statistically significantly increased incremental toxicities "
            "(impacting daily well-being)?", True,
            "grade 3-4 stomatitis 8% vs 1%, and everolimus discontinued for adverse events in 19% vs 4% on placebo (NEJM 2011, "
            "abstract and Results); no significance test is printed, and that stomatitis impairs daily well-being is a "
            "clinical judgement"),
        less=Judgement("Does everolimus cause statistically significantly fewer grade 3-4 toxicities?", False,
                       "every grade 3-4 event listed is more frequent with everolimus (NEJM 2011, Table 2)"),
        figures=(Figure("grade 3-4 stomatitis", "8% vs 1%", "NEJM 2011, abstract"),
                 Figure("discontinuation of everolimus/placebo for adverse events", "19% vs 4%", "NEJM 2011, Results, Safety")))


def os_nejm_interim() -> OsFinding:
    """OS at the interim analysis (NEJM 2011): immature, not significantly improved."""
    return OsFinding(mature=False, significant_improvement=False,
                     figures=(Figure("deaths at the interim analysis", "83 (10.7% vs 13.0%); immature", "NEJM 2011, Results"),))


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


def test_final_cut_is_not_scored_and_says_which_figure_is_missing(tables):
    results = {(r.cut, r.assessment): r for r in bolero2_scorecards(tables, qol_review(), toxicity_nejm(), os_nejm_interim())}
    for assessment in ("local", "central"):
        result = results["final", assessment]
        assert result.scorecard is None and isinstance(result.error, MissingInputError)
        assert "lower limit of the PFS hazard ratio's 95% CI is missing" in str(result.error)


def test_esmo_analysis_is_interim_local(tables):
    results = bolero2_scorecards(tables)
    assert [(r.cut, r.assessment) for r in results if r.esmo_analysis] == [ESMO_ANALYSIS] == [("interim", "local")]


@pytest.mark.parametrize("assessment", ["local", "central"])
def test_interim_scorecards_with_the_review_qol(tables, assessment):
    result = next(r for r in bolero2_scorecards(tables, qol_review(), toxicity_nejm(), os_nejm_interim())
                  if (r.cut, r.assessment) == ("interim", assessment))
    card = result.scorecard
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


def test_interim_local_with_the_interim_qol_statement(tables):
    # With the NEJM interim statement (QoL not different) instead of the later analysis, both downgrades apply.
    card = next(r.scorecard for r in bolero2_scorecards(tables, qol_nejm_interim(), toxicity_nejm(), os_nejm_interim())
                if r.esmo_analysis)
    assert [s.rule_id for s in card.adjustments if s.applies] == ["2b_tox_down", "2b_qol_down"]
    assert card.final_grade == 1


def test_without_findings_only_the_preliminary_grade_is_given(tables):
    card = next(r.scorecard for r in bolero2_scorecards(tables) if r.esmo_analysis)
    assert card.final_grade == card.preliminary.grade == 3
    assert all(s.basis == "no finding given" for s in card.adjustments)
