"""What was transcribed from where, and where the sources disagree (notebook 01)."""

from __future__ import annotations

import pandas as pd

from ..data.discrepancies import find_discrepancies
from ..register import Figure
from ..stats.proportions import counts_consistent_with_percent
from .common import pick, pick_row

__all__ = ["source_list", "inventory", "discrepancy_versions", "discrepancy_figures", "death_split_check", "death_split_figures"]



def source_list(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The sources with their citation and the data cut each reports.

    Returns
    -------
    DataFrame
        ``source_id``, ``short_name``, ``seed_file``, ``citation`` (first author, title,
        container, year, as the seed gives them), ``doi`` (missing where none
        is printed), ``data_cut``.
    """
    s = tables["sources"]
    cite = s["authors"].fillna("").str.split(",").str[0].str.strip().replace("", "(no author named)")
    return pd.DataFrame({
        "source_id": s["source_id"], "short_name": s["short_name"], "seed_file": s["seed_file"],
        "citation": cite + ". " + s["title"] + ". " + s["container"] + ", " + s["year"].astype(str) + ".",
        "doi": s["doi"], "data_cut": s["data_cut"],
    })


def inventory(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows transcribed per table and source (a table × source count; column ``all sources`` sums them)."""
    counts = []
    for name, frame in tables.items():
        if name == "sources" or "source_id" not in frame.columns:
            continue
        for source, n in frame.groupby("source_id").size().items():
            counts.append({"table": f"{name}.csv", "source": source, "rows": int(n)})
    wide = pd.DataFrame(counts).pivot_table(index="table", columns="source", values="rows", fill_value=0, aggfunc="sum")
    wide["all sources"] = wide.sum(axis=1)
    return wide.astype(int).reset_index()


def discrepancy_versions(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every printed version of every disputed figure, numbered as the list of discrepancies (D1, D2, ...).

    Returns
    -------
    DataFrame
        One row per version: ``number`` (``D1``), ``table``, ``measure``,
        ``kind`` (``same_analysis`` or ``unattributed``; see
        :func:`bolero_evidence.data.find_discrepancies`), ``source_id``,
        ``data_cut``, ``assessment``, ``printed``, ``locator``.
    """
    rows = []
    for number, d in enumerate(find_discrepancies(tables), start=1):
        for v in d.versions:
            rows.append({"number": f"D{number}", "table": d.table, "measure": d.measure, "kind": d.kind,
                         "source_id": v.source_id, "data_cut": v.data_cut, "assessment": v.assessment,
                         "printed": v.printed, "locator": v.locator})
    return pd.DataFrame(rows, columns=["number", "table", "measure", "kind", "source_id", "data_cut", "assessment",
                                       "printed", "locator"])


def discrepancy_figures(tables: dict[str, pd.DataFrame], versions: pd.DataFrame) -> list[Figure]:
    """The register's count of disputed figures (``provenance.discrepancies.count``)."""
    return [Figure("provenance.discrepancies.count", float(versions["number"].nunique()), unit="count",
                   method="each figure compared with those printed for the same quantity, all tables", inputs=tuple(sorted(tables["sources"]["source_id"])),
                   description="Number of figures on which the sources disagree")]


def death_split_check(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which printed death percentages are possible with the arm sizes and the printed total of deaths.

    The NEJM prints 10.7% and 13.0%, the news report 10.6% and 13.0%, both
    with 83 deaths. A percentage of 485 patients can only take certain
    values; the check lists the counts consistent with each printed figure
    and the pairs of them that add up to the printed total.

    Returns
    -------
    DataFrame
        One row per source printing a total: ``source_id``, ``nobs_everolimus``,
        ``nobs_placebo`` (randomised N), ``printed_everolimus``,
        ``printed_placebo``, ``counts_everolimus``, ``counts_placebo``
        (tuples of consistent counts, possibly empty), ``deaths_total``
        (printed), ``pairs`` (tuple of (everolimus, placebo) counts adding up
        to it).
    """
    design, exposure = tables["design"], tables["exposure"]
    n = {arm: int(pick(design, parameter="patients_randomised", arm=arm, source_id="nejm_2011", locator="Table 3, column header"))
         for arm in ("everolimus", "placebo")}
    rows = []
    deaths = exposure[(exposure["measure"] == "death") & (exposure["data_cut"] == "interim")]
    for source, group in deaths.groupby("source_id", sort=True):
        if group[(group["arm"] == "all") & (group["statistic"] == "n")].empty:
            continue  # a source that prints no total: nothing to split
        total_n = int(pick_row(group, arm="all", statistic="n")["value"])
        printed, counts = {}, {}
        for arm in ("everolimus", "placebo"):
            printed[arm] = pick_row(group, arm=arm, statistic="pct")["printed"]
            counts[arm] = tuple(counts_consistent_with_percent(printed[arm].rstrip("%"), n[arm]).counts)
        pairs = tuple((a, b) for a in counts["everolimus"] for b in counts["placebo"] if a + b == total_n)
        rows.append({"source_id": source, "nobs_everolimus": n["everolimus"], "nobs_placebo": n["placebo"],
                     "printed_everolimus": printed["everolimus"], "printed_placebo": printed["placebo"],
                     "counts_everolimus": counts["everolimus"], "counts_placebo": counts["placebo"],
                     "deaths_total": total_n, "pairs": pairs})
    return pd.DataFrame(rows)


def death_split_figures(check: pd.DataFrame) -> list[Figure]:
    """Deaths per arm at the interim analysis, reconstructed from the NEJM's percentages and total.

    Raises
    ------
    ValueError
        If the NEJM's figures allow no pair of counts, or several.
    """
    nejm = check[check["source_id"] == "nejm_2011"].iloc[0]
    if len(nejm["pairs"]) != 1:
        raise ValueError(f"the NEJM's death percentages allow {len(nejm['pairs'])} pairs of counts adding up to "
                         f"{nejm['deaths_total']}: {nejm['pairs']}; expected exactly one")
    return [Figure(f"provenance.deaths_interim.{arm}.count", float(deaths), unit="patients",
                   method="count of the randomised arm consistent with the printed % and the printed total",
                   inputs=("nejm_2011",), description=f"Deaths in the {arm} arm at the interim analysis, reconstructed")
            for arm, deaths in zip(("everolimus", "placebo"), nejm["pairs"][0])]
