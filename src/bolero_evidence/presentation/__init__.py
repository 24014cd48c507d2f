"""How derived figures are written for a reader: the one place numbers become text.

The analysis modules (:mod:`bolero_evidence.derived`) return numbers; this
package turns them into the text of the report's tables. :mod:`.text` holds
the writing rules every table shares (one minus sign, one way to write an
interval, a missing value, yes/no, a P value) and :func:`.text.markdown_table`,
which escapes text from the data so that it shows as text in HTML, Typst and
DOCX. One module per topic (:mod:`.pfs`, :mod:`.response`, ...) builds the
display tables of one notebook from the frames its analysis module returns.
"""

from .text import (
    INFINITY,
    MINUS,
    MISSING,
    escape_markdown,
    estimate_with_interval,
    hazard_ratio,
    interval,
    markdown_table,
    months,
    number,
    number_needed,
    p_value,
    percent,
    signed,
    yes_no,
)

__all__ = ["INFINITY", "MINUS", "MISSING", "escape_markdown", "estimate_with_interval", "hazard_ratio", "interval",
           "markdown_table", "months", "number", "number_needed", "p_value", "percent", "signed", "yes_no"]
