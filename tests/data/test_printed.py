"""The printed-form parser against the forms the seeds use."""

import math

import pytest

from bolero_evidence.data.printed import parse_printed, qualifier_matches

CASES = [
    # printed, value, qualifier, decimals
    ("56", 56.0, "eq", 0),
    ("9.5", 9.5, "eq", 1),
    ("9.5%", 9.5, "eq", 1),
    ("0.0", 0.0, "eq", 1),
    ("<1", 1.0, "lt", 0),
    ("< 1%", 1.0, "lt", 0),
    (",1", 1.0, "lt", 0),  # the review's extraction artefact of <1
    ("<0.001", 0.001, "lt", 3),
    ("P < 0.0001", 0.0001, "lt", 4),
    ("$P < 0.001$", 0.001, "lt", 3),
    ("P = 1.4 × 10–15", 1.4e-15, "eq", 1),  # 10–15 is the extraction artefact of 10^-15
    ("NR", None, "nr", 0),
    ("2:1", 2.0, "eq", 0),
    ("1,112", 1112.0, "eq", 0),
    ("eleven", 11.0, "eq", 0),
]


@pytest.mark.parametrize("printed, value, qualifier, decimals", CASES)
def test_parse_printed(printed, value, qualifier, decimals):
    parsed = parse_printed(printed)
    assert parsed.qualifier == qualifier
    assert parsed.decimals == decimals
    if value is None:
        assert parsed.value is None
    else:
        # Exact decimal literals: a relative tolerance of 1e-12 only absorbs float representation.
        assert math.isclose(parsed.value, value, rel_tol=1e-12)


def test_resolution_of_scientific_form_scales_with_exponent():
    # Half a unit in the mantissa's last place, times 10^-15.
    assert math.isclose(parse_printed("1.4 × 10–15").resolution, 0.05e-15, rel_tol=1e-12)
    assert parse_printed("4").resolution == 0.5


@pytest.mark.parametrize("bad", ["abc", "", "9.5.1", "<<1", "1-2"])
def test_unreadable_forms_raise_with_the_text(bad):
    with pytest.raises(ValueError, match="cannot read"):
        parse_printed(bad)


@pytest.mark.parametrize("printed, stored, ok", [
    ("56", "eq", True), ("56", "approx", True), ("56", "lt", False),
    ("<1", "lt", True), ("<1", "eq", False), ("NR", "not_reached", True),
    ("NR", "not_reported", True), ("NR", "eq", False),
])
def test_qualifier_matches(printed, stored, ok):
    assert qualifier_matches(parse_printed(printed), stored) is ok


@pytest.mark.parametrize("printed, value", [("Sixty-nine", 69.0), ("Thirty-six", 36.0), ("twenty", 20.0), ("four", 4.0)])
def test_numbers_in_words(printed, value):
    assert parse_printed(printed).value == value


def test_not_reached_in_words_is_nr():
    assert parse_printed("not reached").qualifier == "nr"
