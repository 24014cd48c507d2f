"""Ready-to-paste citations of register figures: plain text, Markdown, CSL-JSON and BibTeX.

Each citation puts the figure first and its register id right after it, the
form ``check-draft`` reads back, then what the figure is, the report's title,
version, date and section, and the link to the figure's anchor in the HTML
(``index.html#<register id>``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .numberstyle import format_figure
from .registers import Figure, RegisterVersion, ReportInfo, Section

__all__ = ["Citation", "FORMATS", "citation", "render_citations"]

FORMATS = ("plain", "markdown", "csl-json", "bibtex")
_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


@dataclass(frozen=True)
class Citation:
    """Everything a citation of one figure names, before formatting."""

    figure: Figure
    text: str
    section: Section | None
    report: ReportInfo
    url: str

    @property
    def section_text(self) -> str:
        if self.section is None:
            return f"section {self.figure.section}"
        return f"section {self.section.number} {self.section.title}".replace("section  ", "section ")

    @property
    def edition(self) -> str:
        version = f"version {self.report.version}" if self.report.version else "version not stated"
        return f"{version} ({self.report.date})" if self.report.date else version


def citation(register: RegisterVersion, figure_id: str, base_url: str = "index.html") -> Citation:
    """The citation of one id (raises :class:`~.errors.UnknownId` with the nearest ids)."""
    figure = register.get(figure_id)
    report = register.report or ReportInfo("BOLERO-2 evidence summary", register.version, None, None, None)
    return Citation(figure, format_figure(figure.value, figure.ci_low, figure.ci_high, figure.unit),
                    report.sections.get(figure.section), report, f"{base_url}#{figure.id}")


def _plain(c: Citation) -> str:
    return (f"{c.text} [{c.figure.id}]: {c.figure.description}. Method: {c.figure.method}. "
            f"{c.report.title}, {c.edition}, {c.section_text}. {c.url}")


def _markdown(c: Citation) -> str:
    return (f"**{c.text}** [`{c.figure.id}`]({c.url}): {c.figure.description}. *Method:* {c.figure.method}. "
            f"*{c.report.title}*, {c.edition}, {c.section_text}.")


def _date_parts(date: str | None) -> list[int] | None:
    if not date:
        return None
    parts = [int(p) for p in re.findall(r"\d+", date)[:3]]
    return parts or None


def _csl(c: Citation) -> dict:
    item = {"id": f"bolero2-evidence:{c.figure.id}", "type": "report", "title": f"{c.figure.description}: {c.text}",
            "container-title": c.report.title, "number": c.figure.id, "section": c.section_text,
            "URL": c.url, "note": f"Register id {c.figure.id}. Method: {c.figure.method}."}
    if c.report.author:
        item["author"] = [{"literal": c.report.author}]
    if c.report.publisher:
        item["publisher"] = c.report.publisher
    if c.report.version:
        item["version"] = c.report.version
    if parts := _date_parts(c.report.date):
        item["issued"] = {"date-parts": [parts]}
    return item


def _bib_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def _bibtex(c: Citation) -> str:
    fields = {"title": f"{c.figure.description}: {c.text}", "author": c.report.author,
              "institution": c.report.publisher, "type": c.report.title, "number": c.figure.id, "version": c.report.version,
              "url": c.url, "note": f"{c.section_text}. Register id {c.figure.id}. Method: {c.figure.method}."}
    parts = _date_parts(c.report.date)
    if parts:
        fields["year"] = str(parts[0])
        if len(parts) > 1:
            fields["month"] = _MONTHS[parts[1] - 1]
    lines = [f"@techreport{{bolero2-evidence:{c.figure.id},"]
    for name, value in fields.items():
        if value is None:
            continue
        if name == "month":
            lines.append(f"  month = {value},")  # BibTeX's month macro (jan, feb, ...)
        elif name in ("url", "year"):
            lines.append(f"  {name} = {{{value}}},")
        elif name == "author":
            # Double braces: a corporate author, not to be split into "Last, First".
            lines.append(f"  {name} = {{{{{_bib_escape(value)}}}}},")
        else:
            lines.append(f"  {name} = {{{_bib_escape(value)}}},")
    lines.append("}")
    return "\n".join(lines)


def render_citations(register: RegisterVersion, ids: list[str], fmt: str = "plain", base_url: str = "index.html") -> str:
    """The citations of ``ids`` in ``fmt`` (one of :data:`FORMATS`), as one text to print."""
    citations = [citation(register, figure_id, base_url) for figure_id in ids]
    if fmt == "plain":
        return "\n\n".join(map(_plain, citations))
    if fmt == "markdown":
        return "\n\n".join(map(_markdown, citations))
    if fmt == "csl-json":
        return json.dumps([_csl(c) for c in citations], ensure_ascii=False, indent=2)
    if fmt == "bibtex":
        return "\n\n".join(map(_bibtex, citations))
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
