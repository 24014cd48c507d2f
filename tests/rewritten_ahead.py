"""The test modules' asserts rewritten once per run, by the controller, for both test workers (issue 14).

pytest rewrites the asserts of every test module and ``conftest.py`` as it
imports them, and keeps the result in ``__pycache__`` beside each file, so
that the next run reads it instead of rewriting. Where writing bytecode is
off (``PYTHONDONTWRITEBYTECODE``, as on the project's machines) it keeps
nothing, and each of the two test workers rewrote all 60-odd modules at
every run before its first test: about 2.6 s of CPU each. The controller
has a core to spare just then, while the template imports the libraries
(``tests/forked_kernels.py``): it rewrites the modules meanwhile, with
pytest's own functions, into a temporary folder, and the workers' pytest
reads them from there. The files are pytest's own pycs, checked against the
hash of the source: a module changed since is rewritten by the worker, as
it would be without this.

Where writing bytecode is on, pytest's own cache does this job and nothing
here runs. It uses pytest's private functions (pytest is pinned in
``pyproject.toml``); if they are gone, nothing here runs either, the
workers rewrite as before, and ``tests/test_rewritten_ahead.py`` fails so
that it is noticed.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# The folder of this run's rewritten modules, named by the controller; the workers inherit it.
FOLDER_VARIABLE = "BOLERO_REWRITTEN_TESTS"


def _rewrite():
    """pytest's assertion-rewriting module if it has what this uses, else None."""
    try:
        from _pytest.assertion import rewrite
    except ImportError:
        return None
    needed = ("_rewrite_test", "_write_pyc", "_read_pyc", "get_cache_dir", "PYC_TAIL", "assertstate_key")
    return rewrite if all(hasattr(rewrite, name) for name in needed) else None


def wanted(config) -> bool:
    """Whether a controller should rewrite ahead: asserts are rewritten, and pytest keeps no pycs of its own."""
    return sys.dont_write_bytecode and config.getoption("assertmode") == "rewrite" and _rewrite() is not None


def modules(config) -> list[Path]:
    """The files of ``tests/`` that pytest rewrites: ``conftest.py`` and those its ``python_files`` patterns name."""
    patterns = config.getini("python_files")
    return [path for path in sorted(TESTS.rglob("*.py"))
            if path.name == "conftest.py" or any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)]


def pyc_path(folder: Path, module: Path) -> Path:
    """Where the rewritten ``module`` (a file of the checkout) is kept in ``folder``."""
    rewrite = _rewrite()
    return folder / module.parent.relative_to(ROOT) / (module.name[:-3] + rewrite.PYC_TAIL)


def write(config, folder: Path, files: list[Path] | None = None) -> int:
    """Rewrite ``files`` (default: every test module) into ``folder`` as pytest would; the number written."""
    rewrite = _rewrite()
    state = config.stash[rewrite.assertstate_key]
    written = 0
    for module in modules(config) if files is None else files:
        source_hash, code = rewrite._rewrite_test(module, config)
        target = pyc_path(folder, module)
        target.parent.mkdir(parents=True, exist_ok=True)
        written += bool(rewrite._write_pyc(state, code, source_hash, target))  # written whole, then renamed
    return written


def start(config) -> None:
    """The controller: rewrite into a new temporary folder and name it to the workers."""
    if not wanted(config):
        return
    folder = Path(tempfile.mkdtemp(prefix="bolero-rewritten-tests-"))
    os.environ[FOLDER_VARIABLE] = str(folder)
    write(config, folder)


def read() -> None:
    """A worker: pytest looks for the rewritten modules of the checkout in the controller's folder."""
    folder = os.environ.get(FOLDER_VARIABLE)
    rewrite = _rewrite()
    if not folder or rewrite is None or not Path(folder).is_dir():
        return
    pytest_cache_dir = rewrite.get_cache_dir

    def get_cache_dir(file_path: Path) -> Path:
        try:
            return Path(folder) / Path(file_path).resolve().parent.relative_to(ROOT)
        except ValueError:  # not a file of the checkout
            return pytest_cache_dir(file_path)

    rewrite.get_cache_dir = get_cache_dir


def remove() -> None:
    """The controller, at the end of the run: the folder goes."""
    folder = os.environ.pop(FOLDER_VARIABLE, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
