"""The ESMO-MCBS v1.1 inputs and scorecards of BOLERO-2, by data cut and assessment.

BOLERO-2's primary end point is progression-free survival, so the trial is
scored on form 2b; OS enters as the form's OS adjustment (it was immature at
the interim analysis: "Overall survival results were immature at the time of
the interim analysis, with a total of 83 deaths", NEJM 2011, Results).

The PFS figures come from the ``pfs`` table, for every data cut and
assessment the seeds print (interim local and central: NEJM 2011 Table 3;
final local and central: the 2014 review). The review prints the final
medians but no hazard ratio or interval for the final cut, so the final cut
cannot be scored from this project's data: :func:`bolero2_scorecards` reports
it with the error that names the missing figure rather than a grade.

The QoL, toxicity and OS findings are parameters: they come from the tables
being added for quality of life, safety and overall survival, and until then
the caller builds them (the tests build them from the sentences of the NEJM
2011 paper and the 2014 review, quoted there).

Which analysis ESMO's method scores
-----------------------------------
ESMO scores the trial's primary end point as reported in the peer-reviewed
publication (its scorecards list the "Primary Outcome(s)" and the "Evaluated
Outcome"; e.g. PALOMA-3, scorecard 6: primary PFS, evaluated PFS, form 2b,
shown with the updated OS). For BOLERO-2 the primary end point is PFS by the
local investigators' assessment, "with central assessment by an independent
radiology committee used in a supportive analysis" (NEJM 2011, Methods). So
ESMO's method scores the local assessment, and, the scorecards showing the
latest published data, at the latest cut with a hazard-ratio interval: the
final cut if its interval were in the data, otherwise the interim cut. With
this project's data that is **interim, local** (:data:`ESMO_ANALYSIS`). The
v1.1 paper's own wording on which publication or cut to score could not be
read for this module; the choice above rests on the scorecards and the
trial's stated primary analysis, and is flagged as such in the report.

References
----------
.. [1] Baselga J et al. Everolimus in postmenopausal hormone-receptor-positive
   advanced breast cancer. N Engl J Med 2012;366:520-9. doi:10.1056/NEJMoa1109653
.. [2] Cherny NI et al. ESMO-Magnitude of Clinical Benefit Scale version 1.1.
   Ann Oncol 2017;28:2340-66. doi:10.1093/annonc/mdx310
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from ..derived.common import attribute_cuts, matching_mask, pick_row
from .engine import Scorecard, score
from .inputs import HazardRatio, McbsInputError, McbsInputs, Medians, OsFinding, QolFinding, ToxicityFinding

__all__ = ["Bolero2Case", "Bolero2Score", "CUTS", "ESMO_ANALYSIS", "bolero2_inputs", "bolero2_scorecards"]

#: The (data cut, assessment) pairs the seeds print for PFS, in report order.
CUTS = (("interim", "local"), ("interim", "central"), ("final", "local"), ("final", "central"))

#: The analysis ESMO's method scores, given this project's data (see the module docstring).
ESMO_ANALYSIS = ("interim", "local")

# How a reader cites each seed (no internal ids in reader-facing text).
_READER_NAMES = {"nejm_2011": "NEJM 2011", "mtor_review_2014": "mTOR review 2014", "oncology_news_2011": "Oncology news 2011",
                 "ecancer_interview_2011": "ecancer interview 2011", "mdanderson_conquest_2012": "MD Anderson Conquest 2012"}


class Bolero2Case(NamedTuple):
    """The inputs for one data cut and assessment."""

    cut: str
    assessment: str
    inputs: McbsInputs


class Bolero2Score(NamedTuple):
    """The scorecard for one data cut and assessment, or the error saying why it cannot be scored."""

    cut: str
    assessment: str
    scorecard: Scorecard | None
    error: McbsInputError | None
    esmo_analysis: bool


def _cite(row: pd.Series) -> str:
    return f"{_READER_NAMES.get(row['source_id'], row['source_id'])}, {row['locator']}"


def _figure(attributed: pd.DataFrame, cut: str, assessment: str, arm: str, statistic: str) -> tuple[float | None, str | None]:
    """Value and citation of one printed figure, preferring the NEJM/review tables over text; (None, None) if not printed.

    ``attributed`` is the PFS table through :func:`bolero_evidence.derived.common.attribute_cuts`.
    Figures stated to belong to the cut come first; only where none is, a
    figure whose cut is inferred is used, and its citation says so.
    """
    # matching_mask, not pandas' string comparisons: five times faster, and the scorecard asks for 160 figures.
    wanted = matching_mask(attributed, {"data_cut": cut, "assessment": assessment, "arm": arm, "statistic": statistic})
    rows = attributed[wanted & ~attributed["cut_inferred"].to_numpy(dtype=bool, na_value=True)]  # unknown: not stated
    if rows.empty:
        rows = attributed[wanted]
    if rows.empty:
        return None, None
    row = pick_row(rows)  # several sources printing one figure must agree, or this raises
    tables_first = rows[rows["locator"].str.startswith("Table")]
    row = tables_first.iloc[0] if not tables_first.empty else row
    citation = _cite(row) + (" (data cut inferred; the source does not state it)" if row["cut_inferred"] else "")
    return (None if pd.isna(row["value"]) else float(row["value"])), citation


def bolero2_inputs(tables: dict[str, pd.DataFrame], qol: QolFinding | None = None, toxicity: ToxicityFinding | None = None,
                   os: OsFinding | None = None) -> list[Bolero2Case]:
    """Assemble the form 2b inputs of BOLERO-2 for every data cut and assessment the seeds print.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The project's tables (:func:`bolero_evidence.data.read_tables`); reads ``pfs``.
    qol : QolFinding, optional
        Quality of life. Source: the QoL table being added (time to definitive
        deterioration of global health status, EORTC QLQ-C30: the 2014 review,
        citing Burris et al.; the NEJM 2011 interim statement that time to
        deterioration of QoL did not differ).
    toxicity : ToxicityFinding, optional
        The toxicity judgements. Source: the safety tables (NEJM 2011 Table 2,
        serious adverse events, discontinuations).
    os : OsFinding, optional
        Overall survival. Source: the OS table being added (NEJM 2011: immature
        at the interim analysis).

    Returns
    -------
    list of Bolero2Case
        ``(cut, assessment, inputs)`` for each pair of :data:`CUTS` with any PFS
        figure printed; a figure not printed is ``None`` in the inputs, and
        :func:`bolero_evidence.mcbs.score` raises naming it.
    """
    pfs = attribute_cuts(tables["pfs"])  # once, not once per figure (a copy of the table each time)
    cases = []
    for cut, assessment in CUTS:
        hr, hr_source = _figure(pfs, cut, assessment, "comparison", "hr")
        low, low_source = _figure(pfs, cut, assessment, "comparison", "hr_ci_low")
        high, _ = _figure(pfs, cut, assessment, "comparison", "hr_ci_high")
        experimental, exp_source = _figure(pfs, cut, assessment, "everolimus", "median")
        control, control_source = _figure(pfs, cut, assessment, "placebo", "median")
        if all(v is None for v in (hr, low, high, experimental, control)):
            continue
        label = f"BOLERO-2, {cut} analysis, {assessment} assessment"
        hr_where = hr_source or low_source or f"no source in the data prints a hazard ratio for the {cut} analysis, {assessment} assessment"
        medians_where = exp_source if exp_source == control_source else f"{exp_source}; {control_source}"
        inputs = McbsInputs("PFS", HazardRatio(hr, low, high, source=hr_where), Medians(experimental, control, source=medians_where),
                            qol=qol, toxicity=toxicity, os=os, label=label)
        cases.append(Bolero2Case(cut, assessment, inputs))
    return cases


def bolero2_scorecards(tables: dict[str, pd.DataFrame], qol: QolFinding | None = None, toxicity: ToxicityFinding | None = None,
                       os: OsFinding | None = None) -> list[Bolero2Score]:
    """Score BOLERO-2 on form 2b for every data cut and assessment; the ones that cannot be scored say why.

    Parameters are those of :func:`bolero2_inputs`.

    Returns
    -------
    list of Bolero2Score
        One per case, with the scorecard or the input error, and whether it
        is the analysis ESMO's method scores (:data:`ESMO_ANALYSIS`).
    """
    results = []
    for cut, assessment, inputs in bolero2_inputs(tables, qol=qol, toxicity=toxicity, os=os):
        try:
            card, error = score(inputs, form="2b"), None
        except McbsInputError as exc:
            card, error = None, exc
        results.append(Bolero2Score(cut, assessment, card, error, (cut, assessment) == ESMO_ANALYSIS))
    return results
