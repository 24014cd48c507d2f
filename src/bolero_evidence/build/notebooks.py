"""Execute the analysis notebooks whose inputs changed.

A notebook's inputs are its own cells (not its outputs), the package's
source, and the data tables it actually read during its last execution
(recorded through ``$BOLERO_INPUT_LOG``, see
:class:`bolero_evidence.data.loader.TrackedTables`). The build keeps a
fingerprint of those inputs per notebook in ``.build-cache/``; a notebook
whose fingerprint is unchanged is not executed again.

Executed notebooks are written back to ``analysis/`` with their outputs and
no execution metadata, so what nbval locks is what the report shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..data.loader import DATA_DIR_ENV, INPUT_LOG_ENV
from ..register import REGISTER_DIR_ENV

__all__ = ["NotebookFailed", "NotebookRun", "source_fingerprint", "execute_notebook", "normalise", "package_fingerprint"]

KERNEL_TIMEOUT_SECONDS = 600


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message names notebook, cell number and label."""


@dataclass(frozen=True)
class NotebookRun:
    """What happened to one notebook in a build."""

    notebook: str
    executed: bool
    reason: str
    seconds: float
    tables_read: tuple[str, ...]


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def package_fingerprint() -> str:
    """Hash of the package's source files: a code change re-executes every notebook."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".lua", ".csv", ".json"} and "__pycache__" not in p.parts)
    return _sha256(*(str(p.relative_to(root)).encode() + p.read_bytes() for p in files))


def source_fingerprint(path: Path) -> str:
    """Hash of a notebook's cell types and sources, ignoring outputs and metadata."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in notebook["cells"]]
    return _sha256(json.dumps(cells).encode())


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes from run to run but says nothing: timings, widget state, cell ids' churn."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
    return notebook


def _failed_cell(notebook: nbformat.NotebookNode) -> str:
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = next((line.split(":", 1)[1].strip() for line in cell.source.splitlines() if line.startswith("#| label:")), "no label")
                return f"cell {number} ({label}): {output.get('ename')}: {output.get('evalue')}"
    return "a cell (no error output recorded)"


def execute_notebook(path: Path, *, data_dir: Path, register_dir: Path, input_log: Path) -> nbformat.NotebookNode:
    """Execute one notebook in its own kernel and return it with fresh outputs.

    Parameters
    ----------
    path : Path
        The notebook; it runs with its folder as working directory.
    data_dir : Path
        Data folder the notebook's ``load_tables()`` reads (``$BOLERO_DATA_DIR``).
    register_dir : Path
        Where ``Register.publish`` writes the notebook's entries.
    input_log : Path
        File that collects the names of the tables the notebook reads.

    Raises
    ------
    NotebookFailed
        Naming the notebook, the cell and the error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    input_log.parent.mkdir(parents=True, exist_ok=True)
    input_log.write_text("", encoding="utf-8")
    env = {**os.environ, DATA_DIR_ENV: str(data_dir), REGISTER_DIR_ENV: str(register_dir), INPUT_LOG_ENV: str(input_log),
           # A fixed hash seed: set iteration order must not vary between runs.
           "PYTHONHASHSEED": "0"}
    client = NotebookClient(notebook, timeout=KERNEL_TIMEOUT_SECONDS, kernel_name="python3", record_timing=False,
                            # The kernel only listens on loopback; its transport warning is noise in the build log.
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=env)
    except CellExecutionError:
        raise NotebookFailed(f"{path.name}: {_failed_cell(notebook)}") from None
    except Exception as error:  # kernel died, timed out, could not start
        raise NotebookFailed(f"{path.name}: {type(error).__name__}: {error}") from None
    return normalise(notebook)


def run_notebooks(paths: list[Path], *, data_dir: Path, cache: dict, cache_dir: Path, fingerprint_of: Callable[[Path, tuple[str, ...]], str],
                  force: bool, progress: Callable[[str], None], workers: int = 2) -> list[NotebookRun]:
    """Execute, in parallel, the notebooks whose fingerprint changed; update ``cache`` in place.

    The executed notebook replaces the file in ``analysis/`` only when its
    content changed, so an unchanged notebook keeps its bytes and its
    modification time.
    """
    todo: list[tuple[Path, str]] = []
    runs: list[NotebookRun] = []
    for path in paths:
        entry = cache.get(path.name)
        tables = tuple(entry["tables"]) if entry else ()
        if force:
            todo.append((path, "forced"))
        elif not entry:
            todo.append((path, "not executed by this build before"))
        elif entry["fingerprint"] != fingerprint_of(path, tables):
            todo.append((path, "inputs changed"))
        elif entry.get("registers", True) and not (cache_dir / "register" / f"{path.stem}.csv").exists():
            todo.append((path, "register entries missing"))
        else:
            runs.append(NotebookRun(path.name, False, "unchanged", 0.0, tables))

    def one(item: tuple[Path, str]) -> NotebookRun:
        path, reason = item
        progress(f"  executing {path.name} ({reason})")
        started = time.perf_counter()
        log = cache_dir / "inputs" / f"{path.stem}.txt"
        register_dir = cache_dir / "register.new"
        executed = execute_notebook(path, data_dir=data_dir, register_dir=register_dir, input_log=log)
        tables = tuple(sorted(set(log.read_text(encoding="utf-8").split())))
        text = nbformat.writes(executed) + "\n"
        if path.read_text(encoding="utf-8") != text:
            tmp = path.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        seconds = time.perf_counter() - started
        progress(f"  executed {path.name} in {seconds:.1f} s")
        return NotebookRun(path.name, True, reason, seconds, tables)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for run in pool.map(one, todo):
            runs.append(run)
            path = next(p for p, _ in todo if p.name == run.notebook)
            produced = cache_dir / "register.new" / f"{path.stem}.csv"
            (cache_dir / "register").mkdir(parents=True, exist_ok=True)
            if produced.exists():
                produced.replace(cache_dir / "register" / produced.name)
            else:
                (cache_dir / "register" / produced.name).unlink(missing_ok=True)
            cache[run.notebook] = {"fingerprint": fingerprint_of(path, run.tables_read), "tables": list(run.tables_read),
                                   "registers": (cache_dir / "register" / produced.name).exists()}
    order = {p.name: i for i, p in enumerate(paths)}
    return sorted(runs, key=lambda r: order[r.notebook])
