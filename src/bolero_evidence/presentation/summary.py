"""The summary of findings of notebook 07 in GRADEpro's layout, written from the numbers of :mod:`bolero_evidence.derived.summary`.

Columns as GRADEpro prints them: outcome; participants (studies); relative
effect (95% CI); anticipated absolute effects per 1000 (risk with placebo
+ exemestane, risk difference with everolimus + exemestane); certainty of
the evidence; comments. Every domain judgement behind a certainty rating
is a numbered note under the table (identical judgements share a number).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..derived.summary import SofOutcome
from ..grade.certainty import DOMAIN_NAMES, CertaintyRating, imprecision, rate_certainty
from .text import number

__all__ = ["SOF_COLUMNS", "SummaryOfFindings", "summary_of_findings", "per_1000_difference"]

CONTROL = "placebo + exemestane"
EXPERIMENTAL = "everolimus + exemestane"
SOF_COLUMNS = ("Outcome", "Participants (studies)", "Relative effect (95% CI)", f"Risk with {CONTROL} (per 1000)",
               f"Risk difference with {EXPERIMENTAL} (per 1000, 95% CI)", "Certainty of the evidence", "Comments")
JUDGEMENT_WORDS = {"not_serious": "not serious", "serious": "serious (rated down one level)",
                   "very_serious": "very serious (rated down two levels)", "undetected": "undetected",
                   "strongly_suspected": "strongly suspected (rated down one level)"}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


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


def summary_of_findings(outcomes: list[SofOutcome], judgements: pd.DataFrame) -> SummaryOfFindings:
    """The GRADEpro table, the notes behind each certainty rating, and the ratings.

    Imprecision is computed from each row's interval and optimal information
    size (:func:`bolero_evidence.grade.certainty.imprecision`) wherever the
    judgements file says ``computed``; every other judgement is read from it.
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
            SOF_COLUMNS[5]: f"{rating.symbols} {rating.label} " + ",".join(str(m) for m in marks).translate(_SUPERSCRIPT),
            SOF_COLUMNS[6]: f"{o.comment} ({o.sources})",
        })
    note_rows = [{"Note": str(n), "Domain": DOMAIN_NAMES[d], "Judgement": JUDGEMENT_WORDS[j], "Reason": reason}
                 for (d, j, reason), n in notes.items()]
    return SummaryOfFindings(pd.DataFrame(rows, columns=list(SOF_COLUMNS)), pd.DataFrame(note_rows), ratings)
