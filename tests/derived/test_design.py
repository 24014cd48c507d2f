"""Tests of bolero_evidence.derived.design (notebook 05, interim boundaries).

The boundaries are checked against closed forms and an independent
bivariate-normal computation; the recomputed events, power and observed z
against the figures the NEJM and the news report print, with tolerances that
say why they are what they are.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from bolero_evidence.derived.design import (
    LOSS_READINGS,
    boundary_plot_points,
    boundary_table,
    design_inputs,
    events_and_power,
    follow_up,
    input_rows,
    loss_reading,
    observed_z,
)
from bolero_evidence.stats.accrual import expected_events
from bolero_evidence.stats.groupseq import hazard_ratio_at_boundary
from bolero_evidence.stats.survival import z_from_hazard_ratio_and_events


@pytest.fixture(scope="module")
def inputs(tables):
    return design_inputs(tables)


@pytest.fixture(scope="module")
def boundaries(inputs):
    return boundary_table(inputs)


@pytest.fixture(scope="module")
def observed(tables, inputs):
    return observed_z(tables, inputs)


def _look(boundaries, design, look):
    return boundaries[(boundaries["design"] == design) & (boundaries["look"] == look)].iloc[0]


def _observed(observed, assessment, method):
    return observed[(observed["assessment"] == assessment) & (observed["method"] == method)].iloc[0]


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def test_inputs_are_on_the_statistics_scales(inputs):
    # Printed in percent; the statistics take proportions.
    assert inputs.alpha == pytest.approx(0.025, abs=1e-15)
    assert inputs.power == pytest.approx(0.9, abs=1e-15)
    assert inputs.interim_fraction_planned == pytest.approx(0.6, abs=1e-15)
    assert inputs.spending == "obrien_fleming"
    assert inputs.interim_fraction_actual == pytest.approx(359 / 528, rel=1e-15)
    # "Approximately 60%" was in fact more than two thirds of the events.
    assert inputs.interim_fraction_actual > 2 / 3


def test_table3_events_add_up_to_the_interim_event_count(tables, inputs, observed):
    # Table 3 (local: 202 + 157) and the Methods' 359 are separate printed figures.
    local = _observed(observed, "local", "wald_ci")
    assert local["events"] == inputs.events_interim
    central = _observed(observed, "central", "wald_ci")
    assert central["events"] < local["events"]


def test_input_rows_name_a_source_and_place_for_every_figure(tables):
    rows = input_rows(tables)
    assert not rows.empty
    assert (rows["locator"].str.len() > 0).all()
    assert set(rows["source_id"]) == {"nejm_2011", "oncology_news_2011"}


# --------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------


@pytest.mark.parametrize("design", ["planned", "actual"])
def test_interim_boundary_is_the_spending_function_quantile(boundaries, inputs, design):
    # First look in closed form (Lan & DeMets 1983): alpha(t) = 2 (1 - Phi(z_{1-alpha/2} / sqrt t)),
    # c_1 = Phi^-1(1 - alpha(t)); independent of the recursive integration.
    row = _look(boundaries, design, "interim")
    t = row["information_fraction"]
    spent = 2.0 * norm.sf(norm.isf(inputs.alpha / 2.0) / math.sqrt(t))
    assert row["cumulative_alpha"] == pytest.approx(spent, rel=1e-12)
    assert row["z"] == pytest.approx(norm.isf(spent), rel=1e-12)
    assert row["nominal_p"] == pytest.approx(spent, rel=1e-12)


@pytest.mark.parametrize("design", ["planned", "actual"])
def test_final_boundary_spends_the_rest_of_alpha(boundaries, inputs, design):
    # P0(Z1 < c1, Z2 >= c2) by scipy's bivariate normal (Genz), corr sqrt(t):
    # a computation independent of the package's grid integration. The
    # tolerance covers the Genz error (abseps 1e-10) and the package's grid
    # error (below 1e-7 in z, i.e. below 1e-8 in probability near c2 = 2).
    interim, final = _look(boundaries, design, "interim"), _look(boundaries, design, "final")
    rho = math.sqrt(interim["information_fraction"])
    mvn = multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]], abseps=1e-10, releps=1e-10)
    crossing = norm.cdf(interim["z"]) - mvn.cdf([interim["z"], final["z"]])
    assert crossing == pytest.approx(final["incremental_alpha"], abs=1e-8)
    assert final["cumulative_alpha"] == pytest.approx(inputs.alpha, abs=1e-15)
    assert interim["incremental_alpha"] + final["incremental_alpha"] == pytest.approx(inputs.alpha, abs=1e-15)


def test_later_interim_lowers_the_interim_boundary_and_raises_the_final(boundaries):
    # O'Brien-Fleming spending: more information, more alpha spent early.
    assert _look(boundaries, "actual", "interim")["z"] < _look(boundaries, "planned", "interim")["z"]
    assert _look(boundaries, "actual", "final")["z"] > _look(boundaries, "planned", "final")["z"]
    # The final boundaries stay close to the fixed-design 1.96.
    for design in ("planned", "actual"):
        assert 1.96 < _look(boundaries, design, "final")["z"] < 2.0


def test_hazard_ratio_at_boundary_gives_back_the_boundary_z(boundaries, inputs):
    for row in boundaries.itertuples():
        z = -z_from_hazard_ratio_and_events(row.hr_at_boundary, row.events, inputs.allocation_ratio)
        assert z == pytest.approx(row.z, rel=1e-12)
        assert row.hr_at_boundary < 1.0


def test_planned_interim_at_317_events_barely_moves_the_boundary_hazard_ratio(boundaries, inputs):
    # The notebook uses 0.6 x 528 = 316.8 events; 317 (a whole number of
    # events) shifts the HR at the same boundary in the fourth decimal only.
    row = _look(boundaries, "planned", "interim")
    at_317 = hazard_ratio_at_boundary(row["z"], 317, inputs.allocation_ratio)
    assert abs(at_317 - row["hr_at_boundary"]) < 1e-3
    assert row["events"] == pytest.approx(316.8, abs=1e-9)


# --------------------------------------------------------------------------
# Observed z
# --------------------------------------------------------------------------


def test_both_assessments_cross_the_interim_boundary(observed):
    # Published: the committee disclosed that the trial met its primary end
    # point, which the charter allowed only if both assessments crossed.
    for assessment in ("local", "central"):
        for method in ("wald_ci", "schoenfeld"):
            row = _observed(observed, assessment, method)
            assert row["crosses"] and row["crosses_own"]
            # Fewer events (central) means an earlier look and a higher O'Brien-Fleming boundary.
            assert row["boundary_own_fraction"] >= row["boundary_interim"] - 1e-12


def test_wald_z_reproduces_the_printed_p_threshold(observed):
    # NEJM Table 3 prints P < 0.001 for both; z from the CI gives far less.
    for assessment in ("local", "central"):
        row = _observed(observed, assessment, "wald_ci")
        assert 2.0 * norm.sf(row["z"]) < 0.001


def test_local_printed_p_lies_within_the_rounding_of_the_printed_interval(observed):
    # The news report's P (stratified log-rank) implies a z that an unrounded
    # HR and CI rounding to 0.43 (0.35-0.54) could give, read either way.
    wald = _observed(observed, "local", "wald_ci")
    for method in ("p_one_sided", "p_two_sided"):
        z = _observed(observed, "local", method)["z"]
        assert wald["z_low"] <= z <= wald["z_high"]


def test_central_printed_p_lies_above_the_rounding_of_the_printed_interval(observed):
    # The notebook says rounding of 0.36 (0.27-0.47) does not explain the
    # central P: its z exceeds every Wald z the unrounded figures could give.
    wald = _observed(observed, "central", "wald_ci")
    for method in ("p_one_sided", "p_two_sided"):
        assert _observed(observed, "central", method)["z"] > wald["z_high"]


def test_printed_p_values_are_near_the_wald_z(observed):
    # Log-rank (stratified) and Wald statistics differ when the HR is far
    # from 1 (the log-rank variance is taken under the null); 0.7 in z is the
    # size of that difference at z ~ 7, about 10%. One-sided is the closer
    # reading in both assessments, as the notebook says.
    for assessment in ("local", "central"):
        one = _observed(observed, assessment, "p_one_sided")
        two = _observed(observed, assessment, "p_two_sided")
        assert abs(one["minus_wald"]) < 0.7 and abs(two["minus_wald"]) < 0.7
        assert abs(one["minus_wald"]) < abs(two["minus_wald"])


def test_schoenfeld_and_interval_z_agree_roughly(observed):
    # Two approximations of the same SE: from the CI width and from the
    # events with the planned 2:1 share; within 10%.
    for assessment in ("local", "central"):
        wald = _observed(observed, assessment, "wald_ci")["z"]
        schoenfeld = _observed(observed, assessment, "schoenfeld")["z"]
        assert schoenfeld == pytest.approx(wald, rel=0.10)


# --------------------------------------------------------------------------
# Events and power
# --------------------------------------------------------------------------


def test_recomputed_events_are_near_the_printed_528(inputs):
    frame = events_and_power(inputs).set_index("quantity")
    fixed = frame.loc["events_fixed", "recomputed"]
    group_sequential = frame.loc["events_group_sequential", "recomputed"]
    # Schoenfeld's formula with the printed inputs; the design software and
    # its rounding are not published, so the printed 528 is matched to 1%.
    assert group_sequential == pytest.approx(inputs.events_final, rel=0.01)
    assert fixed < group_sequential < inputs.events_final  # "slightly below the printed 528", as the notebook says
    # Consistency of the two printed figures: fewer events than 528 needed for 90% means 528 give more.
    assert (group_sequential < inputs.events_final) == (frame.loc["power_planned", "recomputed"] > inputs.power)
    assert frame.loc["inflation_factor", "recomputed"] == pytest.approx(group_sequential / fixed, rel=1e-12)
    assert frame.loc["events_interim_planned", "recomputed"] == pytest.approx(0.6 * group_sequential, rel=1e-12)


def test_power_at_528_is_the_printed_90_percent(inputs):
    frame = events_and_power(inputs).set_index("quantity")
    # 528 is within 1% of the events that give exactly 90%: power within half a point.
    assert frame.loc["power_planned", "recomputed"] == pytest.approx(inputs.power, abs=0.005)
    assert frame.loc["power_actual", "recomputed"] == pytest.approx(inputs.power, abs=0.005)
    # A later interim spends more alpha early and stops more often there.
    assert frame.loc["stop_at_interim_actual", "recomputed"] > frame.loc["stop_at_interim_planned", "recomputed"]


# --------------------------------------------------------------------------
# Follow-up
# --------------------------------------------------------------------------


def test_follow_up_times_give_back_the_event_counts(inputs):
    frame = follow_up(inputs).set_index("reading")
    assert list(frame.index) == list(LOSS_READINGS)
    model = dict(accrual_duration=inputs.recruitment_months, control_median=inputs.control_median,
                 hazard_ratio=inputs.target_hazard_ratio, allocation_ratio=inputs.allocation_ratio)
    for reading, row in frame.iterrows():
        model["n_patients"] = row["patients_modelled"]
        loss = loss_reading(reading, inputs.loss_to_follow_up)
        assert expected_events(row["calendar_months"], loss_to_follow_up=loss, **model).events == pytest.approx(528, rel=1e-9)
        assert row["control_events_at_359"] + row["experimental_events_at_359"] == pytest.approx(359, rel=1e-9)
        assert row["interim_calendar_months"] < row["events_359_calendar_months"] < row["calendar_months"]
        assert row["after_accrual_months"] == pytest.approx(row["calendar_months"] - 18.0, abs=1e-12)


def test_the_planning_reading_of_loss_inflates_the_planned_n_not_the_randomised_n(inputs):
    frame = follow_up(inputs).set_index("reading")
    # 705 planned patients (NEJM Methods) inflated by 1 / (1 - 0.1): 705 x 0.9 followed, none lost.
    assert frame.loc["inflation", "patients_modelled"] == pytest.approx(705 * 0.9, abs=1e-9)
    assert frame.loc["inflation", "lost_at_final"] == 0
    assert (frame.drop(index="inflation")["patients_modelled"] == 705).all()
    # Fewer patients followed: the 528 events take longer than with no loss at all.
    assert frame.loc["inflation", "calendar_months"] > frame.loc["none", "calendar_months"]


def test_observed_split_of_359_events_reflects_a_larger_effect_than_planned(tables, inputs, observed):
    # Under HR 0.74 the model expects more everolimus and fewer placebo events
    # among 359 than NEJM Table 3 reports (202 + 157), as the notebook says.
    local = _observed(observed, "local", "wald_ci")
    for row in follow_up(inputs).itertuples():
        assert row.experimental_events_at_359 > local["events_experimental"]
        assert row.control_events_at_359 < local["events_control"]


def test_losses_delay_the_final_analysis(inputs):
    frame = follow_up(inputs).set_index("reading")
    assert frame.loc["none", "loss_hazard"] == 0.0 and frame.loc["none", "lost_at_final"] == 0.0
    assert frame.loc["none", "calendar_months"] < frame.loc["per_year", "calendar_months"]
    assert frame.loc["none", "calendar_months"] < frame.loc["before_event", "calendar_months"]
    # "10% per year": 10% lost within 12 months absent progression.
    assert 1.0 - math.exp(-12.0 * frame.loc["per_year", "loss_hazard"]) == pytest.approx(0.10, rel=1e-12)
    # "10% before the event": with unlimited follow-up 90% of patients have the event.
    assert frame.loc["before_event", "max_events"] == pytest.approx(0.9 * inputs.patients_planned, rel=1e-9)


# --------------------------------------------------------------------------
# Plot data
# --------------------------------------------------------------------------


def test_plot_points_are_the_tabulated_values(boundaries, observed):
    points = boundary_plot_points(boundaries, observed)
    assert np.isin(boundaries["z"], points["z"]).all()
    shown = observed[observed["method"].isin(["wald_ci", "schoenfeld"])]
    assert np.isin(shown["z"], points["z"]).all()
    assert len(points) == len(boundaries) + len(shown)
