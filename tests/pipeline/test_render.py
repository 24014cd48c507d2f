"""Tests of bolero_evidence.pipeline.render, the renderer that stands in for Quarto.

The fixture project ``fixtures/mini`` is a manuscript with one notebook saved
with its outputs (a markdown table, a matplotlib figure and a printed line);
``fixtures/mini/make_notebook.py`` regenerates it. It is rendered once per
test session; the error cases render broken copies of it.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pypandoc
import pytest

from bolero_evidence.pipeline.render import (
    LUA_FILTER,
    RENDERER,
    WORK_DIR_NAME,
    EmbedSources,
    RenderError,
    bibtex_entry,
    expand_shortcodes,
    format_date,
    formatted_reference,
    person,
    render_with_pandoc,
    title_case,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
ARTICLE_IDS = ("sec-intro", "sec-results", "sec-detail", "sec-notes", "sec-cite-as", "tbl-demo", "fig-demo", "demo-summary")
TABLE_CAPTION = "Table 1: Responders by arm in the demo trial"
FIGURE_CAPTION = "Figure 1: Response rate by arm"


def normalise(text: str) -> str:
    """Text with entities decoded and every run of whitespace (non-breaking too) as one space."""
    return re.sub(r"\s+", " ", html_lib.unescape(text).replace("\u00a0", " "))


def pdf_text(path: Path) -> str:
    """The text of a PDF, by pypdf or else poppler's pdftotext."""
    try:
        from pypdf import PdfReader
    except ImportError:
        if not shutil.which("pdftotext"):
            pytest.skip("reading the PDF needs pypdf (test dependency) or poppler's pdftotext")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The fixture rendered once: (result, output folder, progress lines)."""
    output_dir = tmp_path_factory.mktemp("render") / "out"
    lines: list[str] = []
    result = render_with_pandoc(FIXTURE, output_dir, progress=lines.append)
    return result, output_dir, lines


@pytest.fixture(scope="module")
def html_text(rendered):
    return rendered[0].html.read_text(encoding="utf-8")


# The render ------------------------------------------------------------------


def test_render_writes_html_and_pdf_and_nothing_else(rendered):
    result, output_dir, lines = rendered
    assert result.html == output_dir / "index.html"
    assert result.pdf == output_dir / "index.pdf"
    assert result.pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in output_dir.iterdir()) == ["index.html", "index.pdf"]
    assert result.renderer == RENDERER == "pandoc+typst"
    assert any("MECA" in item for item in result.quarto_would_add)
    assert any("notebook" in item.lower() for item in result.quarto_would_add)
    assert any("wrote index.pdf" in line for line in lines)


def test_render_leaves_the_project_untouched(rendered):
    written = {p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*") if p.is_file()}
    assert written == {"_quarto.yml", "report/index.qmd", "analysis/01-demo.ipynb", "make_notebook.py"}


def test_renderer_note_names_the_tools(rendered, html_text):
    result = rendered[0]
    assert re.fullmatch(r"Rendered without Quarto by pandoc \d+\.\d+(\.\d+)* and Typst \d+\.\d+\.\d+; .*", result.note)
    assert result.note in normalise(html_text)
    assert "Rendered without Quarto by pandoc" in normalise(pdf_text(result.pdf))


# The HTML --------------------------------------------------------------------


def test_html_keeps_every_section_table_and_figure_id(html_text):
    for identifier in ARTICLE_IDS:
        assert f'id="{identifier}"' in html_text, identifier


def test_html_numbers_sections_like_quarto(html_text):
    numbers = re.findall(r'<h(\d) id="([^"]+)"><span class="header-section-number">([\d.]+)</span>', html_text)
    assert numbers == [("2", "sec-intro", "1"), ("2", "sec-results", "2"), ("3", "sec-detail", "2.1")]
    assert re.search(r'<h2 class="unnumbered" id="sec-notes">Notes</h2>', html_text)


def test_html_numbers_and_captions_table_and_figure(html_text):
    text = normalise(html_text)
    assert f'<table id="tbl-demo"> <caption>{TABLE_CAPTION}</caption>' in text
    assert re.search(rf'<figure id="fig-demo"> <img [^>]*alt="Bar chart: response rate 9.5% with everolimus[^>]*> '
                     rf"<figcaption>{FIGURE_CAPTION}</figcaption>", text)
    assert "Source: Demo notebook (analysis/01-demo.ipynb)" in text
    assert "<pre><code>Difference in response rate: 9.1 percentage points</code></pre>" in text


def test_html_cross_references_are_links_with_quarto_texts(html_text):
    links = dict(
        (target, normalise(label))
        for target, label in re.findall(r'<a href="#([^"]+)" class="quarto-xref">(.*?)</a>', html_text, re.DOTALL)
    )
    assert links == {"sec-results": "Section 2", "tbl-demo": "Table 1", "fig-demo": "Figure 1",
                     "sec-detail": "2.1", "sec-notes": "Notes"}
    assert "the detail is in Section <a" in normalise(html_text)


def test_html_title_block_and_cite_as(html_text):
    text = normalise(html_text)
    for expected in ('<h1 class="title">Mini evidence report</h1>', "A fixture for the fallback renderer",
                     "Ada Example (Example Institute)", "Bob Sample", "January 15, 2025",
                     "This fixture exercises embedded notebook outputs"):
        assert expected in text, expected
    cite_as = text[text.index('id="sec-cite-as"'):]
    assert "Cite as" in cite_as
    # Chicago author-date, as Quarto formats it: a report's title is title-cased and in italics.
    assert ("Example, Ada, and Bob Sample. 2025. <em>Mini Evidence Report</em>. Example Institute. "
            "https://example.org/reports/mini.") in cite_as
    assert "@techreport" in cite_as and "example2025" in cite_as


def test_html_makes_no_request_when_opened(html_text):
    # Only links a reader follows may point outside; nothing that loads by itself.
    external = re.findall(r"""(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", html_text, re.I)
    assert external == []
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", html_text, re.I)
    assert "<script" not in html_text
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html_text)


# The PDF ---------------------------------------------------------------------


def test_pdf_holds_the_table_captions_references_and_cite_as(rendered):
    text = normalise(pdf_text(rendered[0].pdf))
    for expected in (TABLE_CAPTION, FIGURE_CAPTION, "Everolimus + exemestane", "485", "46", "9.5",
                     "Placebo + exemestane", "239", "0.4", "1 Introduction", "2.1 Detail",
                     "The results are in Section 2: Table 1 lists the responders and Figure 1 plots the rates",
                     "Difference in response rate: 9.1 percentage points", "Cite as", "@techreport{example2025,",
                     "Source: Demo notebook (analysis/01-demo.ipynb)", "Mini evidence report", "January 15, 2025"):
        assert expected in text, expected


def test_pdf_holds_the_figure(rendered):
    pypdf = pytest.importorskip("pypdf", reason="counting PDF images needs pypdf (test dependency)")
    images = [image for page in pypdf.PdfReader(rendered[0].pdf).pages for image in page.images]
    assert len(images) == 1


# Errors ----------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A private copy of the fixture project to break."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURE, target)
    return target


def edit_article(project: Path, old: str, new: str) -> None:
    article = project / "report" / "index.qmd"
    text = article.read_text(encoding="utf-8")
    assert old in text
    article.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_outputs(project: Path, label: str, outputs: list[dict]) -> None:
    path = project / "analysis" / "01-demo.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    (cell,) = [c for c in notebook["cells"] if f"#| label: {label}\n" in "".join(c["source"])]
    cell["outputs"] = outputs
    path.write_text(json.dumps(notebook), encoding="utf-8")


def render_error(project: Path, tmp_path: Path) -> str:
    with pytest.raises(RenderError) as caught:
        render_with_pandoc(project, tmp_path / "out", progress=lambda line: None)
    return str(caught.value)


def test_error_embed_of_missing_notebook(project, tmp_path):
    edit_article(project, "01-demo.ipynb#tbl-demo", "02-gone.ipynb#tbl-demo")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "02-gone.ipynb" in message and "does not exist" in message


def test_error_embed_of_missing_label(project, tmp_path):
    edit_article(project, "#tbl-demo >}}", "#tbl-nowhere >}}")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "'tbl-nowhere' not found" in message and "01-demo.ipynb" in message


def test_error_embed_of_cell_without_outputs(project, tmp_path):
    set_outputs(project, "tbl-demo", [])
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "'tbl-demo' has no outputs" in message


def test_error_embed_of_cell_with_error_output(project, tmp_path):
    set_outputs(project, "fig-demo", [{"output_type": "error", "ename": "ZeroDivisionError",
                                       "evalue": "division by zero", "traceback": []}])
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "fig-demo" in message and "ZeroDivisionError" in message


def test_error_unknown_cross_reference(project, tmp_path):
    edit_article(project, "come from one notebook.", "come from one notebook, unlike @tbl-missing.")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "unknown cross-reference @tbl-missing" in message


def test_error_unsupported_shortcode(project, tmp_path):
    edit_article(project, "## Notes", "{{< video intro.mp4 >}}\n\n## Notes")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "video" in message


def test_error_pandoc_failure_carries_its_stderr(project, tmp_path):
    edit_article(project, "## Notes", "![A lost image](lost.png)\n\n## Notes")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "pandoc failed" in message and "lost.png" in message


def test_error_typst_failure_carries_its_diagnostic(project, tmp_path):
    edit_article(project, "## Notes", "```{=typst}\n#no-such-function()\n```\n\n## Notes")
    message = render_error(project, tmp_path)
    assert "index.qmd" in message and "Typst failed" in message and "no-such-function" in message


# The Lua filter on its own ------------------------------------------------------


def run_filter(markdown: str, to: str = "html") -> str:
    completed = subprocess.run(
        [pypandoc.get_pandoc_path(), "--from", "markdown", "--to", to, "--lua-filter", str(LUA_FILTER)],
        input=markdown, capture_output=True, text=True,
    )
    if completed.returncode:
        raise AssertionError(completed.stderr)
    return normalise(completed.stdout)


def test_filter_numbers_quarto_figure_and_table_divs_in_order():
    out = run_filter(
        "See @fig-b, @fig-a and [-@tbl-a].\n\n"
        "::: {#fig-a}\n![alt](a.png)\n\nFirst figure\n:::\n\n"
        "| x |\n|---|\n| 1 |\n\n: Table caption {#tbl-a}\n\n"
        "::: {#fig-b}\n![alt](b.png)\n\nSecond figure\n:::\n"
    )
    assert "<figcaption>Figure 1: First figure</figcaption>" in out
    assert "<figcaption>Figure 2: Second figure</figcaption>" in out
    assert "<caption>Table 1: Table caption</caption>" in out
    assert re.search(r'href="#fig-b"[^>]*>Figure 2</a>, <a href="#fig-a"[^>]*>Figure 1</a> and <a href="#tbl-a"[^>]*>1</a>',
                     out)


def test_filter_numbers_sections_only_when_asked_and_from_the_shallowest_level():
    text = "## A {#sec-a}\n\n### B {#sec-b}\n\n## C\n\nSee @sec-b.\n"
    numbered = run_filter("---\nbolero-number-sections: true\n---\n\n" + text)
    assert re.findall(r'class="header-section-number">([\d.]+)<', numbered) == ["1", "1.1", "2"]
    assert ">Section 1.1</a>" in numbered
    plain = run_filter(text)
    assert "header-section-number" not in plain
    assert '<a href="#sec-b" class="quarto-xref">B</a>' in plain  # Quarto uses the title


def test_filter_rejects_duplicate_labels():
    with pytest.raises(AssertionError, match="duplicate label #fig-a"):
        run_filter("![one](a.png){#fig-a}\n\n![two](b.png){#fig-a}\n")


def test_filter_leaves_bibliography_citations_alone():
    assert '<span class="citation" data-cites="smith2020">@smith2020</span>' in run_filter("As @smith2020 says.\n")


def test_filter_typst_labels_and_links():
    out = run_filter("## A {#sec-a}\n\n![cap](a.png){#fig-a}\n\n| x |\n|---|\n| 1 |\n\n: T {#tbl-a}\n\n"
                     "See @fig-a in @sec-a.\n", to="typst")
    assert "<sec-a>" in out and "<fig-a>" in out and "<tbl-a>" in out
    assert "#link(<fig-a>)[Figure~1]" in out and "#link(<sec-a>)[A]" in out
    assert "Figure~1: cap" in out


def test_filter_fits_wide_tables_to_the_page():
    wide = "| source | note |\n|:--|:--|\n| oncology_news_2011 | " + "word " * 30 + "|\n"
    html = run_filter(wide)
    assert "<colgroup>" not in html  # the browser sizes columns by content
    assert "oncology_<wbr>news_<wbr>2011" in html
    typst = run_filter(wide, to="typst")
    assert "columns: 2," in typst  # auto columns, not pandoc's percentages
    assert "oncology\\_#h(0.01pt);news\\_#h(0.01pt);2011" in typst


def test_shortcodes_other_than_embed():
    body = "A {{< pagebreak >}} B and the literal {{{< embed x.ipynb#y >}}}."
    expanded, embeds = expand_shortcodes(body, EmbedSources(Path("a.qmd"), Path("."), media_dir=Path(".")))
    assert embeds == 0
    assert "```{=typst}\n#pagebreak()\n```" in expanded
    assert expanded.endswith("the literal {{< embed x.ipynb#y >}}.")


# Front matter helpers ----------------------------------------------------------


def test_format_date_follows_quarto_styles():
    assert format_date("2025-01-15") == "January 15, 2025"
    assert format_date("2025-01-15", "medium") == "Jan 15, 2025"
    assert format_date("2025-01-15", "iso") == "2025-01-15"
    assert format_date("Spring 2025") == "Spring 2025"


def test_person_reads_quarto_and_csl_author_forms():
    # Quarto splits a name at its first space ("Diego J. Lizcano" is cited as "J. Lizcano, Diego").
    assert person("Ada Q. Example").inverted == "Q. Example, Ada"
    assert person("Ada Example").inverted == "Example, Ada"
    assert person({"name": {"given": "Ada", "family": "Example"}, "affiliations": [{"name": "Inst"}]}).affiliation == "Inst"
    assert person("BOLERO-2 investigators").display == "BOLERO-2 investigators"
    assert person({"name": {"literal": "BOLERO-2 investigators"}}).inverted == "BOLERO-2 investigators"
    assert person({"literal": "The Team"}).inverted == "The Team"


def test_title_case_follows_citeproc():
    assert title_case("BOLERO-2: derived figures from the published tables") == (
        "BOLERO-2: Derived Figures from the Published Tables")
    assert title_case("a trial of mTOR inhibitors in the clinic") == "A Trial of mTOR Inhibitors in the Clinic"


def test_journal_citation_uses_doi_and_journal_fields():
    metadata = {"title": "Doc", "author": ["Ada Example", "Bob Sample", "Cy Third"], "date": "2024-03-02"}
    citation = {"type": "article-journal", "container-title": "J Trials", "volume": 3, "issue": 2,
                "page": "10-20", "doi": "10.1000/xyz_1"}
    reference = pypandoc.convert_text(formatted_reference(metadata, citation), "html", format="markdown")
    assert normalise(reference).strip() == (
        "<p>Example, Ada, Bob Sample, and Cy Third. 2024. “Doc.” <em>J Trials</em> 3 (2): 10-20. "
        "https://doi.org/10.1000/xyz_1.</p>"
    )
    entry = bibtex_entry(metadata, citation)
    assert entry.startswith("@article{example2024,\n")
    assert "  journal = {J Trials},\n" in entry and "  doi = {10.1000/xyz_1},\n" in entry
    assert "  author = {Example, Ada and Sample, Bob and Third, Cy},\n" in entry


def test_report_citation_without_date_reads_no_date_and_keeps_version():
    metadata = {"title": "BOLERO-2: derived figures", "author": [{"name": {"literal": "BOLERO-2 contributors"}}]}
    citation = {"type": "report", "publisher": "BOLERO-2 evidence project", "version": "0.1.0", "note": "Cite the id."}
    reference = pypandoc.convert_text(formatted_reference(metadata, citation), "plain", format="markdown")
    assert normalise(reference).strip() == (
        "BOLERO-2 contributors. n.d. BOLERO-2: Derived Figures. Version 0.1.0. BOLERO-2 evidence project.")
    entry = bibtex_entry(metadata, citation)
    assert entry.startswith("@techreport{bolero-2_contributors,\n")
    assert "  author = {{BOLERO-2 contributors}},\n" in entry and "  version = {0.1.0},\n" in entry
    assert "  institution = {BOLERO-2 evidence project},\n" in entry and "  note = {Cite the id.},\n" in entry


def test_source_note_uses_the_title_from_manuscript_notebooks(project, tmp_path):
    config = project / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  article: report/index.qmd\n",
        '  article: report/index.qmd\n  notebooks:\n    - notebook: analysis/01-demo.ipynb\n      title: "1. Demo"\n',
    ), encoding="utf-8")
    result = render_with_pandoc(project, tmp_path / "out", progress=lambda line: None)
    assert "Source: 1. Demo (analysis/01-demo.ipynb)" in normalise(result.html.read_text(encoding="utf-8"))


def test_work_dir_is_kept_after_a_failure_for_inspection(project, tmp_path):
    edit_article(project, "come from one notebook.", "see @fig-nowhere.")
    render_error(project, tmp_path)
    assert (tmp_path / "out" / WORK_DIR_NAME / "index.md").is_file()
