"""The build: validate the data, execute changed notebooks, refresh the register, render.

Steps, each reported as it runs:

1. **Validate** every table and trace every row to its seed. On a problem
   the build stops before writing anything.
2. **Execute** the notebooks whose inputs changed (two at a time); the
   summary notebook, which reads the register, runs after the others.
3. **Register**: join the notebooks' entries into ``data/register.csv``.
4. **Render** with Quarto when it is on the PATH, else with pandoc and
   Typst, into a staging folder that replaces ``_output/`` only once both
   the HTML and the PDF exist. A failed render leaves the previous report
   untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.errors import DataValidationError
from ..register import REGISTER_COLUMNS, read_register
from .notebooks import NotebookFailed, NotebookRun, _sha256, package_fingerprint, run_notebooks, source_fingerprint

__all__ = ["BuildError", "BuildResult", "build", "ARTICLE", "OUTPUT_DIR", "CACHE_DIR"]

ARTICLE = Path("report") / "index.qmd"
OUTPUT_DIR = "_output"
CACHE_DIR = ".build-cache"
REGISTER_FILE = Path("data") / "register.csv"
# Notebooks that read data/register.csv run after the register is refreshed.
_READS_REGISTER = "load_register("


class BuildError(RuntimeError):
    """The build stopped; the message says at which step and why."""


@dataclass
class BuildResult:
    """What a build did."""

    html: Path
    pdf: Path
    renderer: str
    notebooks: list[NotebookRun] = field(default_factory=list)
    rendered: bool = True
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _load_cache(cache_dir: Path) -> dict:
    path = cache_dir / "state.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _save_cache(cache_dir: Path, state: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(cache_dir / "state.json")


def _validate(project: Path, seeds: Path | None, progress: Callable[[str], None]) -> None:
    from ..data.loader import load_tables
    from ..data.provenance import check_provenance, seeds_dir

    data_dir = project / "data"
    tables = load_tables(data_dir)  # raises DataValidationError
    seeds = seeds or seeds_dir(project)
    problems = check_provenance(tables, data_dir, seeds)
    if problems:
        raise DataValidationError(problems)
    progress(f"  {len(tables)} tables, {sum(len(t) for t in tables.values())} rows valid; every quote found in {seeds}")


def _assemble_register(project: Path, cache_dir: Path, notebooks: list[Path]) -> bool:
    """Join the notebooks' register files into data/register.csv; True when it changed."""
    frames = []
    for path in notebooks:
        part = cache_dir / "register" / f"{path.stem}.csv"
        if part.exists():
            frames.append(read_register(part))
    joined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REGISTER_COLUMNS)
    duplicated = joined["id"][joined["id"].duplicated()].tolist()
    if duplicated:
        raise BuildError(f"register: ids used by more than one notebook: {', '.join(duplicated)}")
    text = joined[REGISTER_COLUMNS].to_csv(index=False, lineterminator="\n")
    target = project / REGISTER_FILE
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return True


def _render_fingerprint(project: Path, notebooks: list[Path]) -> str:
    parts = [(project / "_quarto.yml").read_bytes(), package_fingerprint().encode()]
    parts += [p.read_bytes() for p in sorted((project / "report").rglob("*")) if p.is_file()]
    parts += [p.read_bytes() for p in notebooks]
    return _sha256(*parts)


def _render(project: Path, staging: Path, quarto: str | None, progress: Callable[[str], None]) -> tuple[str, list[str]]:
    if quarto:
        progress(f"  quarto render --output-dir {staging.name} (Quarto {_version([quarto, '--version'])})")
        # Renders every format the article declares (html and typst), from the notebooks' saved outputs.
        completed = subprocess.run([quarto, "render", "--output-dir", str(staging)], cwd=project,
                                   capture_output=True, text=True)
        if completed.returncode != 0:
            raise BuildError(f"render: quarto render failed:\n{completed.stderr[-4000:]}")
        return "quarto", []
    from .render import render_with_pandoc

    result = render_with_pandoc(project, staging, progress=progress)
    return result.renderer, list(result.quarto_would_add)


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
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def build(project: Path, *, seeds: Path | None = None, force: bool = False, use_quarto: bool | None = None,
          progress: Callable[[str], None] = print) -> BuildResult:
    """Build the report of ``project`` into ``project/_output``.

    Parameters
    ----------
    project : Path
        Root of the checkout (holds ``_quarto.yml``, ``data/``, ``analysis/``, ``report/``).
    seeds : Path, optional
        Folder of the seed documents (default: ``$BOLERO_SEEDS_DIR`` or ``../shared/seeds``).
    force : bool
        Execute every notebook and render even if nothing changed.
    use_quarto : bool, optional
        None: Quarto if it is on the PATH. False: always the pandoc route.
    progress : callable
        Receives one line per step.

    Raises
    ------
    DataValidationError
        The data are invalid; nothing was written.
    BuildError
        A notebook failed (named with its cell) or rendering failed; the
        previous report is untouched.
    """
    started = time.perf_counter()
    project = project.resolve()
    cache_dir = project / CACHE_DIR
    output = project / OUTPUT_DIR
    article = project / ARTICLE
    quarto = shutil.which("quarto") if use_quarto is not False else None
    if use_quarto and not quarto:
        raise BuildError("render: --quarto was asked for but quarto is not on the PATH")

    progress("[1/4] validating data/")
    _validate(project, seeds, progress)

    progress("[2/4] notebooks")
    state = _load_cache(cache_dir)
    code = package_fingerprint()
    notebooks = sorted((project / "analysis").glob("[0-9][0-9]-*.ipynb"))
    late = [p for p in notebooks if _READS_REGISTER in p.read_text(encoding="utf-8")]
    early = [p for p in notebooks if p not in late]

    def fingerprint_of(path: Path, tables: tuple[str, ...]) -> str:
        inputs = [source_fingerprint(path).encode(), code.encode()]
        inputs += [(project / "data" / f"{t}.csv").read_bytes() for t in tables if (project / "data" / f"{t}.csv").exists()]
        if path in late:
            inputs.append((project / REGISTER_FILE).read_bytes() if (project / REGISTER_FILE).exists() else b"")
        return _sha256(*inputs)

    notebook_state = state.setdefault("notebooks", {})
    try:
        runs = run_notebooks(early, data_dir=project / "data", cache=notebook_state, cache_dir=cache_dir,
                             fingerprint_of=fingerprint_of, force=force, progress=progress)
        _save_cache(cache_dir, state)
        progress("[3/4] register")
        changed = _assemble_register(project, cache_dir, early)
        progress(f"  {REGISTER_FILE} {'updated' if changed else 'unchanged'}")
        runs += run_notebooks(late, data_dir=project / "data", cache=notebook_state, cache_dir=cache_dir,
                              fingerprint_of=fingerprint_of, force=force, progress=progress)
        _save_cache(cache_dir, state)
    except NotebookFailed as error:
        _save_cache(cache_dir, state)
        raise BuildError(f"notebook failed: {error}") from None
    for run in runs:
        if not run.executed:
            progress(f"  {run.notebook}: unchanged, not executed")

    progress("[4/4] render")
    if not article.exists():
        raise BuildError(f"render: {ARTICLE} not found")
    html, pdf = output / f"{article.stem}.html", output / f"{article.stem}.pdf"
    render_key = _render_fingerprint(project, notebooks) + ("quarto" if quarto else "pandoc")
    if not force and state.get("render") == render_key and html.exists() and pdf.exists():
        progress(f"  sources unchanged since the last render; {OUTPUT_DIR}/ kept")
        return BuildResult(html, pdf, state.get("renderer", "unknown"), runs, rendered=False,
                           seconds=time.perf_counter() - started)
    staging = project / f"{OUTPUT_DIR}.staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        renderer, notes = _render(project, staging, quarto, progress)
        for expected in (staging / html.name, staging / pdf.name):
            if not expected.exists():
                raise BuildError(f"render: {expected.name} was not produced")
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_into_place(staging, output)
    state["render"], state["renderer"] = render_key, renderer
    _save_cache(cache_dir, state)
    return BuildResult(html, pdf, renderer, runs, notes=notes, seconds=time.perf_counter() - started)
