"""Text from the data reaches the report as text: markup in a data cell is shown, never executed or fetched.

A copy of ``data/`` gets hostile text in a cell that a report table shows
(the place in the source of a trial-conduct row, shown in section 5.3). The
cells of notebook 08 that load the tables and draw that table (its
``read_tables`` cell and ``tbl-conduct``, read from the saved notebook) run
in this process on that copy: the same loader, derived module and
presentation code (``markdown_table``, which escapes every cell) as in a
build. Their ``text/markdown`` output, the one a kernel would save, becomes
the output of the table cell of the small fixture project
(``fixtures/mini``), which is rendered with the fallback renderer, the one
the build uses without Quarto, through the same embed filter. The HTML is
then searched for what the text would have become had it been passed through
raw.

Why not build the whole report: that took 100 s (the whole article, all nine
notebooks embedded) to test one table cell's path. What this leaves out is
the kernel, whose ``text/markdown`` output is the ``data`` of the same
``Markdown`` object, and the rest of the article.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.render import render_with_pandoc
from tests.conftest import ROOT, edit_cell, find_line
from tests.pipeline.test_render import make_project, set_outputs

pytestmark = pytest.mark.slow

HOSTILE = {
    "svg": "<svg onload=\"document.title='X'\">",
    "link": "[x](javascript:alert(1))",
    "script": "<script>alert(1)</script> rest of the cell",
    "image": "<img src=\"https://example.org/x.png\">",
}
# What each hostile text would have become in the HTML had it been passed through raw.
PATTERNS = [r"<svg\b[^>]*onload", r"href=\"javascript:", r"<script>alert", r"<img\b[^>]*src=\"https://example\.org"]
NOTEBOOK = ROOT / "analysis" / "08-survival-quality-of-life.ipynb"
CELL_LABEL = "tbl-conduct"


def _run_cell(source: str, namespace: dict):
    """Execute a cell's source as the kernel does: the value of a final expression is its output."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, NOTEBOOK.name, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), NOTEBOOK.name, "eval"), namespace) if last else None


def conduct_table_markdown(project: Path) -> str:
    """The ``text/markdown`` output of notebook 08's conduct table, computed from ``project``'s data."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    (setup,) = [c for c in cells if "read_tables(" in c]
    (table,) = [c for c in cells if f"#| label: {CELL_LABEL}\n" in c]
    namespace: dict = {}
    before = os.getcwd()
    # The notebook finds its data from its working directory, as in a build.
    os.chdir(project)
    try:
        _run_cell(setup, namespace)
        output = _run_cell(table, namespace)
    finally:
        os.chdir(before)
    return output.data


def _render_table_output(base: Path, markdown: str) -> str:
    """The mini fixture rendered with ``markdown`` as its table cell's output: the HTML."""
    project = make_project(base / "mini")
    set_outputs(project, "tbl-demo", [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                       "data": {"text/markdown": markdown, "text/plain": "<IPython.core.display.Markdown object>"}}])
    render_with_pandoc(Project(project), base / "out", progress=lambda line: None)
    return (base / "out" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    data_project = base / "data-project"
    shutil.copytree(ROOT / "data", data_project / "data")
    shutil.copy2(ROOT / "_quarto.yml", data_project / "_quarto.yml")
    line = find_line(data_project / "data", "trial_conduct", topic="dose", item="exemestane_daily")
    edit_cell(data_project / "data", "trial_conduct", line, "locator", " ".join(HOSTILE.values()))
    markdown = conduct_table_markdown(data_project)
    return markdown, _render_table_output(base, markdown)


def test_the_hostile_cell_reaches_the_table_output_escaped(rendered):
    # Guards the set-up: the edited row (the exemestane dose) is in the table the notebook shows.
    markdown, _ = rendered
    (row,) = [line for line in markdown.splitlines() if "exemestane daily" in line]
    assert r"\<script\>alert(1)\</script\>" in row and r"\[x\](javascript:alert(1))" in row


def test_the_checks_fail_on_hostile_text_passed_through_raw(tmp_path):
    # The case that must fail: the same cell without the presentation code's escaping. The renderer
    # still shows raw HTML as text (its own guard), but the Markdown link becomes a live javascript: link.
    hostile = " ".join(HOSTILE.values())
    page = _render_table_output(tmp_path, f"| Source |\n|:--|\n| {hostile} |")
    assert re.search(r"href=\"javascript:", page)
    shown = _shown_text(page)
    assert [name for name, value in HOSTILE.items() if value not in shown] == ["link"]


def _shown_text(page: str) -> str:
    # Tags dropped (line-break hints such as <wbr> included), entities decoded, typographic quotes
    # (pandoc's smart punctuation) read as straight ones: what a reader sees.
    text = html.unescape(re.sub(r"<[^>]+>", "", page)).translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text)


def test_hostile_text_is_shown_as_text(rendered):
    _, page = rendered
    shown = _shown_text(page)
    for value in HOSTILE.values():
        assert value in shown, value


@pytest.mark.parametrize("pattern", PATTERNS)
def test_hostile_text_adds_no_element_attribute_or_link(rendered, pattern):
    _, page = rendered
    assert re.search(pattern, page, re.IGNORECASE) is None
