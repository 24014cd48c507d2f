"""Timing of the exact unconditional intervals at BOLERO-2's sizes (not a test; pytest does not collect it).

Run from the worktree root:
    PYTHONPATH=src /work/main/.venv/bin/python tests/stats/benchmark_exact.py
"""

from __future__ import annotations

import os
import time

from bolero_evidence.stats.exact import risk_difference_exact, risk_ratio_exact

CASES = [
    ("objective response, local (NEJM 2011, Table 3)", 46, 485, 1, 239),
    ("objective response, central (NEJM 2011, Table 3)", 34, 485, 1, 239),
]

if __name__ == "__main__":
    # Computed, not read back from .build-cache/exact/ (which answers in milliseconds).
    os.environ["BOLERO_NO_CACHE"] = "1"
    for label, x1, n1, x2, n2 in CASES:
        for name, function in (("ratio", risk_ratio_exact), ("difference", risk_difference_exact)):
            start = time.perf_counter()
            result = function(x1, n1, x2, n2)
            elapsed = time.perf_counter() - start
            print(f"{label}, {name}: {result.estimate:.4g} ({result.low:.4g} to {result.high:.4g}) in {elapsed:.2f} s")
