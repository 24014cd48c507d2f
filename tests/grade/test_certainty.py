"""Tests of bolero_evidence.grade: the judgements file, the optimal information size, the imprecision rule, the rating."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from bolero_evidence.grade import (
    ImprecisionInput,
    JudgementFileError,
    default_judgements_path,
    imprecision,
    optimal_information_size_binary,
    optimal_information_size_events,
    rate_certainty,
    read_judgements,
)


def test_events_ois_matches_schoenfeld_by_hand():
    # 4 (1.96 + 0.8416)^2 / log(0.75)^2 = 379.2: the 380 events usually quoted for HR 0.75, 80% power, two-sided 5%.
    assert optimal_information_size_events(0.75) == 380
    # BOLERO-2's design effect, HR 0.74: 346.3 -> 347.
    assert optimal_information_size_events(0.74) == 347


def test_binary_ois_agrees_with_the_pooled_variance_formula():
    # The textbook normal-approximation sample size (Fleiss), independent of statsmodels' arcsine effect size; the two
    # approximations differ by a few per cent at these risks, hence a 5% tolerance.
    p1, p2 = 0.12, 0.15
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.80)
    pbar = (p1 + p2) / 2
    per_arm = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    assert optimal_information_size_binary(0.12) == pytest.approx(2 * per_arm, rel=0.05)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        optimal_information_size_binary(0.0)


@pytest.mark.parametrize(("data", "expected"), [
    (ImprecisionInput("ratio", 0.43, 0.35, 0.54, information=359, ois=347), "not_serious"),
    (ImprecisionInput("ratio", 0.36, 0.27, 0.47, information=218, information_unit="events", ois=347), "serious"),
    (ImprecisionInput("ratio", 0.79, 0.62, 1.003), "serious"),
    (ImprecisionInput("ratio", 3.46, 0.55, 87.4), "very_serious"),
    (ImprecisionInput("difference", 6.8, 3.3, 10.0), "not_serious"),
    (ImprecisionInput("difference", 1.0, -1.0, 2.6), "serious"),
    (ImprecisionInput("ratio", 0.74, None, None), "serious"),
])
def test_imprecision_rule(data, expected):
    judgement, reason = imprecision(data)
    assert judgement == expected
    assert reason


def test_shipped_judgements_cover_every_outcome_and_domain():
    frame = read_judgements()
    assert frame.groupby("outcome").size().eq(5).all()


def _write(tmp_path, frame):
    path = tmp_path / "judgements.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_panel_changing_one_judgement_changes_the_certainty(tmp_path):
    frame = read_judgements()
    computed = {"pfs_local": ("not_serious", "interval")}
    assert rate_certainty(frame, "pfs_local", computed).label == "High"
    edited = frame.copy()
    edited.loc[(edited["outcome"] == "pfs_local") & (edited["domain"] == "risk_of_bias"), ["judgement", "reason"]] = [
        "serious", "investigator assessment of progression"]
    rating = rate_certainty(read_judgements(_write(tmp_path, edited)), "pfs_local", computed)
    assert rating.label == "Moderate"
    assert rating.symbols == "⊕⊕⊕◯"


def test_certainty_never_falls_below_very_low():
    frame = read_judgements()
    edited = frame.copy()
    edited.loc[edited["outcome"] == "overall_survival", "judgement"] = ["very_serious"] * 4 + ["strongly_suspected"]
    assert rate_certainty(edited, "overall_survival").level == 1


def test_bad_judgement_names_file_row_column_and_value(tmp_path):
    frame = pd.read_csv(default_judgements_path(), dtype=str, keep_default_na=False)
    frame.loc[3, "judgement"] = "somewhat serious"
    with pytest.raises(JudgementFileError, match=r"row 5, column 'judgement': found 'somewhat serious'"):
        read_judgements(_write(tmp_path, frame))


def test_missing_domain_is_an_error(tmp_path):
    frame = pd.read_csv(default_judgements_path(), dtype=str, keep_default_na=False).iloc[1:]
    with pytest.raises(JudgementFileError, match="no row for domain"):
        read_judgements(_write(tmp_path, frame))
