"""The build: validate the data, execute stale notebooks, write the register, render.

Steps, each reported as it runs:

1. **Validate** every table and trace every row to its source document. On
   a problem the build stops before writing anything.
2. **Execute** the notebooks whose inputs changed (two at a time; see
   :mod:`.notebooks`). Notebooks that read the register run after the
   others, against the entries those just published.
3. **Generated tables**: collect what the saved notebooks publish into
   ``report/generated/``: the register (``register.csv``), the discrepancy
   register (``discrepancies.csv``), and the changelog of figures against the
   previous release tag when there is one.
4. **Render** with Quarto when it is on the PATH, else with the pandoc
   fallback, into a staging folder, publish the register and the discrepancy
   table beside the HTML (CSV, JSON, Frictionless descriptor), and replace
   ``_output/`` only once the HTML, PDF and DOCX all exist. A failed render
   leaves the previous report untouched. Both renderers get
   ``SOURCE_DATE_EPOCH`` (the time of the last change to ``data/`` unless the
   user set it; see :mod:`.epoch`), so a PDF and DOCX rebuilt from the same
   commit are byte-identical.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..data.errors import DataValidationError, Problem
from ..paths import Project
from ..published import PublishedTableError, collect_tables
from ..register import RegisterError, collect_register, register_csv
from .epoch import ENVIRONMENT_VARIABLE, EpochError, source_date_epoch
from .notebooks import (
    Inputs,
    NotebookError,
    NotebookFailed,
    declared_inputs,
    execute_notebook,
    inputs_fingerprint,
    package_fingerprint,
    save_notebook,
    saved_fingerprint,
    sha256_of,
    write_whole,
)

__all__ = ["BuildError", "BuildResult", "NotebookRun", "build", "plan", "FORMATS"]

FORMATS = ("html", "pdf", "docx")
REGISTER_FILE = "register.csv"
# Tables notebooks publish (bolero_evidence.published) that the build writes
# and publishes with the report, with their Table Schema and title.
PUBLISHED_TABLES = {
    "discrepancies": ({"fields": [
        {"name": "id", "type": "string", "description": "stable id: kind and a hash of what the discrepancy is about"},
        {"name": "kind", "type": "string"},
        {"name": "subject", "type": "string", "description": "what the versions are figures of"},
        {"name": "reason", "type": "string", "description": "why they cannot all be right, in one line"},
        {"name": "n_versions", "type": "integer"},
        {"name": "versions", "type": "string", "description": "JSON list: each printed version with its source and place"},
    ], "primaryKey": ["id"]}, "Discrepancies between sources"),
}


class BuildError(RuntimeError):
    """The build stopped; the message says at which step and why."""


@dataclass(frozen=True)
class NotebookRun:
    """What happened to one notebook in a build."""

    notebook: str
    executed: bool
    reason: str
    seconds: float = 0.0


@dataclass
class BuildResult:
    """What a build did."""

    outputs: dict[str, Path]
    renderer: str
    notebooks: list[NotebookRun] = field(default_factory=list)
    rendered: bool = True
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _validate(project: Project, seeds: Path | None, progress: Callable[[str], None]) -> list[str]:
    from ..data.loader import load_tables
    from ..data.provenance import check_provenance

    seeds = seeds or project.seeds
    if not seeds.is_dir():
        raise DataValidationError([Problem(seeds, None, None, "no such folder", "the folder of the source documents "
                                           "(set $BOLERO_SEEDS_DIR or --seeds-dir to the folder that holds them)")])
    tables = load_tables(project.data)  # raises DataValidationError
    problems = check_provenance(tables, project.data, seeds)
    if problems:
        raise DataValidationError(problems)
    progress(f"  {len(tables)} tables, {sum(len(t) for t in tables.values())} rows valid; every quote found in its source document")
    return sorted(tables)


def _inputs(project: Project) -> dict[Path, Inputs]:
    try:
        return {path: declared_inputs(path) for path in project.notebooks()}
    except NotebookError as error:
        raise BuildError(f"notebooks: {error}") from None


def _register_bytes(project: Project, exclude: set[Path]) -> bytes:
    notebooks = [p for p in project.notebooks() if p not in exclude]
    key = _contents(notebooks)
    if key in _REGISTERS:
        return _REGISTERS[key]
    try:
        register = register_csv(collect_register(notebooks)).encode()
    except RegisterError as error:
        raise BuildError(f"register: {error}") from None
    # Kept only if no notebook changed while it was read: the key must describe what was read.
    if _contents(notebooks) == key:
        if len(_REGISTERS) >= 16:
            _REGISTERS.clear()
        _REGISTERS[key] = register
    return register


# The register CSV per content of the notebooks it is collected from. A build plans twice and writes the
# register once, each time reading every saved notebook (about 50 ms); the tests plan many copies of the
# same notebooks (issue 14: suite time).
_REGISTERS: dict[tuple, bytes] = {}


def _contents(paths: list[Path]) -> tuple:
    # By name, not path: the register is made of the notebooks' names and outputs alone (copies of a project agree).
    return tuple((path.name, hashlib.sha256(path.read_bytes()).digest()) for path in paths)


def plan(project: Project, table_names: list[str], *, force: bool = False,
         late: bool = False) -> dict[Path, tuple[str, str]]:
    """The notebooks to execute now, each with its reason and its inputs' fingerprint.

    Parameters
    ----------
    late : bool
        False: the notebooks that do not read the register; True: those
        that do (planned after the others have run, since their input is
        what the others publish).
    """
    inputs = _inputs(project)
    package = package_fingerprint()
    readers = {p for p, i in inputs.items() if i.reads_register}
    register = _register_bytes(project, readers) if late and readers else b""
    todo: dict[Path, tuple[str, str]] = {}
    for path, declared in inputs.items():
        if declared.reads_register != late:
            continue
        wanted = inputs_fingerprint(path, declared, data_dir=project.data, table_names=table_names,
                                    register=register, package=package)
        saved = saved_fingerprint(path)
        if force:
            todo[path] = ("forced", wanted)
        elif saved is None:
            todo[path] = ("never executed by the build", wanted)
        elif saved != wanted:
            todo[path] = ("inputs changed", wanted)
    return todo


def _execute(todo: dict[Path, tuple[str, str]], progress: Callable[[str], None], workers: int = 2) -> list[NotebookRun]:
    stop = threading.Event()  # set when a notebook fails: no further notebook starts

    def one(item: tuple[Path, tuple[str, str]]) -> NotebookRun | None:
        path, (reason, fingerprint) = item
        if stop.is_set():
            return None
        progress(f"  executing {path.name} ({reason})")
        started = time.perf_counter()
        try:
            save_notebook(path, execute_notebook(path, fingerprint))
        except BaseException:
            stop.set()
            raise
        seconds = time.perf_counter() - started
        progress(f"  executed {path.name} in {seconds:.1f} s")
        return NotebookRun(path.name, True, reason, seconds)

    # On Ctrl-C (raised in this thread) map cancels the queued notebooks; the running ones finish (their kernels
    # got the Ctrl-C too). A notebook that fails sets ``stop`` first, so its worker does not start the next one.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return [run for run in pool.map(one, todo.items()) if run is not None]


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, text)
    return True


def _published_tables(project: Project) -> dict:
    try:
        return collect_tables(project.notebooks())
    except PublishedTableError as error:
        raise BuildError(f"published tables: {error}") from None


def write_generated(project: Project) -> list[str]:
    """Write ``report/generated/`` from the saved notebooks; the names of the files that changed."""
    from ..citing import write_changelog

    texts = {REGISTER_FILE: _register_bytes(project, exclude=set()).decode()}
    tables = _published_tables(project)
    for name in PUBLISHED_TABLES:
        if name not in tables:
            raise BuildError(f"published tables: no notebook publishes {name!r}")
        texts[f"{name}.csv"] = tables[name].to_csv(index=False, lineterminator="\n")
    changed = [name for name, text in texts.items() if _write_if_changed(project.generated / name, text)]
    changelog = write_changelog(project.root)
    if changelog is not None:
        changed.append(changelog.name)
    return changed


def _publish(project: Project, staging: Path) -> None:
    """The register and the discrepancy table beside the HTML, as CSV and JSON with a Frictionless descriptor."""
    from ..citing import publish_tables

    tables = _published_tables(project)
    publish_tables(project.root, staging, {name: (tables[name], schema, title) for name, (schema, title) in PUBLISHED_TABLES.items()})


def _render_fingerprint(project: Project, renderer: str, epoch: int | None) -> str:
    sources = [project.root / "_quarto.yml", project.article, *project.notebooks()]
    sources += sorted(p for p in project.report.rglob("*") if p.is_file())
    return sha256_of(renderer.encode(), package_fingerprint().encode(), str(epoch).encode(),
                     *(str(p.relative_to(project.root)).encode() + p.read_bytes() for p in sources))


def _render(project: Project, staging: Path, quarto: str | None, epoch: int | None,
            progress: Callable[[str], None]) -> tuple[str, list[str]]:
    if quarto:
        progress(f"  quarto render (Quarto {_version([quarto, '--version'])}): HTML, PDF (Typst), DOCX and the notebook pages")
        # Quarto's Typst and pandoc read the creation time from the environment.
        env = {**os.environ, **({ENVIRONMENT_VARIABLE: str(epoch)} if epoch is not None else {})}
        completed = subprocess.run([quarto, "render", "--output-dir", str(staging)], cwd=project.root,
                                   capture_output=True, text=True, env=env)
        if completed.returncode != 0:
            raise _render_failure(project, f"Quarto {_version([quarto, '--version'])}",
                                  completed.stderr or completed.stdout or f"quarto render exited with status {completed.returncode}")
        return "quarto", []
    from .render import RenderError, render_with_pandoc

    try:
        return "pandoc", render_with_pandoc(project, staging, progress=progress, source_date_epoch=epoch)
    except RenderError as error:
        raise _render_failure(project, "pandoc fallback", str(error)) from None


_ERROR_LINE = re.compile(r"\berror\b", re.IGNORECASE)


def _render_failure(project: Project, renderer: str, message: str) -> BuildError:
    """One line naming the renderer and its first error line; a longer message is kept in ``.build-cache/render-error.log``.

    A renderer's log (Quarto's progress and stack trace, a Typst diagnostic
    with its source excerpt) buries the error; the user needs the line that
    says what is wrong, and the rest only to dig further.
    """
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if len(lines) <= 1:
        return BuildError(f"render ({renderer}): {lines[0] if lines else 'failed without a message'}")
    head, rest = lines[0], lines[1:]
    if head.endswith(":"):  # "index.qmd: Typst failed compiling the PDF:" then the diagnostic
        first = f"{head} {next((line for line in rest if _ERROR_LINE.search(line)), rest[0])}"
    else:  # a log: its first line that says error, else its last line
        first = next((line for line in lines if _ERROR_LINE.search(line)), lines[-1])
    log = project.cache / "render-error.log"
    try:
        log.write_text(message, encoding="utf-8")
    except OSError:  # the log is a help; failing to write it must not hide the render error
        return BuildError(f"render ({renderer}): {first}")
    return BuildError(f"render ({renderer}): {first} (full message in {log.relative_to(project.root)})")


def _version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown version"


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` so that readers never see a half-written report."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        # The new report cannot take its place (or Ctrl-C landed between the renames): the old one goes back.
        # If even that fails, the next build's start puts it back (build_lock); the first error is the one shown.
        if old.exists() and not target.exists():
            with suppress(OSError):
                old.rename(target)
        raise
    # The new report is in place: what cannot be removed of the old one goes at the next build's start.
    shutil.rmtree(old, ignore_errors=True)


def build(root: Path, *, seeds: Path | None = None, force: bool = False, use_quarto: bool | None = None,
          progress: Callable[[str], None] = print) -> BuildResult:
    """Build the report of the project at ``root`` into ``root/_output``.

    Parameters
    ----------
    root : Path
        Root of the checkout (holds ``_quarto.yml``, ``index.qmd``, ``data/``, ``analysis/``, ``report/``).
    seeds : Path, optional
        Folder of the source documents (default: ``$BOLERO_SEEDS_DIR`` or ``../shared/seeds``).
    force : bool
        Execute every notebook and render even if nothing changed.
    use_quarto : bool, optional
        None: Quarto if it is on the PATH. False: always the pandoc fallback.
        True: Quarto, and an error if it is not on the PATH.
    progress : callable
        Receives one line per step.

    Raises
    ------
    DataValidationError
        The data are invalid; nothing was written.
    BuildError
        A notebook failed (named with its cell) or rendering failed (named
        with the renderer and its first error line); the previous report is
        untouched.
    OSError
        A full or read-only disk, naming the file; nothing is left half
        written (``tests/pipeline/test_faults.py``).
    """
    project = Project(Path(root).resolve())
    with build_lock(project, progress):
        return _build(project, seeds=seeds, force=force, use_quarto=use_quarto, progress=progress)


@contextmanager
def build_lock(project: Project, progress: Callable[[str], None]):
    """One build of a checkout at a time; what a killed build left behind is removed first.

    The lock is an OS file lock (released by the kernel when its holder dies,
    so a killed build never leaves a stale lock); the file records the pid
    of the build that holds it, for the message.

    Raises
    ------
    BuildError
        Another build of this checkout is running.
    """
    project.cache.mkdir(parents=True, exist_ok=True)
    path = project.cache / "build.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildError(f"another build of this checkout is running (pid {holder}); wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        old = project.root / f"{project.output.name}.old"
        if old.is_dir() and not old.is_symlink() and not project.output.exists() and not project.output.is_symlink():
            # Killed between the two renames of the swap: the previous report is put back, not deleted.
            progress(f"  restoring {project.output.name}/ from {old.name}/ left by an interrupted build")
            old.rename(project.output)
        for stale in (project.root / f"{project.output.name}.staging", old):
            if stale.is_symlink():
                stale.unlink()  # the link only, never what it points to
            elif stale.exists():
                progress(f"  removing {stale.name}/ left by an interrupted build")
                shutil.rmtree(stale)
        for stale in [*project.analysis.glob(".*.tmp"), *project.generated.glob(".*.tmp")]:
            stale.unlink()
        try:
            yield
        finally:
            # Clearing the pid is a courtesy (the kernel releases the lock when the file closes): its failure
            # must not replace the build's own error.
            with suppress(OSError):
                handle.seek(0)
                handle.truncate()


def _build(project: Project, *, seeds: Path | None, force: bool, use_quarto: bool | None,
           progress: Callable[[str], None]) -> BuildResult:
    started = time.perf_counter()
    output = project.output
    if output.is_symlink():
        # The build replaces _output/ as a whole and deletes the old one: through a link that would delete or swap
        # a folder outside the checkout; replacing the link would silently stop updating the folder it points to.
        raise BuildError(f"{output.name} is a symbolic link (to {os.readlink(output)}): the build replaces {output.name}/ as a whole "
                         f"and never writes or deletes through a link; remove the link (its target is left as it is) "
                         f"and link to {output.name}/ from where the report is wanted")
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output} is a file, not a folder: the build writes the report into {output.name}/; move the file away")
    quarto = shutil.which("quarto") if use_quarto is not False else None
    if use_quarto and not quarto:
        raise BuildError("render: Quarto was asked for but quarto is not on the PATH")

    progress("[1/4] validating data/")
    table_names = _validate(project, seeds, progress)

    progress("[2/4] notebooks")
    runs: list[NotebookRun] = []
    try:
        for late in (False, True):
            todo = plan(project, table_names, force=force, late=late)
            runs += _execute(todo, progress)
    except NotebookFailed as error:
        raise BuildError(f"notebook failed: {error}") from None
    executed = {run.notebook for run in runs}
    runs += [NotebookRun(p.name, False, "inputs unchanged") for p in project.notebooks() if p.name not in executed]
    progress(f"  {len(executed)} executed, {len(project.notebooks()) - len(executed)} unchanged")

    progress("[3/4] generated tables")
    changed = write_generated(project)
    progress(f"  {project.generated.relative_to(project.root)}/: {', '.join(changed) + ' updated' if changed else 'unchanged'}")

    progress("[4/4] render")
    renderer = "quarto" if quarto else "pandoc"
    outputs = {fmt: project.output / f"index.{fmt}" for fmt in FORMATS}
    try:
        epoch, origin = source_date_epoch(project.root)
    except EpochError as error:
        raise BuildError(f"render: {error}") from None
    progress(f"  {ENVIRONMENT_VARIABLE}={epoch if epoch is not None else '(unset)'}: {origin}")
    render_key = _render_fingerprint(project, renderer, epoch)
    key_file = project.cache / "render.json"
    try:
        previous = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if not force and previous.get("key") == render_key and all(p.exists() for p in outputs.values()):
        progress(f"  sources unchanged since the last render; {project.output.name}/ kept")
        return BuildResult(outputs, renderer, runs, rendered=False, seconds=time.perf_counter() - started)
    staging = project.root / f"{project.output.name}.staging"
    try:
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        renderer, notes = _render(project, staging, quarto, epoch, progress)
        missing = [f"index.{fmt}" for fmt in FORMATS if not (staging / f"index.{fmt}").exists()]
        if missing:
            raise BuildError(f"render: {renderer} did not produce {', '.join(missing)}")
        _publish(project, staging)
        _swap_into_place(staging, project.output)
    except BaseException:  # Ctrl-C too: no half-written staging folder is left
        _remove_after_failure(staging, progress)
        raise
    try:
        _write_if_changed(key_file, json.dumps({"key": render_key, "renderer": renderer}))
    except OSError as error:  # the report is in place; without the key the next build only renders again
        progress(f"  could not record the render in {key_file.name} ({error.strerror}); the next build renders again")
    return BuildResult(outputs, renderer, runs, notes=notes, seconds=time.perf_counter() - started)


def _remove_after_failure(staging: Path, progress: Callable[[str], None]) -> None:
    """Remove the staging folder of a failed render; a failure here is a note, never in place of the render's error.

    A second Ctrl-C during the removal (the build is already stopping) stops the removal only: what is left
    of the folder is removed at the next build's start (:func:`build_lock`), and the first error is the one
    reported.
    """
    try:
        if staging.exists():
            shutil.rmtree(staging)
    except OSError as error:
        progress(f"  could not remove {staging.name}/ ({error.strerror}); the next build removes it")
    except KeyboardInterrupt:
        progress(f"  removing {staging.name}/ was interrupted; the next build removes it")
