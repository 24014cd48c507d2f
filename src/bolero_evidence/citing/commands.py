"""The ``cite``, ``check-draft`` and ``diff`` subcommands (registered by :func:`add_commands`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import CitingError, ExitCode

__all__ = ["add_commands"]

_EXIT_CODES = "exit codes: " + ", ".join(f"{code.value} {code.name.lower().replace('_', ' ')}" for code in ExitCode)


def _releases(pairs: list[str]) -> dict[str, str]:
    releases = {}
    for pair in pairs or []:
        version, sep, source = pair.partition("=")
        if not sep or not version or not source:
            raise CitingError(f"--release {pair!r}: expected VERSION=FILE_OR_REVISION, e.g. 0.1.0=v0.1.0")
        releases[version] = source
    return releases


def _cite(args: argparse.Namespace) -> int:
    from .cite import render_citations
    from .registers import load_register

    register = load_register(Path(args.project), args.at)
    print(render_citations(register, args.ids, args.format, args.base_url))
    return ExitCode.OK


def _check(args: argparse.Namespace) -> int:
    from .check import check_draft
    from .registers import load_register

    root = Path(args.project)
    current = load_register(root, args.register)
    result = check_draft(Path(args.draft), root, current, stated_version=args.stated_version, releases=_releases(args.release))
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        n = len(result.citations)
        print(f"{result.path}: {n} citation{'s' * (n != 1)}, checked against the register of "
              f"{'version ' + result.current_version + ' (' + result.current + ')' if result.current_version else result.current}")
        width = max(len(c.id) for c in result.citations)
        for c in result.citations:
            quoted = f"quoted {c.quoted!r}" if c.quoted else "no figure"
            stated = f" [cites version {c.stated_version}]" if c.stated_version else ""
            print(f"  {c.where:<24} {c.verdict.upper():<14} {c.id:<{width}}  {quoted}{stated}; {c.message}")
        for version, where in result.unknown_versions:
            print(f"  {where:<24} {'UNKNOWN-VERSION':<14} report version {version}: no register known for it "
                  f"(no tag v{version}; give one with --release {version}=FILE_OR_REVISION)")
        print(result.summary())
    return ExitCode.OK if result.ok else ExitCode.PROBLEMS_FOUND


def _diff(args: argparse.Namespace) -> int:
    from .diff import diff_registers, format_diff
    from .registers import load_register

    root = Path(args.project)
    new = load_register(root, None if args.new == "WORKTREE" else args.new)
    print(format_diff(diff_registers(load_register(root, args.old), new), markdown=args.markdown), end="")
    return ExitCode.OK


def _run(handler):
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except CitingError as error:
            print(f"error: {error}", file=sys.stderr)
            return int(error.exit_code)
    return run


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``cite``, ``check-draft`` and ``diff`` to the CLI's subparsers."""
    formatter = argparse.RawDescriptionHelpFormatter
    cite = sub.add_parser("cite", help="ready-to-paste citations of register figures", formatter_class=formatter, epilog=_EXIT_CODES,
                          description="Print a citation of each register id: the figure in the report's number style, what it is, "
                                      "the report's version, date and section, and the link to the figure in the HTML.")
    cite.add_argument("ids", nargs="+", metavar="ID", help="register ids, e.g. pfs.central.final.median_gain")
    cite.add_argument("--format", choices=["plain", "markdown", "csl-json", "bibtex"], default="plain")
    cite.add_argument("--at", metavar="REV_OR_FILE",
                      help="cite the register of a git revision or a register file (default: the working tree)")
    cite.add_argument("--base-url", default="index.html", help="URL of the report's HTML (default: %(default)s)")
    cite.set_defaults(func=_run(_cite))

    check = sub.add_parser("check-draft", help="check the figures a draft quotes against the register",
                           formatter_class=formatter, epilog=_EXIT_CODES,
                           description="Find every register id a draft (.md, .txt or .docx) cites and the figure next to it, "
                                       "and judge each against the register at the report version the draft states and now.")
    check.add_argument("draft", help="the draft: Markdown, plain text or DOCX")
    check.add_argument("--register", metavar="REV_OR_FILE", help="check against this register (default: the working tree's)")
    check.add_argument("--stated-version", metavar="VERSION", help="the report version the draft quotes, overriding what it states")
    check.add_argument("--release", action="append", metavar="VERSION=REV_OR_FILE",
                       help="the register of a report version that has no tag v<VERSION> (repeatable)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(func=_run(_check))

    diff = sub.add_parser("diff", help="figures added, removed and changed between two versions of the register",
                          formatter_class=formatter, epilog=_EXIT_CODES)
    diff.add_argument("old", help="a register file or a git revision (tag, branch, commit)")
    diff.add_argument("new", nargs="?", default="WORKTREE", help="a register file or a git revision (default: the working tree)")
    diff.add_argument("--markdown", action="store_true", help="write the changelog as Markdown")
    diff.set_defaults(func=_run(_diff))
