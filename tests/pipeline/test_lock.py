"""One build of a checkout at a time; a killed build's leftovers are cleaned at the next start."""

from __future__ import annotations

import os
import signal
import time

import pytest

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.pipeline import BuildError, build, build_lock
from tests.conftest import copy_project


@pytest.fixture
def project(tmp_path):
    return Project(copy_project(tmp_path))


def test_a_second_build_while_one_runs_is_refused_with_the_pid(project):
    with build_lock(project, progress=lambda line: None):
        with pytest.raises(BuildError, match=rf"another build of this checkout is running \(pid {os.getpid()}\)"):
            build(project.root, use_quarto=False, progress=lambda line: None)


def test_a_lock_held_by_another_process_is_refused(project):
    # The other process is a fork of this one, which holds the lock through build_lock as a build would (a new
    # interpreter importing the build took most of a second, issue 14). It never returns into pytest.
    ready, told = os.pipe()
    holder = os.fork()
    if holder == 0:
        try:
            os.close(ready)
            with build_lock(project, progress=lambda line: None):
                os.write(told, b"locked\n")
                time.sleep(30)
        finally:
            os._exit(0)
    os.close(told)
    try:
        assert os.read(ready, 64) == b"locked\n", "the other process did not take the lock"
        with pytest.raises(BuildError, match=rf"\(pid {holder}\)"):
            with build_lock(project, progress=lambda line: None):
                pass
    finally:
        os.kill(holder, signal.SIGKILL)
        os.waitpid(holder, 0)
        os.close(ready)
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
