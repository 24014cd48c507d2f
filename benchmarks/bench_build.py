"""Time the build, side by side: Quarto alone, the full build with Quarto and with the fallback.

Run with ``.venv/bin/python benchmarks/bench_build.py`` (add ``--no-quarto``
to skip the Quarto rows). Each row works on a fresh copy of the project in a
temporary folder, so the checkout is not touched. Rows:

- ``quarto render`` of the project alone (the notebooks' saved outputs);
- the build, cold: a fresh copy with nothing cached (the saved notebooks are
  current, so nothing is executed) and forced (every notebook executed);
- the build with nothing changed (a second build of the same copy);
- the build after one data value changes (re-executes its readers, re-renders).

Targets (issue 8, 2 cores): no-change rebuild under 1 s; cold fallback build
under 20 s; the Quarto build no slower than ``quarto render`` plus the
notebooks' execution, two at a time.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bolero_evidence.paths import Project
from bolero_evidence.pipeline.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
# The copies live in a temporary folder: the source documents are the checkout's.
SEEDS = Project(ROOT).seeds


def _copy(target: Path) -> Path:
    for name in ("_quarto.yml", "index.qmd", "data", "analysis", "report"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    return target


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _edit_one_value(project: Path) -> None:
    # A note of one subgroup row: read by notebooks 01, 02 and 06.
    path = project / "data" / "pfs_subgroups.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("note")] += " (edited by the benchmark)"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _rows(use_quarto: bool) -> list[tuple[str, float, str]]:
    name = "Quarto" if use_quarto else "fallback"
    rows = []
    quiet = lambda line: None  # noqa: E731
    with tempfile.TemporaryDirectory() as scratch:
        project = _copy(Path(scratch))
        seconds, result = _timed(lambda: build(project, seeds=SEEDS, use_quarto=use_quarto, progress=quiet))
        rows.append((f"build with {name}, cold (fresh copy, nothing cached)", seconds,
                     f"{sum(r.executed for r in result.notebooks)} notebooks executed"))
        seconds, result = _timed(lambda: build(project, seeds=SEEDS, use_quarto=use_quarto, progress=quiet))
        rows.append((f"build with {name}, nothing changed", seconds, f"rendered: {result.rendered}"))
        _edit_one_value(project)
        seconds, result = _timed(lambda: build(project, seeds=SEEDS, use_quarto=use_quarto, progress=quiet))
        rows.append((f"build with {name}, one data value changed", seconds,
                     "executed " + ", ".join(r.notebook for r in result.notebooks if r.executed)))
        seconds, result = _timed(lambda: build(project, seeds=SEEDS, use_quarto=use_quarto, force=True, progress=quiet))
        rows.append((f"build with {name}, forced (every notebook executed)", seconds,
                     f"{sum(r.executed for r in result.notebooks)} notebooks executed"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-quarto", action="store_true", help="time the fallback only")
    args = parser.parse_args()
    rows = []
    quarto = None if args.no_quarto else shutil.which("quarto")
    if quarto:
        with tempfile.TemporaryDirectory() as scratch:
            project = _copy(Path(scratch))
            seconds, _ = _timed(lambda: subprocess.run([quarto, "render"], cwd=project, check=True, capture_output=True))
            rows.append(("quarto render alone", seconds, "saved notebook outputs, three formats and notebook pages"))
        rows += _rows(use_quarto=True)
    rows += _rows(use_quarto=False)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':{width}s}  seconds  note")
    for what, seconds, note in rows:
        print(f"{what:{width}s}  {seconds:7.1f}  {note}")


if __name__ == "__main__":
    main()
