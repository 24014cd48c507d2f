"""The register figures each analysis module returns: ids, values taken from the result frames, registration.

The figures are what the notebooks register; these tests check them
without a notebook: every id is unique and valid, each value is the number
in the result frame it describes (no recomputation, no formatting on the
way), and :meth:`Register.extend` adds them as :meth:`Register.add` would.
"""

from __future__ import annotations

import math

import pytest

from bolero_evidence.derived import context, design, pfs, provenance, response, safety
from bolero_evidence.register import Figure, Register


@pytest.fixture(scope="module")
def figures(tables):
    """Every topic's figures, by notebook cell, as the notebooks register them."""
    inputs = design.design_inputs(tables)
    orr, cbr = response.objective_response(tables), response.clinical_benefit(tables)
    versions = provenance.discrepancy_versions(tables)
    differences = context.side_effect_differences(tables)
    return {
        "provenance": provenance.discrepancy_figures(tables, versions)
        + provenance.death_split_figures(provenance.death_split_check(tables)),
        "pfs": pfs.overall_figures(pfs.overall_effects(tables)) + pfs.precision_figures(pfs.hazard_ratio_precision(tables))
        + pfs.subgroup_figures(pfs.subgroup_effects(tables)) + pfs.model_based_figures(pfs.model_based_intervals(tables))
        + pfs.absolute_figures(pfs.absolute_effects(tables)),
        "response": response.rate_figures(orr, cbr, response.final_analysis_rates(tables))
        + response.comparison_figures(response.response_comparisons(tables)),
        "safety": safety.discontinuation_figures(safety.discontinuation(tables))
        + safety.adverse_event_figures(safety.adverse_events(tables)) + safety.exposure_figures(safety.exposure_overview(tables)),
        "design": design.boundary_figures(inputs, design.boundary_table(inputs))
        + design.observed_figures(design.observed_z(tables, inputs), inputs)
        + design.events_power_figures(design.events_and_power(inputs)) + design.follow_up_figures(design.follow_up(inputs), inputs),
        "context": context.efficacy_figures(context.efficacy_differences(tables)) + context.side_effect_figures(differences),
    }


# The register's own size per notebook (report/generated/register.csv, built from the saved notebooks).
# context: 109 computed cross-trial figures less the four BOLERO-2 PFS gains and ratios registered by notebook 02.
EXPECTED_COUNTS = {"provenance": 3, "pfs": 59, "response": 41, "safety": 122, "design": 47, "context": 105}


@pytest.mark.parametrize("topic", sorted(EXPECTED_COUNTS))
def test_every_topic_registers_each_figure_once_with_a_valid_entry(figures, topic):
    found = figures[topic]
    assert len(found) == EXPECTED_COUNTS[topic]
    assert all(isinstance(f, Figure) for f in found)
    ids = [f.id for f in found]
    assert len(set(ids)) == len(ids)
    assert all(f.inputs and f.method and f.description and f.unit for f in found)
    # Register.add checks the id scheme; every figure must pass it.
    Register(f"00-{topic}").extend(found, cell="tbl-test", section="sec-test")


def test_figures_carry_the_numbers_of_the_result_frames(tables, figures):
    by_id = {f.id: f for topic in figures.values() for f in topic}
    overall = pfs.overall_effects(tables).set_index(["assessment", "data_cut"])
    assert by_id["pfs.local.interim.median_gain"].value == overall.loc[("local", "interim"), "median_gain"]
    orr = response.objective_response(tables).set_index(["assessment", "arm"])
    figure = by_id["orr.local.everolimus"]
    assert (figure.value, figure.ci_low, figure.ci_high) == tuple(orr.loc[("local", "everolimus"), ["estimate", "low", "high"]])
    events = safety.adverse_events(tables).set_index(["term", "grade"])
    stomatitis = events.loc[("stomatitis", "grade_3_4")]
    assert by_id["ae.stomatitis.grade_3_4.difference"].ci_high == stomatitis["difference_high"]
    inputs = design.design_inputs(tables)
    assert by_id["design.interim.info_fraction.actual"].value == inputs.events_interim / inputs.events_final


def test_an_infinite_relative_risk_is_not_registered(tables, figures):
    ids = {f.id for f in figures["safety"]}
    events = safety.adverse_events(tables)
    infinite = events[~events["ratio"].map(math.isfinite)]
    assert not infinite.empty  # NEJM Table 2 has terms with no placebo patient at some grade
    for r in infinite.itertuples():
        assert f"ae.{r.term}.{r.grade}.difference" in ids
        assert f"ae.{r.term}.{r.grade}.ratio" not in ids
    # A ratio of 0 (no everolimus patient: back pain grade 3-4) is not shown as an estimate either.
    assert events.set_index(["term", "grade"]).loc[("back_pain", "grade_3_4"), "ratio"] == 0
    assert "ae.back_pain.grade_3_4.ratio" not in ids
    # A sparse ratio over many count combinations is registered with the asymptotic interval and says not to cite it.
    by_id = {f.id: f for f in figures["safety"]}
    assert "not to be cited" in by_id["ae.anemia.grade_3_4.ratio"].method


def test_an_nnt_whose_interval_includes_no_effect_has_no_register_bounds(tables, figures):
    # Exemestane discontinuation: the difference interval crosses zero (−0.4 to 8.0 points), so Altman's
    # interval is two pieces through infinity, which two bounds cannot hold.
    by_id = {f.id: f for f in figures["safety"]}
    nnh = by_id["safety.discontinuation_adverse_event.exemestane.nnh"]
    assert nnh.ci_low is None and nnh.ci_high is None
    assert "to ∞ to" in nnh.description
    # ... but the structured fields hold both pieces: NNTH 1/0.0797 to ∞ to NNTB 1/0.0038.
    needed = safety.discontinuation(tables).set_index(["measure", "drug"]).loc[
        ("discontinuation_adverse_event", "exemestane"), "comparison"].number_needed
    assert nnh.interval_kind == "through_infinity"
    assert (nnh.nnt_harm_bound, nnh.nnt_benefit_bound) == (needed.nnt_harm_bound, needed.nnt_benefit_bound)
    assert nnh.nnt_harm_bound == pytest.approx(100 / 7.9695, rel=1e-4) and nnh.nnt_benefit_bound > 100


def test_register_extend_rounds_checks_and_keeps_order():
    register = Register("00-test")
    added = register.extend([Figure("a.b", 1 / 3, unit="ratio", method="m", inputs="nejm_2011", description="d"),
                             Figure("a.c", 2.0, unit="ratio", method="m", inputs=("x", "nejm_2011"), description="d",
                                    ci_low=1.0, ci_high=math.inf)], cell="tbl-x", section="sec-x")
    assert [e.id for e in register.entries] == ["a.b", "a.c"] == [e.id for e in added]
    assert added[0].value == 0.333333 and added[0].inputs == ("nejm_2011",)
    assert added[1].inputs == ("nejm_2011", "x") and added[1].ci_high == math.inf
    with pytest.raises(ValueError, match="already used"):
        register.extend([Figure("a.b", 1.0, unit="ratio", method="m", inputs="x", description="d")], cell="tbl-x", section="sec-x")
    with pytest.raises(ValueError, match="tbl-/fig- label"):
        register.extend([Figure("a.d", 1.0, unit="ratio", method="m", inputs="x", description="d")], cell="x", section="sec-x")


def test_model_based_figures_say_so_and_no_id_is_stored_twice(figures):
    by_id = {f.id: f for topic in figures.values() for f in topic}
    for stem in ("pfs.local.interim", "pfs.central.interim"):
        assert by_id[f"{stem}.median_gain_model"].method.startswith("model-based (exponential)")
        assert by_id[f"{stem}.hr_exponential_interval"].method.startswith("model-based (exponential)")
    # The central median's upper limit is NR: no interval from the printed CIs there.
    assert "pfs.local.interim.median_gain_printed_ci" in by_id and "pfs.central.interim.median_gain_printed_ci" not in by_id
    for f in figures["pfs"]:
        if ".absolute_" in f.id:
            assert f.method.startswith("model-based (exponential): GRADE guidance 27")
    # Quality of life: HR 0.74 printed without an interval, so its absolute effect has none.
    qol = by_id["qol.ttd_qol_5pct.unstated.absolute_12m.difference"]
    assert qol.ci_low is None and qol.ci_high is None and "no interval" in qol.method
    # The Wald and Schoenfeld z are registered once, by the PFS analysis.
    assert "design.observed.local.z" not in by_id and "design.observed.central.z_schoenfeld" not in by_id
    assert by_id["pfs.local.interim.z"].value < 0
    # Precision follows the inputs: the P rebuilt from a CI printed to two decimals keeps one digit.
    assert by_id["pfs.local.interim.p_value"].significant == 1
    # Subgroup and clinical-benefit ids carry the assessment and the cut.
    assert "pfs.local.final.subgroup.visceral.median_gain" in by_id
    assert "cbr.mtor_review_2014.unstated.final.everolimus" in by_id
