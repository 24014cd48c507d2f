"""The text a reader sees in rendered HTML, DOCX and PDF files, for comparing renderers' outputs."""

from __future__ import annotations

import html
import re
import zipfile
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


def pdf_text(path: Path) -> str:
    """The text of a PDF as pypdf extracts it, hyphens joined as by :func:`joined_hyphens`."""
    return joined_hyphens(clean(" ".join(page.extract_text() for page in PdfReader(path).pages)))


def joined_hyphens(text: str) -> str:
    """``text`` with "- " between two words as "-".

    A PDF line that ends at the hyphen of a compound ("group-" / "sequential")
    is extracted as "group- sequential". Applied to both texts compared (a
    caption may itself read "one- or two-sided").
    """
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)
