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
        + pfs.subgroup_figures(pfs.subgroup_effects(tables)),
        "response": response.rate_figures(orr, cbr) + response.comparison_figures(response.response_comparisons(tables)),
        "safety": safety.discontinuation_figures(safety.discontinuation(tables))
        + safety.adverse_event_figures(safety.adverse_events(tables)) + safety.exposure_figures(safety.exposure_overview(tables)),
        "design": design.boundary_figures(inputs, design.boundary_table(inputs))
        + design.observed_figures(design.observed_z(tables, inputs), inputs)
        + design.events_power_figures(design.events_and_power(inputs)) + design.follow_up_figures(design.follow_up(inputs), inputs),
        "context": context.efficacy_figures(context.efficacy_differences(tables)) + context.side_effect_figures(differences),
    }


# The register's own size per notebook (report/generated/register.csv, built from the saved notebooks).
EXPECTED_COUNTS = {"provenance": 3, "pfs": 34, "response": 25, "safety": 122, "design": 47, "context": 109}


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


def test_an_nnt_whose_interval_includes_no_effect_has_no_register_bounds(figures):
    # Exemestane discontinuation: the difference interval crosses zero (−0.4 to 8.0 points), so Altman's
    # interval is two pieces through infinity, which two bounds cannot hold.
    by_id = {f.id: f for f in figures["safety"]}
    nnh = by_id["safety.discontinuation_adverse_event.exemestane.nnh"]
    assert nnh.ci_low is None and nnh.ci_high is None
    assert "to ∞ to" in nnh.description


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
