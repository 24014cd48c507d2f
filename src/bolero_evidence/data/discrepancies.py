"""Find where the seeds disagree, from the data alone.

Two printed figures *describe the same thing* when they come from the same
table and agree on every column that says what is measured, except:

- the data cut and the assessment, where ``unstated`` matches anything
  (a news report that does not say which analysis it quotes may quote any);
- the review's cross-trial Table 1 rows for BOLERO-2, which are read as the
  BOLERO-2 rows they describe (:data:`BOLERO2_OUTCOMES`).

Two such figures *agree* when they are equal within the rounding their
printed precision allows (``four`` months agrees with 4.1, ``<1`` with 0.4),
or both are bounds that do not contradict each other.

A *discrepancy* is then either

``same_analysis``
    figures attributed to the same data cut and assessment that disagree
    (grade 3/4 anaemia 6% in the NEJM vs 5% in the news report), or
``unattributed``
    a figure whose cut or assessment is not stated and that agrees with no
    figure it could describe (MD Anderson's 7.4 months), listed with every
    figure it could have been.

Figures of different, stated data cuts are not compared: an interim and a
final median differ by design, not by disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from .printed import parse_printed

__all__ = ["BOLERO2_OUTCOMES", "Discrepancy", "Version", "discrepancy_table", "figures_agree", "find_discrepancies", "observations"]

WILDCARD = "unstated"
# Columns that do not say what is measured, per table (besides value and provenance).
_NOT_MEASURE = {"data_cut", "assessment", "role", "n_arm"}
# The review's Table 1 rows for BOLERO-2, read as the BOLERO-2 table rows they describe.
BOLERO2_OUTCOMES = {
    "pfs_median": ("pfs", {"statistic": "median"}),
    "orr": ("response", {"category": "objective_response", "statistic": "pct"}),
    "cbr": ("response", {"category": "clinical_benefit", "statistic": "pct"}),
    "os_events": ("exposure", {"measure": "death", "drug": "study_treatment", "statistic": "pct"}),
}
_ARM = {"experimental": "everolimus", "control": "placebo", "comparison": "comparison"}
_ASSESSMENT = {"investigator": "local", "central": "central", "unstated": "unstated"}
_MEASURE_COLUMNS = {
    "design": ["parameter", "arm"],
    "pfs": ["arm", "statistic"],
    "pfs_subgroups": ["subgroup", "arm", "statistic"],
    "response": ["arm", "category", "statistic"],
    "adverse_events": ["term", "grade", "arm"],
    "exposure": ["measure", "drug", "arm", "statistic"],
    "baseline": ["characteristic", "category", "arm", "statistic"],
    "trial_outcomes": ["trial", "endpoint", "arm"],
    "trial_side_effects": ["trial", "term", "grade", "arm"],
}


@dataclass(frozen=True)
class Version:
    """One printed version of a figure."""

    table: str
    measure: str
    data_cut: str
    assessment: str
    value: float | None
    qualifier: str
    printed: str
    unit: str
    source_id: str
    locator: str
    quote: str


@dataclass(frozen=True)
class Discrepancy:
    """Figures of the same thing that disagree."""

    kind: str  # "same_analysis" or "unattributed"
    table: str
    measure: str
    versions: tuple[Version, ...]


def observations(tables: dict[str, pd.DataFrame]) -> list[Version]:
    """Every numeric figure of the data as a :class:`Version` with a measure key."""
    found: list[Version] = []
    for table, columns in _MEASURE_COLUMNS.items():
        frame = tables.get(table)
        if frame is None or "value" not in frame.columns:
            continue
        # Plain records, not iterrows (a Series per row was most of this function's time; issue 14: suite time).
        for row in frame.to_dict("records"):
            if row["unit"] in {"text", "date"}:
                continue
            target, measure = table, {c: row[c] for c in columns}
            assessment = row.get("assessment", "")
            if table == "trial_outcomes":
                if row["trial"] != "bolero2" or row["endpoint"] not in BOLERO2_OUTCOMES:
                    pass
                else:
                    target, fixed = BOLERO2_OUTCOMES[row["endpoint"]]
                    measure = {"arm": _ARM[row["arm"]], **fixed}
                    measure = {c: measure[c] for c in _MEASURE_COLUMNS[target]}
                assessment = _ASSESSMENT.get(assessment, assessment) if target != "trial_outcomes" else assessment
            key = ", ".join(f"{k}={v}" for k, v in measure.items())
            found.append(Version(
                table=target, measure=key, data_cut=row.get("data_cut", WILDCARD) if "data_cut" in frame.columns else "any",
                assessment=assessment if isinstance(assessment, str) and assessment else "any",
                value=None if pd.isna(row["value"]) else float(row["value"]), qualifier=row["qualifier"],
                printed=str(row["printed"]), unit=row["unit"], source_id=row["source_id"],
                locator=row["locator"], quote=row["quote"]))
    return found


def _compatible(a: str, b: str) -> bool:
    return a == b or WILDCARD in (a, b) or "any" in (a, b)


def _stated(v: Version) -> bool:
    return WILDCARD not in (v.data_cut, v.assessment)


def figures_agree(a: Version, b: Version) -> bool:
    """Whether two printed figures can describe the same true value.

    Equal within the larger of their printed resolutions (half a unit in the
    last printed place); a bound agrees with a number that satisfies it and
    with a bound it does not contradict; NR agrees only with NR.
    """
    none_a, none_b = a.value is None, b.value is None
    if none_a or none_b:
        return none_a and none_b
    pa, pb = parse_printed(a.printed), parse_printed(b.printed)
    tolerance = max(pa.resolution, pb.resolution) * (1 + 1e-9)  # relative: P values are 1e-15 small
    upper = {"lt", "le"}
    lower = {"gt", "ge"}
    qa, qb = a.qualifier, b.qualifier
    if qa in upper and qb in upper or qa in lower and qb in lower:
        return True
    if qa in upper | lower and qb in upper | lower:
        low, high = (a, b) if qa in lower else (b, a)
        return low.value <= high.value
    if qa in upper | lower:
        a, b, qa, qb = b, a, qb, qa
    if qb in upper:
        return a.value < b.value if qb == "lt" else a.value <= b.value
    if qb in lower:
        return a.value > b.value if qb == "gt" else a.value >= b.value
    return abs(a.value - b.value) <= tolerance


def _distinct(versions) -> tuple[Version, ...]:
    """Drop repeats of one printed figure by one source (abstract and results text)."""
    seen, kept = set(), []
    for v in versions:
        key = (v.source_id, v.data_cut, v.assessment, v.printed)
        if key not in seen:
            seen.add(key)
            kept.append(v)
    return tuple(kept)


def _merge_overlapping(sets: list[set[int]]) -> list[set[int]]:
    """Union sets that share a member, so one disagreement is listed once."""
    merged: list[set[int]] = []
    for members in sets:
        overlapping = [m for m in merged if m & members]
        for m in overlapping:
            merged.remove(m)
            members = members | m
        merged.append(members)
    return merged


def find_discrepancies(tables: dict[str, pd.DataFrame]) -> list[Discrepancy]:
    """Every disagreement between printed figures of the same thing.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The validated tables (:func:`bolero_evidence.data.load_tables`).

    Returns
    -------
    list of Discrepancy
        Sorted by table and measure; ``same_analysis`` ones first.
    """
    groups: dict[tuple[str, str], list[Version]] = {}
    for v in observations(tables):
        groups.setdefault((v.table, v.measure), []).append(v)
    found: list[Discrepancy] = []
    for (table, measure), versions in sorted(groups.items()):
        stated = [v for v in versions if _stated(v)]
        by_analysis: dict[tuple[str, str], list[Version]] = {}
        for v in stated:
            by_analysis.setdefault((v.data_cut, v.assessment), []).append(v)
        for _, same in sorted(by_analysis.items()):
            if any(not figures_agree(a, b) for a, b in combinations(same, 2)):
                found.append(Discrepancy("same_analysis", table, measure, _distinct(same)))
        unattributed: list[set[int]] = []
        for i, v in enumerate(versions):
            if _stated(v):
                continue
            candidates = [j for j, w in enumerate(versions) if j != i
                          and _compatible(v.data_cut, w.data_cut) and _compatible(v.assessment, w.assessment)]
            stated_candidates = [j for j in candidates if _stated(versions[j])]
            if stated_candidates:
                # Attributed when it matches a figure whose analysis is known.
                if not any(figures_agree(v, versions[j]) for j in stated_candidates):
                    unattributed.append({i, *stated_candidates})
            else:
                clashing = [j for j in candidates if not figures_agree(v, versions[j])]
                if clashing:
                    unattributed.append({i, *clashing})
        for members in _merge_overlapping(unattributed):
            found.append(Discrepancy("unattributed", table, measure, _distinct(versions[j] for j in sorted(members))))
    return sorted(found, key=lambda d: (d.kind != "same_analysis", d.table, d.measure))


def discrepancy_table(discrepancies: list[Discrepancy]) -> pd.DataFrame:
    """One row per version of each discrepancy, numbered ``D1``, ``D2``, ..."""
    rows = []
    for number, d in enumerate(discrepancies, start=1):
        for v in d.versions:
            rows.append({"discrepancy": f"D{number}", "kind": d.kind, "table": d.table, "measure": d.measure,
                         "source_id": v.source_id, "data_cut": v.data_cut, "assessment": v.assessment,
                         "printed": v.printed, "value": v.value, "qualifier": v.qualifier, "locator": v.locator})
    return pd.DataFrame(rows, columns=["discrepancy", "kind", "table", "measure", "source_id", "data_cut",
                                       "assessment", "printed", "value", "qualifier", "locator"])
