"""Tools for the drafts that quote the report: cite a figure, check a draft, diff two registers, publish the register.

- :func:`~.cite.render_citations`: ``bolero-evidence cite``
- :func:`~.check.check_draft`: ``bolero-evidence check-draft``
- :func:`~.diff.diff_registers`, :func:`~.diff.write_changelog`: ``bolero-evidence diff``, and the build's changelog
- :func:`~.publish.publish_tables`: the register as CSV, JSON and a Frictionless descriptor beside the HTML
- :mod:`~.numberstyle`: how the report writes a figure
"""

from .diff import write_changelog
from .publish import publish_tables

__all__ = ["write_changelog", "publish_tables"]
