"""Overall survival and quality of life as printed, and the trial's conduct (notebook 08).

No source prints an overall-survival hazard ratio or median for BOLERO-2: the
NEJM calls OS immature at the interim analysis and the review calls the
final-analysis difference not yet significant. What can be given is the
share of each arm that had died at each cut, the counts those shares allow,
and the statements themselves. Quality of life is printed by the review as
time to definitive deterioration (medians, HR, P) at two thresholds, and by
the NEJM as a verbal finding at the interim analysis.
"""

from __future__ import annotations

import pandas as pd

from ..register import Figure
from ..stats.proportions import NoConsistentCountError
from ..stats.rounding import counts_for_printed
from .common import attribute_cuts, pick, pick_row

__all__ = ["deaths_by_cut", "survival_statements", "quality_of_life", "conduct", "death_figures", "quality_of_life_figures"]

ARMS = ("everolimus", "placebo")
# The arms of the quality-of-life table are named by role.
QOL_ARMS = {"experimental": "everolimus", "control": "placebo"}


def _randomised(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    return {arm: int(pick(tables["design"], parameter="patients_randomised", arm=arm)) for arm in ARMS}


def deaths_by_cut(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Deaths as a share of each randomised arm at each cut, with the counts the shares allow.

    Returns
    -------
    DataFrame
        One row per cut, source and arm: ``data_cut``, ``source_id``,
        ``locator``, ``arm``, ``n_arm``, ``printed``, ``percent``,
        ``counts`` (counts of the arm consistent with the printed share;
        empty where no whole number gives it).
    """
    exposure = attribute_cuts(tables["exposure"])
    n = _randomised(tables)
    deaths = exposure[(exposure["measure"] == "death") & exposure["arm"].isin(ARMS) & (exposure["statistic"] == "pct")]
    rows = []
    for r in deaths.itertuples():
        try:
            counts = counts_for_printed(r.printed, n[r.arm]).counts
        except NoConsistentCountError:
            counts = ()  # a share no whole number of the arm gives (see the discrepancies)
        rows.append({"data_cut": r.data_cut, "source_id": r.source_id, "locator": r.locator, "arm": r.arm, "n_arm": n[r.arm],
                     "printed": r.printed, "percent": float(r.value), "counts": counts})
    order = {"interim": 0, "final": 1}
    return pd.DataFrame(rows).sort_values(["data_cut", "source_id", "arm"], key=lambda c: c.map(order) if c.name == "data_cut" else c,
                                          ignore_index=True)


def survival_statements(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the sources say about BOLERO-2's overall survival, as typed claims with their cut."""
    finding = attribute_cuts(tables["finding"])
    wanted = (finding["trial"] == "bolero2") & finding["endpoint"].isin(["overall_survival", "survival_unspecified"])
    return finding.loc[wanted, ["data_cut", "cut_inferred", "claim", "printed", "source_id", "locator"]].reset_index(drop=True)


def quality_of_life(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """BOLERO-2's time to definitive deterioration of quality of life, one row per analysis.

    Returns
    -------
    DataFrame
        ``endpoint``, ``analysis``, ``threshold`` (as printed), ``threshold_unit``,
        ``median_everolimus``, ``median_placebo``, ``median_gain`` (months),
        ``hr``, ``p_printed``, ``source_id``, ``locator``.
    """
    qol = tables["quality_of_life"]
    qol = qol[(qol["trial"] == "bolero2") & (qol["source_id"] == "mtor_review_2014")]
    rows = []
    for (endpoint, analysis), group in qol.groupby(["endpoint", "analysis"], sort=False):
        by = {(arm, statistic): pick_row(group, arm=arm, statistic=statistic)
              for arm, statistic in (("experimental", "median"), ("control", "median"), ("all", "threshold"), ("comparison", "hr"),
                                     ("comparison", "p_value"))}
        median_e, median_c = by["experimental", "median"]["value"], by["control", "median"]["value"]
        rows.append({"endpoint": endpoint, "analysis": analysis, "threshold": by["all", "threshold"]["printed"],
                     "threshold_unit": by["all", "threshold"]["unit"],
                     "median_everolimus": median_e, "median_placebo": median_c, "median_gain": median_e - median_c,
                     "hr": by["comparison", "hr"]["value"], "p_printed": by["comparison", "p_value"]["printed"],
                     "source_id": group["source_id"].iloc[0], "locator": by["experimental", "median"]["locator"]})
    return pd.DataFrame(rows)


def conduct(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The trial's conduct as printed, one row per item (repeats of an item by several sentences dropped)."""
    frame = tables["trial_conduct"]
    return frame.drop_duplicates(["topic", "item", "arm"]).reset_index(drop=True)


def death_figures(deaths: pd.DataFrame, cut: str = "final") -> list[Figure]:
    """Register figures: the death count each printed share of ``cut`` allows, where it allows exactly one.

    The interim counts (52 and 31) are registered by notebook 01, which
    derives them with the printed total; they are not registered twice.
    """
    return [Figure(
        id=f"os.{cut}.deaths.{r.arm}", value=float(r.counts[0]), unit="patients",
        method="the only whole number of the randomised arm that the printed percentage rounds to",
        inputs=(r.source_id,),
        description=f"Deaths in the {r.arm} arm at the {cut} analysis, from the printed {r.printed} of {r.n_arm} randomised")
        for r in deaths[deaths["data_cut"] == cut].itertuples() if len(r.counts) == 1]


def quality_of_life_figures(qol: pd.DataFrame) -> list[Figure]:
    """Register figures: the gain in median time to definitive deterioration of quality of life."""
    return [Figure(
        # qol.<endpoint>.<cut>: the review names no data cut (the id scheme of report/generated/README.md).
        id=f"qol.{r.endpoint}.unstated.median_gain", value=float(r.median_gain), unit="months",
        method="difference of printed medians (everolimus − placebo); no interval derivable from medians",
        inputs=(r.source_id,),
        description=f"Gain in median time to definitive deterioration of quality of life ({r.analysis} analysis, "
                    f"threshold {r.threshold})") for r in qol.itertuples()]
