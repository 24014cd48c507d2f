"""A register of every discrepancy the data show, of every kind, each with a stable id.

:func:`bolero_evidence.data.discrepancies.find_discrepancies` compares figures
stored under identical keys. This module adds four kinds that identical keys
cannot show, each computed from the rows (and from ``label_synonyms.csv``,
the project's reading of which labels name which quantity, each with its
reason), never from a list of expected findings:

``different_label``
    the same figures printed under labels of different definition (a
    ``different_definition`` pair of ``label_synonyms.csv``): TAMRAD's 8.6 vs
    4.5 months as progression-free survival in one source and as time to
    progression in another.
``impossible_across_cuts``
    a cumulative quantity (deaths, events, discontinuations, adverse-event
    incidence) that is lower at the final analysis than at the interim, beyond
    what printed rounding allows. Cuts are read from ``data_cut_inferred``
    (the reason says when a cut is inferred).
``internal_arithmetic``
    a source that disagrees with its own arithmetic: arm percentages that no
    whole number of patients of the arm's N gives with the printed total; a
    difference, a risk reduction or a pooled percentage that does not follow
    from the figures it is computed from; a share of the intention-to-treat
    population that does not follow from the count.
``claim_contradiction``
    a verbal claim (``finding.csv``) contradicted by a figure (a "not
    statistically different" where a source prints P < 0.05 for the same
    endpoint) or by another source's claim (survival "improved" where others
    call overall survival immature).

Cuts are compatible when equal or when either is ``unstated``: a source that
does not say which analysis it reports may report any.

:func:`discrepancy_register` returns one row per discrepancy with ``id``
(``kind`` + a hash of the subject, so it does not change when rows are added
elsewhere), ``kind``, ``subject`` (readable key), ``reason`` (one line) and
``versions`` (a JSON list, one object per printed version: ``table``,
``what``, ``printed``, ``value``, ``source_id``, ``locator``, ``data_cut``,
``data_cut_inferred``). :func:`register_versions` explodes it to one row per
version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from .checks import arm_sizes
from .discrepancies import find_discrepancies
from .printed import parse_printed

__all__ = [
    "CUMULATIVE",
    "REGISTER_COLUMNS",
    "VERSION_COLUMNS",
    "Finding",
    "claim_contradiction",
    "different_label",
    "discrepancy_register",
    "identical_key",
    "impossible_across_cuts",
    "internal_arithmetic",
    "register_versions",
]

REGISTER_COLUMNS = ["id", "kind", "subject", "reason", "n_versions", "versions"]
VERSION_COLUMNS = ["id", "kind", "table", "what", "printed", "value", "source_id", "locator", "data_cut", "data_cut_inferred"]
UNSTATED = "unstated"
SIGNIFICANCE = 0.05  # the conventional two-sided level the sources' "statistically significant" refers to
# Quantities that can only grow as follow-up lengthens (same population): table -> (column, values).
CUMULATIVE = {
    "exposure": ("measure", {"death", "death_adverse_event", "death_treatment_related", "serious_adverse_event",
                             "serious_adverse_event_treatment_related", "discontinuation_adverse_event",
                             "discontinuation_withdrawal_of_consent"}),
    "pfs": ("statistic", {"events_n", "events_pct"}),
    "adverse_events": ("grade", {"any", "3", "4", "3-4"}),
}
_NOT_SIGNIFICANT_CLAIMS = {"not_statistically_different", "not_different", "comparable", "not_improved", "not_yet_statistically_significant"}
_SIGNIFICANT_CLAIMS = {"statistically_significant", "improved"}
_OPEN_CLAIMS = {"immature", "not_yet_known", "awaited", "not_yet_statistically_significant"}
# Where the P values of an endpoint live: (table, filter, trial) per finding endpoint.
_P_VALUES = {
    "pfs": [("pfs", {"arm": "comparison", "statistic": "p_value"}, "bolero2"),
            ("trial_outcomes", {"endpoint": "pfs_p_value"}, None)],
    "overall_survival": [("trial_outcomes", {"endpoint": "os_p_value"}, None)],
    "ttd_qol_5pct": [("quality_of_life", {"endpoint": "ttd_qol_5pct", "statistic": "p_value"}, None)],
    "objective_response": [("response", {"category": "objective_response", "statistic": "p_value"}, "bolero2")],
    "clinical_benefit": [("response", {"category": "clinical_benefit", "statistic": "p_value"}, "bolero2")],
}


@dataclass(frozen=True)
class Finding:
    """One discrepancy: kind, readable subject, one-line reason, the printed versions."""

    kind: str
    subject: str
    reason: str
    versions: tuple[dict, ...]

    @property
    def id(self) -> str:
        digest = hashlib.sha1(f"{self.kind}|{self.subject}".encode()).hexdigest()[:10]
        return f"{self.kind}-{digest}"


def _cut(row) -> str:
    return row["data_cut"] if "data_cut" in row and pd.notna(row["data_cut"]) else UNSTATED


def _cut_inferred(row) -> str:
    return row["data_cut_inferred"] if "data_cut_inferred" in row and pd.notna(row["data_cut_inferred"]) else _cut(row)


def _version(table: str, what: str, row) -> dict:
    value = row.get("value")
    return {"table": table, "what": what, "printed": str(row["printed"]),
            "value": None if value is None or pd.isna(value) else float(value),
            "source_id": row["source_id"], "locator": row["locator"], "data_cut": _cut(row), "data_cut_inferred": _cut_inferred(row)}


def _interval(row) -> tuple[float, float]:
    """Values the printed figure allows: ± half a unit in the last place; [0, bound) for '<' bounds."""
    parsed = parse_printed(str(row["printed"]))
    value = float(row["value"])
    if row["qualifier"] in {"lt", "le"}:
        return 0.0, value
    if row["qualifier"] in {"gt", "ge"}:
        return value, float("inf")
    slack = parsed.resolution * (1 + 1e-9)
    if row["qualifier"] == "approx":
        slack = max(slack, 0.5)  # spoken round numbers: at least to the nearest unit
    return value - slack, value + slack


def _compatible(a: str, b: str) -> bool:
    return a == b or UNSTATED in (a, b)


def _key(row, columns) -> str:
    return ", ".join(f"{c}={row[c]}" for c in columns)


def _source_name(tables: dict[str, pd.DataFrame], source_id: str) -> str:
    """A source as a reader cites it in a reason (``short_name``; the id where no ``sources`` table was read)."""
    sources = tables.get("sources")
    if sources is None:
        return source_id
    names = dict(zip(sources["source_id"], sources["short_name"]))
    return names.get(source_id, source_id)


# Labels of label_synonyms.csv and finding.csv a reason names, in the report's words; any other label with spaces for underscores.
_LABEL_WORDS = {"ttp_median": "median time to progression", "pfs_median": "median progression-free survival",
                "sd_24_weeks": "stable disease of at least 24 weeks", "cbr": "clinical benefit rate",
                "death_treatment_related": "death related to treatment", "death_adverse_event": "death due to an adverse event"}


def _words(label: str) -> str:
    """A data label in a reason as words: ``not_yet_known`` → "not yet known", ``ttp_median`` → "median time to progression"."""
    return _LABEL_WORDS.get(str(label), str(label).replace("_", " "))


def _p_text(printed: str) -> str:
    """A printed P value in a reason: ``P=0.0084`` as printed, a bare ``0.0084`` with its P."""
    return printed if str(printed).lstrip().upper().startswith("P") else f"P {printed}"


# ---------------------------------------------------------------- identical keys
def identical_key(tables: dict[str, pd.DataFrame]) -> Iterator[Finding]:
    """The discrepancies of :func:`find_discrepancies` (same key, figures that disagree), as findings."""
    for d in find_discrepancies(tables):
        cuts = sorted({(v.data_cut, v.assessment) for v in d.versions})
        subject = f"{d.table}: {d.measure}" + (f" [{cuts[0][0]}, {cuts[0][1]}]" if d.kind == "same_analysis" else "")
        versions = tuple({"table": v.table, "what": v.measure, "printed": v.printed, "value": v.value, "source_id": v.source_id,
                          "locator": v.locator, "data_cut": v.data_cut, "data_cut_inferred": v.data_cut} for v in d.versions)
        if d.kind == "same_analysis":
            reason = f"Figures of the same analysis ({cuts[0][0]}, {cuts[0][1]} assessment) that disagree beyond printed rounding."
        else:
            reason = "A figure whose cut or assessment is not stated and that matches none of the figures it could describe."
        if d.kind == "unattributed":
            # Named by its unattributed figures only, so the id stands when stated figures are added to the measure.
            subject += " | " + "; ".join(sorted({f"{v.source_id}:{v.printed}" for v in d.versions if UNSTATED in (v.data_cut, v.assessment)}))
        yield Finding(d.kind, subject, reason, versions)


# ---------------------------------------------------------------- different labels
_LABELLED_MEASURES = {
    "trial_outcomes": ["trial", "endpoint", "arm"],
    "exposure": ["measure", "drug", "arm", "statistic"],
}


def different_label(tables: dict[str, pd.DataFrame]) -> Iterator[Finding]:
    """The same figures printed under two labels that ``label_synonyms.csv`` says differ in definition."""
    synonyms = tables.get("label_synonyms")
    if synonyms is None:
        return
    pairs = synonyms[(synonyms["relation"] == "different_definition") & (synonyms["table"] == synonyms["target_table"])
                     & (synonyms["column"] == synonyms["target_column"])]
    for _, pair in pairs.iterrows():
        table, column = pair["table"], pair["column"]
        if table not in _LABELLED_MEASURES or table not in tables:
            continue
        frame = tables[table]
        others = [c for c in _LABELLED_MEASURES[table] if c != column]
        group_by = [c for c in others if c != "arm"]
        a_rows = frame[frame[column] == pair["label"]]
        b_rows = frame[frame[column] == pair["target_label"]]
        matched: dict[str, list] = {}
        for _, a in a_rows.iterrows():
            for _, b in b_rows.iterrows():
                if any(a[c] != b[c] for c in others) or not _compatible(_cut_inferred(a), _cut_inferred(b)):
                    continue
                if pd.isna(a["value"]) or pd.isna(b["value"]):
                    continue
                (lo_a, hi_a), (lo_b, hi_b) = _interval(a), _interval(b)
                if lo_a <= hi_b and lo_b <= hi_a:
                    key = f"{table}: {column}={pair['label']} ~ {pair['target_label']}, {_key(a, group_by)}"
                    matched.setdefault(key, []).extend([(a, pair["label"]), (b, pair["target_label"])])
        for key, found in matched.items():
            versions, seen = [], set()
            for row, label in found:
                ident = (row["source_id"], row["locator"], label, row.get("arm"))
                if ident not in seen:
                    seen.add(ident)
                    versions.append(_version(table, _key(row, _LABELLED_MEASURES[table]), row))
            sources = sorted({_source_name(tables, v["source_id"]) for v in versions})
            yield Finding("different_label", key,
                          f"The same figures are printed as {_words(pair['label'])} and as {_words(pair['target_label'])} "
                          f"({', '.join(sources)}): {pair['reason']}",
                          tuple(versions))


# ---------------------------------------------------------------- impossible across cuts
def _cumulative_rows(tables: dict[str, pd.DataFrame]) -> Iterator[tuple[str, str, pd.Series]]:
    """(measure key, table, row) of every cumulative figure, the review's Table 2 and Table 1 read as the BOLERO-2 rows they describe."""
    from .discrepancies import _MEASURE_COLUMNS
    for table, (column, values) in CUMULATIVE.items():
        frame = tables.get(table)
        if frame is None:
            continue
        for _, row in frame[frame[column].isin(values)].iterrows():
            if pd.notna(row["value"]):
                columns = [c for c in _MEASURE_COLUMNS[table]]
                yield f"{table}: {_key(row, columns)}" + (f", assessment={row['assessment']}" if "assessment" in row else ""), table, row
    synonyms = tables.get("label_synonyms")
    effects = tables.get("trial_side_effects")
    if synonyms is not None and effects is not None:
        same = synonyms[(synonyms["relation"] == "same_quantity") & (synonyms["table"] == "trial_side_effects")
                        & (synonyms["target_table"] == "adverse_events")]
        term_map = dict(zip(same["label"], same["target_label"]))
        arms, grades = {"experimental": "everolimus", "control": "placebo"}, {"all": "any", "3-4": "3-4"}
        for _, row in effects[(effects["trial"] == "bolero2") & effects["term"].isin(term_map)].iterrows():
            if pd.notna(row["value"]):
                yield (f"adverse_events: term={term_map[row['term']]}, grade={grades[row['grade']]}, arm={arms[row['arm']]}",
                       "trial_side_effects", row)
    outcomes = tables.get("trial_outcomes")
    if outcomes is not None:
        for _, row in outcomes[(outcomes["trial"] == "bolero2") & (outcomes["endpoint"] == "os_events")].iterrows():
            arm = {"experimental": "everolimus", "control": "placebo"}[row["arm"]]
            yield f"exposure: measure=death, drug=study_treatment, arm={arm}, statistic=pct", "trial_outcomes", row


def _arm_n(tables, key: str, sizes: dict[str, dict[str, int]]) -> int | None:
    """N of the arm a cumulative percentage is of: the safety population for adverse events, else the randomised arm.

    ``sizes`` keeps each population's arm sizes once read (a pandas filter and grouping per key was
    a third of the discrepancy register's time).
    """
    from .checks import _POPULATION
    arm = next((part.split("=", 1)[1] for part in key.split(", ") if part.startswith("arm=")), None)
    measure = next((part.split("=", 1)[1] for part in key.split(", ") if part.startswith("measure=")), None)
    population = "safety_population" if key.startswith("adverse_events") else _POPULATION.get(measure, "patients_randomised")
    if population not in sizes:
        sizes[population] = arm_sizes(tables["design"], population)
    return sizes[population].get(arm)


def _counts(row, n: int) -> tuple[int, int] | None:
    """Fewest and most patients of ``n`` a printed percentage can stand for; None if none can."""
    low, high = _interval(row)
    fits = [k for k in range(n + 1) if low <= 100 * k / n <= high]
    return (fits[0], fits[-1]) if fits else None


def _fewer_at_final(interim: pd.Series, final: pd.Series, n: int | None) -> bool:
    """Whether the final figure must be below the interim one, in whole patients where the figure is a percentage of a known N.

    Whole patients are stricter than printed rounding: with N = 238, '1%' is 2 or 3 patients and '0' at most 1 (0.42% rounds to 0),
    so 1% at the interim and 0 at the final cannot both be true, though 0.5% would round to either. The final analysis is
    assumed to have the interim's N (same randomised or safety population, longer follow-up).
    """
    if interim["unit"] == "percent" and final["unit"] == "percent" and n:
        a, b = _counts(interim, n), _counts(final, n)
        if a is not None and b is not None:
            return a[0] > b[1]
    return _interval(interim)[0] > _interval(final)[1]


def impossible_across_cuts(tables: dict[str, pd.DataFrame]) -> Iterator[Finding]:
    """A cumulative figure of the final analysis below the interim's, beyond rounding (cuts as read, inferred or stated)."""
    by_key: dict[str, list[tuple[str, pd.Series]]] = {}
    for key, table, row in _cumulative_rows(tables):
        by_key.setdefault(key, []).append((table, row))
    sizes: dict[str, dict[str, int]] = {}
    for key, rows in sorted(by_key.items()):
        interim = [(t, r) for t, r in rows if _cut_inferred(r) == "interim"]
        final = [(t, r) for t, r in rows if _cut_inferred(r) == "final"]
        n = _arm_n(tables, key, sizes)
        clashes = [(a, b) for a in interim for b in final if _fewer_at_final(a[1], b[1], n)]
        if not clashes:
            continue
        versions, seen = [], set()
        for pair in clashes:
            for table, row in pair:
                ident = (table, row["source_id"], row["locator"], row["printed"])
                if ident not in seen:
                    seen.add(ident)
                    versions.append(_version(table, key, row))
        inferred = any(v["data_cut"] != v["data_cut_inferred"] for v in versions)
        yield Finding("impossible_across_cuts", key,
                      "A cumulative figure is lower at the final analysis than at the interim, in whole patients of the arm's N beyond printed rounding"
                      + (" (a cut is inferred, not stated: the clash may instead mean the inference is wrong)." if inferred else "."),
                      tuple(versions))


# ---------------------------------------------------------------- internal arithmetic
def _split_problems(tables) -> Iterator[Finding]:
    """Arm percentages of a count must come from whole patients of each arm adding up to the printed total."""
    exposure = tables["exposure"]
    sizes = arm_sizes(tables["design"], "patients_randomised")
    for (measure, source, locator), group in exposure[exposure["measure"] == "death"].groupby(["measure", "source_id", "locator"]):
        total = group[(group["arm"] == "all") & (group["statistic"] == "n")]
        pcts = {r["arm"]: r for _, r in group[(group["statistic"] == "pct") & group["arm"].isin(["everolimus", "placebo"])].iterrows()}
        if total.empty or set(pcts) != {"everolimus", "placebo"}:
            continue
        n_total = int(total["value"].iloc[0])
        fits = []
        for arm, row in pcts.items():
            lo, hi = _interval(row)
            fits.append({k for k in range(sizes[arm] + 1) if lo <= 100 * k / sizes[arm] <= hi})
        if not any(n_total - k in fits[1] for k in fits[0]):
            arm_fits = ", ".join(f"{arm} {row['printed']} of {sizes[arm]}: {', '.join(map(str, sorted(f))) or 'no whole number'}"
                                 for (arm, row), f in zip(pcts.items(), fits))
            yield Finding("internal_arithmetic", f"exposure: measure={measure}, {source}, {locator}",
                          f"No whole numbers of deaths per arm give both printed percentages and the printed total of {n_total} ({arm_fits}).",
                          tuple(_version("exposure", f"{r['arm']} {r['statistic']}", r) for _, r in group.iterrows()))


def _difference_problems(tables) -> Iterator[Finding]:
    """A printed difference or risk reduction follows from the figures it is computed from (same source, cut, assessment)."""
    pfs = tables["pfs"]
    for keys, group in pfs.groupby(["data_cut", "assessment", "source_id", "locator"]):
        stats = {r["statistic"] + ":" + r["arm"]: r for _, r in group.iterrows()}
        gain, e, p = stats.get("median_gain:comparison"), stats.get("median:everolimus"), stats.get("median:placebo")
        if gain is not None and e is not None and p is not None:
            (lo_e, hi_e), (lo_p, hi_p), (lo_g, hi_g) = _interval(e), _interval(p), _interval(gain)
            if hi_g < lo_e - hi_p or lo_g > hi_e - lo_p:
                yield Finding("internal_arithmetic", f"pfs: median_gain, {keys[2]}, {keys[3]}",
                              f"The printed gain {gain['printed']} is not {e['printed']} minus {p['printed']} within rounding.",
                              tuple(_version("pfs", f"{r['arm']} {r['statistic']}", r) for r in (gain, e, p)))
    for keys, group in pfs.groupby(["data_cut", "assessment", "source_id"]):
        reductions = group[group["statistic"] == "risk_reduction_pct"]
        hrs = group[group["statistic"] == "hr"]
        for _, rr in reductions.iterrows():
            for _, hr in hrs.iterrows():
                lo_r, hi_r = _interval(rr)
                lo_h, hi_h = _interval(hr)
                if hi_r < 100 * (1 - hi_h) or lo_r > 100 * (1 - lo_h):
                    yield Finding("internal_arithmetic", f"pfs: risk_reduction_pct, {keys[2]}, {keys[0]}, {keys[1]}",
                                  f"The printed risk reduction {rr['printed']} is not 1 - HR ({hr['printed']}) within rounding.",
                                  (_version("pfs", "risk_reduction_pct", rr), _version("pfs", "hr", hr)))
    exposure = tables["exposure"]
    for keys, group in exposure.groupby(["measure", "drug", "source_id", "locator"]):
        diff = group[group["statistic"] == "difference_pct"]
        pcts = {r["arm"]: r for _, r in group[group["statistic"] == "pct"].iterrows()}
        for _, d in diff.iterrows():
            if {"everolimus", "placebo"} <= set(pcts):
                (lo_e, hi_e), (lo_p, hi_p), (lo_d, hi_d) = _interval(pcts["everolimus"]), _interval(pcts["placebo"]), _interval(d)
                if hi_d < lo_p - hi_e or lo_d > hi_p - lo_e:
                    yield Finding("internal_arithmetic", f"exposure: {keys[0]} difference, {keys[2]}, {keys[3]}",
                                  f"The printed difference {d['printed']} is not {pcts['placebo']['printed']} minus "
                                  f"{pcts['everolimus']['printed']} within rounding.",
                                  (_version("exposure", "difference", d), _version("exposure", "placebo pct", pcts["placebo"]),
                                   _version("exposure", "everolimus pct", pcts["everolimus"])))


def _pooled_problems(tables) -> Iterator[Finding]:
    """A percentage printed for all patients follows from the same source's per-arm percentages weighted by the arms' N."""
    baseline = tables.get("baseline")
    if baseline is None:
        return
    sizes = arm_sizes(tables["design"], "patients_randomised")
    pct = baseline[(baseline["statistic"] == "pct") & (baseline["population"] == "randomised")]
    for (characteristic, category, source), group in pct.groupby(["characteristic", "category", "source_id"]):
        arms = {r["arm"]: r for _, r in group[group["arm"].isin(["everolimus", "placebo"])].iterrows()}
        if set(arms) != {"everolimus", "placebo"}:
            continue
        n = sizes["everolimus"] + sizes["placebo"]
        (lo_e, hi_e), (lo_p, hi_p) = _interval(arms["everolimus"]), _interval(arms["placebo"])
        low, high = (lo_e * sizes["everolimus"] + lo_p * sizes["placebo"]) / n, (hi_e * sizes["everolimus"] + hi_p * sizes["placebo"]) / n
        for _, total in group[group["arm"] == "all"].iterrows():
            lo_t, hi_t = _interval(total)
            if hi_t < low or lo_t > high:
                yield Finding("internal_arithmetic", f"baseline: {characteristic}={category}, {source}, {total['locator']}",
                              f"The pooled {total['printed']} does not follow from the arms' {arms['everolimus']['printed']} and "
                              f"{arms['placebo']['printed']} weighted by N (allows {low:.2f}-{high:.2f}%).",
                              (_version("baseline", "all", total), _version("baseline", "everolimus", arms["everolimus"]),
                               _version("baseline", "placebo", arms["placebo"])))


def _share_problems(tables) -> Iterator[Finding]:
    """A share of the intention-to-treat population follows from the count and the trial's N."""
    biomarkers = tables.get("biomarkers")
    if biomarkers is None:
        return
    itt = {"bolero2": arm_sizes(tables["design"], "patients_randomised")["all"]}
    itt.update(dict(zip(tables["trials"]["trial"], tables["trials"]["n_patients"].astype(int))))
    for (trial, analysis, source), group in biomarkers[biomarkers["marker"] == "samples"].groupby(["trial", "analysis", "source_id"]):
        stats = {r["statistic"]: r for _, r in group.iterrows()}
        share, count = stats.get("pct_of_itt"), stats.get("n_analysed")
        if share is None or count is None or trial not in itt:
            continue
        implied = 100 * count["value"] / itt[trial]
        lo, hi = _interval(share)
        if not lo <= implied <= hi:
            yield Finding("internal_arithmetic", f"biomarkers: {trial} {analysis} samples share of ITT, {source}",
                          f"{count['printed']} of {itt[trial]} randomised is {implied:.2f}%, not {share['printed']} within rounding.",
                          (_version("biomarkers", "pct_of_itt", share), _version("biomarkers", "n_analysed", count)))


def internal_arithmetic(tables: dict[str, pd.DataFrame]) -> Iterator[Finding]:
    """A source that disagrees with its own arithmetic (splits, differences, risk reductions, pooled and ITT shares)."""
    yield from _split_problems(tables)
    yield from _difference_problems(tables)
    yield from _pooled_problems(tables)
    yield from _share_problems(tables)


# ---------------------------------------------------------------- claims against figures
def _endpoint_reading(tables) -> dict[str, str]:
    """Finding endpoints read as another endpoint (label_synonyms: finding.endpoint rows)."""
    synonyms = tables.get("label_synonyms")
    if synonyms is None:
        return {}
    rows = synonyms[(synonyms["table"] == "finding") & (synonyms["column"] == "endpoint")]
    return dict(zip(rows["label"], rows["target_label"]))


def _p_values(tables, trial: str, endpoint: str) -> Iterator[tuple[str, pd.Series]]:
    for table, where, only_trial in _P_VALUES.get(endpoint, []):
        frame = tables.get(table)
        if frame is None or (only_trial and only_trial != trial):
            continue
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            mask &= frame[column] == value
        if "trial" in frame.columns:
            mask &= frame["trial"] == trial
        for _, row in frame[mask].iterrows():
            yield table, row


def claim_contradiction(tables: dict[str, pd.DataFrame]) -> Iterator[Finding]:
    """Verbal claims contradicted by a printed P value or by another source's claim (compatible cuts)."""
    findings = tables.get("finding")
    if findings is None:
        return
    reading = _endpoint_reading(tables)
    for _, claim in findings.iterrows():
        endpoint = reading.get(claim["endpoint"], claim["endpoint"])
        against = []
        for table, row in _p_values(tables, claim["trial"], endpoint):
            if not _compatible(_cut_inferred(claim), _cut_inferred(row)):
                continue
            low, high = _interval(row)
            if claim["claim"] in _NOT_SIGNIFICANT_CLAIMS and high < SIGNIFICANCE:
                against.append((table, row, f"{_p_text(row['printed'])} < {SIGNIFICANCE}"))
            elif claim["claim"] in _SIGNIFICANT_CLAIMS and low >= SIGNIFICANCE:
                against.append((table, row, f"{_p_text(row['printed'])} ≥ {SIGNIFICANCE}"))
        if against:
            versions = (_version("finding", f"{claim['endpoint']}: {claim['claim']}", claim),
                        *(_version(t, f"{endpoint} P value", r) for t, r, _ in against))
            yield Finding("claim_contradiction", f"{claim['trial']} {endpoint}: {claim['claim']} ({claim['source_id']}, {claim['locator']}) vs printed P",
                          f"'{claim['printed']}' ({_source_name(tables, claim['source_id'])}) where {', '.join(sorted({w for _, _, w in against}))} "
                          "is printed for the same endpoint"
                          " (cuts compatible: equal, or one not stated).", versions)
        if claim["claim"] in _SIGNIFICANT_CLAIMS:
            others = findings[(findings["trial"] == claim["trial"]) & (findings["source_id"] != claim["source_id"])
                              & findings["claim"].isin(_OPEN_CLAIMS)]
            others = others[[reading.get(e, e) == endpoint for e in others["endpoint"]]]
            others = others[[_compatible(_cut_inferred(claim), _cut_inferred(o)) for _, o in others.iterrows()]]
            if len(others):
                read = f" (read as {_words(endpoint)})" if endpoint != claim["endpoint"] else ""
                yield Finding("claim_contradiction", f"{claim['trial']} {endpoint}: {claim['claim']} ({claim['source_id']}, {claim['locator']}) vs open claims",
                              f"'{claim['printed']}'{read} ({_source_name(tables, claim['source_id'])}) where other sources say "
                              f"{', '.join(sorted(_words(c) for c in set(others['claim'])))}.",
                              (_version("finding", f"{claim['endpoint']}: {claim['claim']}", claim),
                               *(_version("finding", f"{o['endpoint']}: {o['claim']}", o) for _, o in others.iterrows())))


# ---------------------------------------------------------------- the register
_KINDS = (identical_key, different_label, impossible_across_cuts, internal_arithmetic, claim_contradiction)


def discrepancy_register(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every discrepancy of the data, one row each.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The validated tables (:func:`bolero_evidence.data.load_tables`), all
        of them (``read_tables(EVERY_TABLE)``).

    Returns
    -------
    DataFrame
        Columns :data:`REGISTER_COLUMNS`: ``id`` (kind and a hash of the
        subject: stable while the subject's rows stand), ``kind``
        (``same_analysis``, ``unattributed``, ``different_label``,
        ``impossible_across_cuts``, ``internal_arithmetic``,
        ``claim_contradiction``), ``subject``, ``reason`` (one line),
        ``n_versions`` and ``versions`` (JSON list of the printed versions,
        see the module docstring). Sorted by kind, then subject.
    """
    found: list[Finding] = []
    for kind in _KINDS:
        found.extend(kind(tables))
    rows = {}
    for f in found:
        if f.id in rows:  # two findings on one subject: keep every version once
            merged = rows[f.id]
            versions = merged["_versions"] + [v for v in f.versions if v not in merged["_versions"]]
            merged.update(_versions=versions, n_versions=len(versions))
            continue
        rows[f.id] = {"id": f.id, "kind": f.kind, "subject": f.subject, "reason": f.reason, "n_versions": len(f.versions), "_versions": list(f.versions)}
    frame = pd.DataFrame(list(rows.values()), columns=REGISTER_COLUMNS[:-1] + ["_versions"])
    frame["versions"] = [json.dumps(v, ensure_ascii=False) for v in frame["_versions"]]
    return frame.drop(columns="_versions").sort_values(["kind", "subject"], kind="stable").reset_index(drop=True)[REGISTER_COLUMNS]


def register_versions(register: pd.DataFrame) -> pd.DataFrame:
    """One row per printed version of each discrepancy (columns :data:`VERSION_COLUMNS`)."""
    rows = [{"id": r.id, "kind": r.kind, **v} for r in register.itertuples() for v in json.loads(r.versions)]
    return pd.DataFrame(rows, columns=VERSION_COLUMNS)
