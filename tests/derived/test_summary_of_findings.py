"""The summary of findings (notebook 07): GRADEpro's columns, the required rows, printed ratios, named cuts, certainty."""

from __future__ import annotations

import pandas as pd
import pytest

from bolero_evidence.data import read_tables
from bolero_evidence.derived.summary import SOF_OUTCOMES, summary_of_findings_outcomes
from bolero_evidence.grade import read_judgements
from bolero_evidence.paths import find_project
from bolero_evidence.presentation.summary import SOF_COLUMNS, per_1000_difference, summary_of_findings


@pytest.fixture(scope="module")
def sof():
    tables = read_tables(["adverse_events", "design", "exposure", "pfs", "quality_of_life"])
    register = pd.read_csv(find_project().root / "report" / "generated" / "register.csv")
    return summary_of_findings(summary_of_findings_outcomes(tables, register), read_judgements())


def test_columns_are_gradepros(sof):
    assert list(sof.table.columns) == list(SOF_COLUMNS)
    assert SOF_COLUMNS[1] == "Participants (studies)"


def test_every_required_outcome_has_a_row_in_order(sof):
    assert list(sof.ratings) == list(SOF_OUTCOMES)
    starts = ["Progression-free survival, investigator", "Progression-free survival, central", "Overall survival",
              "Time to deterioration of quality of life", "Objective response", "Discontinuation", "Serious adverse",
              "Deaths attributed", "Grade 3–4 stomatitis", "Grade 3–4 pneumonitis", "Grade 3–4 hyperglycaemia", "Grade 3–4 anaemia"]
    assert [label[: len(s)] for label, s in zip(sof.table["Outcome"], starts)] == starts


def test_every_row_names_its_data_cut(sof):
    assert all(any(cut in label for cut in ("interim analysis", "final analysis", "data cut not stated")) for label in sof.table["Outcome"])


def test_printed_hazard_ratios_lead_and_no_model_estimate_replaces_them(sof):
    pfs = sof.table.iloc[0]
    assert pfs["Relative effect (95% CI)"] == "HR 0.43 (0.35 to 0.54)"
    assert not sof.table.apply(lambda col: col.str.contains("exponential")).any().any()
    assert "no hazard ratio reported" in pfs["Comments"]  # the final analysis is named, not mixed in


def test_absolute_effects_per_1000_from_the_register(sof):
    pfs = sof.table.iloc[0]
    assert pfs[SOF_COLUMNS[3]] == "774 by 6 months"
    assert pfs[SOF_COLUMNS[4]] == "302 fewer (368 fewer to 222 fewer)"


def test_certainty_and_notes(sof):
    assert {o: r.label for o, r in sof.ratings.items()}["pfs_local"] == "High"
    assert sof.ratings["overall_survival"].label == "Low"
    assert sof.table.iloc[0]["Certainty of the evidence"].startswith("⊕⊕⊕⊕ High ")
    assert len(sof.notes) == sof.notes["Note"].nunique()
    assert set(sof.notes["Domain"]) == {"Risk of bias", "Inconsistency", "Indirectness", "Imprecision", "Publication bias"}


@pytest.mark.parametrize(("args", "expected"), [((-301.6, -368.2, -222.0), "302 fewer (368 fewer to 222 fewer)"),
                                                ((-68.6, -140.3, 0.6), "69 fewer (140 fewer to 1 more)"),
                                                ((-100.0, None, None), "100 fewer (no interval)")])
def test_per_1000_wording(args, expected):
    assert per_1000_difference(*args) == expected
