"""Trace every data row back to the sentence of the seed it was read from.

Each row of ``data/`` carries a ``source_id``, a ``locator`` and a verbatim
``quote``. :func:`check_provenance` reads the seed files named in
``sources.csv`` and checks, row by row, that the quote stands in the seed
(white space folded, since text extraction broke lines and table cells
differently in each seed) and that the printed value stands in the quote as a
whole token (``4`` does not match inside ``4.1``).

A quote must also *locate* its figure, not merely occur somewhere: a quote
cut down to ``0.43`` occurs in the NEJM (several times) but says nothing of
where the figure was read or what it is. The rule (:func:`locator_problem`):

- the quote is at least :data:`MIN_QUOTE_CHARACTERS` (8) characters and
  :data:`MIN_QUOTE_WORDS` (3) words long, white space folded, and holds at
  least one word of two or more letters besides its printed figure (a
  label: ``Black 3 1`` for a Table 1 row, ``Median 6.9 2.8``; a text
  figure of three words or more is its own label), and
- it occurs exactly once in its seed (white space folded), so it points at
  one place; a phrase the seed prints twice (the abstract repeating the
  results) is lengthened, verbatim, until it is unique.

A seed that is missing, empty or not UTF-8 is one problem naming the file;
its rows are not checked against it (rather than one problem per row).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from ..paths import Project, find_project
from .errors import Problem

__all__ = ["MIN_QUOTE_CHARACTERS", "MIN_QUOTE_WORDS", "check_provenance", "fold_whitespace", "locator_problem", "printed_in_quote",
           "printed_occurrences", "read_seed", "seeds_dir"]



def fold_whitespace(text: str) -> str:
    """Collapse every run of white space (spaces, tabs, line breaks) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def seeds_dir(root: Path | None = None) -> Path:
    """Folder of the seed documents (see :attr:`bolero_evidence.paths.Project.seeds`)."""
    return (Project(root) if root else find_project()).seeds


MIN_QUOTE_CHARACTERS = 8
MIN_QUOTE_WORDS = 3


def read_seed(path: Path) -> str:
    """The seed's text with white space folded (cached while the file is unchanged).

    Raises
    ------
    UnicodeDecodeError
        The file is not UTF-8.
    """
    stat = path.stat()
    return _read_seed(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read_seed(path: Path, _mtime_ns: int, _size: int) -> str:
    return fold_whitespace(path.read_text(encoding="utf-8"))


def _seed_problem(path: Path, data_dir: Path) -> Problem | None:
    """One problem for a seed that cannot be read as text, else None."""
    try:
        text = read_seed(path)
    except UnicodeDecodeError as error:
        line = error.object[:error.start].count(b"\n") + 1
        return Problem(path, line, None, error.object[error.start:error.start + 8],
                       f"UTF-8 text (byte {error.start} is not); named in {data_dir / 'sources.csv'}")
    except OSError as error:
        return Problem(path, None, None, error.strerror, f"a readable seed file, named in {data_dir / 'sources.csv'}")
    if not text:
        return Problem(path, None, None, "an empty file", f"the seed's text, named in {data_dir / 'sources.csv'}")
    return None


def locator_problem(quote: str, printed: str, seed: str) -> str | None:
    """Why ``quote`` does not locate ``printed`` in ``seed`` (folded text), or None when it does (rule: module docstring)."""
    folded = fold_whitespace(quote)
    words = folded.split(" ")
    label = [w for w in re.findall(r"[^\W\d_]{2,}", folded) if w not in re.findall(r"[^\W\d_]{2,}", printed)]
    # A text figure (a sentence of trial_conduct) is its own label.
    if len(printed.split()) >= MIN_QUOTE_WORDS:
        label = label or words
    if len(folded) < MIN_QUOTE_CHARACTERS or len(words) < MIN_QUOTE_WORDS or not label:
        return (f"a quote that locates its figure: at least {MIN_QUOTE_CHARACTERS} characters and {MIN_QUOTE_WORDS} words, "
                "with a word besides the figure (found "
                f"{len(folded)} characters, {len(words)} word{'s' if len(words) != 1 else ''}{'' if label else ', no label word'})")
    times = seed.count(folded)
    if times > 1:
        return f"a quote that occurs once in its seed, so it locates one place (it occurs {times} times: lengthen it verbatim)"
    return None


def printed_in_quote(printed: str, quote: str) -> bool:
    """Whether ``printed`` stands in ``quote`` as a whole token.

    The printed form must not be glued to a longer number or word: ``4``
    does not match in ``4.1`` or ``14``, ``NR`` does not match in ``NRS``.
    """
    return printed_occurrences(printed, quote) > 0


def printed_occurrences(printed: str, quote: str) -> int:
    """How many times ``printed`` stands in ``quote`` as a whole token (see :func:`printed_in_quote`)."""
    pattern = rf"(?<![0-9A-Za-z.,]){re.escape(printed)}(?![0-9A-Za-z]|\.[0-9]|,[0-9]{{3}})"
    if printed.startswith(","):
        # The review's extraction artefact of "<1": the comma is the sign, so a
        # preceding digit-less boundary is all that can be asked.
        pattern = rf"(?<![0-9]){re.escape(printed)}(?![0-9])"
    return len(re.findall(pattern, fold_whitespace(quote)))


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
    unreadable = {f for f in sources["seed_file"] if (problem := _seed_problem(seeds / f, data_dir)) and not problems.append(problem)}
    seed_of = dict(zip(sources.index, sources["seed_file"], strict=True))
    texts = {f: None if f in unreadable else read_seed(seeds / f) for f in set(seed_of.values())}
    for name, frame in tables.items():
        if "quote" not in frame.columns:
            continue
        path = data_dir / f"{name}.csv"
        for index, source_id, quote, printed in zip(frame.index, frame["source_id"], frame["quote"], frame["printed"], strict=True):
            seed_file = seed_of[source_id]
            for column, expected in _row_problems(texts[seed_file], seed_file, quote, str(printed)):
                # header is line 1
                problems.append(Problem(path, int(index) + 2, column, quote if column == "quote" else printed, expected))
    return problems


@lru_cache(maxsize=1 << 15)
def _row_problems(seed: str | None, seed_file: str, quote: str, printed: str) -> tuple[tuple[str, str], ...]:
    """(column, what was expected) of each problem of one row: its quote in its seed (None: unreadable), its figure in its quote.

    A pure function of the texts, kept in memory: a process that validates many copies of ``data/`` (the
    tests, issue 14) finds the same thousand rows in each, and the seed is the same string object for as
    long as the file is unchanged (:func:`read_seed`), so the key costs no hashing of the seed.
    """
    found: list[tuple[str, str]] = []
    folded = fold_whitespace(quote)
    if seed is None:
        pass
    elif folded not in seed:
        found.append(("quote", f"a verbatim phrase of {seed_file} (white space folded)"))
    elif (why := locator_problem(folded, printed, seed)) is not None:
        found.append(("quote", why))
    if not printed_in_quote(printed, folded):
        found.append(("printed", "a token that stands in the row's quote"))
    return tuple(found)
