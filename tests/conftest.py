"""Shared fixtures: the checkout's folders and broken copies of the data."""

from __future__ import annotations

import atexit
import csv
import gc
import os
import shutil
import sys
from pathlib import Path

import pytest

from bolero_evidence.pipeline.notebooks import ONE_BLAS_THREAD

# One BLAS thread per process: the run has two workers on two cores, and each nbval kernel or test process
# starting its own BLAS threads on top made the exact intervals' matrix products fight for the cores (notebook 03
# took 27 s beside another busy process, 14 s with one thread; issue 14). Set here, in the initial conftest, so
# that the workers and the kernels they start inherit it; a value the user set wins.
for _variable, _value in ONE_BLAS_THREAD.items():
    os.environ.setdefault(_variable, _value)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
# Collections of the middle generation between two full collections in a test worker (Python's default: 10).
FULL_COLLECTION_EVERY = 100


def pytest_configure(config):
    # nbval's kernels forked from one process per run that has imported the libraries (tests/forked_kernels.py).
    from tests import forked_kernels, rewritten_ahead

    forked_kernels.install(config)
    if forked_kernels.controls_workers(config):
        # While the template imports the libraries: the workers then find the test modules rewritten.
        rewritten_ahead.start(config)
    if hasattr(config, "workerinput"):
        rewritten_ahead.read()
        # Registered now, before any fixture's or library's clean-up: atexit runs its handlers last-registered first,
        # so this one runs after all of them.
        atexit.register(_end_worker_without_teardown)
        # A full collection once per 100 collections of the middle generation instead of 10: each of the seven a
        # worker made walked its whole heap (0.1 to 0.2 s each, 1.8 s of CPU per run, issue 14). Measured over a
        # run: no full collection left, the workers' garbage collection from 3.1 s to 0.9 s, and their peak
        # memory the same (about 320 and 830 MB). The young generations are collected as before.
        gc.set_threshold(*gc.get_threshold()[:2], FULL_COLLECTION_EVERY)


def _end_worker_without_teardown() -> None:
    """End a test worker (pytest-xdist) once its exit handlers have run, without tearing the interpreter down.

    By then the worker has sent its results and the controller has closed its connection. What is left is
    Python's own clean-up of every module and object, which for a process holding pandas, SciPy, statsmodels
    and matplotlib took about a second at the end of each worker, while the run waited (issue 14).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def pytest_unconfigure(config):
    from tests import forked_kernels, rewritten_ahead

    forked_kernels.close()
    if forked_kernels.controls_workers(config):
        rewritten_ahead.remove()


@pytest.fixture(scope="session")
def seeds():
    """The seed documents; the provenance tests cannot run without them."""
    from bolero_evidence.data.provenance import seeds_dir

    folder = seeds_dir()
    if not folder.is_dir():
        pytest.fail(f"seed documents not found at {folder}: set $BOLERO_SEEDS_DIR to the folder that holds them")
    return folder


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit_cell(data_dir: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell of ``table`` (``line`` counts the header as line 1), keeping every other cell's text."""
    path = data_dir / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rows[line - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def find_line(data_dir: Path, table: str, **where: str) -> int:
    """Line number of the first row whose cells equal ``where``."""
    with (data_dir / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            if all(row[k] == v for k, v in where.items()):
                return number
    raise LookupError(f"no row of {table} with {where}")


@pytest.fixture(scope="session")
def quarto():
    """The Quarto CLI. Under CI (``CI=true``), where ``.ci/run`` installs it, its absence fails the test."""
    import os

    path = shutil.which("quarto")
    if path is None:
        message = "Quarto is not on the PATH (install it: https://quarto.org/docs/get-started/, or bash ../shared/quarto/install.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; under CI a Quarto test must not be skipped")
        pytest.skip(message)
    return path


def copy_project(target: Path) -> Path:
    """The report's sources and inputs of this checkout in ``target`` (a project the build can run on)."""
    for name in ("_quarto.yml", "index.qmd", "data", "analysis", "report"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".*.tmp", "__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="session")
def quarto_build(quarto, seeds, tmp_path_factory):
    """A copy of the project built with Quarto, once per test run: (project folder, BuildResult)."""
    from bolero_evidence.pipeline.pipeline import build

    project = copy_project(tmp_path_factory.mktemp("quarto-project"))
    lines: list[str] = []
    result = build(project, seeds=seeds, use_quarto=True, progress=lines.append)
    return project, result


def edit_descriptor(data_dir: Path, change) -> None:
    """Rewrite ``datapackage.json`` with ``change(descriptor)`` applied (it edits in place or returns a replacement)."""
    import json

    path = data_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    replaced = change(descriptor)
    path.write_text(json.dumps(descriptor if replaced is None else replaced, indent=2), encoding="utf-8")


def resource_of(descriptor: dict, name: str) -> dict:
    """The resource called ``name`` of a parsed descriptor."""
    return next(r for r in descriptor["resources"] if r["name"] == name)


def delete_lines(data_dir: Path, table: str, *lines: int) -> None:
    """Remove rows of ``table`` by line number (the header is line 1)."""
    path = data_dir / f"{table}.csv"
    kept = [text for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), start=1) if number not in lines]
    path.write_text("".join(kept), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time: compared before and after to show nothing was written."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="session")
def pristine_copy(tmp_path_factory):
    """One unbroken copy of data/ per test run (and per worker), copied again by each test that breaks it."""
    target = tmp_path_factory.mktemp("pristine") / "data"
    shutil.copytree(DATA, target)
    return target



# Files by cost, costliest first (the wall time of each in a run, issue 14): the whole-project Quarto build, then
# the files that take seconds, so that the run ends on many short files and the two workers finish together.
# Notebook 03 computes the exact intervals the trace, the response tests and notebooks 04 and 09 read back from
# .build-cache/: it starts early, and the trace (which runs every notebook's code) only once it is done.
COSTLIEST_FILES = [
    "tests/pipeline/test_quarto_build.py",
    "tests/pipeline/test_build.py",
    "tests/pipeline/test_quarto_reproducible.py",
    "analysis/03-response.ipynb",
    "tests/derived/test_response.py",
    "analysis/09-esmo-mcbs.ipynb",
    "tests/pipeline/test_parity.py",
    "analysis/04-safety.ipynb",
    "tests/data/test_validation.py",
    "tests/data/test_mutations.py",
    "tests/data/test_required_trace.py",
    "tests/stats/test_exact.py",
    "tests/pipeline/test_reproducible.py",
    "tests/pipeline/test_render.py",
    "tests/pipeline/test_faults.py",
    "tests/pipeline/test_execute.py",
    "tests/test_forked_kernels.py",
    "tests/mcbs/test_bolero2.py",
    "tests/pipeline/test_plan.py",
    "tests/pipeline/test_injection.py",
    "tests/data/test_required.py",
    "analysis/02-pfs-gains.ipynb",
    "tests/derived/test_figures.py",
    "analysis/06-cross-trial.ipynb",
    "tests/stats/test_groupseq.py",
    "analysis/07-summary-of-findings.ipynb",
    "analysis/05-interim-boundaries.ipynb",
    "tests/derived/test_safety.py",
    "tests/data/test_discrepancy_register.py",
    "tests/citing/test_diff.py",
    "analysis/01-data-provenance.ipynb",
    "analysis/08-survival-quality-of-life.ipynb",
]


def pytest_collection_modifyitems(config, items):
    """Run the costliest files first, the Quarto build before all: started first, it overlaps every other test.

    With ``--dist loadfile --no-loadscope-reorder`` (pyproject.toml) xdist
    hands out whole files in this order; its default order (files with the
    most tests first) started the Quarto build last, and the run then waited
    for it alone. xdist gives the first worker two files at the start, so
    the second file is a quick one (the first of pytest's order): it waits
    behind the Quarto build while the other worker takes the costly files.
    """
    def file_of(item) -> str:
        return item.nodeid.split("::", 1)[0]

    rank = {name: position for position, name in enumerate(COSTLIEST_FILES)}
    costly = sorted((item for item in items if file_of(item) in rank), key=lambda item: rank[file_of(item)])
    rest = [item for item in items if file_of(item) not in rank]
    quick_file = file_of(rest[0]) if rest else None
    quick = [item for item in rest if file_of(item) == quick_file]
    lead = [item for item in costly if file_of(item) == COSTLIEST_FILES[0]]
    items[:] = lead + quick + [i for i in costly if i not in lead] + [i for i in rest if file_of(i) != quick_file]
