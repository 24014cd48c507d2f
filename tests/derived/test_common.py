"""Picking a printed figure: one row, agreeing copies, and the versions that must stop an analysis."""

from __future__ import annotations

import pandas as pd
import pytest

from bolero_evidence.derived.common import ConflictingFiguresError, pick, pick_row, pick_rows


def _table(*rows: tuple) -> pd.DataFrame:
    """Rows of (statistic, source_id, value, qualifier, printed), typed as the loader types them."""
    frame = pd.DataFrame(rows, columns=["statistic", "source_id", "value", "qualifier", "printed"])
    return frame.astype({"statistic": "string", "source_id": "string", "value": "Float64", "qualifier": "string",
                         "printed": "string"})


def test_one_matching_row_is_returned():
    table = _table(("hr", "nejm_2011", 0.43, "eq", "0.43"), ("hr", "review_2014", 0.45, "eq", "0.45"))
    row = pick_row(table, statistic="hr", source_id="review_2014")
    assert row.name == 1 and row["printed"] == "0.45"
    assert pick(table, statistic="hr", source_id="nejm_2011") == 0.43


def test_copies_that_agree_give_the_first():
    # The NEJM prints the local HR in its abstract, Table 3 and text.
    table = _table(("median", "a", 7.8, "eq", "7.8"), ("hr", "a", 0.43, "eq", "0.43"), ("hr", "a", 0.43, "eq", "0.43"))
    assert pick_row(table, statistic="hr").name == 1


def test_copies_printed_nr_agree():
    table = _table(("hr", "a", None, "nr", "NR"), ("hr", "b", None, "nr", "NR"))
    assert pick_row(table, statistic="hr").name == 0
    assert pick(table, statistic="hr") is None


@pytest.mark.parametrize("second", [("hr", "b", 0.45, "eq", "0.45"),   # another value
                                    ("hr", "b", 0.43, "lt", "<0.43"),  # the same number, another qualifier
                                    ("hr", "b", None, "nr", "NR")])    # a number against NR
def test_copies_that_disagree_stop_the_analysis_naming_both(second):
    table = _table(("hr", "a", 0.43, "eq", "0.43"), second)
    with pytest.raises(ConflictingFiguresError, match=r"rows with \{'statistic': 'hr'\} disagree") as caught:
        pick_row(table, statistic="hr")
    assert "'0.43'" in str(caught.value) and repr(second[4]) in str(caught.value)


def test_no_matching_row_is_a_lookup_error():
    table = _table(("hr", "a", 0.43, "eq", "0.43"))
    with pytest.raises(LookupError, match="no row with"):
        pick_row(table, statistic="median")
    with pytest.raises(LookupError):
        pick_rows(table, source_id="b")


def test_an_empty_cell_matches_nothing():
    table = _table(("hr", None, 0.43, "eq", "0.43"))
    with pytest.raises(LookupError):
        pick_row(table, statistic="hr", source_id="")


def test_a_table_without_values_gives_its_first_match():
    # The typed claims of `finding` have no value to disagree on.
    claims = pd.DataFrame({"claim": ["immature", "immature"], "source_id": ["a", "b"]}, dtype="string")
    assert pick_row(claims, claim="immature")["source_id"] == "a"


def test_pick_rows_returns_every_match_in_order():
    table = _table(("hr", "a", 0.43, "eq", "0.43"), ("median", "a", 7.8, "eq", "7.8"), ("hr", "b", 0.45, "eq", "0.45"))
    assert list(pick_rows(table, statistic="hr").index) == [0, 2]
