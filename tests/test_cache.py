"""Records between processes (``bolero_evidence.cache``): whole, optional, bounded."""

from __future__ import annotations

import os

import pytest

from bolero_evidence import cache, files


@pytest.fixture(autouse=True)
def turned_on(monkeypatch):
    monkeypatch.delenv(cache.DISABLE_VARIABLE, raising=False)


def test_a_record_reads_back(tmp_path):
    cache.write_record(tmp_path / "records", "key", "text")
    assert cache.read_record(tmp_path / "records", "key") == "text"
    assert cache.read_record(tmp_path / "records", "other") is None


def test_turned_off_nothing_is_written_or_read(tmp_path, monkeypatch):
    cache.write_record(tmp_path, "key", "text")
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    assert cache.read_record(tmp_path, "key") is None
    cache.write_record(tmp_path, "new", "text")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_setting_leaves_it_on(monkeypatch, value):
    monkeypatch.setenv(cache.DISABLE_VARIABLE, value)
    assert cache.enabled()


def test_a_folder_that_cannot_be_made_is_no_error(tmp_path):
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    cache.write_record(tmp_path / "file" / "records", "key", "text")
    assert cache.read_record(tmp_path / "file" / "records", "key") is None


def test_a_full_folder_loses_its_older_half(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MOST_RECORDS", 4)
    for number in range(5):
        cache.write_record(tmp_path, f"key{number}", "text")
        os.utime(tmp_path / f"key{number}", ns=(number * 10**9, number * 10**9))  # distinct, increasing ages
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key2", "key3", "key4"]


def test_the_code_digest_changes_with_the_code_the_analyses_run_not_with_the_build(monkeypatch, tmp_path):
    monkeypatch.setattr(files, "_PACKAGE", tmp_path)
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "module.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pipeline" / "build.py").write_text("y = 1\n", encoding="utf-8")

    def digest() -> str:
        monkeypatch.setattr(cache, "_digest", None)
        return cache.code_digest()
    first = digest()
    (tmp_path / "pipeline" / "build.py").write_text("y = 2\n", encoding="utf-8")
    assert digest() == first  # the build's own code computes no recorded result
    (tmp_path / "module.py").write_text("x = 2\n", encoding="utf-8")
    assert digest() != first
