"""Figures as authors type them: numbers, intervals and the register ids next to them.

Written for the forms seen in guideline drafts, each tested in
``tests/citing/test_figures.py``:

- an interval after the estimate, in brackets or after "95% CI":
  ``0.45 (0.38–0.54)``, ``0.45 (95% CI, 0.38 to 0.54)``, ``HR 0.45; 95% CI 0.38-0.54``,
  ``9.5% [7.0%; 12.4%]``, or alone: ``95% CI 0.35–0.54``;
- a minus typed as U+2212, as an en dash or as a hyphen (``−0.4 to 8.0``,
  ``–0.4–8.0``): a dash right after a number is a range, any other dash before
  a digit is a sign;
- thousands separators (``1,234``, ``1 234`` with a no-break or thin space);
  a plain space is never one, and a decimal comma is not read;
- a bound (``P<0.001``, ``≤0.05``).

Numbers that label something are not figures and are masked before reading:
years, ISO dates, versions, "Table 2", "section 2.1", "grade 3–4", counts
written "46 of 485" or "46/485", bracketed reference numbers ("[12]"),
"BOLERO-2", and URLs. Python's ``re`` does this; no library reads numbers in
prose with these conventions (a number parser such as ``babel.numbers``
expects one number per string in one locale).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Quoted", "QuotedFigure", "IdMention", "find_figures", "find_ids", "find_versions", "mask_labels", "parse_number"]

_SIGN = "[-\u2212\u2013\u2012\u2010]"
_BODY = r"(?:(?:\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?![\d,])|\d+)(?:\.\d+)?|\.\d+)(?:[eE][-+\u2212]?\d+)?"
# A sign is a sign only where a number may start; a dash right after a number is a range.
_NUM = rf"(?:(?<![\w.)\]%]){_SIGN}(?={_BODY})|(?<![\w.])(?<![A-Za-z][-\u2010\u2011\u2013]))(?:{_BODY})"
_INF = r"∞|\binf(?:inity)?\b|\bnot\s+estimable\b|\bNE\b"
_HIGH = rf"(?:{_NUM}|{_INF})"
_DASH = r"(?:[-\u2013\u2014\u2012]|\bto\b)"
_CI = r"(?:\d+(?:\.\d+)?\s*%\s*)?(?:CI|CrI|confidence\s+interval|credible\s+interval)\b\s*[:,=]?\s*"
_UNITS = r"(?:\s*(?:percentage\s+points?|pp\b|months?\b|mo\b|weeks?\b|wk\b|patients?\b|events?\b))?"
_CMP = r"(?:≤|≥|<=|>=|<|>|&lt;|&gt;)"
_FIGURE = re.compile(rf"""
    (?:{_CI})?(?P<rlow>{_NUM})(?P<rlowpct>\s*%)?\s*{_DASH}\s*(?P<rhigh>{_HIGH})(?P<rpct>\s*%)?
  | (?:(?P<cmp>{_CMP})\s*)?(?P<value>{_NUM})(?!\s*%\s*(?:CI|CrI|confidence|credible))(?P<pct>\s*%)?{_UNITS}
    (?:
        \s*[(\[]\s*(?:{_CI})?(?P<blow>{_NUM})(?:\s*%)?{_UNITS}\s*(?:{_DASH}|[,;])\s*(?P<bhigh>{_HIGH})(?:\s*%)?{_UNITS}\s*[)\]]?
      | \s*[,;:]?\s*{_CI}(?P<clow>{_NUM})(?:\s*%)?\s*(?:{_DASH}|[,;])\s*(?P<chigh>{_HIGH})(?:\s*%)?
    )?
""", re.VERBOSE | re.IGNORECASE)

_MASKS = [re.compile(p, re.IGNORECASE) for p in (
    r"https?://\S+",
    r"\]\([^)\s]*\)",                                       # Markdown link targets
    r"\b\S+\.html?\S*",                                     # relative links (index.html#...)
    r"\b\d{4}-\d{2}-\d{2}\b",                               # ISO dates
    r"\b(?:version|release)\s*:?\s*v?\d+(?:\.\d+)+(?:-[0-9a-z]+(?:\.[0-9a-z]+)*)?",
    r"\bv\d+(?:\.\d+)+(?:-[0-9a-z]+(?:\.[0-9a-z]+)*)?",
    r"\b\d+\.\d+\.\d+\b",
    r"(?:\b(?:sections?|tables?|figures?|figs?\.?|grades?|chapters?|pages?|refs?\.?|references?|appendix|supplement)|§)"
    r"\s*[A-Z]?\d+(?:\.\d+)*(?:\s*(?:[-\u2013/]|or|and|to)\s*\d+(?:\.\d+)*)?",
    r"(?<![\w.,])\d+\s*(?:of|/)\s*\d[\d,]*(?![\w.])",      # counts: 46 of 485, 46/485
    r"\[\d+(?:\s*[-\u2013,]\s*\d+)*\]",                    # reference numbers [12], [3-5]
    r"\b[A-Za-z][A-Za-z]*[-\u2010\u2011]\d+\b",             # names with a number: BOLERO-2
    r"(?<![\d.,\u2212-])(?:19|20)\d{2}(?![\d%]|[.,]\d)",    # years
)]

_ID = re.compile(r"(?<![\w.\-/@])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w@-])")
_VERSION = re.compile(r"(?:\b(?:version|release)\s*:?\s*v?|\bv)"
                      r"(?P<version>\d+(?:\.\d+)+(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)", re.IGNORECASE)
_TYPO_CUTOFF = 0.8  # how close a dotted word with an unknown family must be to an id to be read as a mistyped id


@dataclass(frozen=True)
class Quoted:
    """One number as typed: its value, how many decimals it shows, and a bound sign (``<``) if any."""

    text: str
    value: Decimal | None  # None: an unbounded side (∞)
    comparator: str | None = None

    @property
    def decimals(self) -> int:
        return max(0, -self.value.as_tuple().exponent) if self.value is not None else 0

    @property
    def significant(self) -> int:
        return len(self.value.as_tuple().digits) if self.value is not None and self.value != 0 else 1


@dataclass(frozen=True)
class QuotedFigure:
    """A figure found in a draft: the estimate and/or an interval, where it stands in the text."""

    text: str
    start: int
    end: int
    estimate: Quoted | None
    low: Quoted | None
    high: Quoted | None
    percent: bool


@dataclass(frozen=True)
class IdMention:
    """A register id (or what looks like a mistyped one) in a draft."""

    id: str
    start: int
    end: int
    anchor: bool  # written as a link target, "#<id>"


def parse_number(text: str, comparator: str | None = None) -> Quoted:
    """The value of one number as typed (sign, thousands separators and ``∞`` handled).

    Raises
    ------
    ValueError
        ``text`` is not a number.
    """
    cleaned = text.strip()
    if re.fullmatch(_INF, cleaned, flags=re.IGNORECASE):
        return Quoted(text, None, comparator)
    cleaned = re.sub(r"[,\u00a0\u202f\u2009]", "", cleaned)
    cleaned = re.sub(_SIGN, "-", cleaned)
    try:
        return Quoted(text, Decimal(cleaned), {"&lt;": "<", "&gt;": ">", "<=": "≤", ">=": "≥"}.get(comparator, comparator))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None


def mask_labels(text: str, spans: list[tuple[int, int]] = ()) -> str:
    """``text`` with the numbers that label things (and ``spans``) blanked out, positions kept."""
    chars = list(text)
    ranges = [(m.start(), m.end()) for pattern in _MASKS for m in pattern.finditer(text)] + list(spans)
    for start, end in ranges:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def find_figures(text: str) -> list[QuotedFigure]:
    """Every figure in ``text`` (already masked), in order."""
    figures = []
    for m in _FIGURE.finditer(text):
        if m["rlow"] is not None:
            estimate, low, high = None, parse_number(m["rlow"]), parse_number(m["rhigh"])
            percent = m["rlowpct"] is not None or m["rpct"] is not None
        else:
            estimate = parse_number(m["value"], m["cmp"])
            low_text, high_text = (m["blow"], m["bhigh"]) if m["blow"] is not None else (m["clow"], m["chigh"])
            low = parse_number(low_text) if low_text is not None else None
            high = parse_number(high_text) if high_text is not None else None
            percent = m["pct"] is not None
        figures.append(QuotedFigure(m.group(0).strip(), m.start(), m.end(), estimate, low, high, percent))
    return figures


def find_ids(text: str, known_ids: Collection[str]) -> list[IdMention]:
    """Register ids in ``text``, and dotted words that look like a mistyped one.

    A dotted lower-case word counts when its first part is a family of the
    register (``pfs``, ``orr``, ...), or when it has three parts or more and
    is close to an id (a typo in the family). Words such as ``index.html`` or
    ``www.nejm.org`` therefore do not count.
    """
    families = {i.split(".")[0] for i in known_ids}
    mentions = []
    for m in _ID.finditer(text):
        word = m.group(0)
        parts = word.split(".")
        if all(part.isdigit() for part in parts[1:]):
            continue
        if parts[0] in families or word in known_ids or (
                len(parts) >= 3 and difflib.get_close_matches(word, known_ids, n=1, cutoff=_TYPO_CUTOFF)):
            mentions.append(IdMention(word, m.start(), m.end(), m.start() > 0 and text[m.start() - 1] == "#"))
    return mentions


def find_versions(text: str) -> list[tuple[int, str]]:
    """Report versions stated in ``text`` ("version 0.1.0", "v0.1.0"), as (position, version)."""
    return [(m.start(), m["version"]) for m in _VERSION.finditer(text)]
