"""The text a reader sees in rendered HTML, DOCX and PDF files, for comparing renderers' outputs."""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import pypdfium2


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
    """The text of each page of a PDF as PDFium extracts it, one line of the page per line of text.

    PDFium (pypdfium2) reads the whole report in about 0.3 s where pypdf took
    6 s. It marks a hyphen that ends a line as U+FFFE and joins the two lines;
    the mark becomes "-" and a line break here, as pypdf read it ("ESMO-" /
    "MCBS": :func:`joined_hyphens` joins them where a test compares text), so
    that :func:`stranded_captions` counts the lines as it was calibrated.
    Several tests read the same file: the pages are kept per content (a
    rewritten file is read again).
    """
    return _pages_of(hashlib.sha256(Path(path).read_bytes()).hexdigest(), str(path))


@lru_cache(maxsize=16)
def _pages_of(sha256: str, path: str) -> tuple[str, ...]:
    document = pypdfium2.PdfDocument(path)
    try:
        return tuple(page.get_textpage().get_text_range().replace("\r\n", "\n").replace("\ufffe", "-\n") for page in document)
    finally:
        document.close()


def overlapping_glyphs(path: Path, *, tolerance: float = 0.5) -> list[tuple[int, str, str]]:
    """Characters drawn over other text: (page number, text before, text at the overlap) for each.

    Text from one cell that runs into the next column (an unbreakable id
    wider than its column) is drawn over that column's text. Characters are
    grouped by baseline (rounded to a point); within a line, a character
    that starts more than ``tolerance`` points before the previous one ends
    overlaps it. Pairs less than four characters apart in the text are not
    counted: they are one word's glyphs (a ligature such as "ffi" gives its
    characters one shared box, and kerning a fraction of a point).
    """
    found = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            lines: dict[int, list[tuple[float, float, int]]] = {}
            for index in range(min(textpage.count_chars(), len(text))):
                if text[index].isspace():
                    continue
                left, bottom, right, _ = textpage.get_charbox(index)
                if right > left:
                    lines.setdefault(round(bottom), []).append((left, right, index))
            for glyphs in lines.values():
                glyphs.sort()
                for (_, right, first), (left, _, second) in zip(glyphs, glyphs[1:], strict=False):
                    if left < right - tolerance and abs(second - first) > 3:
                        found.append((number, text[max(0, first - 30):first + 1], text[second:second + 30]))
    finally:
        document.close()
    return found


def pdf_text(path: Path) -> str:
    """The text of a PDF as :func:`pdf_pages` extracts it, hyphens joined as by :func:`joined_hyphens`."""
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
