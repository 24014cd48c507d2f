"""Command line: ``bolero-evidence validate`` and ``bolero-evidence build``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .data.errors import DataValidationError


def _validate(args: argparse.Namespace) -> int:
    from .data.loader import load_tables
    from .data.provenance import check_provenance, seeds_dir

    data_dir = Path(args.data_dir) if args.data_dir else None
    try:
        tables = load_tables(data_dir)
    except DataValidationError as error:
        print(error, file=sys.stderr)
        return 1
    from .data.loader import default_data_dir

    data_dir = data_dir or default_data_dir()
    problems = check_provenance(tables, data_dir, Path(args.seeds_dir) if args.seeds_dir else seeds_dir())
    if problems:
        print(DataValidationError(problems), file=sys.stderr)
        return 1
    rows = sum(len(frame) for frame in tables.values())
    print(f"data valid: {len(tables)} tables, {rows} rows; every quote found in its seed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bolero-evidence", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="validate data/ and trace every row to its seed")
    validate.add_argument("--data-dir", help="folder of datapackage.json and the CSV files (default: data/)")
    validate.add_argument("--seeds-dir", help="folder of the seed documents (default: ../shared/seeds)")
    validate.set_defaults(func=_validate)
    build = sub.add_parser("build", help="validate the data and build the report")
    build.add_argument("--data-dir", help=argparse.SUPPRESS)
    build.add_argument("--seeds-dir", help=argparse.SUPPRESS)
    build.set_defaults(func=_build)
    args = parser.parse_args(argv)
    return args.func(args)


def _build(args: argparse.Namespace) -> int:
    status = _validate(args)
    if status == 0:
        print("build: the report does not exist yet; this command validated the data and did nothing else")
    return status


if __name__ == "__main__":
    sys.exit(main())
