"""Exit codes of the citing commands and the errors that carry them.

A draft's own CI runs ``bolero-evidence check-draft``; it must tell "the
draft quotes something wrong" (fix the draft) from "the check could not run"
(fix the command). Each kind of bad input has its own code so a script can
tell them apart too.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "CitingError", "UnreadableFile", "NoCitations", "UnknownId", "UnknownRevision"]


class ExitCode(IntEnum):
    """Exit codes of ``cite``, ``check-draft`` and ``diff``."""

    OK = 0
    #: check-draft: at least one citation is wrong, outdated, unknown or badly rounded.
    PROBLEMS_FOUND = 1
    #: argparse's own code for a malformed command line.
    USAGE = 2
    #: the file is missing, not readable, not text, or not a valid DOCX.
    UNREADABLE_FILE = 3
    #: check-draft: the draft cites no register id at all.
    NO_CITATIONS = 4
    #: cite: an id that is not in the register.
    UNKNOWN_ID = 5
    #: a git revision that does not exist, or holds no register.
    UNKNOWN_REVISION = 6


class CitingError(Exception):
    """Bad input: the message says what was found and what was expected."""

    exit_code = ExitCode.USAGE


class UnreadableFile(CitingError):
    exit_code = ExitCode.UNREADABLE_FILE


class NoCitations(CitingError):
    exit_code = ExitCode.NO_CITATIONS


class UnknownId(CitingError):
    exit_code = ExitCode.UNKNOWN_ID


class UnknownRevision(CitingError):
    exit_code = ExitCode.UNKNOWN_REVISION
