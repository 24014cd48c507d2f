"""The reader-facing outputs of notebook 07 (plain-language summary, summary of findings, notes) carry no internal names."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from bolero_evidence.paths import find_project

SOURCES = pd.read_csv(find_project().root / "data" / "sources.csv")
# Internal names a reader must never see: source ids, seed file names, machine column names and build words.
INTERNAL = [*SOURCES["source_id"], *SOURCES["seed_file"], "hr_ci_low", "hr_ci_high", "comparison", "seeds",
            "Rendered without Quarto", "unstated", "_"]


def _outputs() -> str:
    notebook = json.loads((find_project().root / "analysis" / "07-summary-of-findings.ipynb").read_text())
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("data", {}).get("text/markdown", "")))
    return "\n".join(texts)


def test_outputs_exist():
    assert "Summary" not in INTERNAL and "Progression-free survival" in _outputs()


@pytest.mark.parametrize("name", INTERNAL)
def test_no_internal_name_in_reader_text(name):
    text = _outputs().replace("\\_", "_")
    assert re.search(re.escape(name), text) is None, f"{name!r} in the reader-facing outputs of notebook 07"


def test_the_check_finds_an_internal_name():
    # The case that must fail: an output naming a source by its id is caught.
    assert re.search(re.escape("nejm_2011"), _outputs() + " NEJM 2011 (nejm_2011)") is not None
