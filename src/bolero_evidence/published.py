"""Tables a notebook publishes for the build, as outputs nbval locks (the register has its own, :mod:`.register`).

A notebook shows :class:`PublishedTable` in a cell: Jupyter, Quarto and
pandoc show its Markdown table; the build reads the same rows back from the
saved notebook (JSON under :data:`TABLE_MIME`, no kernel) and writes them to
``report/generated/<name>.csv``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["TABLE_MIME", "PublishedTable", "PublishedTableError", "collect_tables"]

TABLE_MIME = "application/vnd.bolero-evidence.table+json"


class PublishedTableError(ValueError):
    """A table published twice, or a malformed published output."""


@dataclass(frozen=True)
class PublishedTable:
    """A named table for the build, shown to the reader as ``markdown``.

    Attributes
    ----------
    name : str
        File stem the build writes (``discrepancies`` → ``discrepancies.csv``).
    frame : DataFrame
        The rows, with JSON-serialisable cells.
    markdown : str
        What the reader sees (a pipe table from :mod:`bolero_evidence.presentation`).
    """

    name: str
    frame: pd.DataFrame
    markdown: str

    def __repr__(self) -> str:
        return f"published table {self.name}: {len(self.frame)} rows"

    def _repr_mimebundle_(self, include=None, exclude=None):
        rows = json.loads(self.frame.to_json(orient="records"))
        return {"text/markdown": self.markdown,
                TABLE_MIME: {"name": self.name, "columns": list(self.frame.columns), "rows": rows}}


def collect_tables(notebooks: list[Path]) -> dict[str, pd.DataFrame]:
    """Every table the saved notebooks publish, by name.

    Raises
    ------
    PublishedTableError
        A name published by two notebooks, or an output without name, columns or rows.
    """
    tables: dict[str, pd.DataFrame] = {}
    origin: dict[str, str] = {}
    for path in notebooks:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                bundle = output.get("data", {}).get(TABLE_MIME)
                if bundle is None:
                    continue
                try:
                    name, columns, rows = bundle["name"], bundle["columns"], bundle["rows"]
                except (KeyError, TypeError) as error:
                    raise PublishedTableError(f"{Path(path).name}: a published table is malformed (missing {error})") from None
                if name in tables:
                    raise PublishedTableError(f"table {name!r} is published by {origin[name]} and {Path(path).name}")
                tables[name], origin[name] = pd.DataFrame(rows, columns=columns), Path(path).name
    return tables
