"""A check's problems reused when the tables it reads have not changed since it last ran in this process.

Validation runs every check on every load. A process that validates many
copies of ``data/`` differing in one table (the fuzz and validation tests
make some ninety broken copies, issue 14) would run every check again on
fifteen unchanged tables: the cross-table and required-figure checks were
half of each validation's time. Here a check is given only the tables it
names, and its problems are kept under the content of those tables (each
table's bytes and schema, as :func:`bolero_evidence.data.loader.load_tables`
parsed them); the next validation with the same content for those tables
reuses them. A check cannot read a table it did not name, so a change to
any table it reads changes its key.

Problems are kept by file name and rebuilt in the folder validated now, so a
copy of ``data/`` elsewhere gets its own paths in the messages.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from .errors import Problem

__all__ = ["TableDigests", "reused_problems"]

#: Each table's content key: the SHA-256 of its file and its schema (see ``loader._table_digest``).
TableDigests = Mapping[str, tuple[str, str]]

_KEPT: dict[tuple, list[tuple]] = {}
_MOST_KEPT = 4096  # some sixty checks per validation: bounded for a long test session


def reused_problems(name: Hashable, reads: Iterable[str], check: Callable[[dict[str, pd.DataFrame]], Iterable[Problem]],
                    tables: Mapping[str, pd.DataFrame], data_dir: Path, digests: TableDigests | None) -> list[Problem]:
    """The problems ``check`` finds in the tables ``reads``, reused if it ran on the same content before.

    Parameters
    ----------
    name : hashable
        Identifies the check and every argument it is given besides the tables (two calls of one
        function with other arguments need other names).
    reads : iterable of str
        The tables the check reads; it is given these alone.
    check : callable
        Takes the dict of those tables, returns its problems, each in a file of ``data_dir``.
    tables : mapping of str to DataFrame
        The loaded tables.
    data_dir : Path
        The folder validated now.
    digests : TableDigests or None
        Each table's content key; None runs the check without keeping anything.
    """
    reads = tuple(reads)
    given = {table: tables[table] for table in reads}
    if digests is None:
        return list(check(given))
    key = (name, tuple((table, digests[table]) for table in reads))
    kept = _KEPT.get(key)
    if kept is None:
        problems = list(check(given))
        if any(problem.path.parent != data_dir for problem in problems):
            return problems  # a problem outside the folder: its path could not be rebuilt elsewhere
        if len(_KEPT) >= _MOST_KEPT:
            _KEPT.clear()
        kept = _KEPT[key] = [(p.path.name, p.row, p.column, p.value, p.expected) for p in problems]
    return [Problem(data_dir / file, row, column, value, expected) for file, row, column, value, expected in kept]
