"""Tests of bolero_evidence.derived.pfs (notebook 02, PFS gains).

Recomputed figures are checked against what the seeds print about the same
analysis (the review's "6.9-month prolongation", the NEJM's P < 0.001, the
NEJM's event counts), with tolerances that say why; the rest are invariants
and checks that the not-derivable list follows the data.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bolero_evidence.derived.pfs import (  # noqa: E402
    OVERALL_ANALYSES,
    gain_interval_refusal,
    hazard_ratio_precision,
    median_gain_interval_message,
    not_derivable,
    overall_effects,
    plot_effects,
    subgroup_effects,
)
from tests.derived.conftest import one_row  # noqa: E402


@pytest.fixture(scope="module")
def overall(tables):
    return overall_effects(tables)


@pytest.fixture(scope="module")
def precision(tables):
    return hazard_ratio_precision(tables)



def _with_rows(tables, name, rows):
    """A copy of the tables with extra rows in one table (the originals stay untouched)."""
    changed = dict(tables)
    changed[name] = pd.concat([tables[name], pd.DataFrame(rows)], ignore_index=True)
    return changed


# --------------------------------------------------------------------------
# Against printed figures
# --------------------------------------------------------------------------


def test_final_central_gain_reproduces_the_reviews_printed_prolongation(overall):
    # The review prints "a 6.9-month prolongation ... from 4.1 months ... to
    # 11 months". Printed to one decimal, so equal within 0.05 months.
    row = one_row(overall, assessment="central", data_cut="final")
    assert row["printed_gain"] == 6.9
    assert abs(row["median_gain"] - row["printed_gain"]) <= 0.05
    assert row["printed_gain_reproduced"] is True


def test_a_printed_gain_that_the_medians_do_not_give_is_flagged(tables):
    # Same check with a wrong printed gain: the flag must be able to fail.
    pfs = tables["pfs"].copy()
    mask = (pfs["statistic"] == "median_gain") & (pfs["data_cut_inferred"] == "final") & (pfs["assessment"] == "central")
    assert mask.sum() == 1
    pfs.loc[mask, ["value", "printed"]] = [7.2, "7.2"]
    row = one_row(overall_effects({**tables, "pfs": pfs}), assessment="central", data_cut="final")
    assert row["printed_gain_reproduced"] is False


@pytest.mark.parametrize("assessment", ["local", "central"])
def test_interval_implied_p_agrees_with_the_printed_p_bound(precision, assessment):
    # NEJM Table 3 prints P < 0.001 for both assessments; the Wald P implied
    # by the printed interval must lie below that bound (it is a different
    # test from the stratified log-rank, but both are far below 0.001).
    row = one_row(precision, assessment=assessment)
    assert row["p_printed"] == "<0.001"
    assert row["p_two_sided_from_ci"] < 0.001


@pytest.mark.parametrize("assessment", ["local", "central"])
def test_schoenfeld_se_lies_within_what_the_rounded_interval_allows(precision, assessment):
    # The printed limits are rounded to 0.01, so the SE they imply is only
    # known to lie in [se_from_ci_min, se_from_ci_max]. Schoenfeld's SE from
    # the printed events (202+157 local, 114+104 central) and the 2:1
    # allocation is an independent approximation and should fall inside.
    row = one_row(precision, assessment=assessment)
    assert row["se_from_ci_min"] <= row["se_schoenfeld"] <= row["se_from_ci_max"]
    assert row["se_ratio"] == pytest.approx(1.0, abs=0.05)


def test_events_are_the_nejm_table_3_counts(precision):
    # 359 PFS events at the interim analysis (NEJM Methods; design.csv).
    local = one_row(precision, assessment="local")
    assert local["events_total"] == 359
    assert local["allocation_ratio"] == 2.0


@pytest.mark.parametrize("assessment", ["local", "central"])
def test_exponential_hr_lies_inside_the_printed_interval(overall, assessment):
    # Medians and HR from the same NEJM table: the exponential HR is a crude
    # reading of the medians, but far outside the printed 95% CI would point
    # to medians and HR taken from different analyses.
    row = one_row(overall, assessment=assessment, data_cut="interim")
    assert row["hr_ci_low"] <= row["hr_exponential"] <= row["hr_ci_high"]
    assert row["exponential_within_ci"] is True


# --------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------


def test_one_row_per_analysis_with_the_intended_source(overall):
    assert list(zip(overall["assessment"], overall["data_cut"], overall["source_id"])) == [
        (a.assessment, a.data_cut, a.source_id) for a in OVERALL_ANALYSES]


@pytest.mark.parametrize("frame_name", ["overall", "subgroups"])
def test_gain_ratio_and_exponential_hr_fit_together(tables, overall, frame_name):
    frame = overall if frame_name == "overall" else subgroup_effects(tables)
    for _, row in frame.iterrows():
        assert row["median_gain"] == pytest.approx(row["median_everolimus"] - row["median_placebo"])
        assert row["median_ratio"] * row["hr_exponential"] == pytest.approx(1.0)
        # Everolimus longer in every printed analysis: a gain above 0 and an HR below 1 go together.
        assert (row["median_gain"] > 0) == (row["hr_exponential"] < 1)


def test_only_printed_hazard_ratios_get_an_interval_summary(overall, precision):
    printed = overall.dropna(subset=["hr_printed"])
    assert list(precision["label"]) == list(printed["label"]) == ["Local, interim", "Central, interim"]
    assert overall.loc[overall["data_cut"] == "final", "hr_printed"].isna().all()


def test_subgroups_are_the_reviews_final_local_medians(tables):
    subgroups = subgroup_effects(tables)
    assert list(subgroups["subgroup"]) == ["visceral", "non_visceral", "bone_only", "nsai_adjuvant_only"]
    assert set(subgroups["data_cut"]) == {"final"}
    assert set(subgroups["assessment"]) == {"local"}
    assert set(subgroups["source_id"]) == {"mtor_review_2014"}


# --------------------------------------------------------------------------
# What cannot be derived
# --------------------------------------------------------------------------


def test_not_derivable_lists_the_difference_of_medians_with_its_reason(tables):
    table = not_derivable(tables)
    first = table.iloc[0]
    assert "difference of medians" in first["quantity"]
    assert first["reason"] == median_gain_interval_message()
    assert "Brookmeyer-Crowley" in first["reason"]


def test_the_printed_medians_and_their_intervals_give_no_interval_of_the_gain(tables):
    # The refusal the notebook shows comes from the printed interim figures themselves, with the same reason.
    refusal = gain_interval_refusal(tables)
    assert str(refusal) == median_gain_interval_message()


def test_not_derivable_lists_final_cut_and_subgroups_without_hr(tables):
    table = not_derivable(tables)
    hr_row = table[table["quantity"].str.startswith("Hazard ratio")].iloc[0]
    assert "Local, final" in hr_row["applies_to"] and "Central, final" in hr_row["applies_to"]
    assert "interim" not in hr_row["applies_to"]
    assert "subgroups" in hr_row["applies_to"]


def test_not_derivable_lists_the_open_interval_of_the_central_median(tables):
    table = not_derivable(tables)
    open_rows = table[table["quantity"].str.contains("upper limit NR")]
    assert list(open_rows["applies_to"]) == ["Central, interim (NEJM 2011)"]  # the source as a reader cites it


def test_a_printed_final_hazard_ratio_leaves_the_not_derivable_list(tables):
    # Follows the data: print an HR for the final local analysis and that
    # analysis gets an interval summary and leaves the list.
    where = dict(data_cut="final", assessment="local", arm="comparison", unit="hazard_ratio",
                 source_id="mtor_review_2014", locator="test", quote="test", note="", qualifier="eq")
    rows = [{**where, "statistic": s, "value": v, "printed": p}
            for s, v, p in (("hr", 0.45, "0.45"), ("hr_ci_low", 0.38, "0.38"), ("hr_ci_high", 0.54, "0.54"))]
    changed = _with_rows(tables, "pfs", rows)
    listed = not_derivable(changed)
    hr_row = listed[listed["quantity"].str.startswith("Hazard ratio")].iloc[0]
    assert "Local, final" not in hr_row["applies_to"]
    assert "Central, final" in hr_row["applies_to"]
    row = one_row(overall_effects(changed), assessment="local", data_cut="final")
    assert row["hr_printed"] == 0.45 and row["exponential_within_ci"] is True


def test_an_nr_median_is_listed_and_not_computed(tables):
    pfs = tables["pfs"].copy()
    # Every row attributed to the final local analysis (stated or inferred).
    mask = (pfs["data_cut_inferred"] == "final") & (pfs["assessment_inferred"] == "local") & (pfs["arm"] == "everolimus") \
        & (pfs["statistic"] == "median")
    pfs.loc[mask, ["value", "qualifier", "printed"]] = [math.nan, "not_reached", "NR"]
    changed = {**tables, "pfs": pfs}
    row = one_row(overall_effects(changed), assessment="local", data_cut="final")
    assert math.isnan(row["median_gain"]) and math.isnan(row["hr_exponential"])
    listed = not_derivable(changed)
    assert ((listed["quantity"] == "Everolimus median") & listed["applies_to"].str.startswith("Local, final")).any()


def test_plot_has_one_row_per_analysis_and_subgroup(tables, overall):
    figure = plot_effects(overall, subgroup_effects(tables))
    try:
        left, right = figure.axes
        assert len(left.patches) == len(overall) + 4
        assert right.get_xscale() == "log"
    finally:
        plt.close(figure)


# --------------------------------------------------------------------------
# Model-based (exponential) intervals and GRADE absolute effects
# --------------------------------------------------------------------------


def test_model_based_gain_interval_only_where_events_are_printed(tables):
    from bolero_evidence.derived.pfs import model_based_intervals

    model = model_based_intervals(tables).set_index("assessment")
    # Only the interim cut prints event counts (NEJM Table 3: 202/157 local, 114/104 central).
    assert list(model.index) == ["local", "central"] and set(model["data_cut"]) == {"interim"}
    local = model.loc["local"]
    assert local["median_gain"] == pytest.approx(6.9 - 2.8, abs=1e-12)
    # Delta check, computed independently: 4.1 ± 1.959964 sqrt(6.9²/202 + 2.8²/157).
    se = math.sqrt(6.9**2 / 202 + 2.8**2 / 157)
    assert (local["delta_low"], local["delta_high"]) == pytest.approx((4.1 - 1.959964 * se, 4.1 + 1.959964 * se), abs=1e-5)
    # The pivotal interval is skewed right of the symmetric delta interval, and both contain the gain.
    assert local["pivotal_low"] < 4.1 < local["pivotal_high"]
    assert local["pivotal_high"] - 4.1 > 4.1 - local["pivotal_low"]
    # The central everolimus median's upper limit is NR: no interval from the printed CIs, and the reason is kept.
    assert math.isnan(model.loc["central", "printed_ci_low"]) and "NR" in model.loc["central", "printed_ci_refusal"]
    # Implied HR 2.8/6.9 with Wald limits exp(log HR ± 1.959964 sqrt(1/202 + 1/157)); the printed Cox HR 0.43 lies inside.
    se_log = math.sqrt(1 / 202 + 1 / 157)
    hr = 2.8 / 6.9
    assert (local["hr_exponential_low"], local["hr_exponential_high"]) == pytest.approx(
        (hr * math.exp(-1.959964 * se_log), hr * math.exp(1.959964 * se_log)), rel=1e-6)
    assert local["hr_exponential_low"] < local["hr_printed"] < local["hr_exponential_high"]


def test_grade_absolute_effects_per_1000(tables):
    from bolero_evidence.derived.pfs import absolute_effects

    effects = absolute_effects(tables).set_index(["outcome", "assessment", "months"])
    local6 = effects.loc[("pfs", "local", 6)]
    # Independent arithmetic: p_C = 1 - 2^(-6/2.8), p_I = 1 - (1 - p_C)^HR at HR 0.43 (0.35 to 0.54).
    control = 1 - 2 ** (-6 / 2.8)
    assert local6["control_per_1000"] == pytest.approx(1000 * control, rel=1e-12)
    assert local6["intervention_per_1000"] == pytest.approx(1000 * (1 - (1 - control) ** 0.43), rel=1e-12)
    assert (local6["difference_low"], local6["difference_high"]) == pytest.approx(
        (1000 * ((1 - (1 - control) ** 0.35) - control), 1000 * ((1 - (1 - control) ** 0.54) - control)), rel=1e-12)
    # Quality of life: HR 0.74 and medians 8.3 vs 5.8 (the review), no printed interval -> no interval.
    qol = effects.loc[("qol", "unstated", 12)]
    assert qol["control_per_1000"] == pytest.approx(1000 * (1 - 2 ** (-12 / 5.8)), rel=1e-12)
    assert math.isnan(qol["difference_low"]) and math.isnan(qol["hazard_ratio_low"])
    # Every analysis without a printed HR (the final cut) has no absolute effect.
    assert set(effects.reset_index()["data_cut"]) == {"interim", "unstated"}
