"""Modules compiled once in the template are served to its forks only for the same source (tests/compiled_sources.py)."""

from __future__ import annotations

import importlib
import os
import sys

import pytest

from tests import compiled_sources, forked_kernels

MODULE = "VALUE = {value}\nFRESH = object()\n\n\ndef function():\n    return VALUE\n"


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``kept_here`` in a folder whose compiled modules are kept, and a module ``elsewhere`` outside it."""
    folder = tmp_path / "kept_here"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "module.py").write_text(MODULE.format(value=1), encoding="utf-8")
    (tmp_path / "elsewhere.py").write_text(MODULE.format(value=3), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no .pyc: every import compiles (or is served)
    restore = compiled_sources.keep_compiled(folder)
    yield folder
    restore()
    for name in ("kept_here", "kept_here.module", "elsewhere"):
        sys.modules.pop(name, None)


def _import_anew(name: str):
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_a_module_imported_again_gets_the_kept_code_and_runs_anew(package):
    first = _import_anew("kept_here.module")
    second = _import_anew("kept_here.module")
    path = os.fspath(package / "module.py")
    assert compiled_sources.sharing().served.count(path) == 1
    assert second.function.__code__ is first.function.__code__  # compiled once
    assert second.FRESH is not first.FRESH  # executed twice: a new module each time


def test_a_source_changed_since_is_compiled_anew(package):
    # The case that must fail: same size, same modification time (what a timestamp .pyc would check), other text.
    module = package / "module.py"
    first = _import_anew("kept_here.module")
    stat = module.stat()
    module.write_text(MODULE.format(value=2), encoding="utf-8")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert module.stat().st_size == stat.st_size
    second = _import_anew("kept_here.module")
    assert (first.function(), second.function()) == (1, 2)
    assert second.function.__code__ is not first.function.__code__
    assert os.fspath(module) not in compiled_sources.sharing().served


def test_a_module_outside_the_folder_is_not_kept(package):
    first = _import_anew("elsewhere")
    second = _import_anew("elsewhere")
    assert second.function.__code__ is not first.function.__code__
    assert os.fspath(package.parent / "elsewhere.py") not in compiled_sources.sharing().kept


def test_restoring_gives_python_its_own_compilation_back(tmp_path):
    before = importlib.machinery.SourceFileLoader.source_to_code
    restore = compiled_sources.keep_compiled(tmp_path)
    assert compiled_sources.sharing() is not None
    restore()
    assert importlib.machinery.SourceFileLoader.source_to_code is before


@pytest.mark.skipif(not forked_kernels.enabled(), reason="no template (no fork, or BOLERO_NBVAL_FORK=0)")
def test_a_worker_forked_from_the_template_got_the_package_compiled_there(pytestconfig):
    if not os.environ.get(forked_kernels.ADDRESS_VARIABLE) or not hasattr(pytestconfig, "workerinput"):
        assert compiled_sources.sharing() is None  # started the usual way: compiles as usual
        return
    sharing = compiled_sources.sharing()
    import bolero_evidence.stats.exact as exact

    assert exact.__file__ in sharing.served
    assert sum(path.startswith(os.path.dirname(exact.__file__)) for path in sharing.kept) > 5
