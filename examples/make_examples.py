"""Make the example files that the DOCX reader and the 'changed' verdict need.

Run from the project root: ``python examples/make_examples.py``. It writes

- ``examples/draft.docx``: ``examples/draft.md`` as a Word document, written
  with python-docx (headings, paragraphs and the table), so that
  ``check-draft`` reads the same draft from DOCX;
- ``examples/register-0.0.1-example.csv``: a stand-in for an earlier release
  of the register, which the project does not have yet. It is the current
  register with one method changed, as a release might change it: the 95%
  interval of ``orr.central.everolimus`` (34 of 485) computed by the Wald
  (normal approximation) method instead of Clopper-Pearson, with
  statsmodels. No figure in it is transcribed or invented; it exists only so
  the example draft shows the "changed" verdict.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHANGED_ID = "orr.central.everolimus"
# 34 responders of 485 randomised: the counts the register's description gives for this id.
RESPONDERS, RANDOMISED = 34, 485


def write_docx(markdown: Path, target: Path) -> Path:
    """``markdown`` (headings, paragraphs, one pipe table) as a DOCX written with python-docx."""
    import docx

    document = docx.Document()
    blocks = re.split(r"\n\s*\n", markdown.read_text(encoding="utf-8").strip())
    for block in blocks:
        lines = block.splitlines()
        if lines[0].startswith("#"):
            level = len(lines[0]) - len(lines[0].lstrip("#"))
            document.add_heading(lines[0].lstrip("# ").strip(), level=level)
        elif lines[0].startswith("|"):
            rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines if not re.match(r"^\|[-| ]+\|$", line)]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        else:
            document.add_paragraph(" ".join(line.strip() for line in lines).replace("`", ""))
    document.core_properties.title = "Everolimus plus exemestane: evidence table (example draft)"
    document.save(str(target))
    return target


def write_earlier_register(target: Path) -> Path:
    from statsmodels.stats.proportion import proportion_confint

    sys.path.insert(0, str(ROOT / "src"))
    from bolero_evidence.register import SIGNIFICANT_DIGITS, read_register, register_csv

    frame = read_register(ROOT / "report" / "generated" / "register.csv")
    low, high = proportion_confint(RESPONDERS, RANDOMISED, alpha=0.05, method="normal")
    row = frame.index[frame["id"] == CHANGED_ID][0]
    frame.loc[row, ["ci_low", "ci_high"]] = [float(f"{100 * bound:.{SIGNIFICANT_DIGITS}g}") for bound in (low, high)]
    frame.loc[row, "method"] = "Wald (normal approximation) 95% CI; counts reconstructed from the printed %"
    target.write_text(register_csv(frame), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_docx(HERE / "draft.md", HERE / "draft.docx"))
    print(write_earlier_register(HERE / "register-0.0.1-example.csv"))
