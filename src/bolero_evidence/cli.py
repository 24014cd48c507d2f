"""Command line: ``bolero-evidence validate`` and ``bolero-evidence build``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .data.errors import DataValidationError
from .paths import find_project


def _validate(args: argparse.Namespace) -> int:
    from .data.loader import load_tables
    from .data.provenance import check_provenance, seeds_dir

    data_dir = Path(args.project) / "data"
    try:
        tables = load_tables(data_dir)
        seeds = Path(args.seeds_dir) if args.seeds_dir else seeds_dir(Path(args.project))
        problems = check_provenance(tables, data_dir, seeds)
        if problems:
            raise DataValidationError(problems)
    except DataValidationError as error:
        print(error, file=sys.stderr)
        return 1
    rows = sum(len(frame) for frame in tables.values())
    print(f"data valid: {len(tables)} tables, {rows} rows; every quote found in its seed")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .pipeline.pipeline import BuildError, build

    project = Path(args.project)
    try:
        result = build(project, seeds=Path(args.seeds_dir) if args.seeds_dir else None, force=args.force,
                       use_quarto=False if args.no_quarto else None)
    except DataValidationError as error:
        print(f"build stopped at [1/4] validating data/: nothing was written.\n{error}", file=sys.stderr)
        return 1
    except BuildError as error:
        print(f"build stopped: {error}\nThe previous report in _output/ is untouched.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted: the previous report in _output/ is untouched; notebooks and generated tables are "
              "written whole or not at all, so the next build carries on from here.", file=sys.stderr)
        return 130
    except OSError as error:
        # A read-only or full disk: one line naming the file, not a traceback.
        where = f"{error.filename}{f' -> {error.filename2}' if error.filename2 else ''}: " if error.filename else ""
        print(f"build stopped: {where}{error.strerror or error}\nThe previous report in _output/ is untouched.", file=sys.stderr)
        return 1
    executed = sum(r.executed for r in result.notebooks)
    print(f"done in {result.seconds:.1f} s: {executed} of {len(result.notebooks)} notebooks executed; "
          f"report {'rendered' if result.rendered else 'unchanged'} by {result.renderer}")
    for fmt, path in result.outputs.items():
        print(f"  {fmt.upper():5s} {path}")
    if result.renderer != "quarto" and result.rendered:
        why = "as asked (--no-quarto)" if args.no_quarto else "because Quarto is not on the PATH"
        print(f"notice: rendered by the fallback (pandoc and Typst) {why}. " + " ".join(f"{note.rstrip('.')}." for note in result.notes))
    return 0


def _execute(args: argparse.Namespace) -> int:
    from .paths import Project
    from .pipeline.notebooks import NotebookError, NotebookFailed, execute_notebook, save_notebook
    from .pipeline.pipeline import plan

    project = Project(Path(args.project).resolve())
    wanted = {Path(name).resolve() for name in args.notebooks}
    unknown = wanted - set(project.notebooks())
    if unknown:
        print(f"not a notebook of {project.analysis}: {', '.join(sorted(map(str, unknown)))}", file=sys.stderr)
        return 2
    try:
        from .data.loader import load_tables

        names = sorted(load_tables(project.data))
        todo = {**plan(project, names, force=True), **plan(project, names, force=True, late=True)}
        for path in sorted(wanted):
            save_notebook(path, execute_notebook(path, todo[path][1]))
            print(f"executed and saved {path}")
    except (NotebookFailed, NotebookError) as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    except DataValidationError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bolero-evidence", description="Validate the BOLERO-2 data and build the evidence summary.")
    parser.add_argument("--project", help="checkout to work on (default: the one holding the working directory, else this one)")
    parser.add_argument("--seeds-dir", help="folder of the seed documents (default: $BOLERO_SEEDS_DIR or ../shared/seeds)")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="validate data/ and trace every row to its seed; writes nothing")
    validate.set_defaults(func=_validate)
    build = sub.add_parser("build", help="validate, execute changed notebooks, write the register, render HTML, PDF and DOCX")
    build.add_argument("--force", action="store_true", help="execute every notebook and render even if nothing changed")
    build.add_argument("--no-quarto", action="store_true", help="use the pandoc + Typst route even if Quarto is installed")
    build.set_defaults(func=_build)
    execute = sub.add_parser("execute", help="execute notebooks in place and save their outputs (for authors; the build does this itself)")
    execute.add_argument("notebooks", nargs="+", help="notebook files")
    execute.set_defaults(func=_execute)
    from .citing.commands import add_commands as add_citing_commands

    add_citing_commands(sub)
    args = parser.parse_args(argv)
    try:
        args.project = args.project or str(find_project().root)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
