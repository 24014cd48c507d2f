"""Fixtures of the citing tests: the CLI run in-process, and a small git repository with releases."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
REGISTER = ROOT / "report" / "generated" / "register.csv"
EARLIER = EXAMPLES / "register-0.0.1-example.csv"


@pytest.fixture
def run(capsys):
    """Run ``bolero-evidence ARGS`` in-process against this checkout; returns (exit code, stdout, stderr)."""
    from bolero_evidence.cli import main

    def _run(*args: str, project: Path = ROOT):
        code = main(["--project", str(project), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


def set_value(register: Path, figure_id: str, **columns: str) -> None:
    """Change cells of one register row in place (keeps every other row's text)."""
    import csv

    with register.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for row in rows:
        if row["id"] == figure_id:
            row.update(columns)
    with register.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def released(tmp_path) -> Path:
    """A git repository with release v0.1.0 (this checkout's register) and a working tree at 0.2.0 in which
    one figure changed (``pfs.central.final.median_gain`` 6.9 → 7.0), one was removed (``orr.local.placebo``)
    and one was added (copy of ``orr.local.everolimus`` as ``orr.local.everolimus_copy``)."""
    repo = tmp_path / "repo"
    (repo / "report" / "generated").mkdir(parents=True)
    shutil.copy(ROOT / "index.qmd", repo / "index.qmd")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copy(REGISTER, repo / "report" / "generated" / "register.csv")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release 0.1.0")
    git(repo, "tag", "v0.1.0")
    register = repo / "report" / "generated" / "register.csv"
    set_value(register, "pfs.central.final.median_gain", value="7.0")
    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("orr.local.placebo,")]
    everolimus = next(line for line in lines if line.startswith("orr.local.everolimus,"))
    added = everolimus.replace("orr.local.everolimus,", "orr.local.everolimus_copy,")
    register.write_text("".join(kept) + added, encoding="utf-8")
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('version = "0.1.0"', 'version = "0.2.0"', 1), encoding="utf-8")
    return repo
