"""The real data validate; each class of broken input stops the load with a message that says where and what."""

from __future__ import annotations

import json

import pytest

from bolero_evidence.data.errors import DataValidationError
from bolero_evidence.data.loader import load_tables
from bolero_evidence.data.provenance import check_provenance
from tests.conftest import DATA, edit_cell, find_line

EXPECTED_TABLES = {"sources", "design", "pfs", "pfs_subgroups", "response", "adverse_events", "exposure",
                   "baseline", "trials", "trial_outcomes", "trial_side_effects", "quality_of_life", "finding", "trial_conduct",
                   "biomarkers", "label_synonyms"}
# Tables of the project's reading, not transcribed from a seed: no source, locator or quote.
NOT_TRANSCRIBED = {"sources", "label_synonyms"}


def test_the_data_validate():
    tables = load_tables(DATA)
    assert set(tables) == EXPECTED_TABLES
    assert all(len(frame) > 0 for frame in tables.values())


def test_every_quote_is_found_in_its_seed(seeds):
    tables = load_tables(DATA)
    problems = check_provenance(tables, DATA, seeds)
    assert problems == [], "\n".join(map(str, problems))


def test_every_row_names_a_locator_and_a_known_source():
    tables = load_tables(DATA)
    known = set(tables["sources"]["source_id"])
    for name, frame in tables.items():
        if name in NOT_TRANSCRIBED:
            continue
        assert frame["locator"].str.len().min() > 0, name
        assert set(frame["source_id"]) <= known, name


def _problems(data_dir) -> str:
    with pytest.raises(DataValidationError) as caught:
        load_tables(data_dir)
    return str(caught.value)


def test_type_error_names_file_row_column_value_and_type(data_copy):
    line = find_line(data_copy, "pfs", statistic="hr", source_id="nejm_2011", assessment="local")
    edit_cell(data_copy, "pfs", line, "value", "abc")
    message = _problems(data_copy)
    assert f"pfs.csv, row {line}, column 'value': got 'abc'; expected a value of type number" in message


def test_value_outside_allowed_set_lists_the_allowed_values(data_copy):
    edit_cell(data_copy, "pfs", 2, "arm", "everolimu")
    message = _problems(data_copy)
    assert "pfs.csv, row 2, column 'arm': got 'everolimu'" in message
    assert "enum" in message and "everolimus" in message


def test_missing_required_cell(data_copy):
    edit_cell(data_copy, "response", 3, "locator", "")
    assert "response.csv, row 3, column 'locator'" in _problems(data_copy)
    assert "required" in _problems(data_copy)


def test_unknown_source_id_is_a_foreign_key_error(data_copy):
    edit_cell(data_copy, "exposure", 4, "source_id", "nejm_2012")
    message = _problems(data_copy)
    assert "exposure.csv, row 4, column 'source_id': got 'nejm_2012'; expected a source_id listed in sources.csv (foreign key)" in message


def test_duplicate_row_is_a_primary_key_error(data_copy):
    path = data_copy / "pfs_subgroups.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    message = _problems(data_copy)
    assert f"pfs_subgroups.csv, row {len(lines) + 1}: got '(whole row)'; expected a unique combination of data_cut, assessment, subgroup, arm, statistic, source_id, locator (primary key): the same as in the row 2" in message


def test_missing_file_is_named(data_copy):
    (data_copy / "trials.csv").unlink()
    assert "trials.csv: expected the CSV file of resource 'trials'" in _problems(data_copy)


def test_broken_descriptor_is_named(data_copy):
    (data_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert "datapackage.json, row 1: got" in _problems(data_copy)


def test_value_that_disagrees_with_its_printed_form(data_copy):
    line = find_line(data_copy, "adverse_events", term="rash", grade="any", arm="everolimus")
    edit_cell(data_copy, "adverse_events", line, "value", "63")
    assert f"adverse_events.csv, row {line}, column 'value': got 63.0; expected 36, the number printed as '36'" in _problems(data_copy)


def test_qualifier_that_disagrees_with_its_printed_form(data_copy):
    line = find_line(data_copy, "adverse_events", term="anemia", grade="3-4", arm="placebo", source_id="nejm_2011")
    edit_cell(data_copy, "adverse_events", line, "qualifier", "eq")
    assert f"adverse_events.csv, row {line}, column 'qualifier': got 'eq'; expected a qualifier that fits the printed form '<1%'" in _problems(data_copy)


def test_unreadable_printed_form(data_copy):
    edit_cell(data_copy, "exposure", 2, "printed", "about three hundred")
    assert "exposure.csv, row 2, column 'printed': got 'about three hundred'" in _problems(data_copy)


def test_percentage_above_100(data_copy):
    line = find_line(data_copy, "baseline", statistic="pct")
    edit_cell(data_copy, "baseline", line, "value", "120")
    edit_cell(data_copy, "baseline", line, "printed", "120")
    edit_cell(data_copy, "baseline", line, "quote", "120")
    assert f"baseline.csv, row {line}, column 'value': got 120.0; expected a percentage in [0, 100]" in _problems(data_copy)


def test_interval_that_does_not_bracket_its_estimate(data_copy):
    line = find_line(data_copy, "pfs", statistic="hr_ci_high", source_id="nejm_2011", assessment="central", locator="Abstract, Results, central assessment")
    edit_cell(data_copy, "pfs", line, "value", "0.3")
    edit_cell(data_copy, "pfs", line, "printed", "0.3")
    message = _problems(data_copy)
    assert f"pfs.csv, row {line}, column 'value': got 0.3; expected a hr_ci_high ≥ the hr 0.36" in message


def test_count_and_percentage_that_disagree_with_n(data_copy):
    line = find_line(data_copy, "pfs", statistic="events_pct", assessment="local", arm="everolimus")
    edit_cell(data_copy, "pfs", line, "value", "45")
    edit_cell(data_copy, "pfs", line, "printed", "45")
    message = _problems(data_copy)
    assert f"pfs.csv, row {line}, column 'value': got 45.0; expected 41.65% within printed rounding, the count 202" in message
    assert "N = 485 (patients_randomised)" in message


def test_count_above_n(data_copy):
    line = find_line(data_copy, "exposure", measure="on_treatment_at_cutoff", arm="placebo", statistic="n")
    edit_cell(data_copy, "exposure", line, "value", "269")
    edit_cell(data_copy, "exposure", line, "printed", "269")
    assert f"exposure.csv, row {line}, column 'value': got 269.0; expected a count no larger than the arm's N (239" in _problems(data_copy)


def test_arms_that_do_not_add_up(data_copy):
    line = find_line(data_copy, "exposure", measure="on_treatment_at_cutoff", arm="all", statistic="n")
    edit_cell(data_copy, "exposure", line, "value", "297")
    edit_cell(data_copy, "exposure", line, "printed", "297")
    assert f"exposure.csv, row {line}, column 'value': got 297.0; expected the sum of the arms, 296" in _problems(data_copy)


def test_table_n_that_is_not_the_population_n(data_copy):
    edit_cell(data_copy, "adverse_events", 2, "n_arm", "485")
    assert "adverse_events.csv, row 2, column 'n_arm': got 485; expected the safety_population of the everolimus arm in design.csv (482)" in _problems(data_copy)


def test_response_categories_that_do_not_add_up(data_copy):
    line = find_line(data_copy, "response", category="stable_disease", arm="everolimus", assessment="local")
    edit_cell(data_copy, "response", line, "value", "71.1")
    edit_cell(data_copy, "response", line, "printed", "71.1")
    assert "response.csv" in _problems(data_copy) and "adding up to 100% within rounding" in _problems(data_copy)


def test_quote_not_in_seed_and_printed_not_in_quote(data_copy, seeds):
    edit_cell(data_copy, "design", 2, "quote", "a one-sided cumulative 5% level of significance")
    edit_cell(data_copy, "design", 3, "printed", "95%")
    edit_cell(data_copy, "design", 3, "value", "95")
    message_rows = check_provenance(load_tables(data_copy), data_copy, seeds)
    messages = "\n".join(map(str, message_rows))
    assert "design.csv, row 2, column 'quote': got 'a one-sided cumulative 5% level of significance'; expected a verbatim phrase of 003_47ceb6856ae0d802.txt" in messages
    assert "design.csv, row 3, column 'printed': got '95%'; expected a token that stands in the row's quote" in messages


def test_every_problem_is_reported_not_just_the_first(data_copy):
    edit_cell(data_copy, "pfs", 2, "arm", "nobody")
    edit_cell(data_copy, "response", 2, "arm", "nobody")
    message = _problems(data_copy)
    assert "pfs.csv, row 2" in message and "response.csv, row 2" in message
    assert message.startswith("data validation failed (2 problems)")


def test_descriptor_declares_every_csv():
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    declared = {r["path"] for r in descriptor["resources"]}
    # register.csv is derived by the notebooks (data/register.md), not transcribed.
    assert declared == {p.name for p in DATA.glob("*.csv")} - {"register.csv"}


# ---------------------------------------------------------------- new tables and columns
def test_stated_cut_must_equal_its_inferred_value(data_copy):
    line = find_line(data_copy, "pfs", source_id="nejm_2011", statistic="hr", assessment="local", locator="Abstract, Results, local assessment")
    edit_cell(data_copy, "pfs", line, "data_cut_inferred", "final")
    assert (f"pfs.csv, row {line}, column 'data_cut_inferred': got 'final'; expected 'interim', the data_cut the source states"
            in _problems(data_copy))


def test_unstated_row_cannot_claim_a_stated_basis(data_copy):
    line = find_line(data_copy, "pfs_subgroups", subgroup="visceral", arm="placebo")
    edit_cell(data_copy, "pfs_subgroups", line, "inference_basis", "stated")
    assert f"pfs_subgroups.csv, row {line}, column 'inference_basis': got 'stated'; expected the basis of the inference" in _problems(data_copy)


def test_an_inference_must_name_its_basis(data_copy):
    line = find_line(data_copy, "trial_outcomes", trial="bolero2", endpoint="orr", arm="experimental")
    edit_cell(data_copy, "trial_outcomes", line, "inference_basis", "none")
    assert f"trial_outcomes.csv, row {line}, column 'inference_basis': got 'none'; expected the basis of the inferred label" in _problems(data_copy)


def test_unknown_basis_word_is_a_pattern_error(data_copy):
    line = find_line(data_copy, "exposure", source_id="oncology_news_2011", locator="Commentary (Brufsky), paragraph 5")
    edit_cell(data_copy, "exposure", line, "inference_basis", "hunch")
    message = _problems(data_copy)
    assert f"exposure.csv, row {line}, column 'inference_basis': got 'hunch'; expected a value meeting" in message and "pattern" in message


def test_finding_claim_outside_the_vocabulary(data_copy):
    edit_cell(data_copy, "finding", 2, "claim", "promising")
    message = _problems(data_copy)
    assert "finding.csv, row 2, column 'claim': got 'promising'" in message and "not_statistically_different" in message


def test_quality_of_life_p_value_out_of_range(data_copy):
    line = find_line(data_copy, "quality_of_life", endpoint="ttd_qol_5pct", statistic="p_value", source_id="mtor_review_2014")
    edit_cell(data_copy, "quality_of_life", line, "value", "8.4")
    edit_cell(data_copy, "quality_of_life", line, "printed", "8.4")
    assert f"quality_of_life.csv, row {line}, column 'value': got 8.4; expected a P value in (0, 1]" in _problems(data_copy)


def test_quality_of_life_missing_required_arm(data_copy):
    edit_cell(data_copy, "quality_of_life", 3, "arm", "")
    assert "quality_of_life.csv, row 3, column 'arm'" in _problems(data_copy) and "required" in _problems(data_copy)


def test_death_causes_must_add_up_to_the_deaths_attributed_to_adverse_events(data_copy):
    line = find_line(data_copy, "trial_conduct", topic="death_cause", item="sepsis")
    edit_cell(data_copy, "trial_conduct", line, "value", "3")
    edit_cell(data_copy, "trial_conduct", line, "printed", "3")
    assert "trial_conduct.csv, row" in _problems(data_copy)
    assert "got 8.0; expected causes adding up to the 7 deaths attributed to adverse events (exposure.csv row" in _problems(data_copy)


def test_trial_conduct_unit_outside_the_allowed_set(data_copy):
    edit_cell(data_copy, "trial_conduct", 4, "unit", "fortnights")
    message = _problems(data_copy)
    assert "trial_conduct.csv, row 4, column 'unit': got 'fortnights'" in message and "weeks" in message


def test_sub_population_row_carries_the_sub_population_n(data_copy):
    line = find_line(data_copy, "baseline", characteristic="disease_free_interval", statistic="median", arm="everolimus")
    edit_cell(data_copy, "baseline", line, "n_arm", "485")
    assert (f"baseline.csv, row {line}, column 'n_arm': got 485; expected the patients_adjuvant_therapy of the everolimus arm in design.csv (308)"
            in _problems(data_copy))


def test_baseline_population_outside_the_allowed_set(data_copy):
    edit_cell(data_copy, "baseline", 2, "population", "adjuvant")
    assert "baseline.csv, row 2, column 'population': got 'adjuvant'" in _problems(data_copy)


def test_synonym_label_that_does_not_occur_in_its_table(data_copy):
    edit_cell(data_copy, "label_synonyms", 2, "label", "ttp_mediann")
    assert ("label_synonyms.csv, row 2, column 'label': got 'ttp_mediann'; expected a value that occurs in column 'endpoint' of trial_outcomes.csv"
            in _problems(data_copy))


def test_biomarker_statistic_outside_the_allowed_set(data_copy):
    edit_cell(data_copy, "biomarkers", 2, "statistic", "odds")
    assert "biomarkers.csv, row 2, column 'statistic': got 'odds'" in _problems(data_copy)


# ---------------------------------------------------------------- a quote locates its figure
def test_a_quote_cut_down_to_its_figure_locates_nothing(data_copy, seeds):
    line = find_line(data_copy, "pfs", statistic="hr", source_id="nejm_2011", assessment="local",
                     locator="Table 3, Local assessment, Progression-free survival, Hazard Ratio")
    edit_cell(data_copy, "pfs", line, "quote", "0.43")
    messages = "\n".join(map(str, check_provenance(load_tables(data_copy), data_copy, seeds)))
    assert (f"pfs.csv, row {line}, column 'quote': got '0.43'; expected a quote that locates its figure: at least 8 characters and 3 words, "
            "with a word besides the figure (found 4 characters, 1 word, no label word)") in messages


def test_a_quote_the_seed_prints_twice_locates_no_one_place(data_copy, seeds):
    line = find_line(data_copy, "adverse_events", term="anemia", grade="3-4", arm="everolimus", source_id="nejm_2011")
    edit_cell(data_copy, "adverse_events", line, "quote", "anemia (6% vs. <1%)")
    messages = "\n".join(map(str, check_provenance(load_tables(data_copy), data_copy, seeds)))
    assert (f"adverse_events.csv, row {line}, column 'quote': got 'anemia (6% vs. <1%)'; expected a quote that occurs once in its seed, "
            "so it locates one place (it occurs 2 times: lengthen it verbatim)") in messages


def test_locator_rule_on_its_own():
    from bolero_evidence.data.provenance import locator_problem

    seed = "Median 6.9 2.8 and the hazard ratio 0.43 (0.35-0.54); later 0.43 again."
    assert locator_problem("Median 6.9 2.8", "6.9", seed) is None
    assert locator_problem("0.43", "0.43", seed) is not None
    assert locator_problem("0.43 again.", "0.43", seed) is not None  # 2 words
    assert locator_problem("the hazard ratio 0.43", "0.43", seed) is None


def test_a_message_never_reads_expected_expected_nor_echoes_a_runaway_value():
    from pathlib import Path

    from bolero_evidence.data.errors import Problem

    assert str(Problem(Path("x.csv"), 2, "a", "b", "expected a number")) == "x.csv, row 2, column 'a': got 'b'; expected a number"
    long = str(Problem(Path("x.csv"), 2, "a", "y" * 10_000, "a short cell"))
    assert len(long) < 400 and "(10,002 characters)" in long
