"""report/fallback/register-anchors.lua: a table cell holding a register id becomes an anchor named by the id."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypandoc
import pytest

FILTER = Path(__file__).resolve().parents[2] / "report" / "fallback" / "register-anchors.lua"
ARTICLE = """\
| id | value |
|:--|--:|
| orr.local.everolimus | 9.5 |
| orr.local.placebo | 0.4 |
| not.in.register | 1.0 |
| orr.local.everolimus | 9.5 |
| Orr.local | 2.0 |
| 4.1 | 3.0 |
"""


def _render(project: Path, to: str) -> str:
    (project / "index.md").write_text(ARTICLE, encoding="utf-8")
    run = subprocess.run([pypandoc.get_pandoc_path(), "--lua-filter", str(FILTER), "--to", to, "--wrap=none", "index.md"], cwd=project,
                         capture_output=True, text=True, check=True)
    return run.stdout


@pytest.fixture
def project(tmp_path):
    (tmp_path / "report" / "generated").mkdir(parents=True)
    (tmp_path / "report" / "generated" / "register.csv").write_text(
        "id,value\norr.local.everolimus,9.48\norr.local.placebo,0.42\n", encoding="utf-8")
    return tmp_path


def test_register_ids_become_anchors_with_the_id_as_code(project):
    html = _render(project, "html")
    for rid in ("orr.local.everolimus", "orr.local.placebo"):
        assert f'<span id="{rid}" class="register-id"><code>{rid}</code></span>' in html


def test_an_id_is_anchored_once_and_shown_as_code_where_it_repeats(project):
    html = _render(project, "html")
    assert html.count('id="orr.local.everolimus"') == 1
    assert html.count("<code>orr.local.everolimus</code>") == 2


def test_text_that_is_not_a_register_id_is_left_alone(project):
    # The cases that must not be anchored: an id-like text missing from the register, capitals, a number.
    html = _render(project, "html")
    for text in ("not.in.register", "Orr.local", "4.1"):
        assert f'id="{text}"' not in html and f"<code>{text}</code>" not in html and text in html


def test_typst_gets_a_label_and_raw_text(project):
    typst = _render(project, "typst")
    assert "`orr.local.everolimus`" in typst and "<orr.local.everolimus>" in typst
