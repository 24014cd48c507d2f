"""What each analysis notebook reads, whether it is stale, and executing it.

A notebook's inputs are exactly:

- its own cells (sources, not outputs);
- the package code it imports (everything but the build itself);
- the data tables it declares with ``read_tables([...])`` (read from its
  source without running it; the call returns only those tables, so an
  undeclared table cannot be read);
- for a notebook that calls ``load_register()``, the register entries the
  other notebooks published.

Their hash is saved in the notebook's metadata when it is executed, so a
fresh clone knows which saved notebooks are current without any cache.
Executed notebooks are written back with their outputs and without run-to-run
noise (timings, the patch version of Python), so what nbval locks is what the
report shows and a build that changed nothing changes no file.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from ..files import package_digest, sha256_of, write_whole

__all__ = ["NotebookError", "NotebookFailed", "Inputs", "declared_inputs", "inputs_fingerprint", "saved_fingerprint",
           "execute_notebook", "save_notebook", "write_whole", "package_fingerprint", "sha256_of", "FINGERPRINT_KEY",
           "ONE_BLAS_THREAD"]

KERNEL_TIMEOUT_SECONDS = 600
FINGERPRINT_KEY = "bolero-evidence"


class NotebookError(ValueError):
    """A notebook's declared inputs cannot be read from its source."""


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message names notebook, cell number and label."""


@dataclass(frozen=True)
class Inputs:
    """What a notebook reads besides its cells and the package code.

    Attributes
    ----------
    tables : tuple of str, or None
        Declared table names; None for ``EVERY_TABLE``.
    reads_register : bool
        Whether it calls ``load_register()``.
    """

    tables: tuple[str, ...] | None
    reads_register: bool

    def reads(self, table: str) -> bool:
        return self.tables is None or table in self.tables


#: One BLAS thread per kernel (the test run sets the same, tests/conftest.py).
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def package_fingerprint() -> str:
    """Hash of the package code notebooks import (the build's own modules excluded): :func:`bolero_evidence.files.package_digest`."""
    return package_digest()


def _code_cells(notebook: dict) -> list[tuple[int, str]]:
    return [(number, "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
            for number, cell in enumerate(notebook["cells"], start=1) if cell["cell_type"] == "code"]


def _python(source: str) -> str:
    # IPython magics and shell escapes are not Python; they declare nothing.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def declared_inputs(path: Path) -> Inputs:
    """Read the notebook's ``read_tables`` declaration and ``load_register`` use from its source.

    Raises
    ------
    NotebookError
        No ``read_tables`` call, more than one, an argument that is not a
        literal list of table names (or ``EVERY_TABLE``), or a call of
        ``load_tables`` (which reads every table without declaring them).
    """
    return _declared_inputs(path.name, path.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def _declared_inputs(notebook_name: str, text: str) -> Inputs:
    # Parsed once per notebook text: the build plans twice per build, and a test session builds dozens of
    # copies of the same notebooks (issue 14: suite time). An error is raised again each time (not cached).
    notebook = json.loads(text)
    declarations: list[tuple[str, ...] | None] = []
    reads_register = False
    for number, source in _code_cells(notebook):
        try:
            tree = ast.parse(_python(source))
        except SyntaxError as error:
            raise NotebookError(f"{notebook_name}, cell {number}: not valid Python ({error.msg}, line {error.lineno})") from None
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            where = f"{notebook_name}, cell {number}"
            if name == "load_tables":
                raise NotebookError(f"{where}: a notebook declares the tables it reads with read_tables([...]), not load_tables()")
            if name == "load_register":
                reads_register = True
            if name != "read_tables":
                continue
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Name) and argument.id == "EVERY_TABLE":
                declarations.append(None)
            elif isinstance(argument, (ast.List, ast.Tuple)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in argument.elts):
                declarations.append(tuple(sorted(e.value for e in argument.elts)))
            else:
                raise NotebookError(f"{where}: read_tables takes a literal list of table names or EVERY_TABLE, "
                                    f"so that the build can see them; found {ast.unparse(argument) if argument else 'no argument'}")
    if len(declarations) != 1:
        raise NotebookError(f"{notebook_name}: expected one read_tables([...]) call declaring the tables it reads, found {len(declarations)}")
    return Inputs(declarations[0], reads_register)


def source_fingerprint(notebook: dict) -> str:
    """Hash of a notebook's cell types and sources, ignoring outputs and metadata."""
    cells = [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in notebook["cells"]]
    return sha256_of(json.dumps(cells).encode())


def inputs_fingerprint(path: Path, inputs: Inputs, *, data_dir: Path, table_names: list[str], register: bytes, package: str) -> str:
    """Hash of everything the notebook reads (see the module docstring)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    tables = table_names if inputs.tables is None else inputs.tables
    parts = [source_fingerprint(notebook).encode(), package.encode()]
    parts += [name.encode() + (data_dir / f"{name}.csv").read_bytes() for name in sorted(tables)]
    if inputs.reads_register:
        parts.append(register)
    return sha256_of(*parts)


def saved_fingerprint(path: Path) -> str | None:
    """The inputs' hash recorded when the saved notebook was executed (None if never by the build)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return notebook.get("metadata", {}).get(FINGERPRINT_KEY, {}).get("inputs-sha256")


def _normalise(notebook: nbformat.NotebookNode, fingerprint: str) -> nbformat.NotebookNode:
    """Drop what changes from run to run but says nothing; record the inputs' hash."""
    notebook.metadata.pop("widgets", None)
    # The patch version of Python is not an input: a build on 3.11.2 must not
    # rewrite notebooks executed on 3.11.7.
    notebook.metadata.get("language_info", {}).pop("version", None)
    notebook.metadata[FINGERPRINT_KEY] = {"inputs-sha256": fingerprint}
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


def execute_notebook(path: Path, fingerprint: str) -> nbformat.NotebookNode:
    """Execute one notebook in its own kernel, in its folder, and return it with fresh outputs.

    The kernel finds its project (and so its data) from its working
    directory (:func:`bolero_evidence.paths.find_project`).

    Raises
    ------
    NotebookFailed
        Naming the notebook, the cell and the error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    # A fixed hash seed: set iteration order must not vary between runs.
    # One BLAS thread per kernel (unless the user set one): the build runs two kernels at a time, and each
    # starting a thread per core made their matrix products fight for the cores (notebook 03: 27 s against 14 s).
    env = {**ONE_BLAS_THREAD, **os.environ, "PYTHONHASHSEED": "0"}
    # The kernel is stopped at once when the notebook is done (or failed): its outputs are all received by then,
    # and a graceful shutdown waited some 0.3 s per notebook for a kernel with nothing left to do (issue 14).
    client = NotebookClient(notebook, timeout=KERNEL_TIMEOUT_SECONDS, kernel_name="python3", record_timing=False,
                            shutdown_kernel="immediate",
                            # The kernel only listens on loopback; its transport warning is noise in the build log.
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=env)
    except CellExecutionError:
        raise NotebookFailed(f"{path.name}: {_failed_cell(notebook)}") from None
    except Exception as error:  # kernel died, timed out, could not start
        raise NotebookFailed(f"{path.name}: {type(error).__name__}: {error}") from None
    return _normalise(notebook, fingerprint)


def save_notebook(path: Path, notebook: nbformat.NotebookNode) -> bool:
    """Write ``notebook`` to ``path`` through a temporary file, only if its text changed; True when written."""
    text = nbformat.writes(notebook) + "\n"
    if path.read_text(encoding="utf-8") == text:
        return False
    write_whole(path, text)
    return True
