"""Cross-table checks: what a schema cannot see.

Each check returns :class:`~bolero_evidence.data.errors.Problem` objects that
name the file, the row (line number), the column, the value and what was
expected. The checks are

- an interval brackets its estimate (PFS medians, hazard ratios, response
  rates), when estimate and bounds come from the same source;
- event and patient counts do not exceed the arm's N;
- a count and its percentage agree with the arm's N within the printed
  rounding;
- the arms add up to the total (randomised, on treatment at cutoff);
- the figures printed with a table's N use the N of that population;
- the categories of best overall response add up to 100% within rounding,
  and objective response is complete plus partial response;
- a stated data cut or assessment is its own inferred value, and an inferred
  one names its basis (``inference_basis``), so an ``unstated`` row is never
  silently read as ``interim`` or ``final``;
- a baseline figure printed for a sub-population carries that
  sub-population's N (design.csv), not the arm's;
- the causes of the deaths attributed to adverse events (trial_conduct.csv)
  add up to the count printed for them (exposure.csv);
- every label of ``label_synonyms.csv`` occurs in the table and column it
  names, so a renamed label cannot silently switch a synonym off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from .errors import Problem
from .printed import parse_printed
from .reuse import TableDigests, reused_problems

__all__ = ["arm_sizes", "cross_table_problems"]

# Which N a measure of exposure.csv is a percentage of: counts on treatment
# and deaths are of the randomised arms, the safety figures of the arms that
# received treatment (Table 2's N).
_POPULATION = {
    "on_treatment_at_cutoff": "patients_randomised",
    "death": "patients_randomised",
    "death_adverse_event": "safety_population",
}
_INTERVALS = {
    "pfs": [("median", "median_ci_low", "median_ci_high"), ("hr", "hr_ci_low", "hr_ci_high")],
    "response": [("pct", "ci_low", "ci_high")],
}


def _line(index) -> int:
    return int(index) + 2


def arm_sizes(design: pd.DataFrame, parameter: str) -> dict[str, int]:
    """Arm sizes (everolimus, placebo, all) of one population from the NEJM rows of design."""
    rows = design[(design["parameter"] == parameter) & (design["source_id"] == "nejm_2011")]
    return {arm: int(group["value"].iloc[0]) for arm, group in rows.groupby("arm")}


def plain_rows(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> Iterator[tuple[object, dict]]:
    """``(index, row)`` like ``DataFrame.iterrows``, each row a plain dict (of ``columns`` only, if given).

    The cells are those of ``frame.to_dict("records")``: Python numbers and strings, None for an empty
    text or integer cell, NaN for an empty number. iterrows builds a Series per row, and ``to_dict`` boxes
    cell by cell; taking each column whole (``Series.tolist``) is four times faster than ``to_dict``, and
    the checks make rows of every table for every validation (issue 14: suite time). Some columns: read
    from ``frame`` itself, not from a frame of those columns (which copies them first).
    """
    columns = list(frame.columns if columns is None else columns)
    cells = [[None if value is pd.NA else value for value in frame[column].tolist()] for column in columns]
    return zip(frame.index, (dict(zip(columns, values, strict=True)) for values in zip(*cells, strict=True)))


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed place: the rounding a printed number allows."""
    return 0.5 * 10 ** -parse_printed(printed).decimals


def _interval_problems(name: str, frame: pd.DataFrame, path: Path) -> Iterator[Problem]:
    dims = [c for c in ("data_cut", "assessment", "arm", "category", "source_id") if c in frame.columns]
    for estimate, low, high in _INTERVALS[name]:
        subset = frame[frame["statistic"].isin([estimate, low, high])]
        for _, group in subset.groupby(dims, dropna=False):
            # Plain (line, statistic, value) triples (see plain_rows).
            rows = list(zip(group.index, group["statistic"], group["value"]))
            estimates = [(index, value) for index, statistic, value in rows if statistic == estimate and not pd.isna(value)]
            for bound, side in ((low, "low"), (high, "high")):
                for index, statistic, value in rows:
                    if statistic != bound or pd.isna(value):
                        continue  # not reached: no finite bound to compare
                    for est_index, est_value in estimates:
                        ok = value <= est_value if side == "low" else value >= est_value
                        if not ok:
                            sign = "≤" if side == "low" else "≥"
                            yield Problem(path, _line(index), "value", value,
                                          f"a {bound} {sign} the {estimate} {est_value:g} of row {_line(est_index)}")


def _count_percent_problems(frame: pd.DataFrame, path: Path, dims: list[str], count_stat: str,
                            pct_stat: str, sizes: dict[str, dict[str, int]], population_of) -> Iterator[Problem]:
    """A count and its percentage, printed by the same source, agree with the arm's N."""
    keyed = frame[frame["statistic"].isin([count_stat, pct_stat])]
    # Grouped as plain rows, groups in the order of the file: a pandas group per key, and a frame per
    # count with its percentages made again for each, took half of the checks' time (issue 14).
    groups: dict[tuple, list[tuple[object, dict]]] = {}
    for index, row in plain_rows(keyed):
        groups.setdefault(tuple(row[c] for c in dims + ["source_id"]), []).append((index, row))
    for rows in groups.values():
        counts = [(index, row) for index, row in rows if row["statistic"] == count_stat]
        pcts = [(index, row) for index, row in rows if row["statistic"] == pct_stat]
        for index, count in counts:
            population = population_of(count)
            n = sizes.get(population, {}).get(count["arm"])
            if n is None or pd.isna(count["value"]):
                continue  # a count printed NR: nothing to compare (a figure an analysis needs is checked in required.py)
            if count["value"] > n:
                yield Problem(path, _line(index), "value", count["value"],
                              f"a count no larger than the arm's N ({n}, {population})")
            for p_index, pct in pcts:
                if pd.isna(pct["value"]):
                    continue
                implied = 100 * count["value"] / n
                slack = _half_unit(pct["printed"]) + 1e-9
                if pct["qualifier"] == "lt":
                    ok = implied < pct["value"]
                else:
                    ok = abs(implied - pct["value"]) <= slack
                if not ok:
                    yield Problem(path, _line(p_index), "value", pct["value"],
                                  f"{implied:.2f}% within printed rounding, the count {count['value']:g} "
                                  f"(row {_line(index)}) of N = {n} ({population})")


def _arms_add_up(frame: pd.DataFrame, path: Path, dims: list[str], stat_col: str | None, stat: str | None) -> Iterator[Problem]:
    subset = frame if stat_col is None else frame[frame[stat_col] == stat]
    for _key, group in subset.groupby(dims + ["source_id"], dropna=False):
        by_arm = {arm: g for arm, g in group.groupby("arm")}
        if not {"all", "everolimus", "placebo"} <= by_arm.keys():
            continue
        total = by_arm["all"].iloc[0]
        values = [total["value"], by_arm["everolimus"]["value"].iloc[0], by_arm["placebo"]["value"].iloc[0]]
        if any(pd.isna(v) for v in values):
            yield Problem(path, _line(total.name), "value", total["printed"],
                          "a number for the total and for each arm, so that the arms can be added up")
            continue
        parts = values[1] + values[2]
        if total["value"] != parts:
            yield Problem(path, _line(total.name), "value", total["value"],
                          f"the sum of the arms, {parts:g}")


def _response_composition(frame: pd.DataFrame, path: Path) -> Iterator[Problem]:
    parts = ["complete_response", "partial_response", "stable_disease", "progressive_disease", "unknown_or_too_early"]
    pct = frame[(frame["statistic"] == "pct")]
    for _key, group in pct.groupby(["data_cut", "assessment", "arm", "source_id"]):
        present = group[group["category"].isin(parts)]
        if set(present["category"]) != set(parts):
            continue
        total = present["value"].sum()
        slack = sum(_half_unit(p) for p in present["printed"])
        if abs(total - 100) > slack + 1e-9:
            first = present.index[0]
            yield Problem(path, _line(first), "value", round(total, 6),
                          f"best overall response categories adding up to 100% within rounding (±{slack:g})")
        orr = group[group["category"] == "objective_response"]
        cr_pr = present[present["category"].isin(parts[:2])]
        for index, row in plain_rows(orr):
            slack = _half_unit(row["printed"]) + sum(_half_unit(p) for p in cr_pr["printed"])
            if abs(row["value"] - cr_pr["value"].sum()) > slack + 1e-9:
                yield Problem(path, _line(index), "value", row["value"],
                              f"complete + partial response ({cr_pr['value'].sum():g}) within rounding")


def _table_n_problems(frame: pd.DataFrame, path: Path, sizes: dict[str, int], population: str,
                      sub_populations: dict[str, tuple[str, dict[str, int]]] | None = None) -> Iterator[Problem]:
    """``n_arm`` is the arm's N of the table's population, or of the row's sub-population where it names one."""
    for index, row in plain_rows(frame):
        expected_sizes, expected_population = sizes, population
        if sub_populations and "population" in frame.columns and row["population"] in sub_populations:
            expected_population, expected_sizes = sub_populations[row["population"]]
        if pd.isna(row["n_arm"]) or row["arm"] not in expected_sizes:
            continue
        if row["n_arm"] != expected_sizes[row["arm"]]:
            yield Problem(path, _line(index), "n_arm", row["n_arm"],
                          f"the {expected_population} of the {row['arm']} arm in design.csv ({expected_sizes[row['arm']]})")


_STATED = "stated"
_NOTHING_INFERRED = "none"


def _inference_problems(frame: pd.DataFrame, path: Path) -> Iterator[Problem]:
    """Stated labels equal their inferred values; an inference names its basis; 'stated' only where nothing is unstated."""
    if "data_cut_inferred" not in frame.columns:
        return
    pairs = [(c, f"{c}_inferred") for c in ("data_cut", "assessment") if f"{c}_inferred" in frame.columns]
    for index, row in plain_rows(frame):
        unstated = False
        inferred_something = False
        for stated_col, inferred_col in pairs:
            if row[stated_col] != "unstated":
                if row[inferred_col] != row[stated_col]:
                    yield Problem(path, _line(index), inferred_col, row[inferred_col],
                                  f"{row[stated_col]!r}, the {stated_col} the source states (an inference only where {stated_col} is unstated)")
            else:
                unstated = True
                inferred_something |= row[inferred_col] != "unstated"
        basis = row["inference_basis"]
        if not unstated and basis != _STATED:
            yield Problem(path, _line(index), "inference_basis", basis, f"{_STATED!r}: every label of the row is stated by the source")
        elif unstated and basis == _STATED:
            yield Problem(path, _line(index), "inference_basis", basis,
                          "the basis of the inference (matching_figures, citation, venue, context) or 'none': a label of the row is unstated")
        elif unstated and inferred_something and basis == _NOTHING_INFERRED:
            yield Problem(path, _line(index), "inference_basis", basis, "the basis of the inferred label (matching_figures, citation, venue, context)")
        elif unstated and not inferred_something and basis != _NOTHING_INFERRED:
            yield Problem(path, _line(index), "inference_basis", basis, f"{_NOTHING_INFERRED!r}: no label of the row is inferred")


def _death_cause_problems(conduct: pd.DataFrame, exposure: pd.DataFrame, path: Path) -> Iterator[Problem]:
    """Causes of the deaths attributed to adverse events add up to the count the same source prints."""
    causes = conduct[(conduct["topic"] == "death_cause") & (conduct["unit"] == "count")]
    totals = exposure[(exposure["measure"] == "death_adverse_event") & (exposure["statistic"] == "n")]
    for (source, arm), group in causes.groupby(["source_id", "arm"]):
        total = totals[(totals["source_id"] == source) & (totals["arm"] == arm)]
        if total.empty:
            yield Problem(path, _line(group.index[0]), "arm", arm,
                          f"a count of deaths attributed to adverse events for this arm from {source} in exposure.csv")
            continue
        if group["value"].sum() != total["value"].iloc[0]:
            yield Problem(path, _line(group.index[0]), "value", float(group["value"].sum()),
                          f"causes adding up to the {total['value'].iloc[0]:g} deaths attributed to adverse events (exposure.csv row {_line(total.index[0])})")


def _synonym_problems(synonyms: pd.DataFrame, tables: dict[str, pd.DataFrame], path: Path) -> Iterator[Problem]:
    for index, row in plain_rows(synonyms):
        for table_col, column_col, label_col in (("table", "column", "label"), ("target_table", "target_column", "target_label")):
            frame = tables.get(row[table_col])
            if frame is None or row[column_col] not in frame.columns:
                yield Problem(path, _line(index), table_col, f"{row[table_col]}.{row[column_col]}", "a table and column of the data package")
            elif row[label_col] not in set(frame[row[column_col]].dropna()):
                yield Problem(path, _line(index), label_col, row[label_col],
                              f"a value that occurs in column {row[column_col]!r} of {row[table_col]}.csv")


def cross_table_problems(tables: dict[str, pd.DataFrame], data_dir: Path, digests: TableDigests | None = None) -> list[Problem]:
    """Run every cross-table check.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables as loaded, already valid against the schema.
    data_dir : Path
        Folder of the CSV files, for the file names in the messages.
    digests : TableDigests, optional
        Each table's content key (see :mod:`bolero_evidence.data.reuse`): a check whose tables have
        the same content as when it last ran in this process gives the same problems without running.

    Returns
    -------
    list of Problem
    """
    def path(name):
        return data_dir / f"{name}.csv"

    def sizes(design):
        return {p: arm_sizes(design, p) for p in ("patients_randomised", "safety_population")}

    # (name, the tables the check reads, the check): each check is given those tables alone.
    checks = [(f"intervals {name}", [name], lambda t, name=name: _interval_problems(name, t[name], path(name))) for name in _INTERVALS]
    checks += [
        ("counts and percentages pfs", ["pfs", "design"],
         lambda t: _count_percent_problems(t["pfs"], path("pfs"), ["data_cut", "assessment", "arm"], "events_n", "events_pct",
                                           sizes(t["design"]), lambda row: "patients_randomised")),
        ("counts and percentages exposure", ["exposure", "design"],
         lambda t: _count_percent_problems(t["exposure"], path("exposure"), ["data_cut", "measure", "drug", "arm"], "n", "pct",
                                           sizes(t["design"]), lambda row: _POPULATION.get(row["measure"], "patients_randomised"))),
        ("arms add up design", ["design"], lambda t: _arms_add_up(t["design"], path("design"), ["parameter"], None, None)),
        ("arms add up exposure", ["exposure"],
         lambda t: _arms_add_up(t["exposure"], path("exposure"), ["data_cut", "measure", "drug"], "statistic", "n")),
        ("response composition", ["response"], lambda t: _response_composition(t["response"], path("response"))),
        ("table n adverse_events", ["adverse_events", "design"],
         lambda t: _table_n_problems(t["adverse_events"], path("adverse_events"), sizes(t["design"])["safety_population"], "safety_population")),
    ]
    if "baseline" in tables and len(tables["baseline"]):
        def baseline_n(t):
            sub = {"received_adjuvant_therapy": ("patients_adjuvant_therapy", arm_sizes(t["design"], "patients_adjuvant_therapy"))}
            return _table_n_problems(t["baseline"], path("baseline"), sizes(t["design"])["patients_randomised"], "patients_randomised", sub)
        checks.append(("table n baseline", ["baseline", "design"], baseline_n))
    checks += [(f"inference {name}", [name], lambda t, name=name: _inference_problems(t[name], path(name))) for name in tables]
    if "trial_conduct" in tables:
        checks.append(("death causes", ["trial_conduct", "exposure"],
                       lambda t: _death_cause_problems(t["trial_conduct"], t["exposure"], path("trial_conduct"))))
    if "label_synonyms" in tables:
        # The check reads the tables the synonyms name (a name that is no table stays a problem: it is not given).
        synonyms = tables["label_synonyms"]
        named = {name for column in ("table", "target_table") for name in synonyms[column].dropna()} & set(tables) - {"label_synonyms"}
        checks.append(("synonyms", ["label_synonyms", *sorted(named)], lambda t: _synonym_problems(t["label_synonyms"], t, path("label_synonyms"))))
    problems: list[Problem] = []
    for name, reads, check in checks:
        problems += reused_problems(name, reads, check, tables, data_dir, digests)
    return problems
