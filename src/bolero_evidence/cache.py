"""Results remembered between processes, in the project's ``.build-cache/`` (ignored by git).

Each notebook runs in a kernel of its own, and the tests run in two worker
processes, so a result cached in memory (``functools.lru_cache``) is computed
again by every process: the exact intervals of the response and safety
comparisons (about a second each) were computed five times per test run, and
the data validated a dozen times (issue 14: suite time). What is remembered
here is a pure function of its key, and the key holds everything the result
depends on:

- :func:`code_digest`: the package code the analyses run
  (:func:`bolero_evidence.files.package_digest`, as for the notebooks' inputs)
  and the versions of the libraries that compute (numpy, scipy, statsmodels,
  frictionless, pandas), so a change to any of them is a new key, never a
  stale result;
- the caller's inputs (the data files' bytes, or a function's arguments).

A record is written under a temporary name and renamed into place, so a
reader never sees half of one; a cache that cannot be read or written is the
same as an empty one (the result is computed). ``BOLERO_NO_CACHE=1`` turns
it off: nothing is read or written. The unit tests of the cached functions
run with it off, so they test the computation, not the record.

Why not a library (joblib.Memory): it hashes a function's own source, not the
modules it calls, and pickles; here a record is a line of JSON (or an empty
file) and the key covers every module.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from .files import package_digest

__all__ = ["DISABLE_VARIABLE", "MOST_RECORDS", "code_digest", "enabled", "read_record", "write_record"]

DISABLE_VARIABLE = "BOLERO_NO_CACHE"
#: Records a folder keeps before its older half is removed (a few hundred bytes each).
MOST_RECORDS = 4000
_LIBRARIES = ("numpy", "scipy", "statsmodels", "frictionless", "pandas")
_digest: str | None = None


def enabled() -> bool:
    """False when ``$BOLERO_NO_CACHE`` is set to anything but empty or ``0``."""
    return os.environ.get(DISABLE_VARIABLE, "").strip() in ("", "0")


def code_digest() -> str:
    """Hash of the package code the analyses run and the computing libraries' versions (computed once per process)."""
    global _digest
    if _digest is None:
        versions = " ".join(f"{name}={version(name)}" for name in _LIBRARIES)
        _digest = hashlib.sha256(f"{versions} {package_digest()}".encode()).hexdigest()
    return _digest


def read_record(folder: Path, key: str) -> str | None:
    """The text recorded under ``key`` in ``folder``, or None (none, unreadable, or the cache turned off)."""
    if not enabled():
        return None
    try:
        return (folder / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_record(folder: Path, key: str, text: str) -> None:
    """Record ``text`` under ``key`` in ``folder``, whole or not at all; a failure is silent (the cache is optional).

    A folder holding more than :data:`MOST_RECORDS` records loses its older half: every change to the code
    makes new keys, and the records of old code are never read again.
    """
    if not enabled():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A temporary name of its own (not files.write_whole's fixed one): two processes may write one record at once.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, folder / key)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        records = [entry for entry in os.scandir(folder) if not entry.name.startswith(".")]
        if len(records) > MOST_RECORDS:
            records.sort(key=lambda entry: entry.stat().st_mtime_ns)
            for entry in records[: len(records) // 2]:
                Path(entry.path).unlink(missing_ok=True)
    except OSError:
        pass
