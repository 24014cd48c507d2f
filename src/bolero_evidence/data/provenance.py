"""Trace every data row back to the sentence of the seed it was read from.

Each row of ``data/`` carries a ``source_id``, a ``locator`` and a verbatim
``quote``. :func:`check_provenance` reads the seed files named in
``sources.csv`` and checks, row by row, that the quote stands in the seed
(white space folded, since text extraction broke lines and table cells
differently in each seed) and that the printed value stands in the quote as a
whole token (``4`` does not match inside ``4.1``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from ..paths import Project, find_project
from .errors import Problem

__all__ = ["check_provenance", "fold_whitespace", "printed_in_quote", "read_seed", "seeds_dir"]



def fold_whitespace(text: str) -> str:
    """Collapse every run of white space (spaces, tabs, line breaks) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def seeds_dir(root: Path | None = None) -> Path:
    """Folder of the seed documents (see :attr:`bolero_evidence.paths.Project.seeds`)."""
    return (Project(root) if root else find_project()).seeds


@cache
def read_seed(path: Path) -> str:
    """The seed's text with white space folded (cached: seeds do not change)."""
    return fold_whitespace(path.read_text(encoding="utf-8"))


def printed_in_quote(printed: str, quote: str) -> bool:
    """Whether ``printed`` stands in ``quote`` as a whole token.

    The printed form must not be glued to a longer number or word: ``4``
    does not match in ``4.1`` or ``14``, ``NR`` does not match in ``NRS``.
    """
    pattern = rf"(?<![0-9A-Za-z.,]){re.escape(printed)}(?![0-9A-Za-z]|\.[0-9]|,[0-9]{{3}})"
    if printed.startswith(","):
        # The review's extraction artefact of "<1": the comma is the sign, so a
        # preceding digit-less boundary is all that can be asked.
        pattern = rf"(?<![0-9]){re.escape(printed)}(?![0-9])"
    return re.search(pattern, fold_whitespace(quote)) is not None


def check_provenance(tables: dict[str, pd.DataFrame], data_dir: Path, seeds: Path) -> list[Problem]:
    """Check every quote against its seed and every printed value against its quote.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The loaded tables, ``sources`` among them.
    data_dir : Path
        Folder of the CSV files (for the file names in the messages).
    seeds : Path
        Folder of the seed documents.

    Returns
    -------
    list of Problem
        One per quote not found in its seed or printed value not found in its
        quote; empty when every row traces back.
    """
    problems: list[Problem] = []
    sources = tables["sources"].set_index("source_id")
    missing = [f for f in sources["seed_file"] if not (seeds / f).is_file()]
    if missing:
        return [Problem(data_dir / "sources.csv", None, "seed_file", ", ".join(missing),
                        f"seed files present in {seeds} (set $BOLERO_SEEDS_DIR to the folder that holds them)")]
    for name, frame in tables.items():
        if "quote" not in frame.columns:
            continue
        path = data_dir / f"{name}.csv"
        for index, row in frame.iterrows():
            line = int(index) + 2  # header is line 1
            seed_file = sources.loc[row["source_id"], "seed_file"]
            quote = fold_whitespace(row["quote"])
            if quote not in read_seed(seeds / seed_file):
                problems.append(Problem(path, line, "quote", row["quote"],
                                        f"a verbatim phrase of {seed_file} (white space folded)"))
            if not printed_in_quote(str(row["printed"]), quote):
                problems.append(Problem(path, line, "printed", row["printed"],
                                        "a token that stands in the row's quote"))
    return problems
