#!/usr/bin/env python3
"""Set up and run the project: ``python3 run.py report`` or ``python3 run.py test``.

On first use this creates a virtual environment in ``.venv`` and installs the
project with its pinned dependencies from the package registry. Later runs
reuse it and reinstall only when ``pyproject.toml`` changed, so a second call
starts at once. Everything after the command name is passed through: to the
build (``run.py report --help``) or to pytest (``run.py test -k proportions``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-pyproject-sha256"
COMMANDS = {
    "report": "build the evidence summary (HTML and PDF) into _output/",
    "test": "run the unit, data and notebook (nbval) tests",
}


# pytest, ended as soon as it has returned its exit status. Python's own teardown of the test run's controller
# (freeing every module and object of pytest, its plugins and zmq) took 0.3 to 0.8 s after the last line was
# printed (issue 14: the suite's time). The exit handlers still run, as at a normal exit, and the output is
# flushed. A traceback out of pytest, or a thread still running, leaves the exit to Python as usual.
RUN_PYTEST = """\
import atexit, os, sys, threading
import pytest
status = int(pytest.main())
if threading.active_count() == 1:
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
sys.exit(status)
"""


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def ensure_environment() -> Path:
    """Create ``.venv`` and install the project if it is missing or stale."""
    # run.py runs under whatever python3 the machine has, before the venv exists.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"[run.py] Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = _venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        _say(f"creating a virtual environment in {VENV.relative_to(ROOT)}/ (first run only)")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    _say("installing the project and its pinned dependencies (first run, or pyproject.toml changed)")
    # Clear the stamp first so that an interrupted install is redone next time.
    STAMP.unlink(missing_ok=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
         "--editable", f"{ROOT}[test]"],
        check=True,
    )
    STAMP.write_text(wanted + "\n")
    _say("environment ready")
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        print("\ncommands:")
        for name, text in COMMANDS.items():
            print(f"  {name:8s} {text}")
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    command, rest = argv[0], argv[1:]
    try:
        python = ensure_environment()
    except subprocess.CalledProcessError as error:
        _say(f"installing the environment failed (exit {error.returncode}); see pip's message above")
        return error.returncode or 1
    if command == "report":
        args = [str(python), "-m", "bolero_evidence.cli", "build", *rest]
    else:
        args = [str(python), "-c", RUN_PYTEST, *rest]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
