"""Display tables of notebook 06 (BOLERO-2 beside the other mTOR-inhibitor trials)."""

from __future__ import annotations

import pandas as pd

from ..derived.context import ENDPOINT_NAMES, TRIAL_NAMES, TRIAL_ORDER
from .names import british, readable_key, source_name, source_names
from .provenance import DISCREPANCY_KIND_TEXT
from .text import MISSING, number, signed

__all__ = ["trial_table", "efficacy_table", "safety_table", "coverage_table", "discrepancy_table"]


def _amount(value: float, unit: str) -> str:
    """A printed arm figure: ``8.9 months``, ``27%``; ``NR`` where the review prints none."""
    if pd.isna(value):
        return "NR"
    return f"{value:g} months" if unit == "months" else f"{value:g}%" if unit == "percent" else f"{value:g}"


def trial_table(overview: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.context.trial_overview` as text."""
    return pd.DataFrame({
        "Trial": overview["name"],
        "Design": overview["design"].map(british),
        "Population": overview["population"].map(british),
        "Patients (trial total)": overview["n_patients"].map(lambda n: f"{int(n):,}"),
        "Experimental arm": overview["experimental_treatment"],
        "Control arm": overview["control_treatment"],
        "Notes for comparison with BOLERO-2": overview["caveats"].replace("", MISSING),
    })


def efficacy_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.context.efficacy_differences` as text; differences in months or percentage points."""
    def difference(row) -> str:
        if row["status"] == "printed comparison only":
            return f"HR {row['comparison']:g} (printed)"
        if row["status"] != "computed":
            return row["status"]
        return f"{signed(row['difference'], row['decimals'])} {'months' if row['unit'] == 'months' else 'pp'}"

    endpoint = efficacy["endpoint"].map(ENDPOINT_NAMES)
    endpoint = endpoint.where(efficacy["assessment"] == "unstated", endpoint + " (" + efficacy["assessment"] + ")")
    return pd.DataFrame({
        "Trial": efficacy["trial"].map(TRIAL_NAMES),
        "End point": endpoint,
        "Role": efficacy["role"],
        "Experimental": [_amount(v, u) if s != "printed comparison only" else MISSING
                         for v, u, s in zip(efficacy["experimental"], efficacy["unit"], efficacy["status"])],
        "Control": [_amount(v, u) if s != "printed comparison only" else MISSING
                    for v, u, s in zip(efficacy["control"], efficacy["unit"], efficacy["status"])],
        "Difference (experimental − control)": [difference(row) for _, row in efficacy.iterrows()],
        "Ratio of medians": efficacy["ratio"].map(lambda v: number(v, 2)),
        "As printed in the review's Table 1": efficacy["quote"],
    })


def safety_table(differences: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.context.side_effect_differences` as a side effect × trial grid of ``all grades / grade 3-4``.

    A cell is the difference in percentage points, ``NR`` where the review
    does not report an arm, and ``a to b`` where an arm is printed ``<1``
    (the range the bound allows).
    """
    def cell(row) -> str:
        if row["status"] == "computed":
            return signed(row["difference"], row["decimals"])
        if row["status"] == "bound":
            return f"{signed(row['difference_low'], row['decimals'])} to {signed(row['difference_high'], row['decimals'])}"
        return "NR"

    shown = differences.assign(text=[cell(row) for _, row in differences.iterrows()])
    grid = {}
    for (term, trial), group in shown.groupby(["term", "trial"], sort=False):
        by_grade = dict(zip(group["grade"], group["text"]))
        grid.setdefault(term, {})[trial] = f"{by_grade.get('all', MISSING)} / {by_grade.get('3-4', MISSING)}"
    labels = dict(zip(differences["term"], differences["term_label"]))
    rows = [{"Side effect": british(labels[term]), **{TRIAL_NAMES[t]: cells.get(t, MISSING) for t in TRIAL_ORDER}}
            for term, cells in grid.items()]
    return pd.DataFrame(rows)


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.context.side_effect_coverage` as text."""
    return pd.DataFrame({
        "Trial": coverage["trial"].map(lambda t: TRIAL_NAMES.get(t, "All trials")),
        "Cells (side effect × grade × arm)": coverage["cells"].astype(int).astype(str),
        "Cells NR": coverage["cells_not_reported"].astype(int).astype(str),
        "Cells printed <1": coverage["cells_bound"].astype(int).astype(str),
        "Differences (side effect × grade)": coverage["comparisons"].astype(int).astype(str),
        "Computed": coverage["computed"].astype(int).astype(str),
        "Range only (<1 bound)": coverage["bound"].astype(int).astype(str),
        "Not computable (NR)": coverage["not_reported"].astype(int).astype(str),
    })


def discrepancy_table(table: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.context.cross_trial_discrepancies` as text, sources named as a reader cites them."""
    names = source_names(sources)
    return pd.DataFrame({
        "Discrepancy": table["discrepancy"],
        "Kind": table["kind"].map(lambda kind: DISCREPANCY_KIND_TEXT.get(kind, kind)),
        "What": table["measure"].map(lambda key: readable_key(key, {**TRIAL_NAMES, **ENDPOINT_NAMES})),
        "Source": [source_name(s, names) for s in table["source_id"]],
        "Printed": table["printed"],
        "Where": table["locator"],
    })
