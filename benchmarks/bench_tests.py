"""Time the test suite as ``python3 run.py test`` runs it, with and without the Quarto render.

Run from the checkout's root with the project's environment::

    .venv/bin/python benchmarks/bench_tests.py            # both runs
    .venv/bin/python benchmarks/bench_tests.py --only not-quarto

Two runs of pytest with the project's options (pyproject.toml: nbval, two
workers): the whole suite, then ``-m "not quarto"`` (everything but the
Quarto renders, the issue's target: under 60 s on 2 cores). For each run it
prints the wall time, the load average beside it (other processes on the
machine slow a run down; compare runs at a similar load), the outcome line,
and the time spent per phase: the sum of the ``--durations`` of the tests
of each folder (setup, call and teardown, across both workers, so the sums
add up to about twice the wall time).

Not a test: pytest does not collect this folder (``testpaths``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"full": [], "not-quarto": ["-m", "not quarto"]}
TARGET_SECONDS = 60.0
SUMMARY = re.compile(r"\b(passed|failed|error|errors)\b.* in [\d.]+s")
DURATION = re.compile(r"^([\d.]+)s (setup|call|teardown)\s+(\S+)")


def phase_of(nodeid: str) -> str:
    """The folder a test belongs to (``tests/data``, ``analysis (nbval)``), the Quarto build apart."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("analysis/"):
        return "analysis (nbval)"
    if path in ("tests/pipeline/test_quarto_build.py", "tests/pipeline/test_parity.py"):
        return f"{path} (Quarto)"
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else path


def run(name: str, extra: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pytest", "-q", "--durations=0", "--durations-min=0", *RUNS[name], *extra]
    load_before = os.getloadavg()
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    phases: dict[str, float] = defaultdict(float)
    for line in completed.stdout.splitlines():
        match = DURATION.match(line)
        if match:
            phases[phase_of(match.group(3))] += float(match.group(1))
    summaries = [line.strip("= ") for line in completed.stdout.splitlines() if SUMMARY.search(line)]
    outcome = summaries[-1] if summaries else "no pytest summary line (see stderr)"
    failures = [line for line in completed.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return {"name": name, "seconds": seconds, "returncode": completed.returncode, "outcome": outcome, "failures": failures,
            "load": (load_before, os.getloadavg()), "phases": dict(phases), "stderr": completed.stderr}


def report(result: dict) -> None:
    (before, after) = result["load"]
    print(f"\n{result['name']}: {result['seconds']:.1f} s wall (load average {before[0]:.2f} before, {after[0]:.2f} after; "
          f"exit {result['returncode']})")
    print(f"  {result['outcome']}")
    for line in result["failures"]:  # a timing of a failing run is no timing: say which test failed
        print(f"  {line}")
    if result["name"] == "not-quarto":
        verdict = "under" if result["seconds"] < TARGET_SECONDS else "OVER"
        print(f"  target: {TARGET_SECONDS:.0f} s without the Quarto render: {verdict}")
    for phase, seconds in sorted(result["phases"].items(), key=lambda item: -item[1]):
        print(f"  {seconds:7.1f} s  {phase}")
    if result["returncode"] != 0 and result["stderr"].strip():
        print(result["stderr"][-2000:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(RUNS), help="run one of the two")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(RUNS)
    print(f"{os.cpu_count()} CPUs; pytest options from pyproject.toml; per phase: summed test durations")
    status = 0
    for name in names:
        result = run(name, args.pytest_args)
        report(result)
        status = status or result["returncode"]
    return status


if __name__ == "__main__":
    sys.exit(main())
