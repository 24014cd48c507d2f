#!/usr/bin/env python3
"""Time the group-sequential computations and the tests of ``tests/stats``.

Run with the project's interpreter: ``.venv/bin/python benchmarks/bench_stats.py``.
Each figure is the median of repeated wall-clock timings (``time.perf_counter``);
the test suite runs in a fresh ``python -m pytest -q tests/stats`` subprocess,
so its time includes interpreter start-up and imports. Target: 5-look
boundaries in under 50 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bolero_evidence.stats.groupseq import efficacy_boundaries, required_events_group_sequential

ROOT = Path(__file__).resolve().parents[1]
FIVE_LOOK_TARGET_SECONDS = 0.050


def median_seconds(task: Callable[[], object], repeats: int) -> float:
    task()  # warm-up: imports and first-call caches are not what is measured
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    cases = [
        ("boundaries, 2 looks (0.5, 1)", lambda: efficacy_boundaries((0.5, 1.0)), 50),
        ("boundaries, 5 looks (0.2 ... 1)", lambda: efficacy_boundaries((0.2, 0.4, 0.6, 0.8, 1.0)), 50),
        (
            "required events, group-sequential (HR 0.74, 2:1, 5 looks)",
            lambda: required_events_group_sequential(0.74, (0.2, 0.4, 0.6, 0.8, 1.0), allocation_ratio=2.0),
            20,
        ),
    ]
    print(f"{'task':<60} {'median':>12}  repeats")
    results = {}
    for label, task, repeats in cases:
        results[label] = median_seconds(task, repeats)
        print(f"{label:<60} {results[label] * 1e3:>9.2f} ms  {repeats}")

    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "stats")]
    suite_timings, outcome = [], 0
    for _ in range(3):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        suite_timings.append(time.perf_counter() - start)
        outcome = outcome or completed.returncode
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "(no output)"
    print(f"{'pytest -q tests/stats (wall, incl. start-up)':<60} {statistics.median(suite_timings):>10.2f} s   3  [{summary}]")

    five_looks = results["boundaries, 5 looks (0.2 ... 1)"]
    verdict = "meets" if five_looks < FIVE_LOOK_TARGET_SECONDS else "MISSES"
    print(f"5-look boundaries {verdict} the {FIVE_LOOK_TARGET_SECONDS * 1e3:.0f} ms target.")
    return 0 if outcome == 0 and five_looks < FIVE_LOOK_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
