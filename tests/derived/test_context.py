"""Tests of bolero_evidence.derived.context (notebook 06, cross-trial context).

The differences are checked against what the seeds print about them (the
review's "6.9-month prolongation" for BOLERO-2, its "difference statistically
significant" and "comparable" remarks), the reading of ``<1`` bounds against
hand-worked cases, and the counts of NR cells against the table's shape.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bolero_evidence.derived.common import attribute_cuts, pick  # noqa: E402
from bolero_evidence.derived.context import (  # noqa: E402
    TRIAL_ORDER,
    cross_trial_discrepancies,
    efficacy_differences,
    plot_side_effect_differences,
    side_effect_coverage,
    side_effect_differences,
    trial_overview,
)
from tests.derived.conftest import one_row  # noqa: E402


@pytest.fixture(scope="module")
def efficacy(tables):
    return efficacy_differences(tables)


@pytest.fixture(scope="module")
def safety(tables):
    return side_effect_differences(tables)



# --------------------------------------------------------------------------
# Trials
# --------------------------------------------------------------------------


def test_caveats_name_what_sets_each_trial_apart(tables):
    caveats = dict(zip(*trial_overview(tables)[["trial", "caveats"]].T.values))
    assert "temsirolimus" in caveats["horizon"]
    assert "open-label" in caveats["tamrad"] and "tamoxifen" in caveats["tamrad"]
    # Dose and duration are read off the treatment cells, so these fail if the
    # patterns stop matching the transcription.
    assert "HER2-positive" in caveats["bolero3"] and "5 mg" in caveats["bolero3"]
    assert "4 months" in caveats["neoadjuvant_letrozole"]
    assert "final" in caveats["bolero2"]


def test_trials_in_review_order_with_totals_not_arm_sizes(tables):
    overview = trial_overview(tables)
    assert tuple(overview["trial"]) == TRIAL_ORDER
    # The review prints one n per trial (1,112 for HORIZON): a total, not per arm.
    assert one_row(overview, trial="horizon")["n_patients"] == 1112


# --------------------------------------------------------------------------
# Efficacy
# --------------------------------------------------------------------------


def test_bolero2_central_gain_reproduces_the_reviews_printed_prolongation(tables, efficacy):
    # The review's Table 1 prints 11 versus 4.1 months (central); its text
    # prints the gain as "a 6.9-month prolongation" (pfs.csv). One decimal
    # printed: equal within 0.05 months.
    # The review does not state the cut of this sentence; it is attributed to
    # the final analysis by inference (data_cut_inferred).
    printed = pick(attribute_cuts(tables["pfs"]), data_cut="final", assessment="central", arm="comparison",
                   statistic="median_gain", source_id="mtor_review_2014")
    row = one_row(efficacy, trial="bolero2", endpoint="pfs_median", assessment="central")
    assert abs(row["difference"] - printed) <= 0.05


def test_differences_called_significant_favour_the_experimental_arm(efficacy):
    # The review marks BOLERO-3's PFS and the neoadjuvant clinical response
    # "(difference statistically significant)": the recomputed difference
    # must at least point the same way.
    marked = efficacy[efficacy["quote"].str.contains("statistically significant")]
    assert set(marked["trial"]) == {"bolero3", "neoadjuvant_letrozole"}
    assert (marked["difference"] > 0).all()


def test_horizon_pfs_called_comparable_is_the_smallest_pfs_gain(efficacy):
    # "Median PFS 9 versus 8.9 months (comparable)": of the trials with a PFS
    # or TTP median, HORIZON's gain should be the smallest.
    medians = efficacy[(efficacy["unit"] == "months") & (efficacy["status"] == "computed")]
    assert medians.loc[medians["difference"].idxmin(), "trial"] == "horizon"


def test_statuses_of_figures_that_give_no_difference(efficacy):
    assert one_row(efficacy, trial="tamrad", endpoint="os_hr")["status"] == "printed comparison only"
    assert one_row(efficacy, trial="horizon", endpoint="os_median")["status"] == "not computable: NR"
    computed = efficacy[efficacy["status"] == "computed"]
    assert computed["difference"].notna().all()
    assert efficacy.loc[efficacy["status"] != "computed", "difference"].isna().all()


def test_gain_and_ratio_only_for_medians(efficacy):
    computed = efficacy[efficacy["status"] == "computed"]
    months, percent = computed[computed["unit"] == "months"], computed[computed["unit"] == "percent"]
    assert months["ratio"].notna().all() and percent["ratio"].isna().all()
    for _, row in computed.iterrows():
        assert row["difference"] == pytest.approx(row["experimental"] - row["control"])


def test_efficacy_uses_only_the_reviews_table_1(tables, efficacy):
    # Running-text and NEJM/news rows (role 'other') repeat Table 1 or are
    # compared in the discrepancy list; they must not add rows here.
    assert set(efficacy["role"]) <= {"primary", "secondary"}
    assert len(efficacy) == len(efficacy.drop_duplicates(["trial", "endpoint", "assessment"]))


def test_register_stems_are_unique_and_named_after_trial_and_endpoint(efficacy):
    assert efficacy["register_stem"].is_unique
    assert one_row(efficacy, trial="tamrad", endpoint="ttp_median")["register_stem"] == "context.tamrad.ttp"
    assert one_row(efficacy, trial="bolero2", endpoint="pfs_median", assessment="investigator")["register_stem"] \
        == "context.bolero2.pfs"


# --------------------------------------------------------------------------
# Side effects
# --------------------------------------------------------------------------


def _one_cell_table(experimental: tuple[float, str, str], control: tuple[float, str, str]) -> dict:
    rows = []
    for arm, (value, qualifier, printed) in (("experimental", experimental), ("control", control)):
        rows.append({"trial": "bolero2", "term": "cough", "grade": "3-4", "arm": arm, "value": value,
                     "qualifier": qualifier, "unit": "percent", "printed": printed, "source_id": "mtor_review_2014",
                     "locator": "Table 2, Cough, BOLERO-2", "quote": "", "note": ""})
    return {"trial_side_effects": pd.DataFrame(rows)}


@pytest.mark.parametrize("experimental, control, expected", [
    # 5 vs <1: control in [0, 1), so the difference is in (4, 5].
    ((5.0, "eq", "5"), (1.0, "lt", ",1"), (4.0, 5.0)),
    # <1 vs 1: experimental in [0, 1): difference in [-1, 0).
    ((1.0, "lt", ",1"), (1.0, "eq", "1"), (-1.0, 0.0)),
    # <1 vs <1: anything in (-1, 1).
    ((1.0, "lt", ",1"), (1.0, "lt", ",1"), (-1.0, 1.0)),
])
def test_a_less_than_one_bound_gives_a_range_not_a_number(experimental, control, expected):
    row = side_effect_differences(_one_cell_table(experimental, control)).iloc[0]
    assert row["status"] == "bound"
    assert math.isnan(row["difference"])
    assert (row["difference_low"], row["difference_high"]) == expected


def test_an_nr_arm_gives_no_difference():
    row = side_effect_differences(_one_cell_table((17.0, "eq", "17"), (math.nan, "not_reported", "NR"))).iloc[0]
    assert row["status"] == "not reported" and math.isnan(row["difference"]) and math.isnan(row["difference_low"])


def test_bolero2_stomatitis_difference(safety):
    # Review Table 2, BOLERO-2: stomatitis 59 vs 12 (all grades), 8 vs 0 (grade 3-4).
    assert one_row(safety, trial="bolero2", term="stomatitis_mucositis", grade="all")["difference"] == 47
    assert one_row(safety, trial="bolero2", term="stomatitis_mucositis", grade="3-4")["difference"] == 8


def test_coverage_accounts_for_every_cell_and_comparison(tables, safety):
    coverage = side_effect_coverage(tables, safety)
    per_trial, total = coverage[coverage["trial"] != "total"], coverage[coverage["trial"] == "total"].iloc[0]
    effects = tables["trial_side_effects"]
    assert total["cells"] == len(effects)
    # Every trial × side effect × grade is one comparison of two cells.
    assert total["comparisons"] * 2 == total["cells"]
    assert (per_trial["computed"] + per_trial["bound"] + per_trial["not_reported"] == per_trial["comparisons"]).all()
    # A comparison is NR when either cell is: never more NR comparisons than NR cells, never fewer than half.
    assert (per_trial["not_reported"] <= per_trial["cells_not_reported"]).all()
    assert (2 * per_trial["not_reported"] >= per_trial["cells_not_reported"]).all()
    # BOLERO-2 reports every side effect of the table.
    assert one_row(coverage, trial="bolero2")["cells_not_reported"] == 0


def test_register_ids_are_unique_and_follow_the_scheme(safety):
    assert safety["register_id"].is_unique
    assert one_row(safety, trial="bolero2", term="stomatitis_mucositis", grade="all")["register_id"] \
        == "context.bolero2.stomatitis_mucositis.all.difference"
    assert one_row(safety, trial="bolero2", term="stomatitis_mucositis", grade="3-4")["register_id"] \
        == "context.bolero2.stomatitis_mucositis.grade_3_4.difference"


def test_plot_shows_every_computed_all_grade_difference_and_nothing_else(safety):
    figure = plot_side_effect_differences(safety)
    try:
        plotted = sum(len(line.get_xdata()) for line in figure.axes[0].lines if line.get_linestyle() == "None")
        expected = ((safety["grade"] == "all") & (safety["status"] == "computed")).sum()
        assert plotted == expected
    finally:
        plt.close(figure)


# --------------------------------------------------------------------------
# Disagreements
# --------------------------------------------------------------------------


def test_tamrad_overall_survival_disagreement_is_listed(tables):
    table = cross_trial_discrepancies(tables)
    assert set(table["table"]) == {"trial_outcomes"}
    tamrad = table[table["measure"] == "trial=tamrad, endpoint=os_median, arm=control"]
    assert sorted(tamrad["value"]) == [24.4, 32.0]
    assert set(tamrad["source_id"]) == {"nejm_2011", "oncology_news_2011"}
