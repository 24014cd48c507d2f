"""BOLERO-2's quality-of-life, toxicity and overall-survival findings, read from the data tables, and the judgements taken.

The form 2b adjustments ask about quality of life (QoL), toxicity and overall
survival (OS). This module reads each from the project's tables, quoting where
every figure was printed:

- **QoL** (``quality_of_life``, ``finding``): the review's time to definitive
  deterioration at the prospectively defined 5% threshold (HR 0.74, P=0.0084)
  and at the 10-point sensitivity threshold (P=0.1017), and the NEJM's interim
  statement that time to deterioration was "not statistically different". A P
  value below :data:`SIGNIFICANCE_LEVEL` counts as significant; which result
  counts is a judgement.
- **Toxicity** (``adverse_events``, ``exposure``, ``design``): the grade 3-4
  risk differences of NEJM 2011 Table 2 with their 95% intervals over every
  count the printed percentages allow
  (:func:`bolero_evidence.derived.safety.adverse_events`). A term is
  significantly more (fewer) frequent with everolimus when the whole interval
  lies above (below) zero. Whether those toxicities impair daily well-being is
  a judgement.
- **OS** (``finding``, ``exposure``): the typed claims at each data cut
  ("immature", "not yet statistically significant") and the deaths per arm.

The judgements the data cannot make are data too: ``judgements_bolero2.csv``
(id, the answer taken, the reason, who could disagree, what changes), so that
a panel can change one answer and see the grade change
(:func:`judgement_outcomes` shows both).

References
----------
.. [1] Cherny NI et al. ESMO-Magnitude of Clinical Benefit Scale version 1.1.
   Ann Oncol 2017;28:2340-66. doi:10.1093/annonc/mdx310
.. [2] Newcombe RG. Interval estimation for the difference between independent
   proportions. Stat Med 1998;17:873-90.
   doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pandas as pd

from ..derived import safety
from ..derived.common import attribute_cuts, pick_row, pick_rows
from ..presentation.names import british
from ..presentation.text import interval, number
from ..register import Figure as RegisterFigure
from .bolero2 import _READER_NAMES, ESMO_ANALYSIS, Bolero2Score, bolero2_inputs
from .engine import score
from .inputs import Figure, Judgement, McbsInputError, MissingInputError, OsFinding, QolFinding, ToxicityFinding

__all__ = ["Bolero2Findings", "JUDGEMENT_COLUMNS", "JudgementTableError", "QOL_QUESTION", "RecordedJudgement", "SIGNIFICANCE_LEVEL",
           "ToxicityEvidence", "bolero2_findings", "figures_by_table", "judgement_outcomes", "load_judgements", "os_finding",
           "qol_finding", "score_bolero2", "scorecard_figures", "toxicity_evidence", "toxicity_finding", "with_answer"]

#: Two-sided level at which a printed P value counts as statistically significant (the conventional 5%; the
#: review prints P values without naming a level).
SIGNIFICANCE_LEVEL = Decimal("0.05")

JUDGEMENT_COLUMNS = ["judgement_id", "question", "answer", "reason", "by", "who_could_disagree", "what_changes"]
#: The judgements this module reads (an unknown or a missing one is an error: a typo must not silently drop one).
JUDGEMENT_IDS = ("qol_prospective_analysis", "toxicity_impacts_wellbeing", "less_toxicity_spares_wellbeing")

QOL_QUESTION = "Does the QoL evidence show a statistically significant improvement or delay in deterioration of QoL?"
INCREMENTAL_QUESTION = ("Is everolimus associated with one or more statistically significantly increased incremental toxicities "
                        "(impacting daily well-being)?")
LESS_QUESTION = "Does everolimus cause statistically significantly fewer grade 3-4 toxicities?"

# OS claims that say the analysis is not mature, and claims that say OS is improved (finding.csv's claim vocabulary).
_NOT_MATURE = {"immature", "not_yet_known", "awaited", "not_yet_statistically_significant"}
_IMPROVED = {"statistically_significant", "improved"}


class JudgementTableError(ValueError):
    """The judgements table is malformed: file, row, column, value and what was expected."""


@dataclass(frozen=True)
class RecordedJudgement:
    """One judgement as recorded in the judgements table.

    Attributes
    ----------
    judgement_id : str
    question : str
    answer : bool
        The answer taken.
    reason, by, who_could_disagree, what_changes : str
        Why; who took it; who could answer otherwise and why; what changes if they do.
    """

    judgement_id: str
    question: str
    answer: bool
    reason: str
    by: str
    who_could_disagree: str
    what_changes: str


@dataclass(frozen=True)
class Bolero2Findings:
    """The three findings the form 2b adjustments read, for one data cut, with the source ids behind each."""

    cut: str
    qol: QolFinding
    toxicity: ToxicityFinding
    os: OsFinding
    sources: dict[str, tuple[str, ...]]


def load_judgements(path: Path | None = None) -> dict[str, RecordedJudgement]:
    """Read the judgements table (``judgements_bolero2.csv`` shipped with the package, or ``path``).

    Raises
    ------
    JudgementTableError
        Naming the file, row (header = row 1), column, value and what was expected.
    """
    source = path if path is not None else resources.files(__package__).joinpath("judgements_bolero2.csv")
    name = str(path) if path is not None else "judgements_bolero2.csv"
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != JUDGEMENT_COLUMNS:
            raise JudgementTableError(f"{name}, header: got {reader.fieldnames}; expected {JUDGEMENT_COLUMNS}")
        rows = list(reader)
    judgements = {}
    for line, row in enumerate(rows, start=2):
        where = f"{name}, row {line}"
        if row["judgement_id"] not in JUDGEMENT_IDS:
            raise JudgementTableError(f"{where}, column 'judgement_id': got {row['judgement_id']!r}; expected one of {list(JUDGEMENT_IDS)}")
        if row["judgement_id"] in judgements:
            raise JudgementTableError(f"{where}, column 'judgement_id': {row['judgement_id']!r} is recorded twice")
        if row["answer"] not in ("yes", "no"):
            raise JudgementTableError(f"{where}, column 'answer': got {row['answer']!r}; expected 'yes' or 'no'")
        for column in ("question", "reason", "by", "who_could_disagree", "what_changes"):
            if not row[column].strip():
                raise JudgementTableError(f"{where}, column {column!r}: empty; every judgement states it")
        judgements[row["judgement_id"]] = RecordedJudgement(
            row["judgement_id"], row["question"], row["answer"] == "yes", row["reason"], row["by"], row["who_could_disagree"],
            row["what_changes"])
    missing = [j for j in JUDGEMENT_IDS if j not in judgements]
    if missing:
        raise JudgementTableError(f"{name}: no row for judgement(s) {missing}; "
                                  f"the BOLERO-2 findings need every one of {list(JUDGEMENT_IDS)}")
    return judgements


def with_answer(judgements: dict[str, RecordedJudgement], judgement_id: str, answer: bool) -> dict[str, RecordedJudgement]:
    """The judgements with one answer changed (what a panel that disagrees would score)."""
    if judgement_id not in judgements:
        raise KeyError(f"no judgement {judgement_id!r}; recorded: {sorted(judgements)}")
    return {**judgements, judgement_id: replace(judgements[judgement_id], answer=answer)}


def _names(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    sources = tables.get("sources")
    if sources is None:
        return _READER_NAMES
    return {**_READER_NAMES, **dict(zip(sources["source_id"], sources["short_name"]))}


def _cite(row, names: dict[str, str]) -> str:
    return f"{names.get(row['source_id'], row['source_id'])}, {row['locator']}"


def _yes_no(answer: bool) -> str:
    return "yes" if answer else "no"


def _significant(p_value: float) -> bool:
    return Decimal(repr(float(p_value))) < SIGNIFICANCE_LEVEL


def qol_finding(tables: dict[str, pd.DataFrame], judgements: dict[str, RecordedJudgement]) -> tuple[QolFinding, tuple[str, ...]]:
    """Quality of life: the review's analyses and the NEJM's interim statement, and which counts (a judgement).

    Returns
    -------
    (QolFinding, tuple of str)
        The finding, and the source ids it rests on.
    """
    names = _names(tables)
    qol = tables["quality_of_life"]
    qol = qol[qol["trial"] == "bolero2"]
    analyses = {}
    for analysis in ("primary", "sensitivity"):
        rows = qol[(qol["analysis"] == analysis) & (qol["source_id"] == "mtor_review_2014")]
        analyses[analysis] = {}
        for arm, statistic in [("experimental", "median"), ("control", "median"), ("comparison", "hr"), ("comparison", "p_value"),
                               ("all", "threshold")]:
            try:
                analyses[analysis][arm, statistic] = pick_row(rows, arm=arm, statistic=statistic)
            except LookupError:
                raise MissingInputError(f"quality_of_life table: no BOLERO-2 row for the review's {analysis} analysis, "
                                        f"arm/statistic {(arm, statistic)}; the QoL adjustment reads it") from None
    finding = tables["finding"]
    try:
        statement = pick_row(finding, trial="bolero2", endpoint="ttd_qol_5pct", source_id="nejm_2011")
    except LookupError:
        raise MissingInputError("finding table: no NEJM 2011 claim on time to deterioration of QoL (ttd_qol_5pct); "
                                "the QoL adjustment reads it") from None

    figures, significant = [], {}
    for analysis, label in (("primary", "prospectively defined, 5% decrease"), ("sensitivity", "sensitivity analysis, 10-point decrease")):
        r = analyses[analysis]
        significant[analysis] = _significant(r["comparison", "p_value"]["value"])
        figures.append(Figure(f"time to definitive deterioration of QoL ({label})",
                              f"{r['experimental', 'median']['printed']} vs {r['control', 'median']['printed']} months "
                              f"(HR {r['comparison', 'hr']['printed']}; {r['comparison', 'p_value']['printed']})",
                              _cite(r["comparison", "p_value"], names) + " (data cut not stated)"))
    statement_significant = statement["claim"] == "statistically_significant"
    figures.append(Figure("time to deterioration of QoL (≥5%), interim analysis", f"{statement['printed']} (data not shown)",
                          _cite(statement, names)))

    taken = judgements["qol_prospective_analysis"]
    if taken.answer:
        improved = significant["primary"]
        basis = (f"the prospectively defined analysis counts; its P value {analyses['primary']['comparison', 'p_value']['printed']} "
                 f"is {'below' if improved else 'not below'} {SIGNIFICANCE_LEVEL}")
    else:
        improved = significant["sensitivity"] or statement_significant
        basis = (f"the prospectively defined analysis does not count; the NEJM's interim statement says "
                 f"'{statement['printed']}' and the 10-point analysis has {analyses['sensitivity']['comparison', 'p_value']['printed']}")
    reason = f"{taken.question} {_yes_no(taken.answer).capitalize()}: {taken.reason} So {basis}."
    finding_ = QolFinding(assessed=True, improved=Judgement(QOL_QUESTION, improved, reason, by=taken.by), figures=tuple(figures))
    return finding_, tuple(sorted({"mtor_review_2014", statement["source_id"]}))


@dataclass(frozen=True)
class ToxicityEvidence:
    """The safety comparisons the toxicity finding reads (computed once: the intervals over every consistent count take seconds)."""

    grade_3_4: pd.DataFrame
    stopped_for_adverse_events: pd.Series


def toxicity_evidence(tables: dict[str, pd.DataFrame]) -> ToxicityEvidence:
    """Grade 3-4 risk differences of every NEJM 2011 Table 2 term, and discontinuation of everolimus or placebo for adverse events."""
    events = safety.adverse_events(tables)
    stopped = safety.discontinuation(tables)
    stopped = stopped[(stopped["measure"] == "discontinuation_adverse_event") & (stopped["drug"] == "everolimus_or_placebo")]
    if stopped.empty:
        raise MissingInputError("exposure table: no discontinuation of everolimus or placebo for adverse events; "
                                "the toxicity finding reads it")
    return ToxicityEvidence(events[events["grade"] == "grade_3_4"].reset_index(drop=True), stopped.iloc[0])


def toxicity_finding(tables: dict[str, pd.DataFrame], judgements: dict[str, RecordedJudgement],
                     evidence: ToxicityEvidence | None = None) -> tuple[ToxicityFinding, tuple[str, ...]]:
    """Toxicity: grade 3-4 terms significantly more or less frequent with everolimus, and whether they impair well-being (a judgement).

    A term counts as significantly more frequent when the lower end of its 95%
    risk-difference interval (Newcombe, the union over every count the printed
    percentages allow) is above zero; fewer, when the upper end is below zero.

    Returns
    -------
    (ToxicityFinding, tuple of str)
        The finding, and the source ids it rests on.
    """
    names = _names(tables)
    evidence = toxicity_evidence(tables) if evidence is None else evidence
    grade34 = evidence.grade_3_4
    more = grade34[grade34["difference_low"] > 0]
    fewer = grade34[grade34["difference_high"] < 0]
    stopped = evidence.stopped_for_adverse_events

    def _effect(row) -> str:
        return (f"risk difference {number(row['difference'])} percentage points "
                f"(95% CI {interval(row['difference_low'], row['difference_high'])})")

    table2 = f"{names.get('nejm_2011', 'nejm_2011')}, Table 2"
    figures = [Figure(f"grade 3–4 {british(row['label'].lower())} (grade 3/grade 4, %)", f"{row['printed_everolimus']} vs {row['printed_placebo']}; "
                      f"{_effect(row)}", table2) for _, row in more.iterrows()]
    figures.append(Figure("everolimus or placebo stopped for adverse events", f"{stopped['printed_everolimus']} vs "
                          f"{stopped['printed_placebo']}; {_effect(stopped)}", f"{names.get('nejm_2011', 'nejm_2011')}, Results, Safety"))
    impacts = judgements["toxicity_impacts_wellbeing"]
    increased = ", ".join(more["label"].str.lower()) or "none"
    incremental = Judgement(
        INCREMENTAL_QUESTION, bool(len(more)) and impacts.answer,
        f"grade 3-4 terms significantly more frequent with everolimus: {increased} ({table2}, 95% risk-difference interval above zero). "
        f"{impacts.question} {_yes_no(impacts.answer).capitalize()}: {impacts.reason}", by=impacts.by)
    spares = judgements["less_toxicity_spares_wellbeing"]
    if fewer.empty:
        less = Judgement(LESS_QUESTION, False, f"no grade 3-4 term in {table2} is significantly less frequent with everolimus "
                                                "(no 95% risk-difference interval lies below zero)", by="the data")
    else:
        figures += [Figure(f"grade 3–4 {british(row['label'].lower())} (grade 3/grade 4, %)", f"{row['printed_everolimus']} vs "
                           f"{row['printed_placebo']}; {_effect(row)}", table2) for _, row in fewer.iterrows()]
        less = Judgement(
            LESS_QUESTION, spares.answer,
            f"grade 3-4 terms significantly less frequent with everolimus: {', '.join(fewer['label'].str.lower())} ({table2}, 95% "
            f"risk-difference interval below zero). {spares.question} {_yes_no(spares.answer).capitalize()}: {spares.reason}", by=spares.by)
    return ToxicityFinding(incremental=incremental, less=less, figures=tuple(figures)), ("nejm_2011",)


def os_finding(tables: dict[str, pd.DataFrame], cut: str) -> tuple[OsFinding, tuple[str, ...]]:
    """Overall survival at one data cut: the sources' claims (typed in ``finding``) and the deaths per arm (``exposure``).

    Raises
    ------
    MissingInputError
        No source makes a claim on BOLERO-2's OS at this cut.
    """
    names = _names(tables)
    finding = attribute_cuts(tables["finding"])
    try:
        claims = pick_rows(finding, trial="bolero2", endpoint="overall_survival", data_cut=cut)
    except LookupError:
        raise MissingInputError(f"finding table: no claim on BOLERO-2's overall survival at the {cut} analysis; "
                                "the OS adjustment reads one") from None
    exposure = attribute_cuts(tables["exposure"])
    deaths = exposure[(exposure["measure"] == "death") & (exposure["statistic"] == "pct") & (exposure["data_cut"] == cut)]
    figures = [Figure("overall survival", f"'{r['printed']}'", _cite(r, names) + (" (data cut inferred)" if r["cut_inferred"] else ""))
               for _, r in claims.iterrows()]
    for _, rows in deaths.groupby("source_id", sort=False):
        by_arm = dict(zip(rows["arm"], rows["printed"]))
        if {"everolimus", "placebo"} <= set(by_arm):
            figures.append(Figure("deaths, everolimus vs placebo (share of arm)", f"{by_arm['everolimus']} vs {by_arm['placebo']}",
                                  _cite(rows.iloc[0], names)))
    kinds = set(claims["claim"])
    os = OsFinding(mature=not (kinds & _NOT_MATURE), significant_improvement=bool(kinds & _IMPROVED), figures=tuple(figures))
    return os, tuple(sorted(set(claims["source_id"]) | set(deaths["source_id"])))


def bolero2_findings(tables: dict[str, pd.DataFrame], cut: str, judgements: dict[str, RecordedJudgement] | None = None,
                     evidence: ToxicityEvidence | None = None) -> Bolero2Findings:
    """The QoL, toxicity and OS findings for one data cut, with the recorded judgements (or those given)."""
    judgements = load_judgements() if judgements is None else judgements
    qol, qol_sources = qol_finding(tables, judgements)
    toxicity, toxicity_sources = toxicity_finding(tables, judgements, evidence)
    os, os_sources = os_finding(tables, cut)
    return Bolero2Findings(cut, qol, toxicity, os, {"qol": qol_sources, "toxicity": toxicity_sources, "os": os_sources})


def score_bolero2(tables: dict[str, pd.DataFrame], judgements: dict[str, RecordedJudgement] | None = None,
                  evidence: ToxicityEvidence | None = None) -> list[Bolero2Score]:
    """Score BOLERO-2 on form 2b for every data cut and assessment, with the findings read from the data.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Reads ``pfs``, ``quality_of_life``, ``finding``, ``adverse_events``,
        ``exposure``, ``design`` and (for the names a reader cites) ``sources``.
    judgements : dict, optional
        The judgements (:func:`load_judgements`; default: the recorded ones).
    evidence : ToxicityEvidence, optional
        :func:`toxicity_evidence` of the same tables, if already computed.

    Returns
    -------
    list of Bolero2Score
        One per data cut and assessment, with the scorecard or the input error
        that says why it cannot be scored.
    """
    judgements = load_judgements() if judgements is None else judgements
    return _scores(tables, bolero2_inputs(tables), judgements, evidence)


def _scores(tables: dict[str, pd.DataFrame], cases: list, judgements: dict[str, RecordedJudgement],
            evidence: ToxicityEvidence | None) -> list[Bolero2Score]:
    # The findings depend on the data cut, not on the assessment: read once per cut (each reading picks and
    # formats dozens of figures). judgement_outcomes passes the same cases to every variant of the judgements.
    results = []
    found_by_cut: dict[str, Bolero2Findings] = {}
    for cut, assessment, inputs in cases:
        try:
            evidence = toxicity_evidence(tables) if evidence is None else evidence
            if cut not in found_by_cut:
                found_by_cut[cut] = bolero2_findings(tables, cut, judgements, evidence)
            found = found_by_cut[cut]
            card, error = score(replace(inputs, qol=found.qol, toxicity=found.toxicity, os=found.os), form="2b"), None
        except McbsInputError as exc:
            card, error = None, exc
        results.append(Bolero2Score(cut, assessment, card, error, (cut, assessment) == ESMO_ANALYSIS))
    return results


def judgement_outcomes(tables: dict[str, pd.DataFrame], judgements: dict[str, RecordedJudgement] | None = None,
                       evidence: ToxicityEvidence | None = None) -> pd.DataFrame:
    """Each judgement with the final grade of every scorable analysis under either answer.

    Returns
    -------
    DataFrame
        One row per judgement and scorable (cut, assessment): ``judgement_id``,
        ``question``, ``answer``, ``reason``, ``by``, ``who_could_disagree``,
        ``what_changes``, ``cut``, ``assessment``, ``grade_if_yes``,
        ``grade_if_no``, ``grade_taken``.
    """
    judgements = load_judgements() if judgements is None else judgements
    evidence = toxicity_evidence(tables) if evidence is None else evidence
    cases = bolero2_inputs(tables)  # the same for every variant of the judgements
    taken = {(r.cut, r.assessment): r.scorecard.final_grade for r in _scores(tables, cases, judgements, evidence) if r.scorecard}
    by_answer = {}
    for judgement_id in judgements:
        for answer in (True, False):
            by_answer[judgement_id, answer] = {(r.cut, r.assessment): r.scorecard.final_grade
                                               for r in _scores(tables, cases, with_answer(judgements, judgement_id, answer), evidence)
                                               if r.scorecard}
    rows = []
    for judgement_id, j in judgements.items():
        for (cut, assessment), grade in taken.items():
            rows.append({"judgement_id": judgement_id, "question": j.question, "answer": j.answer, "reason": j.reason, "by": j.by,
                         "who_could_disagree": j.who_could_disagree, "what_changes": j.what_changes, "cut": cut,
                         "assessment": assessment, "grade_if_yes": by_answer[judgement_id, True][cut, assessment],
                         "grade_if_no": by_answer[judgement_id, False][cut, assessment], "grade_taken": grade})
    return pd.DataFrame(rows)


# Which finding each adjustment variable reads (for the register's source ids).
_VARIABLE_FINDING = {"qol_improved": "qol", "qol_no_difference": "qol", "toxicity_incremental": "toxicity", "toxicity_less": "toxicity",
                     "os_improved": "os"}


def _pfs_sources(tables: dict[str, pd.DataFrame], cut: str, assessment: str) -> tuple[str, ...]:
    pfs = attribute_cuts(tables["pfs"])
    used = pfs[(pfs["data_cut"] == cut) & (pfs["assessment"] == assessment)
               & pfs["statistic"].isin(["hr_ci_low", "median"]) & pfs["arm"].isin(["comparison", "everolimus", "placebo"])]
    return tuple(sorted(set(used["source_id"])))


def scorecard_figures(tables: dict[str, pd.DataFrame], results: list[Bolero2Score], outcomes: pd.DataFrame,
                      evidence: ToxicityEvidence | None = None) -> list[RegisterFigure]:
    """Register figures of the scorecards: the PFS figures read, the preliminary grade, each adjustment's effect, the final grade.

    Ids: ``mcbs.<cut>.<assessment>.<quantity>``, e.g. ``mcbs.interim.local.preliminary_grade``,
    ``mcbs.interim.local.adjustment.qol_up``, ``mcbs.interim.local.judgement.qol_prospective_analysis.grade_if_no``.
    Analyses that cannot be scored have no grade and no entry.
    """
    figures = []
    for r in results:
        if r.scorecard is None:
            continue
        card, prefix = r.scorecard, f"mcbs.{r.cut}.{r.assessment}"
        pfs_sources = _pfs_sources(tables, r.cut, r.assessment)
        evidence = toxicity_evidence(tables) if evidence is None else evidence
        found = bolero2_findings(tables, r.cut, evidence=evidence)
        p = card.preliminary
        where = f"{r.cut} analysis, {r.assessment} assessment"
        figures += [
            RegisterFigure(f"{prefix}.hr_ci_low", float(p.hr_ci_low), "hazard_ratio", "as printed", pfs_sources,
                           f"Lower limit of the 95% CI of the PFS hazard ratio read by form 2b ({where})"),
            RegisterFigure(f"{prefix}.median_gain", float(p.median_gain), "months", "difference of the printed medians", pfs_sources,
                           f"Gain in median PFS, everolimus minus placebo, read by form 2b ({where})"),
            RegisterFigure(f"{prefix}.control_median", float(p.control_median), "months", "as printed", pfs_sources,
                           f"Median PFS in the placebo arm, which selects the form 2b sheet ({where})"),
            RegisterFigure(f"{prefix}.preliminary_grade", p.grade, "grade", f"ESMO-MCBS v1.1 form 2b, {p.sheet}", pfs_sources,
                           f"Preliminary grade from the PFS criteria ({where})"),
        ]
        for step in card.adjustments:
            findings = {_VARIABLE_FINDING[c.variable] for c in step.conditions}
            inputs = tuple(sorted({s for f in findings for s in found.sources[f]}))
            figures.append(RegisterFigure(
                f"{prefix}.adjustment.{step.rule_id.removeprefix('2b_')}", step.grade_after - step.grade_before, "grade",
                f"ESMO-MCBS v1.1 form 2b adjustment ({step.effect.replace('-', '−')}); {'applied' if step.applies else 'not applied'}", inputs,
                f"Effect on the grade of the adjustment '{step.wording}' ({where})"))
        all_sources = tuple(sorted(set(pfs_sources) | {s for v in found.sources.values() for s in v}))
        figures.append(RegisterFigure(f"{prefix}.final_grade", card.final_grade, "grade", "ESMO-MCBS v1.1 form 2b, after adjustment",
                                      all_sources, f"Final ESMO-MCBS grade ({where})"))
        for o in outcomes[(outcomes["cut"] == r.cut) & (outcomes["assessment"] == r.assessment)].itertuples():
            for answer in ("yes", "no"):
                figures.append(RegisterFigure(
                    f"{prefix}.judgement.{o.judgement_id}.grade_if_{answer}", getattr(o, f"grade_if_{answer}"), "grade",
                    f"final grade rescored with the judgement answered {answer}", all_sources,
                    f"Final grade if the answer to '{o.question}' is {answer} ({where})"))
    return figures


def figures_by_table(figures: list[RegisterFigure]) -> dict[str, list[RegisterFigure]]:
    """The register figures split by the display table that shows them: ``criteria``, ``grades``, ``adjustments``, ``judgements``."""
    parts: dict[str, list[RegisterFigure]] = {"criteria": [], "grades": [], "adjustments": [], "judgements": []}
    for figure in figures:
        quantity = figure.id.split(".", 3)[3]
        if quantity.startswith("judgement."):
            parts["judgements"].append(figure)
        elif quantity.startswith("adjustment."):
            parts["adjustments"].append(figure)
        elif quantity in ("preliminary_grade", "final_grade"):
            parts["grades"].append(figure)
        else:
            parts["criteria"].append(figure)
    return parts
