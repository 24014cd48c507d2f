"""Display tables of notebook 08 (overall survival, quality of life, trial conduct)."""

from __future__ import annotations

import pandas as pd

from .names import data_label
from .text import number

__all__ = ["deaths_table", "survival_statements_table", "quality_of_life_table", "conduct_table"]

CUT_TEXT = {"interim": "interim", "final": "final", "unstated": "not stated"}
CLAIM_TEXT = {
    "immature": "immature", "not_yet_known": "not yet known", "improved": "improved",
    "not_yet_statistically_significant": "not yet statistically significant", "awaited": "awaited",
}


def _names(sources: pd.DataFrame) -> dict[str, str]:
    return dict(zip(sources["source_id"], sources["short_name"]))


def deaths_table(deaths: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Deaths per arm and cut as printed, with the counts each share allows."""
    names = _names(sources)
    return pd.DataFrame({
        "Analysis": deaths["data_cut"].map(CUT_TEXT), "Source": deaths["source_id"].map(names), "Arm": deaths["arm"],
        "Randomised": deaths["n_arm"].astype(str), "Deaths, printed": deaths["printed"],
        "Deaths, counts the share allows": [", ".join(map(str, c)) or "none (no whole number gives it)" for c in deaths["counts"]],
    })


def survival_statements_table(statements: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """What each source says of overall survival, with the analysis it belongs to."""
    names = _names(sources)
    analysis = statements["data_cut"].map(CUT_TEXT) + statements["cut_inferred"].map({True: " (inferred)", False: ""})
    return pd.DataFrame({"Analysis": analysis, "Source": statements["source_id"].map(names), "Where": statements["locator"],
                         "Says": statements["printed"], "Read as": statements["claim"].map(CLAIM_TEXT)})


def quality_of_life_table(qol: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Time to definitive deterioration of quality of life: medians, gain, HR and P as printed."""
    names = _names(sources)
    return pd.DataFrame({
        "Analysis": qol["analysis"], "Deterioration threshold": [t if u == "percent" else f"{t} {u}" for t, u in zip(qol["threshold"], qol["threshold_unit"])],
        "Median, everolimus (months)": [number(v, 1) for v in qol["median_everolimus"]],
        "Median, placebo (months)": [number(v, 1) for v in qol["median_placebo"]],
        "Gain in median (months)": [number(v, 1) for v in qol["median_gain"]],
        "HR (95% CI)": [f"{number(v, 2)} (CI not printed)" for v in qol["hr"]], "P": qol["p_printed"],
        "Source": qol["source_id"].map(names),
    })


def conduct_table(conduct: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The trial's conduct, one row per item, as printed, with its unit where the printed form has none."""
    names = _names(sources)
    shown = [p if u in ("text", "date", "count") or not any(c.isdigit() for c in p) else f"{p} {u}"
             for p, u in zip(conduct["printed"], conduct["unit"])]
    return pd.DataFrame({"Topic": conduct["topic"].map(data_label), "Item": conduct["item"].map(data_label),
                         "Arm": conduct["arm"], "As printed": shown,
                         "Source": conduct["source_id"].map(names) + ", " + conduct["locator"]})
