"""The text a reader sees in rendered HTML, DOCX and PDF files, for comparing renderers' outputs."""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader


def clean(text: str) -> str:
    """Every run of whitespace (non-breaking too) as one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def html_text(markup: str) -> str:
    """What a reader sees of an HTML page: tags removed, entities decoded."""
    return clean(html.unescape(re.sub(r"<[^>]+>", "", markup)))


def docx_text(path: Path) -> str:
    """The text of a .docx, paragraph by paragraph (pandoc's docx reader drops figure captions)."""
    document = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", document, flags=re.DOTALL)
    return clean(html.unescape(" ".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)))


def pdf_pages(path: Path) -> tuple[str, ...]:
    """The text of each page of a PDF as pypdf extracts it.

    Extracting the whole report takes seconds and several tests read the same
    file: the pages are kept per content (a rewritten file is read again).
    """
    return _pages_of(hashlib.sha256(Path(path).read_bytes()).hexdigest(), str(path))


@lru_cache(maxsize=16)
def _pages_of(sha256: str, path: str) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in PdfReader(path).pages)


def pdf_text(path: Path) -> str:
    """The text of a PDF as pypdf extracts it, hyphens joined as by :func:`joined_hyphens`."""
    return joined_hyphens(clean(" ".join(pdf_pages(path))))


def joined_hyphens(text: str) -> str:
    """``text`` with "- " between two words as "-".

    A PDF line that ends at the hyphen of a compound ("group-" / "sequential")
    is extracted as "group- sequential". Applied to both texts compared (a
    caption may itself read "one- or two-sided").
    """
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)


def stranded_captions(path: Path, *, lines_after: int = 4) -> list[tuple[int, str]]:
    """Table captions that end their PDF page: (page number, caption start) for each.

    A caption counts as stranded when fewer than ``lines_after`` lines of text
    follow it on its page (the page number not counted): at most the rest of
    its own wording, with the table on the next page. Calibrated on a Quarto
    PDF with five such captions (found, each seen on the page images) and the
    same PDF with captions kept with their tables (none found).
    """
    found = []
    for number, page in enumerate(pdf_pages(path), start=1):
        lines = [line for line in page.splitlines() if line.strip() and not re.fullmatch(r"\s*\d+\s*", line)]
        for index, line in enumerate(lines):
            if re.match(r"\s*Table\s+\d+:", line) and len(lines) - index - 1 < lines_after:
                found.append((number, line.strip()[:60]))
    return found


def body_pages(path: Path, *, first_appendix: str = "Appendix A: register of derived figures") -> int:
    """How many PDF pages come before the page on which the first appendix's heading stands.

    The heading is told from its line in the table of contents by the dot
    leaders and page number that follow it there.
    """
    for number, page in enumerate(pdf_pages(path), start=1):
        for line in page.splitlines():
            line = clean(line)
            if line.endswith(first_appendix) and re.fullmatch(r"(\d+\s+)?" + re.escape(first_appendix), line):
                return number - 1
    raise ValueError(f"{path}: no page opens with the heading {first_appendix!r}")
