"""Reading a guideline draft into passages: Markdown, plain text or DOCX.

A passage is the stretch of text in which a figure and the id cited for it
stand together: a paragraph (lines up to a blank line), a table row, or a
list item. DOCX is read with python-docx, body paragraphs and table rows in
document order.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableFile

__all__ = ["Passage", "read_draft", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = {".md", ".markdown", ".qmd", ".rmd", ".txt", ".text", ".rst", ""}
_OWN_LINE = re.compile(r"^\s*(?:\||[-*+]\s|\d+[.)]\s|#{1,6}\s)")  # table rows, list items, headings


@dataclass(frozen=True)
class Passage:
    """A paragraph, table row or list item; ``where`` says where it is for a reader of the draft."""

    text: str
    where: str
    first_line: int | None = None  # text drafts: line of the passage's first character

    def locate(self, offset: int) -> str:
        """Where the character at ``offset`` of :attr:`text` is (the line, in a text draft)."""
        if self.first_line is None:
            return self.where
        return f"line {self.first_line + self.text.count(chr(10), 0, offset)}"


def _text_passages(text: str) -> list[Passage]:
    passages: list[Passage] = []
    block: list[str] = []
    start = 1

    def flush():
        if block and any(line.strip() for line in block):
            passages.append(Passage("\n".join(block), f"line {start}", start))
        block.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or _OWN_LINE.match(line):
            flush()
            if line.strip():
                passages.append(Passage(line, f"line {number}", number))
            start = number + 1
            continue
        if not block:
            start = number
        block.append(line)
    flush()
    return passages


def _docx_passages(path: Path) -> list[Passage]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"{path}: not a readable DOCX file ({type(error).__name__}: {error}); "
                             "save it from the word processor as .docx (Word 2007 or later)") from None
    passages: list[Passage] = []
    paragraph_number = table_number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table_number += 1
            for row_number, row in enumerate(block.rows, start=1):
                cells = []
                for cell in row.cells:
                    if not cells or cell.text != cells[-1]:  # a merged cell repeats in each row position
                        cells.append(cell.text)
                passages.append(Passage(" | ".join(cells), f"table {table_number}, row {row_number}"))
        else:
            paragraph_number += 1
            if block.text.strip():
                passages.append(Passage(block.text, f"paragraph {paragraph_number}"))
    return passages


def read_draft(path: Path) -> list[Passage]:
    """The passages of a draft.

    Raises
    ------
    UnreadableFile
        Missing, a folder, not readable, not UTF-8 text, an old binary ``.doc``,
        or a broken DOCX.
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if not path.is_file():
        raise UnreadableFile(f"{path}: not a file (give a .md, .txt or .docx draft)")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_passages(path)
    if suffix in {".doc", ".odt", ".pdf", ".rtf"}:
        raise UnreadableFile(f"{path}: {suffix} drafts are not read; save the draft as .docx, Markdown or plain text")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise UnreadableFile(f"{path}: not readable (permission denied)") from None
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path}: not UTF-8 text (byte {error.start}: {error.reason}); "
                             "give a Markdown or plain-text draft in UTF-8, or a .docx") from None
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot be read ({error.strerror})") from None
    return _text_passages(text)
