"""BOLERO-2 beside the other mTOR-inhibitor trials of the 2014 review (its Tables 1 and 2).

The review tabulates five trials: HORIZON (letrozole ± temsirolimus), TAMRAD
(tamoxifen ± everolimus, open label), BOLERO-2, BOLERO-3 (HER2-positive,
everolimus 5 mg) and a neoadjuvant letrozole ± everolimus study. This module
puts their printed arm-level figures side by side as differences:

- gains and ratios of median PFS/TTP (:func:`bolero_evidence.stats.survival.median_gain`);
- differences of response and clinical-benefit percentages, in percentage
  points;
- differences of side-effect incidences (all grades, grade 3-4).

No interval is attached to any of them: the review prints percentages and
medians without per-arm denominators or event counts (``n_patients`` in
``trials.csv`` is the trial total), and an interval for a difference of
medians cannot be derived from medians at all.

Inputs: ``trials``, ``trial_outcomes``, ``trial_side_effects`` (the review);
the seeds' disagreements come from :func:`bolero_evidence.data.find_discrepancies`.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..data import discrepancy_table, find_discrepancies
from ..data.printed import parse_printed
from ..presentation.names import british
from ..register import Figure
from ..stats.survival import median_gain
from .common import attribute_cuts, pick_row

__all__ = [
    "TRIAL_ORDER",
    "TRIAL_NAMES",
    "ENDPOINT_NAMES",
    "REVIEW",
    "trial_overview",
    "efficacy_differences",
    "side_effect_differences",
    "side_effect_coverage",
    "cross_trial_discrepancies",
    "plot_side_effect_differences",
    "efficacy_figures",
    "side_effect_figures",
]

REVIEW = "mtor_review_2014"
TRIAL_ORDER = ("horizon", "tamrad", "bolero2", "bolero3", "neoadjuvant_letrozole")
TRIAL_NAMES = {
    "horizon": "HORIZON",
    "tamrad": "TAMRAD",
    "bolero2": "BOLERO-2",
    "bolero3": "BOLERO-3",
    "neoadjuvant_letrozole": "Neoadjuvant (Baselga et al.)",
}
ENDPOINT_NAMES = {
    "pfs_median": "Median PFS",
    "ttp_median": "Median TTP",
    "os_median": "Median OS",
    "os_hr": "OS hazard ratio",
    "os_events": "Deaths at the analysis",
    "orr": "Objective response",
    "cbr": "Clinical benefit",
    "cbr_6_month": "Clinical benefit at 6 months",
    "sd_24_weeks": "Stable disease ≥ 24 weeks",
    "clinical_response": "Clinical response",
    "ki67_response": "Ki67 response, day 15",
    "response_ultrasound": "Response by ultrasound",
    "response_mammography": "Response by mammography",
    "grade_3_4_toxicity": "Grade 3–4 toxicity",
}
# Short forms of the endpoints in register ids (context.tamrad.ttp_gain).
_ID_STEM = {"pfs_median": "pfs", "ttp_median": "ttp", "os_median": "os"}
# Where a printed bound (<1) puts the true percentage.
_BOUND_RANGE = {"lt": lambda v: (0.0, v), "le": lambda v: (0.0, v), "gt": lambda v: (v, 100.0), "ge": lambda v: (v, 100.0)}


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    order = {t: i for i, t in enumerate(TRIAL_ORDER)}
    return frame.assign(_order=frame["trial"].map(order)).sort_values("_order", kind="stable").drop(columns="_order")


def _caveats(trial: pd.Series, outcomes: pd.DataFrame) -> str:
    """What makes a trial not comparable with BOLERO-2 as such, read off its own row."""
    notes = []
    if trial["experimental_agent"] != "everolimus":
        notes.append(f"experimental agent is {trial['experimental_agent']}, not everolimus")
    if re.search(r"\bopen\b", trial["design"], re.IGNORECASE):
        notes.append(f"open-label: control arm is {trial['control_treatment']} alone, no placebo")
    if trial["setting"] == "her2_positive_advanced":
        dose = re.search(r"everolimus\s+(\d+(?:\.\d+)?\s*mg)", trial["experimental_treatment"])
        notes.append("HER2-positive disease" + (f"; everolimus {dose.group(1)} daily" if dose else ""))
    if trial["setting"] == "er_positive_neoadjuvant":
        duration = re.search(r"\((\d+\s*months?)\)", trial["control_treatment"])
        notes.append("neoadjuvant (preoperative)" + (f", {duration.group(1)} of treatment" if duration else "")
                     + "; response end points, no PFS")
    attributed = attribute_cuts(outcomes[outcomes["trial"] == trial["trial"]])
    cuts = sorted(set(attributed["data_cut"]) - {"unstated"})
    if cuts:
        inferred = " (inferred: the source does not state it)" if attributed["cut_inferred"].all() else ""
        notes.append(f"figures from the {' and '.join(cuts)} analysis{inferred}")
    return "; ".join(notes)


def trial_overview(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The review's Table 1, descriptive columns, with what limits comparison with BOLERO-2.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables (:func:`bolero_evidence.data.load_tables`).

    Returns
    -------
    DataFrame
        One row per trial (:data:`TRIAL_ORDER`): ``trial``, ``name``,
        ``design``, ``population``, ``n_patients`` (trial total),
        ``experimental_treatment``, ``control_treatment``,
        ``experimental_agent``, ``caveats``.
    """
    trials = _ordered(tables["trials"])
    outcomes = tables["trial_outcomes"]
    frame = trials[["trial", "design", "population", "n_patients", "experimental_treatment", "control_treatment",
                    "experimental_agent"]].copy()
    frame.insert(1, "name", frame["trial"].map(TRIAL_NAMES))
    frame["caveats"] = [_caveats(row, outcomes) for _, row in trials.iterrows()]
    return frame.reset_index(drop=True)


def efficacy_differences(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Experimental − control for each outcome of the review's Table 1.

    Medians (months) give a gain and a ratio; percentages give a difference
    in percentage points. A figure printed only for the comparison (a hazard
    ratio) or as NR in an arm is listed with the reason it gives no
    difference.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        One row per trial, endpoint and assessment of the review's Table 1
        (``role`` primary or secondary), in :data:`TRIAL_ORDER`: ``trial``,
        ``endpoint``, ``role``, ``assessment``, ``unit``, ``experimental``,
        ``control`` (NaN for NR or absent), ``comparison`` (a printed
        between-arm figure), ``difference`` (months or percentage points),
        ``ratio`` (medians only), ``status`` (``computed``, ``printed
        comparison only``, ``not computable: NR``), ``decimals`` (the most
        decimals either input is printed with), ``quote`` and
        ``register_stem`` (``context.<trial>.<endpoint>``).
    """
    outcomes = tables["trial_outcomes"]
    table1 = outcomes[(outcomes["source_id"] == REVIEW) & outcomes["role"].isin(["primary", "secondary"])]
    rows = []
    keys = ["trial", "endpoint", "role", "assessment"]
    for key, group in table1.groupby(keys, sort=False):
        record = dict(zip(keys, key))
        by_arm = {arm: g for arm, g in group.groupby("arm")}
        for arm in by_arm.values():
            if len(arm) != 1:
                raise ValueError(f"several rows for one arm of {record}: {list(arm['printed'])}")
        unit = group["unit"].iloc[0]
        # A difference is shown to the precision of its less rounded input.
        decimals = max(parse_printed(str(p)).decimals for p in group["printed"])
        values = {arm: (None if pd.isna(g["value"].iloc[0]) else float(g["value"].iloc[0])) for arm, g in by_arm.items()}
        experimental, control = values.get("experimental"), values.get("control")
        difference = ratio = math.nan
        if "comparison" in by_arm:
            status = "printed comparison only"
        elif experimental is None or control is None:
            status = "not computable: NR"
        else:
            status = "computed"
            if unit == "months":
                gain = median_gain(experimental, control)
                difference, ratio = gain.gain, gain.ratio
            elif unit == "percent":
                difference = experimental - control
            else:
                raise ValueError(f"no difference defined for unit {unit!r} of {record}")
        stem = _ID_STEM.get(record["endpoint"], record["endpoint"])
        if record["assessment"] == "central":
            stem += "_central"
        rows.append({
            **record, "unit": unit,
            "experimental": math.nan if experimental is None else experimental,
            "control": math.nan if control is None else control,
            "comparison": values.get("comparison", math.nan) if "comparison" in by_arm else math.nan,
            "difference": difference, "ratio": ratio, "status": status, "decimals": decimals,
            "quote": group["quote"].iloc[0],
            "register_stem": f"context.{record['trial']}.{stem}",
        })
    return _ordered(pd.DataFrame(rows)).reset_index(drop=True)


def _range(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier == "eq":
        return value, value
    if qualifier in _BOUND_RANGE:
        return _BOUND_RANGE[qualifier](value)
    raise ValueError(f"no range for qualifier {qualifier!r}")


def side_effect_differences(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Experimental − control incidence of each side effect of the review's Table 2.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        One row per side effect, trial and grade (``all``, ``3-4``), side
        effects in the table's order: ``term``, ``term_label`` (as the review
        names it), ``trial``, ``grade``, ``experimental``, ``control``
        (printed forms), ``status``, ``difference`` (percentage points, both
        arms printed as numbers), ``difference_low``, ``difference_high``
        (the range a ``<1`` bound allows), ``decimals`` (the most decimals
        either arm is printed with) and ``register_id``.

    Notes
    -----
    ``status`` is ``computed`` when both arms are numbers, ``not reported``
    when either arm is NR, and ``bound`` when an arm is printed ``<1``. A
    ``<1`` is read as some value from 0 up to (not including) 1, so the
    difference is only known to lie in ``[difference_low, difference_high]``
    (the end that the bound excludes is not attained); no point value is
    given for it, since picking one (0.5, say) would invent a number the
    review does not print.
    """
    effects = tables["trial_side_effects"]
    terms = list(dict.fromkeys(effects["term"]))
    labels = {row["term"]: row["locator"].split(", ")[1] for _, row in effects.iterrows()}
    rows = []
    for term in terms:
        for trial in TRIAL_ORDER:
            for grade in ("all", "3-4"):
                cells = effects[(effects["term"] == term) & (effects["trial"] == trial) & (effects["grade"] == grade)]
                if cells.empty:
                    continue
                arm = {a: pick_row(cells, arm=a) for a in ("experimental", "control")}
                qualifiers = {a: arm[a]["qualifier"] for a in arm}
                difference = low = high = math.nan
                if "not_reported" in qualifiers.values():
                    status = "not reported"
                elif set(qualifiers.values()) == {"eq"}:
                    status = "computed"
                    difference = float(arm["experimental"]["value"]) - float(arm["control"]["value"])
                    low = high = difference
                else:
                    status = "bound"
                    e_low, e_high = _range(float(arm["experimental"]["value"]), qualifiers["experimental"])
                    c_low, c_high = _range(float(arm["control"]["value"]), qualifiers["control"])
                    low, high = e_low - c_high, e_high - c_low
                grade_id = "all" if grade == "all" else "grade_3_4"
                decimals = max(parse_printed(str(arm[a]["printed"])).decimals for a in arm)
                rows.append({
                    "term": term, "term_label": labels[term], "trial": trial, "grade": grade,
                    "experimental": str(arm["experimental"]["printed"]), "control": str(arm["control"]["printed"]),
                    "status": status, "difference": difference, "difference_low": low, "difference_high": high,
                    "decimals": decimals, "register_id": f"context.{trial}.{term}.{grade_id}.difference",
                })
    return pd.DataFrame(rows)


def side_effect_coverage(tables: dict[str, pd.DataFrame], differences: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many cells of the review's Table 2 are NR or bounds, per trial.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.
    differences : DataFrame, optional
        :func:`side_effect_differences` (computed if not given).

    Returns
    -------
    DataFrame
        One row per trial plus a ``total`` row: ``trial``, ``cells``,
        ``cells_not_reported``, ``cells_bound`` (printed ``<1``),
        ``comparisons`` (side effect × grade), ``computed``, ``bound``,
        ``not_reported``.
    """
    effects = tables["trial_side_effects"]
    if differences is None:
        differences = side_effect_differences(tables)
    rows = []
    for trial in TRIAL_ORDER:
        cells = effects[effects["trial"] == trial]
        pairs = differences[differences["trial"] == trial]
        rows.append({
            "trial": trial, "cells": len(cells),
            "cells_not_reported": int((cells["qualifier"] == "not_reported").sum()),
            "cells_bound": int(cells["qualifier"].isin(list(_BOUND_RANGE)).sum()),
            "comparisons": len(pairs), "computed": int((pairs["status"] == "computed").sum()),
            "bound": int((pairs["status"] == "bound").sum()),
            "not_reported": int((pairs["status"] == "not reported").sum()),
        })
    frame = pd.DataFrame(rows)
    total = frame.drop(columns="trial").sum().to_dict()
    return pd.concat([frame, pd.DataFrame([{"trial": "total", **total}])], ignore_index=True)


def cross_trial_discrepancies(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The seeds' disagreements about the trials of the review's Table 1.

    Parameters
    ----------
    tables : dict of DataFrame
        The validated tables.

    Returns
    -------
    DataFrame
        :func:`bolero_evidence.data.discrepancy_table` restricted to the
        ``trial_outcomes`` table. BOLERO-2's Table 1 rows are compared with
        the BOLERO-2 tables (pfs, response, exposure) by the discrepancy
        finder and appear there, not here.
    """
    table = discrepancy_table(find_discrepancies(tables))
    return table[table["table"] == "trial_outcomes"].reset_index(drop=True)


def plot_side_effect_differences(differences: pd.DataFrame):
    """Dot plot of the all-grade incidence difference, one marker per trial.

    Parameters
    ----------
    differences : DataFrame
        :func:`side_effect_differences`.

    Returns
    -------
    matplotlib.figure.Figure
        Side effects as rows (the review's order, top to bottom), the
        experimental − control difference in percentage points on the x axis;
        trials not reporting a side effect have no marker in its row.
    """
    import matplotlib.pyplot as plt

    shown = differences[(differences["grade"] == "all") & (differences["status"] == "computed")]
    terms = list(dict.fromkeys(differences["term"]))
    labels = dict(zip(differences["term"], differences["term_label"]))
    position = {term: len(terms) - 1 - i for i, term in enumerate(terms)}
    markers = dict(zip(TRIAL_ORDER, ["o", "s", "D", "^", "v"]))
    colours = dict(zip(TRIAL_ORDER, ["#4C72B0", "#DD8452", "#C44E52", "#55A868", "#8172B3"]))
    # Small vertical offsets keep markers of different trials with equal differences apart.
    offsets = dict(zip(TRIAL_ORDER, [0.24, 0.12, 0.0, -0.12, -0.24]))

    figure, axis = plt.subplots(figsize=(8, 6), dpi=100)
    for trial in TRIAL_ORDER:
        rows = shown[shown["trial"] == trial]
        axis.plot(rows["difference"], [position[t] + offsets[trial] for t in rows["term"]], linestyle="none",
                  marker=markers[trial], color=colours[trial], markersize=6, label=TRIAL_NAMES[trial])
    axis.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    axis.set_yticks([position[t] for t in terms], [british(labels[t]) for t in terms])
    axis.set_ylim(-0.6, len(terms) - 0.4)
    axis.set_xlabel("All-grade incidence, experimental − control (percentage points)")
    axis.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    axis.legend(loc="lower right", fontsize=8, frameon=True)
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------
# Register figures
# --------------------------------------------------------------------------


# The review's Table 1 medians for BOLERO-2 are the final-analysis medians that
# notebook 02 registers (pfs.<assessment>.final.median_gain / median_ratio):
# the cross-trial table shows them, and cites those ids, without a second id.
REGISTERED_IN_PFS = {"context.bolero2.pfs": "pfs.local.final", "context.bolero2.pfs_central": "pfs.central.final"}


def efficacy_figures(efficacy: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`efficacy_differences` (computed rows only): gains and ratios of medians, differences of percentages."""
    figures = []
    for _, row in efficacy[efficacy["status"] == "computed"].iterrows():
        if row["register_stem"] in REGISTERED_IN_PFS:
            continue  # one id per number: BOLERO-2's final-analysis PFS gains and ratios are registered by notebook 02
        name, endpoint = TRIAL_NAMES[row["trial"]], ENDPOINT_NAMES[row["endpoint"]]
        if row["assessment"] != "unstated":
            endpoint += f" ({row['assessment']} assessment)"
        if row["unit"] == "months":
            figures += [
                Figure(f"{row['register_stem']}_gain", row["difference"], unit="months",
                       method="difference of printed medians (experimental − control), review Table 1; no interval derivable",
                       inputs=REVIEW, description=f"{name}: gain in {endpoint.lower()}"),
                Figure(f"{row['register_stem']}_ratio", row["ratio"], unit="ratio",
                       method="ratio of printed medians (experimental / control), review Table 1",
                       inputs=REVIEW, description=f"{name}: ratio of {endpoint.lower()}"),
            ]
        else:
            figures.append(Figure(
                f"{row['register_stem']}_difference", row["difference"], unit="percentage_points",
                method="difference of printed percentages (experimental − control), review Table 1; no interval (arm sizes not printed)",
                inputs=REVIEW, description=f"{name}: difference in {endpoint.lower()}"))
    return figures


def side_effect_figures(differences: pd.DataFrame) -> list[Figure]:
    """Register figures of :func:`side_effect_differences` (computed rows only; a range from a ``<1`` bound is not registered)."""
    figures = []
    for _, row in differences[differences["status"] == "computed"].iterrows():
        grade = "all grades" if row["grade"] == "all" else "grade 3–4"
        figures.append(Figure(
            row["register_id"], row["difference"], unit="percentage_points",
            method="difference of printed incidences (experimental − control), review Table 2; no interval (arm sizes not printed)",
            inputs=REVIEW, description=f"{TRIAL_NAMES[row['trial']]}: {row['term_label'].lower()}, {grade}, difference in incidence"))
    return figures
