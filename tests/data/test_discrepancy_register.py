"""The widened discrepancy finder: every kind is found on the real data where it exists, and on small synthetic cases
where it must be, and not where it must not be."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bolero_evidence.data.discrepancy_register import (
    REGISTER_COLUMNS,
    claim_contradiction,
    different_label,
    discrepancy_register,
    impossible_across_cuts,
    internal_arithmetic,
    register_versions,
)
from bolero_evidence.data.loader import load_tables
from tests.conftest import DATA


@pytest.fixture(scope="module")
def tables():
    return load_tables(DATA)


@pytest.fixture(scope="module")
def register(tables):
    return discrepancy_register(tables)


def _printed(register, kind, subject_part):
    rows = register[(register["kind"] == kind) & register["subject"].str.contains(subject_part, regex=False)]
    return [{(v["source_id"], v["printed"]) for v in json.loads(r)} for r in rows["versions"]]


def test_register_shape_and_stable_unique_ids(tables, register):
    assert list(register.columns) == REGISTER_COLUMNS
    assert register["id"].is_unique
    assert all(i.startswith(k + "-") for i, k in zip(register["id"], register["kind"]))
    # Same data, same ids: an id is derived from kind and subject, not from a running number.
    assert discrepancy_register(tables)["id"].tolist() == register["id"].tolist()
    versions = register_versions(register)
    assert len(versions) == register["n_versions"].sum()
    assert versions["source_id"].notna().all() and versions["locator"].notna().all()


# Each kind on the real data, with the printed versions it must list.
REAL = [
    ("same_analysis", "term=anemia, grade=3-4, arm=everolimus", {("nejm_2011", "6%"), ("oncology_news_2011", "5%")}),
    ("unattributed", "term=fatigue, grade=any, arm=everolimus", {("nejm_2011", "33"), ("mtor_review_2014", "36%")}),
    ("unattributed", "serious_adverse_event_treatment_related, drug=study_treatment, arm=everolimus", {("nejm_2011", "11%"), ("mtor_review_2014", "12%")}),
    ("different_label", "ttp_median ~ pfs_median, trial=tamrad", {("mtor_review_2014", "8.6"), ("nejm_2011", "8.6"), ("oncology_news_2011", "4.5")}),
    ("different_label", "sd_24_weeks ~ cbr, trial=horizon", {("mtor_review_2014", "17%"), ("mtor_review_2014", "19%")}),
    ("different_label", "death_treatment_related ~ death_adverse_event", {("mtor_review_2014", "Seven"), ("nejm_2011", "seven")}),
    ("impossible_across_cuts", "term=stomatitis, grade=3-4, arm=placebo", {("nejm_2011", "1%"), ("mtor_review_2014", "0")}),
    ("internal_arithmetic", "measure=death, oncology_news_2011", {("oncology_news_2011", "83"), ("oncology_news_2011", "10.6%")}),
    ("internal_arithmetic", "bolero2 next_generation_sequencing samples", {("mtor_review_2014", "227"), ("mtor_review_2014", "32%")}),
    ("claim_contradiction", "ttd_qol_5pct: not_statistically_different", {("nejm_2011", "not statistically different"), ("mtor_review_2014", "P=0.0084")}),
    ("claim_contradiction", "overall_survival: improved (mdanderson", {("mdanderson_conquest_2012", "Improves Survival"), ("nejm_2011", "immature")}),
]


@pytest.mark.parametrize("kind, subject, versions", REAL, ids=[f"{k}:{s}" for k, s, _ in REAL])
def test_each_kind_is_found_on_the_real_data(register, kind, subject, versions):
    assert any(versions <= found for found in _printed(register, kind, subject))


def test_agreeing_figures_are_not_flagged_on_the_real_data(register):
    # NEJM 10.7% of 485 and 13.0% of 239 do make 83 deaths (52 + 31); the review's 6.8% is 32.2 - 25.4.
    assert not _printed(register, "internal_arithmetic", "measure=death, nejm_2011")
    assert not _printed(register, "internal_arithmetic", "death difference")
    # Cumulative incidences that grow from the interim to the final cut are not a discrepancy.
    assert not _printed(register, "impossible_across_cuts", "term=stomatitis, grade=any")
    # TAMRAD's 55 of 111 is 49.5%, printed 50%: within rounding.
    assert not _printed(register, "internal_arithmetic", "tamrad")


# ---------------------------------------------------------------- synthetic cases
def _row(**cells):
    base = {"qualifier": "eq", "unit": "percent", "source_id": "s", "locator": "loc", "quote": "q", "note": pd.NA}
    return {**base, **cells}


def _design(n_e=485, n_p=239, safety_e=482, safety_p=238):
    rows = []
    for parameter, e, p in (("patients_randomised", n_e, n_p), ("safety_population", safety_e, safety_p)):
        rows += [{"parameter": parameter, "arm": "everolimus", "value": e, "source_id": "nejm_2011"},
                 {"parameter": parameter, "arm": "placebo", "value": p, "source_id": "nejm_2011"},
                 {"parameter": parameter, "arm": "all", "value": e + p, "source_id": "nejm_2011"}]
    return pd.DataFrame(rows)


def _ae(cut, inferred, value, printed, source):
    return _row(data_cut=cut, data_cut_inferred=inferred, term="stomatitis", grade="3-4", arm="placebo", value=value, printed=printed, source_id=source)


@pytest.mark.parametrize("final_printed, final_value, found", [("0", 0.0, True), ("1", 1.0, False), ("2", 2.0, False)])
def test_impossible_across_cuts_synthetic(final_printed, final_value, found):
    ae = pd.DataFrame([_ae("interim", "interim", 1.0, "1", "a"), _ae("final", "final", final_value, final_printed, "b")])
    tables = {"adverse_events": ae, "design": _design()}
    assert bool(list(impossible_across_cuts(tables))) is found


def test_impossible_across_cuts_ignores_unattributable_cuts():
    ae = pd.DataFrame([_ae("interim", "interim", 5.0, "5", "a"), _ae("unstated", "unstated", 0.0, "0", "b")])
    assert not list(impossible_across_cuts({"adverse_events": ae, "design": _design()}))


def _deaths(total, pct_e, pct_p):
    rows = [_row(data_cut="interim", data_cut_inferred="interim", measure="death", drug="study_treatment", arm="all", statistic="n",
                 value=float(total), printed=str(total), unit="count")]
    for arm, pct in (("everolimus", pct_e), ("placebo", pct_p)):
        rows.append(_row(data_cut="interim", data_cut_inferred="interim", measure="death", drug="study_treatment", arm=arm, statistic="pct",
                         value=float(pct), printed=f"{pct}%"))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("pct_e, found", [("10.7", False), ("10.6", True), ("10.8", True)])
def test_internal_arithmetic_split_synthetic(pct_e, found):
    # 52/485 = 10.72% and 31/239 = 12.97%: 10.7% and 13.0% make 83; no whole number of 485 is 10.6% or 10.8% (51.2-51.7, 52.1-52.6).
    tables = {"exposure": _deaths(83, pct_e, "13.0"), "design": _design(), "pfs": pd.DataFrame(columns=["data_cut", "assessment", "source_id",
              "locator", "statistic", "arm"])}
    assert any("death" in f.subject for f in internal_arithmetic(tables)) is found


def _outcome(endpoint, arm, value, source):
    return _row(trial="tamrad", data_cut="unstated", data_cut_inferred="unstated", endpoint=endpoint, arm=arm, value=value,
                printed=f"{value:g}", unit="months", source_id=source)


SYNONYMS = pd.DataFrame([{"table": "trial_outcomes", "column": "endpoint", "label": "ttp_median", "target_table": "trial_outcomes",
                          "target_column": "endpoint", "target_label": "pfs_median", "relation": "different_definition", "reason": "r"}])


@pytest.mark.parametrize("ttp_value, found", [(8.6, True), (9.9, False)])
def test_different_label_synthetic(ttp_value, found):
    outcomes = pd.DataFrame([_outcome("ttp_median", "experimental", ttp_value, "review"), _outcome("pfs_median", "experimental", 8.6, "nejm")])
    assert bool(list(different_label({"trial_outcomes": outcomes, "label_synonyms": SYNONYMS}))) is found


def test_different_label_needs_a_synonym_row():
    outcomes = pd.DataFrame([_outcome("ttp_median", "experimental", 8.6, "review"), _outcome("pfs_median", "experimental", 8.6, "nejm")])
    assert not list(different_label({"trial_outcomes": outcomes, "label_synonyms": SYNONYMS.iloc[0:0]}))


def _finding(claim, cut="interim", source="nejm", endpoint="ttd_qol_5pct"):
    return {"trial": "bolero2", "data_cut": cut, "data_cut_inferred": cut, "endpoint": endpoint, "claim": claim, "printed": claim.replace("_", " "),
            "source_id": source, "locator": "loc"}


def _qol_p(printed, value, cut="unstated"):
    return pd.DataFrame([_row(trial="bolero2", data_cut=cut, data_cut_inferred=cut, endpoint="ttd_qol_5pct", arm="comparison",
                              statistic="p_value", value=value, printed=printed, unit="p_value", source_id="review")])


@pytest.mark.parametrize("claim, printed, value, cut, found", [
    ("not_statistically_different", "P=0.0084", 0.0084, "unstated", True),
    ("not_statistically_different", "P=0.1017", 0.1017, "unstated", False),   # agrees: not significant
    ("not_statistically_different", "P=0.0084", 0.0084, "final", False),      # a stated other cut may differ
    ("statistically_significant", "P=0.1017", 0.1017, "interim", True),
    ("statistically_significant", "P=0.0084", 0.0084, "interim", False),
])
def test_claim_against_p_value_synthetic(claim, printed, value, cut, found):
    tables = {"finding": pd.DataFrame([_finding(claim)]), "quality_of_life": _qol_p(printed, value, cut)}
    assert bool(list(claim_contradiction(tables))) is found


def test_claim_against_claim_synthetic():
    synonyms = pd.DataFrame([{"table": "finding", "column": "endpoint", "label": "survival_unspecified", "target_table": "finding",
                              "target_column": "endpoint", "target_label": "overall_survival", "relation": "different_definition", "reason": "r"}])
    improved = _finding("improved", cut="unstated", source="news", endpoint="survival_unspecified")
    immature = _finding("immature", source="nejm", endpoint="overall_survival")
    consistent = _finding("consistent_across_subgroups", source="nejm", endpoint="overall_survival")
    assert list(claim_contradiction({"finding": pd.DataFrame([improved, immature]), "label_synonyms": synonyms}))
    assert not list(claim_contradiction({"finding": pd.DataFrame([improved, consistent]), "label_synonyms": synonyms}))
    # Without the reading of 'survival' as overall survival the two claims are about different endpoints.
    assert not list(claim_contradiction({"finding": pd.DataFrame([improved, immature]), "label_synonyms": synonyms.iloc[0:0]}))
