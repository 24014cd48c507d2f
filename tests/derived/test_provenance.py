"""Tests of bolero_evidence.derived.provenance (notebook 01): discrepancies and the split of the interim deaths."""

from __future__ import annotations

import pandas as pd
import pytest

from bolero_evidence.data import find_discrepancies
from bolero_evidence.derived import provenance


def test_discrepancy_versions_number_every_discrepancy_as_the_finder_does(tables):
    versions = provenance.discrepancy_versions(tables)
    found = find_discrepancies(tables)
    assert list(versions["number"].drop_duplicates()) == [f"D{i}" for i in range(1, len(found) + 1)]
    assert len(versions) == sum(len(d.versions) for d in found)
    [count] = provenance.discrepancy_figures(tables, versions)
    assert count.value == len(found)


def test_death_split_reconstructs_52_and_31_from_the_nejm_percentages(tables):
    # NEJM Results: 83 deaths, 10.7% of 485 and 13.0% of 239. 10.7% of 485 is 51.9 and only 52 rounds
    # to 10.7%; 13.0% of 239 is 31.07 and only 31 rounds to 13.0%; 52 + 31 = 83. Exact arithmetic, no tolerance.
    check = provenance.death_split_check(tables).set_index("source_id")
    nejm = check.loc["nejm_2011"]
    assert (nejm["nobs_everolimus"], nejm["nobs_placebo"], nejm["deaths_total"]) == (485, 239, 83)
    assert nejm["counts_everolimus"] == (52,) and nejm["counts_placebo"] == (31,)
    assert nejm["pairs"] == ((52, 31),)
    figures = {f.id: f.value for f in provenance.death_split_figures(check.reset_index())}
    assert figures == {"provenance.deaths_interim.everolimus.count": 52, "provenance.deaths_interim.placebo.count": 31}


def test_the_news_reports_10_6_percent_fits_no_count_of_485(tables):
    # 51/485 = 10.52% and 52/485 = 10.72%: neither prints as 10.6%.
    news = provenance.death_split_check(tables).set_index("source_id").loc["oncology_news_2011"]
    assert news["counts_everolimus"] == () and news["pairs"] == ()


def test_a_death_split_that_is_not_unique_is_an_error():
    check = pd.DataFrame([{"source_id": "nejm_2011", "deaths_total": 83, "pairs": ((52, 31), (51, 32))}])
    with pytest.raises(ValueError, match="allow 2 pairs"):
        provenance.death_split_figures(check)
