"""The record of validated data (``bolero_evidence.data.validated``): reused only for the same bytes and code."""

from __future__ import annotations

import shutil

import pytest

from bolero_evidence import cache
from bolero_evidence.data import loader, validated
from bolero_evidence.data.errors import DataValidationError
from tests.conftest import DATA, edit_cell, find_line


@pytest.fixture
def project(tmp_path):
    """A project folder (``_quarto.yml`` beside ``data/``): the place where a verdict is recorded."""
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    shutil.copytree(DATA, tmp_path / "data")
    loader._load_tables_cached.cache_clear()  # the in-process cache would hide the record
    return tmp_path


def _load(data_dir):
    loader._load_tables_cached.cache_clear()
    return loader.load_tables(data_dir)


def _checks_would_fail(monkeypatch):
    """Make the cross-table pass report a problem: a load that does not run the checks does not see it."""
    problem = loader.Problem("x.csv", 2, "value", "1", "a planted problem")
    monkeypatch.setattr(loader, "cross_table_problems", lambda tables, data_dir, digests=None: [problem])


def test_a_clean_verdict_is_recorded_and_reused_for_the_same_bytes(project, monkeypatch):
    tables = _load(project / "data")
    assert list((project / ".build-cache" / "validated").iterdir()) != []
    _checks_would_fail(monkeypatch)
    again = _load(project / "data")  # the record: the checks did not run
    assert sorted(again) == sorted(tables)
    assert all(again[name].equals(tables[name]) for name in tables)


def test_changed_bytes_are_validated_again(project, monkeypatch):
    _load(project / "data")
    line = find_line(project / "data", "pfs", statistic="hr", assessment="local", source_id="nejm_2011")
    edit_cell(project / "data", "pfs", line, "note", "a changed note")
    _checks_would_fail(monkeypatch)
    with pytest.raises(DataValidationError, match="a planted problem"):
        _load(project / "data")


def test_a_data_file_replaced_by_a_link_to_the_same_bytes_is_validated_again(project):
    _load(project / "data")
    data = project / "data"
    (project / "elsewhere.csv").write_bytes((data / "pfs.csv").read_bytes())
    (data / "pfs.csv").unlink()
    (data / "pfs.csv").symlink_to(project / "elsewhere.csv")
    with pytest.raises(DataValidationError, match="pfs.csv"):
        _load(data)


def test_changed_package_code_gives_another_key(project, monkeypatch):
    key = validated.validation_key(project / "data")
    monkeypatch.setattr(cache, "_digest", "another version of the code")
    assert validated.validation_key(project / "data") != key


def test_nothing_is_recorded_or_reused_with_the_cache_turned_off(project, monkeypatch):
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    _load(project / "data")
    assert not (project / ".build-cache").exists()
    monkeypatch.delenv(cache.DISABLE_VARIABLE)
    _load(project / "data")
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    _checks_would_fail(monkeypatch)
    with pytest.raises(DataValidationError, match="a planted problem"):
        _load(project / "data")


def test_data_with_problems_are_not_recorded(project):
    line = find_line(project / "data", "pfs", statistic="hr", assessment="local", source_id="nejm_2011")
    edit_cell(project / "data", "pfs", line, "value", "not a number")
    with pytest.raises(DataValidationError):
        _load(project / "data")
    assert not (project / ".build-cache" / "validated").exists()


def test_data_outside_a_project_are_not_recorded(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    _load(tmp_path / "data")
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_a_cache_that_cannot_be_written_is_no_error(project):
    (project / ".build-cache").write_text("a file where the folder would be", encoding="utf-8")
    assert "pfs" in _load(project / "data")
