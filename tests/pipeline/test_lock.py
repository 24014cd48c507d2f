"""One build of a checkout at a time; a killed build's leftovers are cleaned at the next start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.pipeline import BuildError, build, build_lock
from tests.conftest import ROOT, copy_project


@pytest.fixture
def project(tmp_path):
    return Project(copy_project(tmp_path))


def test_a_second_build_while_one_runs_is_refused_with_the_pid(project):
    with build_lock(project, progress=lambda line: None):
        with pytest.raises(BuildError, match=rf"another build of this checkout is running \(pid {os.getpid()}\)"):
            build(project.root, use_quarto=False, progress=lambda line: None)


def test_a_lock_held_by_another_process_is_refused(project):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from bolero_evidence.paths import Project
        from bolero_evidence.pipeline.pipeline import build_lock
        with build_lock(Project(Path({str(project.root)!r})), progress=lambda line: None):
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildError, match=rf"\(pid {holder.pid}\)"):
            with build_lock(project, progress=lambda line: None):
                pass
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the dead holder's lock: the next build may start.
    with build_lock(project, progress=lambda line: None):
        pass


def test_leftovers_of_a_killed_build_are_removed_at_the_next_start(project):
    (project.root / "_output.staging").mkdir()
    (project.root / "_output.old").mkdir()
    leftover = project.analysis / ".02-pfs-gains.ipynb.tmp"
    leftover.write_text("half a notebook", encoding="utf-8")
    lines: list[str] = []
    with build_lock(project, progress=lines.append):
        pass
    assert not (project.root / "_output.staging").exists() and not (project.root / "_output.old").exists()
    assert not leftover.exists()
    assert any("_output.staging" in line for line in lines)
