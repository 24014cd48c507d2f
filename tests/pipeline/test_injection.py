"""Text from the data reaches the report as text: markup in a data cell is shown, never executed or fetched.

A copy of the project gets hostile text in a cell that a report table shows
(the place in the source of a trial-conduct row, shown in section 5.3), is
built with the fallback renderer, and the HTML is searched for what the text
would have become had it been passed through raw.
"""

from __future__ import annotations

import html
import re

import pytest

from bolero_evidence.pipeline.pipeline import build
from tests.conftest import copy_project, edit_cell, find_line

pytestmark = pytest.mark.slow

HOSTILE = {
    "svg": "<svg onload=\"document.title='X'\">",
    "link": "[x](javascript:alert(1))",
    "script": "<script>alert(1)</script> rest of the cell",
    "image": "<img src=\"https://example.org/x.png\">",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, seeds):
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    line = find_line(project / "data", "trial_conduct", topic="dose", item="exemestane_daily")
    edit_cell(project / "data", "trial_conduct", line, "locator", " ".join(HOSTILE.values()))
    build(project, seeds=seeds, use_quarto=False, progress=lambda line: None)
    return (project / "_output" / "index.html").read_text(encoding="utf-8")


def test_hostile_text_is_shown_as_text(rendered):
    # Tags dropped (line-break hints such as <wbr> included), entities decoded, typographic quotes
    # (pandoc's smart punctuation) read as straight ones: what a reader sees.
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).translate(str.maketrans("‘’“”", "''\"\""))
    for value in HOSTILE.values():
        assert value in re.sub(r"\s+", " ", text), value


@pytest.mark.parametrize("pattern", [
    r"<svg\b[^>]*onload", r"href=\"javascript:", r"<script>alert", r"<img\b[^>]*src=\"https://example\.org",
])
def test_hostile_text_adds_no_element_attribute_or_link(rendered, pattern):
    assert re.search(pattern, rendered, re.IGNORECASE) is None
