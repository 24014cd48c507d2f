"""Read a number as the seed documents print it.

The transcriptions keep every value twice: typed (``value`` and
``qualifier``) and as printed (``printed``). :func:`parse_printed` turns the
printed form into the typed one, so a test can check by machine that the two
agree, and that the printed form stands in the quoted sentence of the seed.

Printed forms met in the seeds
------------------------------
``56``, ``9.5``, ``9.5%``, ``1,112``
    a plain number (thousands separated by commas).
``<1``, ``< 1``, ``≤``, ``>``, ``≥``
    a bound; ``,1`` is the review's text-extraction artefact of ``<1``.
``P < 0.001``, ``$P < 0.001$``, ``P = 1.4 × 10–15``
    a P value; ``10–15`` is the extraction artefact of 10^-15.
``NR``
    not reached (a Kaplan-Meier median or limit) or not reported.
``2:1``
    an allocation ratio, read as 2 / 1.
``four``, ``eleven``, ``Sixty-nine``
    numbers in words (the interview, sentence-initial figures).
``not reached``
    a median not reached, in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WORD_NUMBERS", "PrintedNumber", "parse_printed", "qualifier_matches"]

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NOT_REACHED = {"nr", "not reached"}


def _word_number(text: str) -> int | None:
    """``eleven`` -> 11, ``Sixty-nine`` -> 69; None if the text is not a number in words."""
    words = text.lower().replace("-", " ").split()
    if len(words) == 1 and words[0] in WORD_NUMBERS:
        return WORD_NUMBERS[words[0]]
    if words and words[0] in _TENS and (len(words) == 1 or len(words) == 2 and words[1] in WORD_NUMBERS and WORD_NUMBERS[words[1]] < 10):
        return _TENS[words[0]] + (WORD_NUMBERS[words[1]] if len(words) == 2 else 0)
    return None

_BOUND_SIGNS = {"<": "lt", ",": "lt", "≤": "le", "<=": "le", ">": "gt", "≥": "ge", ">=": "ge"}
# Minus signs as they survive text extraction: hyphen, en dash, minus sign.
_MINUS = "-–−"
_NUMBER = r"\d+(?:\.\d+)?"
_SCIENTIFIC = re.compile(rf"^({_NUMBER})\s*[×x]\s*10\s*(?:\^)?\s*[{_MINUS}]\s*(\d+)$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_RATIO = re.compile(rf"^({_NUMBER})\s*:\s*({_NUMBER})$")
_BOUND = re.compile(r"^(<=|>=|<|>|≤|≥|,)\s*(.+)$")
_P_PREFIX = re.compile(r"^\$?\s*P\s*(=)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PrintedNumber:
    """A printed number in typed form.

    Attributes
    ----------
    value : float or None
        The number (the bound, for a bound); None for ``NR``.
    qualifier : str
        ``eq`` for a plain number, ``lt``/``le``/``gt``/``ge`` for a bound,
        ``nr`` for ``NR`` (either not reached or not reported: the printed
        form cannot tell which).
    decimals : int
        Decimal places printed (0 for integers and bounds), which fixes the
        rounding a printed percentage implies.
    """

    value: float | None
    qualifier: str
    decimals: int = 0
    exponent: int = 0

    @property
    def resolution(self) -> float:
        """Half a unit in the last printed place: how far rounding may have moved the value.

        ``9.5`` -> 0.05; ``4`` -> 0.5; ``1.4 × 10–15`` -> 0.05e-15.
        """
        return 0.5 * 10.0 ** (-self.decimals + self.exponent)


def _decimals(number_text: str) -> int:
    return len(number_text.split(".", 1)[1]) if "." in number_text else 0


def parse_printed(text: str) -> PrintedNumber:
    """Parse a printed number into value, qualifier and printed precision.

    Parameters
    ----------
    text : str
        The value exactly as printed, for example ``"<1"``, ``"9.5%"``,
        ``"P < 0.001"``, ``"1.4 × 10–15"``, ``"NR"``, ``"2:1"``.

    Returns
    -------
    PrintedNumber

    Raises
    ------
    ValueError
        If the text is not a printed number of a form listed in the module
        docstring.
    """
    original = text
    text = text.strip().strip("$").strip()
    text = _P_PREFIX.sub("", text) if re.match(r"^\$?\s*P\b", text, re.IGNORECASE) else text
    text = text.strip().rstrip("%").rstrip("$").strip()
    if text.lower() in _NOT_REACHED:
        return PrintedNumber(None, "nr")
    if _word_number(text) is not None:
        return PrintedNumber(float(_word_number(text)), "eq")
    if _THOUSANDS.match(text):
        return PrintedNumber(float(text.replace(",", "")), "eq")
    bound = _BOUND.match(text)
    if bound:
        inner = parse_printed(bound.group(2))
        if inner.qualifier != "eq":
            raise ValueError(f"cannot read {original!r} as a printed number: a bound of a bound")
        return PrintedNumber(inner.value, _BOUND_SIGNS[bound.group(1)], inner.decimals, inner.exponent)
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        mantissa, exponent = scientific.groups()
        return PrintedNumber(float(f"{mantissa}e-{exponent}"), "eq", _decimals(mantissa), -int(exponent))
    ratio = _RATIO.match(text)
    if ratio:
        return PrintedNumber(float(ratio.group(1)) / float(ratio.group(2)), "eq")
    if re.fullmatch(_NUMBER, text):
        return PrintedNumber(float(text), "eq", _decimals(text))
    raise ValueError(
        f"cannot read {original!r} as a printed number (expected a form such as 56, 9.5%, "
        "<1, ,1, P < 0.001, 1.4 × 10–15, NR, 2:1 or a number word)"
    )


def qualifier_matches(printed: PrintedNumber, stored_qualifier: str) -> bool:
    """Whether a stored qualifier agrees with what the printed form shows.

    A plain printed number may be stored as ``eq`` or ``approx`` (the words
    around it, not the number, say "about"); ``NR`` as ``not_reached`` or
    ``not_reported``; a bound only as the same bound.
    """
    if printed.qualifier == "eq":
        return stored_qualifier in {"eq", "approx"}
    if printed.qualifier == "nr":
        return stored_qualifier in {"not_reached", "not_reported"}
    return stored_qualifier == printed.qualifier
