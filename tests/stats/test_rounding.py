"""Tests of bolero_evidence.stats.rounding (counts behind printed percentages, one reading).

The counts are hand-checked: 100 k / N is written next to each boundary case.
"""

from __future__ import annotations

import pytest

from bolero_evidence.stats.proportions import NoConsistentCountError, counts_consistent_with_percent
from bolero_evidence.stats.rounding import (
    READINGS,
    counts_for_printed,
    effect_over_counts,
    effect_under_both_readings,
    exact_counts,
    interval_over_counts,
    sum_counts,
)

TABLE2_FORMS = ["0", "<1"] + [str(w) for w in range(1, 101)]


def _forms_by_count(nobs: int, reading: str) -> dict[int, list[str]]:
    forms: dict[int, list[str]] = {k: [] for k in range(nobs + 1)}
    for printed in TABLE2_FORMS:
        try:
            counts = counts_for_printed(printed, nobs, flag="<1", reading=reading).counts
        except NoConsistentCountError:
            continue
        for k in counts:
            forms[k].append(printed)
    return forms


def _forms_containing(k: int, n: int, reading: str) -> list[str]:
    return _forms_by_count(n, reading)[k]


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("nobs", [238, 482, 200, 400])
def test_each_count_prints_one_way_except_at_exact_ties(reading, nobs):
    forms = _forms_by_count(nobs, reading)
    for k in range(nobs + 1):
        percent = 100 * k / nobs
        # 100 k / N ending in exactly .5 may round either way; under the threshold
        # reading 0.5% is below the flag and prints "<1" only.
        at_tie = (200 * k) % nobs == 0 and (200 * k // nobs) % 2 == 1 and not (reading == "threshold" and percent < 1)
        assert len(forms[k]) == (2 if at_tie else 1), (k, nobs, forms[k], percent)


def test_the_old_reading_overlapped():
    # counts_consistent_with_percent reads "1" as 0.5-1.5% and "<1" as 0-1%: 2 of 238
    # (0.84%) fits both, the overlap this module removes.
    assert 2 in counts_consistent_with_percent("1", 238).counts
    assert 2 in counts_consistent_with_percent("<1", 238).counts
    assert _forms_containing(2, 238, "threshold") == ["<1"]
    assert _forms_containing(2, 238, "rounding") == ["1"]


@pytest.mark.parametrize("printed,nobs,reading,counts", [
    ("<1", 238, "threshold", (1, 2)),      # 2/238 = 0.840% < 1
    ("1", 238, "threshold", (3,)),         # 3/238 = 1.261%; 4/238 = 1.681% prints 2
    ("<1", 238, "rounding", (1,)),         # 1/238 = 0.420% rounds to 0
    ("1", 238, "rounding", (2, 3)),        # 2/238 = 0.840% rounds to 1
    ("<1", 482, "threshold", (1, 2, 3, 4)),  # 4/482 = 0.830%; 5/482 = 1.037%
    ("1", 482, "threshold", (5, 6, 7)),    # 7/482 = 1.452%; 8/482 = 1.660%
    ("<1", 482, "rounding", (1, 2)),       # 2/482 = 0.415%; 3/482 = 0.622% rounds to 1
    ("1", 482, "rounding", (3, 4, 5, 6, 7)),
    ("0", 482, "threshold", (0,)),         # with the flag, 0 is no patient
    ("8", 482, "threshold", (37, 38, 39, 40)),  # 36/482 = 7.469%, 41/482 = 8.506%
    ("<1%", 238, "threshold", (1, 2)),
    ("< 1%", 238, "rounding", (1,)),
])
def test_hand_checked_counts(printed, nobs, reading, counts):
    assert counts_for_printed(printed, nobs, flag="<1", reading=reading).counts == counts


def test_exact_tie_at_half_a_percent():
    # 1 of 200 is exactly 0.5%: under the rounding reading it may print "<1" or "1";
    # under the threshold reading only "<1".
    assert 1 in counts_for_printed("<1", 200, reading="rounding").counts
    assert 1 in counts_for_printed("1", 200, flag="<1", reading="rounding").counts
    assert 1 not in counts_for_printed("1", 200, flag="<1", reading="threshold").counts
    # 2 of 200 is exactly 1%: "1", never "<1".
    assert 2 not in counts_for_printed("<1", 200, reading="threshold").counts


def test_without_a_flag_both_readings_are_plain_rounding():
    for reading in READINGS:
        assert counts_for_printed("0.4", 239, reading=reading).counts == (1,)   # 0.418%
        assert counts_for_printed("9.5", 485, reading=reading).counts == (46,)  # 9.485%
        assert counts_for_printed("1", 238, reading=reading).counts == (2, 3)   # no flag: 0.5-1.5%
        assert counts_for_printed("0", 482, reading=reading).counts == (0, 1, 2)  # 2/482 = 0.415%
    assert counts_for_printed("9.5", 485).reading is None
    assert counts_for_printed("1", 238, flag="<1").reading == "threshold"


def test_central_count():
    assert counts_for_printed("9.5", 485).central == 46
    assert counts_for_printed("<1", 238).central == 1          # middle 0.5% of 238 = 1.19
    assert counts_for_printed("1", 482, flag="<1").central == 6  # middle 1.25% of 482 = 6.03
    assert counts_for_printed("8", 482, flag="<1").central == 39  # 8% of 482 = 38.56


def test_sum_counts_disjoint_and_overlapping():
    g3 = counts_for_printed("1", 238, flag="<1")
    g4 = counts_for_printed("<1", 238)
    assert sum_counts(g3, g4).counts == (4, 5)
    assert sum_counts(g3, g4, disjoint=False).counts == (3, 4, 5)
    with pytest.raises(ValueError, match="denominators"):
        sum_counts(g3, counts_for_printed("1", 482, flag="<1"))


@pytest.mark.parametrize("reading,disjoint,dyspnea_fits,anemia_fits", [
    ("threshold", True, False, True),
    ("rounding", True, True, False),
    ("threshold", False, True, True),
    ("rounding", False, True, True),
])
def test_nejm_text_does_not_decide_the_reading(reading, disjoint, dyspnea_fits, anemia_fits):
    # NEJM 2011 Table 2, placebo (N = 238): dyspnea grade 3 "1", grade 4 "<1", and the
    # text's grade 3-4 "1%"; anemia grade 3 "<1", grade 4 "<1", text "<1%". The claim in
    # the module docstring, checked.
    def fits(g3, g4, text):
        union = sum_counts(counts_for_printed(g3, 238, flag="<1", reading=reading),
                           counts_for_printed(g4, 238, flag="<1", reading=reading), disjoint=disjoint)
        return bool(set(union.counts) & set(counts_for_printed(text, 238, flag="<1", reading=reading).counts))

    assert fits("1", "<1", "1") is dyspnea_fits
    assert fits("<1", "<1", "<1") is anemia_fits


def test_intervals_over_counts():
    counts = counts_for_printed("8", 482, flag="<1")
    rate = interval_over_counts(counts)
    assert rate.estimate == pytest.approx(39 / 482)
    assert rate.low < 37 / 482 < 40 / 482 < rate.high
    single = exact_counts(7, 482)
    assert single.counts == (7,) and single.reading is None
    with pytest.raises(ValueError, match="count"):
        exact_counts(500, 482)


def test_effect_over_counts_and_reading_sensitivity():
    effect = effect_over_counts(counts_for_printed("8", 482, flag="<1"), counts_for_printed("1", 238, flag="<1"),
                                "difference")
    assert effect.tables == 4 and effect.excludes_null
    both = effect_under_both_readings("1", 482, "0", 238, "difference", flag="<1")
    assert both.interval_changes          # "1" of 482 is 5-7 or 3-7 patients
    both = effect_under_both_readings("56", 482, "11", 238, "difference", flag="<1")
    assert not both.interval_changes and not both.conclusion_changes


def test_errors():
    with pytest.raises(ValueError, match="reading"):
        counts_for_printed("1", 238, reading="nearest")
    with pytest.raises(ValueError, match="contradicts"):
        counts_for_printed("<2", 238, flag="<1")
    with pytest.raises(ValueError, match="not a flag"):
        counts_for_printed("1", 238, flag="1")
    with pytest.raises(ValueError, match="'>'"):
        counts_for_printed(">99", 238)
    with pytest.raises(NoConsistentCountError, match="50"):
        counts_for_printed("<1", 50)  # 1/50 = 2%
    with pytest.raises(ValueError, match="nobs"):
        counts_for_printed("1", 0)
