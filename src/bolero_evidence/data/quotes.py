"""No figure of a quote read by more rows than the quote prints it.

Rows that share a quote (same source, locator and phrase) read different
figures of it: ``Median 6.9 2.8`` gives the everolimus and the placebo
median. A row whose figure is changed to another figure of the same quote
(the placebo median set to ``6.9``) still passes the provenance check, since
``6.9`` stands in the quote, but now two rows read the quote's one ``6.9``.
This check counts, for each shared quote, the rows reading each printed
form and the times the quote prints it (as a whole token, as in
:func:`~bolero_evidence.data.provenance.printed_in_quote`); more readers
than printings is a problem on the extra rows. It needs no seed, so it runs
on every load.

It covers the tables the analyses pick figures from (:data:`CLAIM_TABLES`),
where every row reads its own printing. In ``trial_outcomes``, ``finding``
and ``trial_conduct`` one printing may stand for several rows on purpose
(the review's "27% both arms", a "not statistically different" said of two
endpoints, "one death each from ..."), each noted in the row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import Problem
from .provenance import printed_occurrences

__all__ = ["CLAIM_TABLES", "quote_claim_problems"]

CLAIM_TABLES = ("design", "pfs", "pfs_subgroups", "response", "adverse_events", "exposure", "baseline")


def quote_claim_problems(tables: dict[str, pd.DataFrame], data_dir: Path) -> list[Problem]:
    """A problem for each row that reads a figure its quote prints fewer times than rows read it."""
    problems: list[Problem] = []
    for name in CLAIM_TABLES:
        frame = tables.get(name)
        if frame is None or not {"quote", "printed", "source_id", "locator"} <= set(frame.columns):
            continue
        # Plain Python over the four columns: a pandas groupby per quote is ten times slower here.
        readers: dict[tuple, list[int]] = {}
        for index, source, locator, quote, printed in zip(frame.index, frame["source_id"], frame["locator"], frame["quote"], frame["printed"]):
            readers.setdefault((source, locator, quote, printed), []).append(int(index) + 2)
        for (_source, _locator, quote, printed), lines in readers.items():
            if len(lines) < 2:
                continue
            times = printed_occurrences(str(printed), str(quote))
            if times == 0 or len(lines) <= times:
                continue  # not in the quote at all: the provenance check's message
            first = ", ".join(map(str, lines[:times]))
            for line in lines[times:]:
                problems.append(Problem(data_dir / f"{name}.csv", line, "printed", printed,
                                        f"a figure of the quote not already read by row{'s' if times > 1 else ''} {first}: "
                                        f"the quote prints {printed!r} {times} time{'s' if times != 1 else ''} "
                                        f"and {len(lines)} rows read it"))
    return problems
