"""No internal names in text a reader sees (issue 11): the rule can fail, and the saved notebooks and the article pass it.

The rendered HTML is checked in ``test_build.py`` on the build that module
already makes (no second build here). What counts as an internal name, and
which ids are shown on purpose: :mod:`tests.pipeline.reader_text`.
"""

from __future__ import annotations

import re

import pytest

from bolero_evidence.presentation.names import SECTION_TITLES
from tests.pipeline.reader_text import (
    ROOT,
    article_text,
    column_names,
    html_plain,
    internal_names,
    known_ids,
    markdown_plain,
    notebook_texts,
    project_names,
    source_ids,
)

REGISTER_ID = "pfs.local.interim.median_gain"


def _names(text: str) -> list[str]:
    return [name for name, _ in internal_names(text, known_ids={REGISTER_ID}, source_ids={"nejm_2011", "mtor_review_2014"})]


def test_internal_names_are_found():
    text = ("The gain is from nejm_2011 (file 003_47ceb6856ae0d802.txt), column hr_ci_low; see sec-pfs. "
            "Read from pfs_subgroups.csv. Rendered without Quarto from the seeds.")
    assert _names(text) == ["nejm_2011", "003_47ceb6856ae0d802.txt", "hr_ci_low", "sec-pfs", "pfs_subgroups.csv",
                            "Quarto", "seeds"]


def test_a_register_id_and_ordinary_prose_are_not_internal_names():
    text = (f"Median PFS was 4.1 months longer ({REGISTER_ID}; NEJM 2011, Table 3). The hazard ratio was "
            "0.43 (95% CI 0.35 to 0.54), P<0.001; grade 3–4 anaemia; the register is published as register.csv.")
    assert _names(text) == []


def test_a_name_is_reported_with_the_text_around_it():
    [(name, context)] = internal_names("a long sentence that names nejm_2011 in its middle", source_ids={"nejm_2011"}, context=10)
    assert name == "nejm_2011" and context == "hat names nejm_2011 in its mi"


def test_every_schema_column_with_an_underscore_is_an_internal_name():
    snake = sorted(name for name in column_names() if "_" in name)
    assert snake, "the schemas have snake_case columns (source_id, ...)"
    missed = [name for name in snake if not internal_names(f"the {name} column")]
    assert missed == []


def test_markup_is_not_text():
    assert markdown_plain(r"pfs.local.interim.median\_gain {#sec-pfs} @tbl-pfs-overall [x](data/pfs.csv)").split() == \
        ["pfs.local.interim.median_gain", "Section", "[x]"]
    assert html_plain('<p id="sec-pfs">a<wbr>_b <span title="t.x">c</span></p><script>nejm_2011</script>').split() == \
        ["a_b", "t.x", "c"]


def _report(found: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {name!r} in {where}: …{context}…" for where, name, context in found[:40]) + \
        (f"\n  ... and {len(found) - 40} more" if len(found) > 40 else "")


@pytest.mark.parametrize("notebook", sorted((ROOT / "analysis").glob("*.ipynb")), ids=lambda p: p.stem)
def test_the_saved_notebooks_show_no_internal_names(notebook):
    ids, sources = known_ids(), source_ids()
    found = [(where, name, context) for where, text in notebook_texts(notebook)
             for name, context in internal_names(text, known_ids=ids, source_ids=sources)]
    assert found == [], f"internal names in the reader-facing text of {notebook.name}:\n{_report(found)}"


def test_the_article_source_shows_no_internal_names():
    found = [("index.qmd", name, context) for name, context in project_names(article_text(ROOT / "index.qmd"))]
    assert found == [], f"internal names in index.qmd:\n{_report(found)}"


def test_the_register_sections_have_the_titles_of_the_article():
    headings = dict((label, title.strip()) for title, label in
                    re.findall(r"^##\s+(.+?)\s+\{#(sec-[a-z0-9-]+)\}", (ROOT / "index.qmd").read_text(encoding="utf-8"), re.M))
    assert {label: headings.get(label) for label in SECTION_TITLES} == SECTION_TITLES


def test_american_spellings_are_found():
    from tests.pipeline.reader_text import american_spellings

    assert [word for word, _ in american_spellings("Randomized; anemia and Hyperglycemia. Anaemia, oedema.")] == \
        ["Randomized", "anemia", "Hyperglycemia"]


def test_the_reports_own_prose_is_in_british_spelling():
    # The article and the notebooks' prose cells; tables may quote a source, which keeps its spelling.
    from tests.pipeline.reader_text import american_spellings

    prose = [("index.qmd", article_text(ROOT / "index.qmd"))]
    for notebook in sorted((ROOT / "analysis").glob("*.ipynb")):
        prose += [(where, text) for where, text in notebook_texts(notebook) if "output" not in where]
    found = [(where, word, context) for where, text in prose for word, context in american_spellings(text)]
    assert found == [], _report(found)
