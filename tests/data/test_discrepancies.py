"""Disagreements between seeds are found from the data, and only real ones."""

from __future__ import annotations

import pytest

from bolero_evidence.data.discrepancies import (
    Version,
    figures_agree,
    find_discrepancies,
)
from bolero_evidence.data.loader import load_tables
from tests.conftest import DATA


def _v(printed, value, qualifier="eq", cut="interim", assessment="local", source="a"):
    return Version("pfs", "m", cut, assessment, value, qualifier, printed, "months", source, "loc", "quote")


@pytest.mark.parametrize("a, b, agree", [
    (_v("four", 4.0, "approx"), _v("4.1", 4.1), True),    # spoken round number vs printed decimal
    (_v("eleven", 11.0, "approx"), _v("10.6", 10.6), True),
    (_v("7.4", 7.4), _v("7.8", 7.8), False),
    (_v("10.6", 10.6), _v("10.7", 10.7), False),          # 0.1 apart at one printed decimal
    (_v("4", 4.0), _v("4.5", 4.5), True),                 # 4.5 may be printed as 4 (half-even rounding)
    (_v("<1", 1.0, "lt"), _v("0.4", 0.4), True),
    (_v("<1", 1.0, "lt"), _v("1", 1.0), False),
    (_v("<0.001", 0.001, "lt"), _v("P = 1.4 × 10–15", 1.4e-15), True),
    (_v("P = 1.4 × 10–15", 1.4e-15), _v("P = 3.3 × 10–15", 3.3e-15), False),  # mantissas differ
    (_v("<0.001", 0.001, "lt"), _v("< 0.0001", 0.0001, "lt"), True),          # two upper bounds never clash
    (_v("NR", None, "not_reached"), _v("NR", None, "not_reached"), True),
    (_v("NR", None, "not_reached"), _v("24.4", 24.4), False),
])
def test_figures_agree(a, b, agree):
    assert figures_agree(a, b) is agree
    assert figures_agree(b, a) is agree


@pytest.fixture(scope="module")
def discrepancies():
    return find_discrepancies(load_tables(DATA))


def _printed_sets(discrepancies, measure_part):
    return [{(v.source_id, v.printed) for v in d.versions} for d in discrepancies if measure_part in d.measure]


# The disagreements the project was told of; each must be found from the data.
KNOWN = [
    ("term=anemia, grade=3-4, arm=everolimus", {("nejm_2011", "6%"), ("oncology_news_2011", "5%")}),
    ("term=fatigue, grade=3-4, arm=everolimus", {("nejm_2011", "4%"), ("oncology_news_2011", "3%")}),
    ("measure=death, drug=study_treatment, arm=everolimus", {("nejm_2011", "10.7%"), ("oncology_news_2011", "10.6%")}),
    ("arm=everolimus, category=clinical_benefit", {("oncology_news_2011", "33%"), ("mdanderson_conquest_2012", "50.5%"), ("mtor_review_2014", "49.9%")}),
    ("arm=placebo, category=clinical_benefit", {("oncology_news_2011", "18%"), ("mdanderson_conquest_2012", "25.5%"), ("mtor_review_2014", "22.2%")}),
    ("arm=everolimus, statistic=median", {("mdanderson_conquest_2012", "7.4"), ("mtor_review_2014", "7.8")}),
    ("trial=tamrad, endpoint=os_median, arm=control", {("nejm_2011", "24.4"), ("oncology_news_2011", "32")}),
]


@pytest.mark.parametrize("measure, versions", KNOWN, ids=[k[0] for k in KNOWN])
def test_known_disagreements_are_found(discrepancies, measure, versions):
    assert any(versions <= found for found in _printed_sets(discrepancies, measure))


def test_figures_of_different_stated_cuts_are_not_a_discrepancy(discrepancies):
    # The interim 6.9 and the final 7.8 months differ by design.
    for d in discrepancies:
        if d.kind == "same_analysis":
            assert len({v.data_cut for v in d.versions}) == 1


def test_round_numbers_that_match_a_stated_figure_are_attributed_not_flagged(discrepancies):
    flagged = {(v.source_id, v.printed) for d in discrepancies for v in d.versions}
    assert ("ecancer_interview_2011", "four") not in flagged
    assert ("ecancer_interview_2011", "eleven") not in flagged


def test_agreeing_repeats_are_not_flagged(discrepancies):
    # NEJM abstract, Table 3 and the news report all print 0.43 for the local HR.
    assert not [d for d in discrepancies if d.measure == "arm=comparison, statistic=hr"]
