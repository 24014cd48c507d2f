"""Display tables of notebook 03 (objective response and clinical benefit)."""

from __future__ import annotations

import math

import pandas as pd

from ..derived.response import (
    ARM_LABELS,
    ARMS,
    ASSESSMENTS,
    BOR_CATEGORIES,
    CUT_NAMES,
    FINAL_ENDPOINTS,
    VERSION_NAMES,
    category_label,
    comparison_where,
)
from .text import MISSING, estimate_with_interval, interval, number, yes_no

__all__ = ["rates_table", "comparisons_table", "bor_table", "final_rates_table", "ratio_text"]


def _reproduced(low_ok: bool, high_ok: bool) -> str:
    """Whether a recomputed interval prints as the printed one, and which bound does not."""
    return {(True, True): "yes", (False, True): "no (lower bound)", (True, False): "no (upper bound)",
            (False, False): "no (both bounds)"}[(bool(low_ok), bool(high_ok))]


def rates_table(orr: pd.DataFrame, cbr: pd.DataFrame) -> pd.DataFrame:
    """Objective response and every printed clinical benefit rate, with counts and intervals.

    Parameters
    ----------
    orr, cbr : DataFrame
        :func:`bolero_evidence.derived.response.objective_response` and
        :func:`~bolero_evidence.derived.response.clinical_benefit`.
    """
    rows = []
    for r in orr.itertuples():
        rows.append({
            "Outcome": "Objective response",
            "Source, assessment, cut": f"{VERSION_NAMES['nejm_2011']}, {r.assessment}, interim",
            "Arm": ARM_LABELS[r.arm],
            "Printed % (95% CI)": f"{r.printed} ({r.printed_low} to {r.printed_high})",
            "Count / N": f"{r.counts.text()} / {r.nobs}",
            "Clopper-Pearson % (95% CI)": estimate_with_interval(r.estimate, r.low, r.high, 1),
            "Printed CI reproduced": _reproduced(r.low_reproduced, r.high_reproduced),
            "Wilson 95% CI (check)": f"{interval(r.wilson_low, r.wilson_high, 1)}: "
                                     f"{_reproduced(r.wilson_low_reproduced, r.wilson_high_reproduced)}",
            "Discrepancy": MISSING,
        })
    for r in cbr.itertuples():
        rows.append({
            "Outcome": "Clinical benefit",
            "Source, assessment, cut": f"{VERSION_NAMES[r.source_id]}, assessment not stated, {CUT_NAMES[r.data_cut]}"
                                       + (" (cut inferred)" if r.cut_inferred else ""),
            "Arm": ARM_LABELS[r.arm],
            "Printed % (95% CI)": f"{r.printed.rstrip('%')} (no CI printed)",
            "Count / N": f"{r.counts.text()} / {r.nobs}",
            "Clopper-Pearson % (95% CI)": estimate_with_interval(r.estimate, r.low, r.high, 1),
            "Printed CI reproduced": MISSING,
            "Wilson 95% CI (check)": MISSING,
            "Discrepancy": r.discrepancy,
        })
    return pd.DataFrame(rows)


def ratio_text(comparison, digits: int = 2) -> str:
    """The ratio as the citation rule allows: estimate with the exact interval, only a bound, or the asymptotic one.

    A ratio whose estimate is 0, infinite or undefined shows no estimate,
    only the finite bound of its interval; a sparse ratio without an exact
    interval says it is not to be cited.
    """
    citation = comparison.citation
    cited = comparison.ratio_cited
    if citation.kind == "infinite":
        low, kind = (cited.low, "exact") if cited is not None else (comparison.ratio.low, "asymptotic")
        return f"no estimate (no control events); at least {number(low, digits)} ({kind})"
    if citation.kind == "zero":
        high, kind = (cited.high, "exact") if cited is not None else (comparison.ratio.high, "asymptotic")
        return f"no estimate (no events with everolimus); at most {number(high, digits)} ({kind})"
    if citation.kind == "undefined":
        return "no estimate (no events in either arm)"
    if citation.kind == "sparse" and cited is None:
        r = comparison.ratio
        return f"{estimate_with_interval(r.estimate, r.low, r.high, digits)}, sparse: not to be cited"
    return estimate_with_interval(cited.estimate, cited.low, cited.high, digits) + (" exact" if citation.kind == "sparse" else "")


def comparisons_table(comparisons: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.response.response_comparisons`: difference, ratio and NNT per outcome version."""
    rows = []
    outcomes = {"orr": "Objective response", "cbr": "Clinical benefit", **{k: v for k, v in FINAL_ENDPOINTS.items() if k != "orr"}}
    for c in comparisons.itertuples():
        everolimus, placebo = c.comparison.difference.counts1, c.comparison.difference.counts2
        exact = (MISSING if math.isnan(c.difference_exact_low)
                 else interval(c.difference_exact_low, c.difference_exact_high, 1))
        rows.append({
            "Outcome": outcomes[c.endpoint],
            "Source, assessment, cut": comparison_where(c.endpoint, c.version, c.data_cut, c.assessment, c.cut_inferred),
            "Everolimus %": number(100 * (everolimus.central / everolimus.nobs), 1),
            "Placebo %": number(100 * (placebo.central / placebo.nobs), 1),
            "Difference, pp (Newcombe 95% CI)": estimate_with_interval(c.difference, c.difference_low, c.difference_high, 1),
            "Exact 95% CI, pp": exact,
            "Ratio (Miettinen-Nurminen 95% CI, asymptotic)": estimate_with_interval(c.ratio, c.ratio_low, c.ratio_high, 2),
            "Ratio as citable": ratio_text(c.comparison),
            "NNT (95% CI)": c.comparison.number_needed.describe(0),
            "Count combinations": str(c.tables),
        })
    return pd.DataFrame(rows)


def final_rates_table(final: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.response.final_analysis_rates`: printed %, counts and Clopper-Pearson intervals."""
    rows = []
    for r in final.itertuples():
        rows.append({
            "Outcome": FINAL_ENDPOINTS[r.endpoint],
            "Source, cut": f"{VERSION_NAMES[r.source_id]}, {CUT_NAMES[r.data_cut]}" + (" (cut inferred)" if r.cut_inferred else ""),
            "Arm": ARM_LABELS[r.arm],
            "Printed %": r.printed,
            "Count / N (randomised, assumed)": f"{r.counts.text()} / {r.nobs}",
            "Clopper-Pearson % (95% CI)": estimate_with_interval(r.estimate, r.low, r.high, 1),
        })
    return pd.DataFrame(rows)


def bor_table(bor: pd.DataFrame, checks: pd.DataFrame, orr: pd.DataFrame) -> pd.DataFrame:
    """Best overall response per assessment and arm (printed % and count), with its arithmetic checks.

    Parameters
    ----------
    bor, checks, orr : DataFrame
        :func:`bolero_evidence.derived.response.best_overall_response`,
        :func:`~bolero_evidence.derived.response.bor_checks` and
        :func:`~bolero_evidence.derived.response.objective_response`.
    """
    checks = checks.set_index(["assessment", "arm"])
    columns = [(a, arm) for a in ASSESSMENTS for arm in ARMS]
    nobs = dict(zip(bor["arm"], bor["nobs"]))
    heading = {key: f"{key[0].capitalize()}: {key[1]} (N = {nobs[key[1]]})" for key in columns}
    cells: dict[str, dict[str, str]] = {}
    for r in bor.itertuples():
        cells.setdefault(r.category, {})[heading[(r.assessment, r.arm)]] = f"{r.printed} ({r.counts.text()})"
    rows = [{"Category": category_label(category), **cells[category]} for category in BOR_CATEGORIES]
    orr_rows = {(r.assessment, r.arm): r for r in orr.itertuples()}

    def row(label: str, text) -> dict:
        return {"Category": label, **{heading[k]: text(k, checks.loc[k]) for k in columns}}

    rows += [
        row("Objective response, printed (count)", lambda k, c: f"{orr_rows[k].printed} ({orr_rows[k].counts.text()})"),
        row("Check: categories add up to 100% within rounding",
            lambda k, c: f"{number(c['total'], 1)} ± {number(c['total_tolerance'], 2)}: {yes_no(c['total_ok'])}"),
        row("Check: counts can add up to N", lambda k, c: f"{c['counts_low']} to {c['counts_high']}: {yes_no(c['counts_ok'])}"),
        row("Check: objective response = complete + partial (printed %, counts)",
            lambda k, c: f"{number(c['cr_pr_printed'], 1)}: {yes_no(c['orr_ok'])}, {yes_no(c['orr_counts_ok'])}"),
    ]
    return pd.DataFrame(rows)
