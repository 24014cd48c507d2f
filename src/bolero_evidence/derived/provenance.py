"""What was transcribed from where, and where the sources disagree (notebook 01)."""

from __future__ import annotations

import pandas as pd

from ..data.discrepancies import Discrepancy, find_discrepancies
from ..stats.proportions import counts_consistent_with_percent
from .common import pick

__all__ = ["source_list", "inventory", "discrepancy_rows", "death_split_check"]

KIND_TEXT = {
    "same_analysis": "same analysis, different figures",
    "unattributed": "analysis not stated; matches no figure it could be",
}


def source_list(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The sources with their citation and the data cut each reports."""
    s = tables["sources"]
    cite = s["authors"].fillna("").str.split(",").str[0].str.strip().replace("", "(no author named)")
    return pd.DataFrame({
        "source id": s["source_id"], "seed file": s["seed_file"],
        "citation": cite + ". " + s["title"] + ". " + s["container"] + ", " + s["year"].astype(str) + ".",
        "DOI": s["doi"].fillna("–"), "data cut": s["data_cut"],
    })


def inventory(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows transcribed per table and source (a table × source count)."""
    counts = []
    for name, frame in tables.items():
        if name == "sources" or "source_id" not in frame.columns:
            continue
        for source, n in frame.groupby("source_id").size().items():
            counts.append({"table": f"{name}.csv", "source": source, "rows": int(n)})
    wide = pd.DataFrame(counts).pivot_table(index="table", columns="source", values="rows", fill_value=0, aggfunc="sum")
    wide["all sources"] = wide.sum(axis=1)
    return wide.astype(int).reset_index()


def discrepancy_rows(tables: dict[str, pd.DataFrame]) -> tuple[list[Discrepancy], pd.DataFrame]:
    """The discrepancies, and one display row per version (D1, D2, ...)."""
    found = find_discrepancies(tables)
    rows = []
    for number, d in enumerate(found, start=1):
        for v in d.versions:
            rows.append({"#": f"D{number}", "what": f"{d.table}: {d.measure}", "kind": KIND_TEXT[d.kind],
                         "source": v.source_id, "data cut": v.data_cut, "assessment": v.assessment,
                         "printed": v.printed, "where": v.locator})
    return found, pd.DataFrame(rows)




def death_split_check(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which printed death percentages are possible with the arm sizes and 83 deaths in all.

    The NEJM prints 10.7% and 13.0%, the news report 10.6% and 13.0%, both
    with 83 deaths. A percentage of 485 patients can only take certain
    values; the check lists the counts consistent with each printed figure
    and whether a pair of them adds up to 83.
    """
    design, exposure = tables["design"], tables["exposure"]
    n = {arm: int(pick(design, parameter="patients_randomised", arm=arm, source_id="nejm_2011", locator="Table 3, column header"))
         for arm in ("everolimus", "placebo")}
    rows = []
    deaths = exposure[(exposure["measure"] == "death") & (exposure["data_cut"] == "interim")]
    for source, group in deaths.groupby("source_id", sort=True):
        total = group[(group["arm"] == "all") & (group["statistic"] == "n")]
        if total.empty:
            continue
        total_n = int(total["value"].iloc[0])
        counts = {}
        for arm in ("everolimus", "placebo"):
            printed = group[(group["arm"] == arm) & (group["statistic"] == "pct")]["printed"].iloc[0]
            counts[arm] = (printed, counts_consistent_with_percent(printed.rstrip("%"), n[arm]).counts)
        pairs = [(a, b) for a in counts["everolimus"][1] for b in counts["placebo"][1] if a + b == total_n]
        rows.append({"source": source, "everolimus printed": counts["everolimus"][0],
                     f"counts of {n['everolimus']}": ", ".join(map(str, counts["everolimus"][1])) or "none",
                     "placebo printed": counts["placebo"][0],
                     f"counts of {n['placebo']}": ", ".join(map(str, counts["placebo"][1])) or "none",
                     "deaths printed": str(total_n),
                     "pairs adding up": "; ".join(f"{a} + {b}" for a, b in pairs) or "none"})
    return pd.DataFrame(rows)
