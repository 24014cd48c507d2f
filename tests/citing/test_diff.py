"""``bolero-evidence diff`` and the build's changelog (write_changelog)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from bolero_evidence.citing.diff import CHANGELOG_PATH, write_changelog
from bolero_evidence.citing.errors import ExitCode

from .conftest import EARLIER, REGISTER, git


def test_two_files(run):
    code, out, _ = run("diff", EARLIER, REGISTER)
    assert code == ExitCode.OK
    assert "0 added, 0 removed, 1 changed" in out
    assert ("orr.central.everolimus: 7.0% (4.7 to 9.3) [7.01031 (4.73802 to 9.2826)] "
            "→ 7.0% (4.9 to 9.7) [7.01031 (4.90337 to 9.65869)]") in out


def test_two_revisions(released, run):
    git(released, "commit", "-qam", "0.2.0")
    code, out, _ = run("diff", "v0.1.0", "HEAD", project=released)
    assert code == ExitCode.OK
    assert "1 added, 1 removed, 1 changed" in out
    assert "orr.local.everolimus_copy: 9.5% (7.0 to 12.4)" in out
    assert "Removed (1):\n  orr.local.placebo: 0.4% (0.0 to 2.3)" in out
    assert "pfs.central.final.median_gain: 6.9 months [6.9] → 7.0 months [7]" in out


def test_same_register_has_no_changes(run):
    code, out, _ = run("diff", REGISTER, REGISTER)
    assert code == ExitCode.OK and "No figure was added, removed or changed." in out


def test_revision_that_does_not_exist(run):
    code, _, err = run("diff", "v0.0.0", "HEAD")
    assert code == ExitCode.UNKNOWN_REVISION
    assert "'v0.0.0' is neither a register file nor a git revision" in err


def test_revision_without_a_register(tmp_path, run):
    repo = tmp_path / "empty"
    repo.mkdir()
    (repo / "README").write_text("x", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "no register")
    code, _, err = run("diff", "HEAD", "HEAD", project=repo)
    assert code == ExitCode.UNKNOWN_REVISION
    assert "has no register (looked for report/generated/register.csv and data/register.csv)" in err


def test_changelog_against_the_previous_release(released):
    path = write_changelog(released)
    assert path == released / CHANGELOG_PATH
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Figures changed since v0.1.0\n\n1 added, 1 removed, 1 changed.")
    assert "- `pfs.central.final.median_gain`: 6.9 months [6.9] → 7.0 months [7]" in text


def test_changelog_skips_the_current_version_tag(released):
    """Rebuilding release 0.2.0 itself compares it with 0.1.0, not with its own tag."""
    git(released, "commit", "-qam", "0.2.0")
    git(released, "tag", "v0.2.0")
    assert "since v0.1.0" in write_changelog(released).read_text(encoding="utf-8")


def test_no_changelog_without_a_release_tag(tmp_path):
    repo = tmp_path / "untagged"
    (repo / "report" / "generated").mkdir(parents=True)
    shutil.copy(REGISTER, repo / "report" / "generated" / "register.csv")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "untagged")
    assert write_changelog(repo) is None
    assert not (repo / CHANGELOG_PATH).exists()


def test_a_full_disk_while_writing_the_changelog_keeps_the_previous_one_whole(released, monkeypatch):
    path = write_changelog(released)
    previous = path.read_bytes()
    (released / "report" / "generated" / "register.csv").write_text(
        (released / "report" / "generated" / "register.csv").read_text(encoding="utf-8").replace("6.9", "6.8"), encoding="utf-8")
    original = Path.write_text

    def half_then_full(self, text, *args, **kwargs):
        if self.name.endswith(".tmp"):
            original(self, text[: len(text) // 2], *args, **kwargs)  # a full disk leaves half a file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return original(self, text, *args, **kwargs)
    monkeypatch.setattr(Path, "write_text", half_then_full)
    with pytest.raises(OSError, match="No space left on device") as raised:
        write_changelog(released)
    assert raised.value.filename == str(path)  # the changelog named, not the temporary file
    assert path.read_bytes() == previous
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
