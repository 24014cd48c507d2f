"""The rule table: it loads, every row is sourced, and its confirmed rows equal the published thresholds."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from bolero_evidence.mcbs import SOURCES, RuleTableError, UnknownFormError, form_rules, load_rules

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mcbs_threshold_rules.csv"


def test_forms_2a_and_2b_are_encoded():
    rules = load_rules()
    assert set(rules) == {"2a", "2b"}
    assert rules["2b"].bound.highest == 4 and rules["2a"].bound.highest == 5


def test_every_rule_names_a_source_and_how_far_it_is_confirmed():
    for form in load_rules().values():
        for rule in form.preliminary + form.adjustments:
            assert rule.source in SOURCES
            assert rule.confirmed_from == "confirmed" or rule.confirmed_from.startswith(("secondary:", "unconfirmed:")), rule.rule_id


def _reference_rows():
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("row", _reference_rows(), ids=lambda r: f"{r['form']}-{r['control_median_range']}")
def test_top_grade_rules_equal_the_published_dual_rule(row):
    # Dafni et al. Table 1 (the ESMO-MCBS working group's statistical paper) prints the maximal preliminary grade's
    # thresholds; the rule table's top-grade rule of each sheet must read the same variables with the same thresholds.
    form = form_rules(row["form"])
    grade = int(row["grade"])
    low = Decimal(row["control_min"])
    candidates = [r for r in form.preliminary if r.grade == grade and r.control_min == low]
    assert len(candidates) == 1, f"expected one grade-{grade} rule for control > {low}"
    rule = candidates[0]
    thresholds = {(c.variable, c.comparison): c.threshold for c in rule.conditions}
    assert thresholds == {("hr_ci_low", "le"): Decimal(row["hr_ci_low_max"]), ("median_gain", "ge"): Decimal(row["gain_min"])}
    if row["control_max"]:
        assert rule.control_max == Decimal(row["control_max"]) and rule.control_max_op == row["control_max_op"]
    elif row["form"] == "2a":
        # Dafni's '>12 months' OS row is one v1.0 sheet; v1.1 splits it at 24 months and the >24 sheet is not encoded.
        assert rule.control_max == Decimal(24)
    else:
        assert rule.control_max is None
    assert rule.control_min_op == row["control_min_op"]


def test_unknown_form_names_the_encoded_forms():
    with pytest.raises(UnknownFormError, match=r"form '2c' is not encoded .*encoded forms: 2a, 2b"):
        form_rules("2c")


def _broken_copy(tmp_path, line: int, column: str, value: str) -> Path:
    target = tmp_path / "forms.csv"
    with resources.files("bolero_evidence.mcbs").joinpath("forms_v1_1.csv").open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[line - 1][rows[0].index(column)] = value
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return target


@pytest.mark.parametrize(("column", "value", "message"), [
    ("variable", "hr_point", r"row 2, column 'variable': got 'hr_point'; expected one of"),
    ("comparison", "<=", r"row 2, column 'comparison': got '<='"),
    ("threshold", "0,65", r"row 2, column 'threshold': got '0,65'; expected a number"),
    ("source", "somewhere", r"row 2, column 'source': got 'somewhere'"),
    ("confirmed_from", "", r"row 2, column 'confirmed_from': empty"),
    ("grade", "2", r"row 3, column 'grade': got '3'; expected '2' as on row 2"),
])
def test_a_broken_table_is_refused_naming_row_column_and_value(tmp_path, column, value, message):
    load_rules.cache_clear()
    with pytest.raises(RuleTableError, match=message):
        load_rules(_broken_copy(tmp_path, 2, column, value))
