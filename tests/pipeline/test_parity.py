"""Quarto and the pandoc fallback render the same report: the parity test.

Both renderers render the same project; from each HTML the test takes the
sections (id, number, title), the tables and figures (id and caption), the
alt text of figures and the cross-references (target and text), and asserts
that the sets are equal. The fallback's DOCX and PDF must hold every caption.
One case renders a copy with a section removed and must find the difference,
so that the comparison is shown able to fail.

Quarto is needed: without it these tests skip, except under ``CI=true``
where they fail (CI installs Quarto, so a missing one is a broken set-up).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.render import render_with_pandoc
from tests.pipeline.rendered_text import clean, docx_text, joined_hyphens, pdf_text

pytestmark = pytest.mark.quarto

CHECKOUT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def copy_project(source: Path, target: Path) -> Path:
    """The report's sources of ``source`` (article, notebooks, report/) in ``target``, with this checkout's fallback."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_output*", ".quarto", "make_notebook.py"))
    shutil.rmtree(target / "report" / "fallback", ignore_errors=True)
    shutil.copytree(CHECKOUT / "report" / "fallback", target / "report" / "fallback")
    return target


def quarto_render(quarto: str, project: Path, output: Path) -> Path:
    completed = subprocess.run([quarto, "render", "--output-dir", str(output)], cwd=project, capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return output


def fallback_render(project: Path, output: Path) -> Path:
    render_with_pandoc(Project(project), output, progress=lambda line: None)
    return output


# What is compared ---------------------------------------------------------------


class ReportStructure(HTMLParser):
    """Sections, floats, figure alt texts and cross-references of a rendered HTML article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: set[tuple[str, str, str]] = set()
        self.captions: set[tuple[str, str]] = set()
        self.alt_texts: set[tuple[str, str]] = set()
        self.xrefs: Counter[tuple[str, str]] = Counter()
        self._open: list[tuple[str, str]] = []  # (tag, float id or "")
        self._section: list[tuple[str, str]] = []  # (id, data-number) of enclosing <section>s
        self._reading: list = []  # [kind, key, text parts, depth] while reading a heading, caption or link

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        identifier = attributes.get("id") or ""
        float_id = identifier if re.match(r"(tbl|fig)-", identifier) else ""
        if tag == "section" and identifier:
            self._section.append((identifier, attributes.get("data-number") or ""))
        enclosing = next((f for _, f in reversed(self._open) if f), "")
        if tag in ("caption", "figcaption") and enclosing and not any(r[0] == "caption" for r in self._reading):
            self._reading.append(["caption", enclosing, [], len(self._open)])
        if re.fullmatch(r"h[1-6]", tag) and self._section:
            self._reading.append(["section", self._section[-1], [], len(self._open)])
        if tag == "a" and "quarto-xref" in (attributes.get("class") or "").split():
            self._reading.append(["xref", attributes.get("href", ""), [], len(self._open)])
        if tag == "img" and enclosing.startswith("fig-"):
            self.alt_texts.add((enclosing, clean(attributes.get("alt") or "")))
        if tag not in VOID_TAGS:
            self._open.append((tag, float_id))

    def handle_data(self, data):
        for reading in self._reading:
            reading[2].append(data)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in (open_tag for open_tag, _ in self._open):
            return  # a stray end tag
        while self._open:
            open_tag, _ = self._open.pop()
            depth = len(self._open)
            for reading in [r for r in self._reading if r[3] == depth]:
                self._reading.remove(reading)
                self._finish(*reading[:3])
            if open_tag == "section" and self._section:
                self._section.pop()
            if open_tag == tag:
                break

    def _finish(self, kind, key, parts):
        text = clean("".join(parts))
        if kind == "caption":
            self.captions.add((key, text))
        elif kind == "section":
            self.sections.add((*key, text))
        else:
            self.xrefs[(key, text)] += 1

    def summary(self) -> dict[str, set]:
        return {"sections": self.sections, "captions": self.captions, "alt texts": self.alt_texts,
                "cross-references": set(self.xrefs.items())}


def structure(html_file: Path) -> dict[str, set]:
    parser = ReportStructure()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return parser.summary()


def differences(quarto_html: Path, fallback_html: Path) -> dict[str, dict[str, list]]:
    """For each compared set, what only Quarto has and what only the fallback has; empty when at parity."""
    ours, theirs = structure(quarto_html), structure(fallback_html)
    found = {}
    for name in ours:
        only_quarto, only_fallback = ours[name] - theirs[name], theirs[name] - ours[name]
        if only_quarto or only_fallback:
            found[name] = {"only Quarto": sorted(only_quarto), "only fallback": sorted(only_fallback)}
    return found


def assert_captions_in_docx_and_pdf(output: Path, captions: set[tuple[str, str]]) -> None:
    docx, pdf = docx_text(output / "index.docx"), pdf_text(output / "index.pdf")
    for _, caption in captions:
        assert caption in docx, f"DOCX lacks the caption {caption!r}"
        assert joined_hyphens(caption) in pdf, f"PDF lacks the caption {caption!r}"


# The tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini(quarto, tmp_path_factory):
    """The fixture project rendered by both: (project copy, Quarto output, fallback output)."""
    root = tmp_path_factory.mktemp("parity")
    project = copy_project(FIXTURE, root / "mini")
    return project, quarto_render(quarto, project, root / "quarto"), fallback_render(project, root / "fallback")


def test_fixture_renders_alike(mini):
    _, quarto_out, fallback_out = mini
    assert differences(quarto_out / "index.html", fallback_out / "index.html") == {}
    found = structure(fallback_out / "index.html")
    # The comparison saw what the fixture holds, not two empty sets.
    assert {s[0] for s in found["sections"]} >= {"sec-intro", "sec-results", "sec-detail", "sec-notes"}
    assert {c[0] for c in found["captions"]} == {"tbl-demo", "fig-demo", "tbl-register-demo"}
    assert ("#sec-detail", "Section 2.1") in {x for x, _ in found["cross-references"]}
    assert_captions_in_docx_and_pdf(fallback_out, found["captions"])


def test_a_section_missing_from_one_side_is_a_mismatch(mini, tmp_path):
    project, quarto_out, _ = mini
    changed = copy_project(project, tmp_path / "changed")
    article = changed / "index.qmd"
    text = article.read_text(encoding="utf-8")
    assert "### Detail {#sec-detail}\n" in text
    # Without the heading (and the reference to it), later numbers and the targets differ.
    article.write_text(text.replace("### Detail {#sec-detail}\n", "").replace("[Section -@sec-detail]", "the figure"),
                       encoding="utf-8")
    found = differences(quarto_out / "index.html", fallback_render(changed, tmp_path / "out") / "index.html")
    assert ("sec-detail", "2.1", "2.1 Detail") in found["sections"]["only Quarto"]
    assert ("#sec-detail", "Section 2.1") in {x for x, _ in found["cross-references"]["only Quarto"]}
