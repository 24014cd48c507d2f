"""Display tables of notebook 04 (safety)."""

from __future__ import annotations

import pandas as pd

from ..derived.safety import DRUG_NAMES, GRADE_NAMES, MEASURE_NAMES
from ..stats.rounding import PrintedCounts
from .names import british, source_name, source_names
from .response import ratio_text
from .text import MISSING, estimate_with_interval, interval, number, yes_no

__all__ = ["discontinuation_table", "adverse_event_table", "adverse_event_counts_table", "grade_3_4_check_table",
           "exposure_table"]


def _ratio(estimate: float, low: float, high: float) -> str:
    # A ratio with no event in either arm is not estimable; with none in the placebo arm it is unbounded (∞).
    head = "not estimable" if pd.isna(estimate) else number(estimate, 2)
    return f"{head} ({interval(low, high, 2)})"


def _difference(estimate: float, low: float, high: float) -> str:
    return estimate_with_interval(estimate, low, high, 1)


def _counts_pair(everolimus: PrintedCounts, placebo: PrintedCounts) -> str:
    return f"{everolimus.text()} / {placebo.text()}"


def discontinuation_table(stopped: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.safety.discontinuation`: printed figures, counts, difference, ratio, NNH."""
    first = stopped.iloc[0]
    safety = f"Counts of {first['counts_everolimus'].nobs} / {first['counts_placebo'].nobs}"
    randomised = f"Counts of {first['randomised_counts_everolimus'].nobs} / {first['randomised_counts_placebo'].nobs}"
    rows = []
    for r in stopped.itertuples():
        rows.append({
            "Measure": MEASURE_NAMES[r.measure],
            "Drug": DRUG_NAMES[r.drug],
            "Everolimus arm": r.printed_everolimus,
            "Placebo arm": r.printed_placebo,
            safety: _counts_pair(r.counts_everolimus, r.counts_placebo) + (" (printed)" if r.counts_printed else ""),
            randomised: _counts_pair(r.randomised_counts_everolimus, r.randomised_counts_placebo)
            + (" (differ)" if r.counts_differ else ""),
            "Risk difference, pp (95% CI)": _difference(r.difference, r.difference_low, r.difference_high),
            "Exact 95% CI, pp": (MISSING if r.comparison.difference_exact is None else
                                 interval(100 * r.comparison.difference_exact.low, 100 * r.comparison.difference_exact.high, 1)),
            "Relative risk (95% CI)": ratio_text(r.comparison),
            "Number needed to harm, NNTH (95% CI)": r.comparison.number_needed.describe(0),
        })
    return pd.DataFrame(rows)


def adverse_event_table(events: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.safety.adverse_events`: printed percentages, risk difference, relative risk."""
    return pd.DataFrame({
        "Adverse event": events["label"].map(british),
        "Grade": events["grade"].map(GRADE_NAMES),
        "Everolimus %": events["printed_everolimus"],
        "Placebo %": events["printed_placebo"],
        "Risk difference, pp (95% CI)": [_difference(*r) for r in
                                         events[["difference", "difference_low", "difference_high"]].itertuples(index=False)],
        "Relative risk (95% CI)": [ratio_text(c) for c in events["comparison"]],
        "Other reading of rounding: difference 95% CI": [
            f"{interval(r.rounding_difference_low, r.rounding_difference_high, 1)}"
            + ("; conclusion changes" if r.reading_changes_conclusion else "") if r.reading_changes_interval else "same"
            for r in events.itertuples()],
    })


def adverse_event_counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.safety.adverse_event_counts`: one row per term, both arms."""
    counts = counts.set_index(["term", "arm"])
    rows = []
    for term in counts.index.get_level_values("term").drop_duplicates():
        e, p = counts.loc[(term, "everolimus")], counts.loc[(term, "placebo")]
        rows.append({
            "Adverse event": british(e["label"]),
            f"Any grade, everolimus (of {e['nobs']})": e["any"].text(),
            f"Any grade, placebo (of {p['nobs']})": p["any"].text(),
            "Grade 3 + grade 4, everolimus": f"{e['grade_3'].text()} + {e['grade_4'].text()} = {e['grade_3_4'].text()}",
            "Grade 3 + grade 4, placebo": f"{p['grade_3'].text()} + {p['grade_4'].text()} = {p['grade_3_4'].text()}",
        })
    return pd.DataFrame(rows)


def _shared(overlap: tuple[int, ...]) -> str:
    if not overlap:
        return "none"
    return f"{overlap[0]}–{overlap[-1]}" if len(overlap) > 1 else str(overlap[0])


def grade_3_4_check_table(check: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.safety.grade_3_4_headline_check` as text, sources named as a reader cites them."""
    names = source_names(sources)
    return pd.DataFrame({
        "Adverse event": check["label"].map(british),
        "Arm": check["arm"],
        "Source": [f"{source_name(s, names)} ({where})" for s, where in zip(check["source_id"], check["locator"])],
        "Printed grade 3–4": check["printed"],
        "Counts consistent with it": check["printed_counts"].map(PrintedCounts.text),
        "Table 2 grade 3 + 4 counts": check["table2_counts"].map(PrintedCounts.text),
        "Shared counts": check["overlap"].map(_shared),
        "Consistent": check["consistent"].map(yes_no),
    })


def exposure_table(overview: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.safety.exposure_overview`: medians without interval, percentages with."""
    rows = []
    for r in overview.itertuples():
        if r.unit == "weeks":
            difference = f"{number(r.difference, 1)} weeks (no interval: medians only)"
            ratio = f"{number(r.ratio, 2)} (no interval: medians only)"
        else:
            difference = f"{_difference(r.difference, r.difference_low, r.difference_high)} pp"
            ratio = _ratio(r.ratio, r.ratio_low, r.ratio_high)
        rows.append({"Quantity": MEASURE_NAMES[r.quantity], "Drug": DRUG_NAMES[r.drug], "Everolimus arm": r.everolimus,
                     "Placebo arm": r.placebo, "Difference (95% CI)": difference, "Ratio (95% CI)": ratio})
    return pd.DataFrame(rows)
