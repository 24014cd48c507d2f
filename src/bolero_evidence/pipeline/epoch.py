"""The report's creation time, ``SOURCE_DATE_EPOCH``: the time of the data, not of the build.

Typst writes a creation date into the PDF and pandoc one into the DOCX (its
``docProps/core.xml``); each takes it from ``SOURCE_DATE_EPOCH`` when that is
set, and from the clock otherwise, so two builds of the same sources would
differ by it. The build sets it, unless the user already has, to the commit
time of the last commit that changed ``data/``: the instant behind the "data
date" the report prints (``report/fallback/build-info.lua``,
:func:`bolero_evidence.citing.registers.data_date`), so the PDF's metadata
and its title page tell the same date, and the file is byte-identical
between two builds of one commit.

References
----------
Reproducible Builds, ``SOURCE_DATE_EPOCH`` specification.
https://reproducible-builds.org/specs/source-date-epoch/
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["ENVIRONMENT_VARIABLE", "EpochError", "data_epoch", "source_date_epoch"]

ENVIRONMENT_VARIABLE = "SOURCE_DATE_EPOCH"


class EpochError(ValueError):
    """``SOURCE_DATE_EPOCH`` is set to something that is not a time."""


def data_epoch(root: Path) -> int | None:
    """Commit time (UNIX seconds) of the last commit that changed ``root/data``.

    Without git (an exported copy), the modification time of the newest file
    of ``data/``, the same rule as the printed data date; None if there is
    neither.
    """
    try:
        completed = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct", "--", "data"],
                                   capture_output=True, text=True, timeout=30)
        if completed.returncode == 0 and completed.stdout.strip():
            return int(completed.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    files = [p for p in (Path(root) / "data").glob("*") if p.is_file()]
    return int(max(p.stat().st_mtime for p in files)) if files else None


def source_date_epoch(root: Path, environ: dict[str, str] | None = None) -> tuple[int | None, str]:
    """The epoch a build of ``root`` renders with, and where it came from (for the build log).

    Parameters
    ----------
    root : Path
        The project.
    environ : dict, optional
        The environment to read (default ``os.environ``); a value set there wins.

    Raises
    ------
    EpochError
        ``SOURCE_DATE_EPOCH`` is set but is not a non-negative integer.
    """
    environ = os.environ if environ is None else environ
    given = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if given:
        if not given.isdigit():
            raise EpochError(f"{ENVIRONMENT_VARIABLE}={given!r} is not usable: expected the UNIX time in whole seconds, e.g. 1700000000")
        return int(given), "set in the environment"
    epoch = data_epoch(root)
    if epoch is None:
        return None, "no data/ to date the report by: the renderers use the clock"
    return epoch, "the last change to data/"
