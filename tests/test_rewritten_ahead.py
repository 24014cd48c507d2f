"""The test modules rewritten by the controller are what pytest reads in the workers (tests/rewritten_ahead.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests import rewritten_ahead
from tests.conftest import ROOT

THIS = Path(__file__).resolve()


def test_pytest_still_has_what_the_controller_uses():
    # Gone in another pytest, the workers would rewrite every module themselves again: slower, not wrong.
    assert rewritten_ahead._rewrite() is not None


def test_the_rewritten_tests_are_the_files_pytest_rewrites(pytestconfig):
    names = {path.relative_to(ROOT).as_posix() for path in rewritten_ahead.modules(pytestconfig)}
    assert {"tests/conftest.py", "tests/test_rewritten_ahead.py", "tests/pipeline/test_build.py"} <= names
    # Helpers are imported as they are (pytest rewrites no assert in them).
    assert not names & {"tests/rewritten_ahead.py", "tests/forked_kernels.py", "tests/pipeline/rendered_text.py"}


def test_a_module_rewritten_ahead_is_the_code_pytest_would_make(pytestconfig, tmp_path):
    rewrite = rewritten_ahead._rewrite()
    assert rewritten_ahead.write(pytestconfig, tmp_path, [THIS]) == 1  # one module: the run's own did them all
    pyc = rewritten_ahead.pyc_path(tmp_path, THIS)
    assert pyc.is_file()
    assert rewrite._read_pyc(THIS, pyc) == rewrite._rewrite_test(THIS, pytestconfig)[1]


def test_a_module_changed_since_it_was_rewritten_is_not_read_from_the_folder(pytestconfig, tmp_path):
    # The case that must fail: pytest checks the pyc against the source's hash, so an edit made after the
    # controller's rewrite is never run in its old form (the worker rewrites it).
    rewrite = rewritten_ahead._rewrite()
    module = tmp_path / "test_copy.py"
    shutil.copy2(THIS, module)
    source_hash, code = rewrite._rewrite_test(module, pytestconfig)
    pyc = tmp_path / ("test_copy" + rewrite.PYC_TAIL)
    rewrite._write_pyc(pytestconfig.stash[rewrite.assertstate_key], code, source_hash, pyc)
    assert rewrite._read_pyc(module, pyc) is not None
    module.write_text(module.read_text(encoding="utf-8") + "\nassert True\n", encoding="utf-8")
    assert rewrite._read_pyc(module, pyc) is None


def test_in_a_run_with_workers_they_read_the_controller_s_folder(pytestconfig):
    rewrite = rewritten_ahead._rewrite()
    folder = os.environ.get(rewritten_ahead.FOLDER_VARIABLE)
    if not hasattr(pytestconfig, "workerinput") or not rewritten_ahead.wanted(pytestconfig):
        # -n 0, or bytecode written (pytest's own cache): pytest looks beside the file, as always.
        assert rewrite.get_cache_dir(THIS) == THIS.parent / "__pycache__"
        return
    assert folder and Path(folder).is_dir()
    assert rewrite.get_cache_dir(THIS) == Path(folder) / "tests"
    assert rewrite._read_pyc(THIS, rewritten_ahead.pyc_path(Path(folder), THIS)) is not None
    missing = [m for m in rewritten_ahead.modules(pytestconfig) if not rewritten_ahead.pyc_path(Path(folder), m).is_file()]
    assert missing == []
    # A file outside the checkout is left to pytest's own place.
    assert rewrite.get_cache_dir(Path("/elsewhere/test_x.py")) == Path("/elsewhere/__pycache__")


def test_a_worker_without_the_folder_keeps_pytest_s_place(monkeypatch):
    rewrite = rewritten_ahead._rewrite()
    monkeypatch.setattr(rewrite, "get_cache_dir", rewrite.get_cache_dir)  # restored after the test
    monkeypatch.setenv(rewritten_ahead.FOLDER_VARIABLE, str(ROOT / "no-such-folder"))
    before = rewrite.get_cache_dir
    rewritten_ahead.read()
    assert rewrite.get_cache_dir is before


def test_nothing_is_rewritten_ahead_where_pytest_keeps_its_own_or_rewrites_nothing(pytestconfig, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    assert rewritten_ahead.wanted(pytestconfig)
    monkeypatch.setattr(pytestconfig.option, "assertmode", "plain")  # --assert=plain
    assert not rewritten_ahead.wanted(pytestconfig)
    monkeypatch.setattr(pytestconfig.option, "assertmode", "rewrite")
    monkeypatch.setattr("sys.dont_write_bytecode", False)  # pytest keeps its pycs beside the files
    assert not rewritten_ahead.wanted(pytestconfig)
