"""Two renders of the same sources give the same bytes: ``SOURCE_DATE_EPOCH`` fixes the PDF's and DOCX's creation time.

The fallback renderer (pandoc, then the ``typst`` wheel) renders two copies
of the fixture project ``fixtures/mini`` in different folders with one epoch;
the PDF and the DOCX must be byte-identical. The case that must fail: a
render with another epoch gives another PDF and DOCX (so the equality is not
that of two files that never vary). Without an epoch they differ too, by the
clock (checked once by hand: two renders a second apart differ in both files).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.epoch import EpochError, data_epoch, source_date_epoch
from bolero_evidence.pipeline.render import RenderError, render_with_pandoc
from tests.conftest import ROOT
from tests.pipeline.test_render import make_project

# 2023-11-14 22:13:20 UTC: any fixed time will do.
EPOCH = 1_700_000_000
DAY = 86_400


def _render(tmp_path: Path, name: str, epoch: int | None) -> Path:
    project = make_project(tmp_path / f"project-{name}")
    output = tmp_path / f"out-{name}"
    render_with_pandoc(Project(project), output, progress=lambda line: None, source_date_epoch=epoch)
    return output


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """Three renders of the fixture in three folders: two with EPOCH, one a day later."""
    base = tmp_path_factory.mktemp("reproducible")
    return {name: _render(base, name, epoch) for name, epoch in (("first", EPOCH), ("second", EPOCH), ("later", EPOCH + DAY))}


def _pdf_creation_date(pdf: Path) -> dt.datetime:
    from pypdf import PdfReader

    return PdfReader(pdf).metadata.creation_date


@pytest.mark.parametrize("name", ["index.pdf", "index.docx", "index.html"])
def test_two_renders_with_one_epoch_are_byte_identical(renders, name):
    assert (renders["first"] / name).read_bytes() == (renders["second"] / name).read_bytes()


@pytest.fixture(scope="module")
def default_runtime(tmp_path_factory):
    """The fixture rendered with EPOCH by pandoc with its default runtime (``render.RUNTIME_OPTIONS`` left out)."""
    from unittest import mock

    from bolero_evidence.pipeline import render

    with mock.patch.object(render, "_runtime_options", lambda binary: ()):
        return _render(tmp_path_factory.mktemp("default-runtime"), "default-runtime", EPOCH)


@pytest.mark.parametrize("name", ["index.pdf", "index.docx", "index.html"])
def test_pandoc_s_allocation_area_does_not_change_a_byte(renders, default_runtime, name):
    assert (default_runtime / name).read_bytes() == (renders["first"] / name).read_bytes()


@pytest.mark.parametrize("name", ["index.pdf", "index.docx"])
def test_another_epoch_gives_another_file(renders, name):
    # The case that must fail the comparison above: the creation time is in the file.
    assert (renders["first"] / name).read_bytes() != (renders["later"] / name).read_bytes()


def test_the_epoch_is_the_creation_time_of_the_pdf_and_the_docx(renders):
    expected = dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC)
    assert _pdf_creation_date(renders["first"] / "index.pdf") == expected
    core = zipfile.ZipFile(renders["first"] / "index.docx").read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core


def test_an_unusable_epoch_in_the_environment_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(EpochError, match=r"SOURCE_DATE_EPOCH='yesterday' is not usable: expected the UNIX time in whole seconds"):
        source_date_epoch(tmp_path)
    with pytest.raises(RenderError, match=r"SOURCE_DATE_EPOCH='yesterday' is not usable"):
        render_with_pandoc(Project(make_project(tmp_path / "mini")), tmp_path / "out", progress=lambda line: None)


def test_the_environment_wins_over_the_data(tmp_path):
    assert source_date_epoch(ROOT, {"SOURCE_DATE_EPOCH": "12345"}) == (12345, "set in the environment")
    assert source_date_epoch(ROOT, {})[0] == data_epoch(ROOT)


def _git(repo: Path, *args: str, when: int | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when is not None:
        env |= {"GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def test_data_epoch_is_the_commit_time_of_the_last_change_to_data(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pfs.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "index.qmd").write_text("draft\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "data", when=EPOCH)
    (tmp_path / "index.qmd").write_text("edited\n", encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "article only", when=EPOCH + DAY)
    # A later commit that leaves data/ alone does not move the date.
    assert data_epoch(tmp_path) == EPOCH
    (tmp_path / "data" / "pfs.csv").write_text("a\n2\n", encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "data again", when=EPOCH + 2 * DAY)
    assert data_epoch(tmp_path) == EPOCH + 2 * DAY


def test_without_git_the_data_epoch_is_the_newest_data_file(tmp_path):
    (tmp_path / "data").mkdir()
    for name, when in (("a.csv", EPOCH), ("b.csv", EPOCH + DAY)):
        (tmp_path / "data" / name).write_text("x\n", encoding="utf-8")
        os.utime(tmp_path / "data" / name, (when, when))
    assert data_epoch(tmp_path) == EPOCH + DAY
    assert data_epoch(tmp_path / "nowhere") is None
