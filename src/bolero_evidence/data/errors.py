"""Validation problems that say where and what."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DataValidationError", "Problem"]

_LONGEST_VALUE = 300


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, or file) of the data.

    Attributes
    ----------
    path : Path
        The CSV file (or descriptor) the problem is in.
    row : int or None
        Line number in the file, the header being line 1; None for a
        problem of the whole file.
    column : str or None
        Column name; None for a problem of the whole row.
    value : object
        The offending value as read.
    expected : str
        What was expected instead, in words.
    """

    path: Path
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = [str(self.path)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = self.value.item() if hasattr(self.value, "item") else self.value  # numpy scalar -> Python
        shown = repr(value)
        if len(shown) > _LONGEST_VALUE:  # a runaway cell is named, not echoed
            shown = f"{shown[:_LONGEST_VALUE]}… ({len(shown):,} characters)"
        got = "" if value is None else f"got {shown}; "
        # Some library messages start with "expected" themselves: never "expected expected ...".
        expected = self.expected[len("expected "):] if self.expected.lower().startswith("expected ") else self.expected
        return f"{', '.join(where)}: {got}expected {expected}"


class DataValidationError(ValueError):
    """The data failed validation; ``problems`` lists every failure found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        count = len(self.problems)
        super().__init__(f"data validation failed ({count} problem{'s' if count != 1 else ''}):\n{shown}{more}")
