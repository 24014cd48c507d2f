"""The summary of findings of notebook 07 in GRADEpro's layout, written from the numbers of :mod:`bolero_evidence.derived.summary`.

Columns as GRADEpro prints them: outcome; participants (studies); relative
effect (95% CI); anticipated absolute effects per 1000 (risk with placebo
+ exemestane, risk difference with everolimus + exemestane); certainty of
the evidence; comments. Every domain judgement behind a certainty rating
is a numbered note under the table (identical judgements share a number).
The ESMO-MCBS grade of notebook 09 (the analysis ESMO scored) is a last
note, referred to from the comment of the first row (the primary outcome):
GRADEpro's place for what qualifies a row without being a domain judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..derived.summary import SofOutcome
from ..grade.certainty import DOMAIN_NAMES, CertaintyRating, imprecision, rate_certainty
from .text import MINUS, number

__all__ = ["SOF_COLUMNS", "SummaryOfFindings", "mcbs_note", "plain_language_summary", "summary_of_findings", "per_1000_difference"]

CONTROL = "placebo + exemestane"
EXPERIMENTAL = "everolimus + exemestane"
SOF_COLUMNS = ("Outcome", "Participants (studies)", "Relative effect (95% CI)", f"Risk with {CONTROL} (per 1000)",
               f"Risk difference with {EXPERIMENTAL} (per 1000, 95% CI)", "Certainty of the evidence", "Comments")
JUDGEMENT_WORDS = {"not_serious": "not serious", "serious": "serious (rated down one level)",
                   "very_serious": "very serious (rated down two levels)", "undetected": "undetected",
                   "strongly_suspected": "strongly suspected (rated down one level)"}


@dataclass(frozen=True)
class SummaryOfFindings:
    """The table, its numbered notes (one per distinct judgement) and the rating of each outcome."""

    table: pd.DataFrame
    notes: pd.DataFrame
    ratings: dict[str, CertaintyRating]


def _more_fewer(value: float) -> str:
    rounded = round(value)
    if rounded == 0:
        return "0"
    return f"{number(abs(value), 0)} {'more' if rounded > 0 else 'fewer'}"


def per_1000_difference(value: float, low: float | None, high: float | None) -> str:
    """GRADEpro's wording: ``302 fewer (368 fewer to 222 fewer)``; ``100 fewer (no interval)`` without bounds."""
    head = _more_fewer(value)
    if low is None or high is None:
        return f"{head} (no interval)"
    return f"{head} ({_more_fewer(low)} to {_more_fewer(high)})"


def _relative(o: SofOutcome) -> str:
    if o.relative_printed is not None:
        hr, low, high = o.relative_printed
        text = f"{o.relative_name} {hr}" + (f" ({low} to {high})" if low and high else " (no interval reported)")
        return text + (f", {o.relative_note}" if o.relative_note else "")
    if o.relative is not None:
        value, low, high = o.relative
        text = f"{o.relative_name} {number(value, 2)} ({number(low, 2)} to {number(high, 2)})"
        return f"{text}; {o.relative_note}" if o.relative_note else text
    return o.relative_note


def _control(o: SofOutcome) -> str:
    risk = o.control_text or number(o.control_per_1000, 0)
    if o.time_point_months:
        return f"{risk} by {o.time_point_months} months"
    return risk


# The kinds of ``confirmed_from`` in mcbs/forms_v1_1.csv other than "confirmed", in words.
_CONFIRMATION = {"secondary": "read in a secondary source only", "unconfirmed": "not read in any source"}


def mcbs_note(score) -> tuple[str, str]:
    """The ESMO-MCBS grade of one scored analysis as a note: (judgement, reason).

    Parameters
    ----------
    score : bolero_evidence.mcbs.Bolero2Score
        What :func:`bolero_evidence.mcbs.findings.score_bolero2` returns for
        the analysis (notebook 09 scores and registers the same).

    Returns
    -------
    tuple of str
        ``("grade 3 (form 2b; ...)", reason)``. The reason names the rows of
        ``mcbs/forms_v1_1.csv`` that decided the grade and were not read in an
        ESMO publication (their ``confirmed_from``), or says that all were.
    """
    card = score.scorecard
    if card is None:
        raise ValueError(f"ESMO-MCBS, {score.cut} analysis, {score.assessment} assessment: not scored ({score.error})")
    applied = [step for step in card.adjustments if step.applies]
    deciding = [(card.preliminary.rule.wording, card.preliminary.rule.confirmed_from)]
    deciding += [(step.wording, step.confirmed_from) for step in applied]
    unconfirmed = [(wording, _CONFIRMATION.get(status.split(":")[0], status)) for wording, status in deciding if status != "confirmed"]
    steps = "; ".join(f"{step.effect.replace('-', MINUS)}: {step.wording}" for step in applied) or "no adjustment applies"
    judgement = f"grade {card.final_grade} (form {card.form}; {score.cut} analysis, {score.assessment} assessment)"
    reason = (f"ESMO-MCBS v1.1, magnitude of clinical benefit (not a GRADE domain): preliminary grade {card.preliminary.grade} "
              f"({card.preliminary.rule.wording}); {steps}; final grade {card.final_grade}, as in the ESMO-MCBS section. ")
    if unconfirmed:
        reason += (f"The grade rests on partly unconfirmed form rows: {len(unconfirmed)} of the {len(deciding)} rows that "
                   "decided it were not read in an ESMO publication ("
                   + "; ".join(f"{wording}: {status}" for wording, status in unconfirmed) + ").")
    else:
        reason += f"All {len(deciding)} form rows that decided it were read in an ESMO publication."
    return judgement, reason


def summary_of_findings(outcomes: list[SofOutcome], judgements: pd.DataFrame, mcbs=None) -> SummaryOfFindings:
    """The GRADEpro table, the notes behind each certainty rating, and the ratings.

    Imprecision is computed from each row's interval and optimal information
    size (:func:`bolero_evidence.grade.certainty.imprecision`) wherever the
    judgements file says ``computed``; every other judgement is read from it.
    ``mcbs`` (a :class:`bolero_evidence.mcbs.Bolero2Score`, optional) adds its
    grade as the last note (:func:`mcbs_note`), referred to from the comment
    of the first row.
    """
    computed = {o.outcome: imprecision(o.imprecision) for o in outcomes}
    notes: dict[tuple[str, str, str], int] = {}
    rows = []
    ratings = {}
    for o in outcomes:
        rating = rate_certainty(judgements, o.outcome, computed)
        ratings[o.outcome] = rating
        marks = []
        for j in rating.judgements:
            key = (j.domain, j.judgement, j.reason)
            notes.setdefault(key, len(notes) + 1)
            marks.append(notes[key])
        participants = f"{o.participants} (1 RCT)" + (f"; {o.participants_note}" if o.participants_note else "")
        rows.append({
            SOF_COLUMNS[0]: o.label,
            SOF_COLUMNS[1]: participants,
            SOF_COLUMNS[2]: _relative(o),
            SOF_COLUMNS[3]: _control(o),
            SOF_COLUMNS[4]: per_1000_difference(*o.difference_per_1000),
            SOF_COLUMNS[5]: f"{rating.symbols} {rating.label} (notes " + ", ".join(str(m) for m in marks) + ")",
            SOF_COLUMNS[6]: f"{o.comment} ({o.sources})",
        })
    note_rows = [{"Note": str(n), "Domain": DOMAIN_NAMES[d], "Judgement": JUDGEMENT_WORDS[j], "Reason": reason}
                 for (d, j, reason), n in notes.items()]
    if mcbs is not None:
        judgement, reason = mcbs_note(mcbs)
        number_of_note = str(len(note_rows) + 1)
        note_rows.append({"Note": number_of_note, "Domain": "ESMO-MCBS", "Judgement": judgement, "Reason": reason})
        rows[0][SOF_COLUMNS[6]] += f". ESMO-MCBS v1.1 {judgement.split(' (')[0]} (note {number_of_note})"
    return SummaryOfFindings(pd.DataFrame(rows, columns=list(SOF_COLUMNS)), pd.DataFrame(note_rows), ratings)


def plain_language_summary(outcomes: list[SofOutcome], ratings: dict[str, CertaintyRating], register: pd.DataFrame) -> str:
    """Six sentences and a bottom line a patient representative can read; every number from the rows or the register.

    Returns Markdown (the words in ``**...**`` are the only markup).
    """
    from ..derived.summary import RegisterLookup

    r = RegisterLookup(register)
    by = {o.outcome: o for o in outcomes}

    def per_1000(outcome: str) -> str:
        return number(abs(by[outcome].difference_per_1000[0]), 0)

    def certainty(outcome: str) -> str:
        return ratings[outcome].label.lower() + " certainty"

    def value(entry_id: str, digits: int = 1) -> str:
        return number(r.figure(entry_id)[0], digits)

    pfs = by["pfs_local"]
    sentences = [
        "In one large trial, women whose advanced hormone-receptor-positive breast cancer had grown despite hormone treatment "
        "took the hormone drug exemestane with either everolimus or a dummy pill (placebo).",
        f"With everolimus the cancer was held back for longer: the middle (median) time before it grew or the woman died was "
        f"{value('pfs.local.interim.median_gain')} months longer at the first analysis and "
        f"{value('pfs.local.final.median_gain')} months longer at the final analysis ({certainty('pfs_local')}).",
        f"Put another way, of 1000 women, about {per_1000('pfs_local')} fewer had their cancer grow or died within "
        f"{pfs.time_point_months} months.",
        f"Whether everolimus helps women live longer is not known: at the final analysis {value('deaths.final.everolimus')}% of "
        f"women given everolimus and {value('deaths.final.placebo')}% given placebo had died, a difference that could be due to "
        f"chance ({certainty('overall_survival')}).",
        f"Quality of life took longer to worsen with everolimus in one analysis, but the trial's first report found no clear "
        f"difference ({certainty('quality_of_life')}).",
        f"Side effects were more common: of 1000 women, about {per_1000('discontinuation_adverse_events')} more stopped "
        f"treatment because of side effects, {per_1000('serious_adverse_events')} more had a serious side effect and "
        f"{per_1000('stomatitis_grade_3_4')} more had severe mouth sores ({certainty('serious_adverse_events')}).",
    ]
    nnh = number(r.figure("safety.discontinuation_adverse_event.everolimus_or_placebo.nnh")[0], 0)
    bottom = (f"**Bottom line.** Everolimus adds a few months before the cancer grows (median "
              f"{value('pfs.local.interim.median_gain')} to {value('pfs.local.final.median_gain')} months), with no proven "
              f"gain in survival and no clear change in quality of life, at the cost of more toxicity: one woman in about "
              f"{nnh} treated stops because of side effects.")
    return " ".join(sentences) + "\n\n" + bottom
