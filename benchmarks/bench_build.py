"""Time the build: cold, no-change rebuild, and rebuild after one data value changes.

Run with ``.venv/bin/python benchmarks/bench_build.py``. Works on a copy of
the project in a temporary folder, so the checkout is not touched. Targets
(2 cores): cold under 60 s, no-change under 3 s, one-value change
re-executes only the notebooks that read the changed table.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bolero_evidence.pipeline.pipeline import build  # noqa: E402


def _copy(target: Path) -> Path:
    for name in ("_quarto.yml", "data", "analysis", "report"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    return target


def _change_one_value(project: Path) -> str:
    """Edit one cell of exposure.csv (a note: a value edit would have to change its quote too, which provenance forbids)."""
    path = project / "data" / "exposure.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("measure")] == "median_exposure" and row[header.index("arm")] == "everolimus":
            row[header.index("note")] = "benchmark edit"
            break
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return "exposure.csv (one cell)"


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = _copy(Path(scratch))
        quiet = lambda line: None  # noqa: E731
        timings = []
        started = time.perf_counter()
        cold = build(project, use_quarto=False, progress=quiet)
        timings.append(("cold build (nothing cached)", time.perf_counter() - started, cold))
        started = time.perf_counter()
        again = build(project, use_quarto=False, progress=quiet)
        timings.append(("no-change rebuild", time.perf_counter() - started, again))
        changed = _change_one_value(project)
        started = time.perf_counter()
        edited = build(project, use_quarto=False, progress=quiet)
        timings.append((f"rebuild after editing {changed}", time.perf_counter() - started, edited))
    for name, seconds, result in timings:
        executed = [r.notebook for r in result.notebooks if r.executed]
        print(f"{name:45s} {seconds:6.1f} s  executed {len(executed)}/{len(result.notebooks)} notebooks"
              f"{' (' + ', '.join(executed) + ')' if 0 < len(executed) < len(result.notebooks) else ''}; "
              f"rendered: {result.rendered}")


if __name__ == "__main__":
    main()
