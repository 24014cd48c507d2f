"""Tests of the pandoc fallback (bolero_evidence.pipeline.render and report/fallback/).

The fixture project ``fixtures/mini`` has the real project's layout: the
article ``index.qmd`` at its root embedding outputs of
``analysis/01-demo.ipynb`` (saved with its outputs: a markdown table, a
matplotlib figure, a printed line and a register bundle;
``fixtures/mini/make_notebook.py`` regenerates it). Each test renders a copy
of it that holds this checkout's ``report/fallback/``.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.render import QUARTO_WOULD_ADD, RenderError, render_with_pandoc
from tests.pipeline.rendered_text import clean, docx_text, html_text, pdf_text

CHECKOUT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
NOTEBOOK = "analysis/01-demo.ipynb"
TABLE_CAPTION = "Table 1: Responders by arm in the demo trial"
FIGURE_CAPTION = "Figure 1: Response rate by arm"
REGISTER_CAPTION = "Table 2: Register entries of this notebook"
FIGURE_ALT = "Bar chart: response rate 9.5% with everolimus and 0.4% with placebo."


def make_project(target: Path) -> Path:
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("make_notebook.py"))
    shutil.copytree(CHECKOUT / "report" / "fallback", target / "report" / "fallback")
    return target


def render(project: Path, output: Path) -> tuple[Path, list[str]]:
    notes = render_with_pandoc(Project(project), output, progress=lambda line: None)
    return output, notes


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The fixture rendered once: (project copy, output folder, notes)."""
    root = tmp_path_factory.mktemp("render")
    project = make_project(root / "mini")
    return project, *render(project, root / "out")


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return clean((rendered[1] / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docx(rendered) -> str:
    return docx_text(rendered[1] / "index.docx")


@pytest.fixture(scope="module")
def pdf(rendered) -> str:
    return pdf_text(rendered[1] / "index.pdf")


# What is written ---------------------------------------------------------------


def test_writes_html_pdf_and_docx_and_leaves_the_project_alone(rendered):
    project, output, notes = rendered
    assert sorted(p.name for p in output.iterdir()) == ["index.docx", "index.html", "index.pdf"]
    assert (output / "index.pdf").read_bytes().startswith(b"%PDF")
    assert (output / "index.docx").read_bytes().startswith(b"PK")  # a zip, as every .docx
    assert notes == QUARTO_WOULD_ADD and any("notebook pages" in note for note in notes)
    written = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert written == {"_quarto.yml", "index.qmd", NOTEBOOK} | {
        f"report/fallback/{p.name}" for p in (CHECKOUT / "report" / "fallback").iterdir()}


def test_html_opens_offline(html):
    # Nothing is fetched when the page opens: images and the stylesheet are inlined (links may point anywhere).
    assert not re.search(r"""src="(https?:)?//|<link [^>]*href="(https?:)?//|@import""", html)
    assert "<script" not in html


# Embeds ----------------------------------------------------------------------------


def test_embed_resolves_outputs_and_captions(html):
    table = re.search(r'<table id="tbl-demo">.*?</table>', html).group()
    # The caption ends with the table's label (float-labels.lua).
    assert f'<caption>{TABLE_CAPTION} <span class="float-label"><code>tbl-demo</code></span></caption>' in table
    assert "Everolimus + exemestane" in table and ">485<" in table
    assert "<colgroup>" not in table  # columns sized by their content
    figure = re.search(r'<figure id="fig-demo">.*?</figure>', html).group()
    assert figure.count("<img ") == 1 and 'src="data:image/png;base64,' in figure
    assert f'<figcaption>{FIGURE_CAPTION} <span class="float-label"><code>fig-demo</code></span></figcaption>' in figure
    assert "Figure size" not in figure  # the plot's text/plain stand-in is not shown
    assert re.search(r'<div id="demo-summary">\s*<pre><code>Difference in response rate: 9.1 percentage points', html)


def test_register_output_shows_its_markdown_not_its_json(html):
    table = re.search(r'<table id="tbl-register-demo">.*?</table>', html).group()
    assert f'<caption>{REGISTER_CAPTION} <span class="float-label"><code>tbl-register-demo</code></span></caption>' in table
    # An id may break after its dots (<wbr>), and reads the same as text.
    assert ">demo.<wbr>response.<wbr>difference<" in table and "demo.response.difference" in html_text(table)
    assert '"entries"' not in html and "vnd.bolero-evidence" not in html


def test_figures_have_alt_text_in_html_and_docx(html, rendered):
    assert f'alt="{FIGURE_ALT}"' in html
    document = zipfile.ZipFile(rendered[1] / "index.docx").read("word/document.xml").decode("utf-8")
    assert f'descr="{FIGURE_ALT}"' in document


# Numbers and cross-references ----------------------------------------------------


def test_sections_are_numbered_from_the_article_s_top_level(html):
    numbered = re.findall(r'<section id="([\w-]+)" class="level\d" data-number="([\d.]+)">', html)
    assert numbered == [("sec-intro", "1"), ("sec-results", "2"), ("sec-detail", "2.1")]
    assert '<section id="sec-notes" class="level2 unnumbered">' in html


def test_cross_references_are_numbered_links_with_their_punctuation(html):
    assert ('<a href="#sec-results" class="quarto-xref">Section 2</a>: '
            '<a href="#tbl-demo" class="quarto-xref">Table 1</a> lists the responders; '
            '<a href="#fig-demo" class="quarto-xref">Figure 1</a> plots the rates,') in html
    assert 'the detail is in <a href="#sec-detail" class="quarto-xref">Section 2.1</a>.' in html
    assert '(<a href="#tbl-register-demo" class="quarto-xref">Table 2</a>).' in html
    # @Tbl-demo (capitalised, at the start of a sentence) refers to the same table.
    assert '<a href="#tbl-demo" class="quarto-xref">Table 1</a> and <a href="#fig-demo"' in html


def test_docx_and_pdf_hold_the_same_numbers_and_captions(docx, pdf):
    for text in (docx, pdf):
        for expected in (TABLE_CAPTION, FIGURE_CAPTION, REGISTER_CAPTION, "2.1 Detail",
                         "Table 1 lists the responders; Figure 1 plots the rates,", "Section 2.1."):
            assert expected in text, expected


def test_cite_as_entry_is_formatted_by_citeproc(html, pdf):
    # Chicago author-date (pandoc's and Quarto's default style) from the citation metadata.
    assert "Example, Ada, and Bob Sample. 2025. <em>Mini Evidence Report</em>. Example Institute." in html
    assert "@report{citation, author = {Example, Ada and Sample, Bob}," in html_text(html)
    assert "Example, Ada, and Bob Sample. 2025. Mini Evidence Report. Example Institute." in pdf


# Text from notebooks is text ---------------------------------------------------------


def set_outputs(project: Path, label: str, outputs: list[dict]) -> None:
    path = project / NOTEBOOK
    notebook = json.loads(path.read_text(encoding="utf-8"))
    (cell,) = [c for c in notebook["cells"] if f"#| label: {label}\n" in "".join(c["source"])]
    cell["outputs"] = outputs
    path.write_text(json.dumps(notebook), encoding="utf-8")


def display(data: dict) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": data}


def test_markup_in_notebook_outputs_is_escaped_in_every_format(tmp_path):
    project = make_project(tmp_path / "mini")
    script = "<script>alert(1)</script>"
    set_outputs(project, "tbl-demo", [display({"text/markdown": f"| Arm | Note |\n|:--|:--|\n| A | {script} <b>x</b> |",
                                               "text/html": f"<table><tr><td>{script}</td></tr></table>"})])
    set_outputs(project, "demo-summary", [display({"text/html": "<script>alert(2)</script>", "text/plain": "plain text"})])
    output, _ = render(project, tmp_path / "out")
    html = clean((output / "index.html").read_text(encoding="utf-8"))
    assert "<script" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;" in html
    assert "alert(2)" not in html and "plain text" in html  # text/html is never used, text/plain is
    assert f"{script} <b>x</b>" in docx_text(output / "index.docx")
    assert f"{script} <b>x</b>" in pdf_text(output / "index.pdf")


# A padded pipe table: what pandas writes, with a `|` escaped in a cell's text and in a code span.
PADDED_TABLE = """| Id         | Code               | Note          |
|:-----------|:------------------:|--------------:|
| a.b        | `x \\|   y`          | one \\| two    |
| c          |                    | three         |"""
# Not a table: a line block whose second line has only spaces and a `|`; its spaces are its text.
LINE_BLOCK = "| a line   block\n|   |"


def _cells_as_read(markdown_file: Path, *filters: str) -> list:
    """The alignments and each cell's text (code spans marked) of the one table pandoc reads from ``markdown_file``,
    and the line blocks it reads, whole."""
    import subprocess

    import pypandoc

    args = [pypandoc.get_pandoc_path(), "-f", "markdown-raw_html-raw_tex-raw_attribute", "-t", "json", str(markdown_file)]
    for lua in filters:
        args += ["--lua-filter", lua]
    document = json.loads(subprocess.run(args, cwd=markdown_file.parent, capture_output=True, text=True, check=True).stdout)
    (table,) = [block for block in document["blocks"] if block["t"] == "Table"]

    def text(node) -> str:
        if isinstance(node, list):
            return "".join(text(item) for item in node)
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                return node["c"]
            if kind == "Space":
                return " "
            if kind == "Code":
                return f"<code>{node['c'][1]}</code>"
            return text(node.get("c", []))
        return ""

    def line_blocks(node) -> list:
        if isinstance(node, list):
            return [block for item in node for block in line_blocks(item)]
        if isinstance(node, dict):
            return [node] if node.get("t") == "LineBlock" else line_blocks(node.get("c", []))
        return []

    _, _, colspecs, head, bodies, _ = table["c"]
    return [[spec[0]["t"] for spec in colspecs], text([head, bodies]), line_blocks(document["blocks"])]


def test_the_padding_cut_from_pipe_tables_changes_nothing_read(tmp_path):
    # embed.lua cuts the padding of pipe tables before reading them; the cells read are those of the padded
    # table, a `|` escaped in a cell's text or code span (and the spaces after it) included; a line block that
    # looks like a table's first two lines is no table, and keeps its spaces.
    def cell(label: str, markdown: str) -> dict:
        return {"cell_type": "code", "execution_count": 1, "id": label, "metadata": {}, "source": [f"#| label: {label}\n"],
                "outputs": [display({"text/markdown": markdown})]}

    notebook = {"cells": [cell("tbl-padded", PADDED_TABLE), cell("lines", LINE_BLOCK)],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "padded.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (tmp_path / "embedded.md").write_text("{{< embed padded.ipynb#tbl-padded >}}\n\n{{< embed padded.ipynb#lines >}}\n",
                                          encoding="utf-8")
    (tmp_path / "plain.md").write_text(PADDED_TABLE + "\n\n" + LINE_BLOCK + "\n", encoding="utf-8")
    embedded = _cells_as_read(tmp_path / "embedded.md", str(CHECKOUT / "report" / "fallback" / "embed.lua"))
    assert embedded == _cells_as_read(tmp_path / "plain.md")
    assert embedded[0] == ["AlignLeft", "AlignCenter", "AlignRight"]
    assert "|   y</code>" in embedded[1] and "one | two" in embedded[1]  # the spaces after an escaped `|` kept
    assert len(embedded[2]) == 1


# Errors ----------------------------------------------------------------------------------


def edit_article(project: Path, old: str, new: str) -> None:
    article = project / "index.qmd"
    text = article.read_text(encoding="utf-8")
    assert old in text
    article.write_text(text.replace(old, new, 1), encoding="utf-8")


def render_error(project: Path, tmp_path: Path) -> str:
    with pytest.raises(RenderError) as caught:
        render(project, tmp_path / "out")
    return str(caught.value)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "mini")


def test_error_names_the_missing_notebook(project, tmp_path):
    edit_article(project, "01-demo.ipynb#tbl-demo", "02-gone.ipynb#tbl-demo")
    assert render_error(project, tmp_path) == "index.qmd: embed: notebook analysis/02-gone.ipynb does not exist"


def test_error_names_the_missing_label_and_its_notebook(project, tmp_path):
    edit_article(project, "#tbl-demo >}}", "#tbl-nowhere >}}")
    assert render_error(project, tmp_path) == (
        f"index.qmd: embed {NOTEBOOK}#tbl-nowhere: no cell labelled tbl-nowhere in {NOTEBOOK}")


def test_error_for_a_cell_without_outputs(project, tmp_path):
    set_outputs(project, "tbl-demo", [])
    assert "the cell labelled tbl-demo has no outputs" in render_error(project, tmp_path)


def test_error_for_a_cell_with_an_error_output(project, tmp_path):
    set_outputs(project, "fig-demo", [{"output_type": "error", "ename": "ZeroDivisionError",
                                       "evalue": "division by zero", "traceback": []}])
    message = render_error(project, tmp_path)
    assert f"{NOTEBOOK}#fig-demo" in message and "ZeroDivisionError: division by zero" in message


def test_error_for_a_cross_reference_to_nothing(project, tmp_path):
    edit_article(project, "come from one notebook.", "come from one notebook, unlike @tbl-missing.")
    assert render_error(project, tmp_path) == (
        "index.qmd: cross-reference @tbl-missing points to no section, table or figure")


def test_error_for_a_cross_reference_to_an_unnumbered_section(project, tmp_path):
    # Quarto cannot resolve it either (it prints "?@sec-notes").
    edit_article(project, "come from one notebook.", "come from one notebook (@sec-notes).")
    assert render_error(project, tmp_path) == "index.qmd: cross-reference @sec-notes points to an unnumbered section"


def test_error_for_a_duplicate_label(project, tmp_path):
    edit_article(project, "## Notes {#sec-notes", "## Notes {#sec-intro")
    assert render_error(project, tmp_path) == "index.qmd: duplicate label #sec-intro"


def test_error_from_typst_carries_its_diagnostic(project, tmp_path):
    edit_article(project, "## Notes", "```{=typst}\n#no-such-function()\n```\n\n## Notes")
    message = render_error(project, tmp_path)
    assert "index.qmd: Typst failed" in message and "no-such-function" in message


def test_pandoc_runs_with_a_larger_allocation_area_where_it_accepts_one(tmp_path):
    import pypandoc

    from bolero_evidence.pipeline import render as render_module

    assert render_module._runtime_options(pypandoc.get_pandoc_path()) == render_module.RUNTIME_OPTIONS
    refusing = tmp_path / "pandoc-without-runtime-options"  # as a pandoc linked without -rtsopts answers
    refusing.write_text('#!/bin/sh\ncase "$1" in +RTS) echo "pandoc: Most RTS options are disabled." >&2; exit 1;; esac\n', encoding="utf-8")
    refusing.chmod(0o755)
    assert render_module._runtime_options(str(refusing)) == ()
    assert render_module._runtime_options(str(tmp_path / "no-such-pandoc")) == ()

