"""A record of data that passed validation, so that each process need not validate the same bytes again.

Every notebook validates the whole package when it loads its tables, and
each runs in a kernel of its own: a build or a test run validated the same
files a dozen times, about 2.5 s each (issue 14: suite time). Validation is
a function of the data files, the code that checks them and the Frictionless
version, so its verdict is recorded under a hash of exactly those, in the
project's cache folder (``.build-cache/validated/``, ignored by git):

- only a clean verdict is recorded; data with problems are validated again
  each time, so every error message is computed afresh;
- a change to any data file (its name or bytes), to the package's code or
  tables (``bolero_evidence/**/*.py``, ``*.csv``, ``*.json``) or to the
  Frictionless version gives another key: nothing stale can be reused;
- data outside a project (a copy in a temporary folder) are not recorded;
- the record is an optimisation only: a cache folder that cannot be read or
  written is the same as an empty one.

Why not a library (joblib.Memory): it hashes a function's own source, not
the modules it calls, and would pickle the frames; here the verdict is one
empty file and its key covers every module.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import frictionless

_PACKAGE = Path(__file__).resolve().parents[1]
_CODE_SUFFIXES = {".py", ".csv", ".json"}
_code_digest: str | None = None


def _package_digest() -> str:
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256(frictionless.__version__.encode())
        for path in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        _code_digest = digest.hexdigest()
    return _code_digest


def validation_key(data_dir: Path) -> str:
    """Hash of every entry of ``data_dir`` (name, kind, bytes), the package's code and the Frictionless version.

    The kind (file, link, folder) is part of the key: a data file replaced by a link to the same bytes is
    invalid (validation requires regular files) and must not match the clean record.
    """
    digest = hashlib.sha256(_package_digest().encode())
    for path in sorted(Path(data_dir).iterdir()):
        kind = stat.S_IFMT(path.lstat().st_mode)
        content = hashlib.sha256(path.read_bytes()).digest() if kind == stat.S_IFREG else b""
        digest.update(path.name.encode() + b"\0" + str(kind).encode() + b"\0" + content)
    return digest.hexdigest()


def _record(data_dir: Path, key: str) -> Path | None:
    root = Path(data_dir).resolve().parent
    if not (root / "_quarto.yml").is_file():
        return None  # not a project's data/: nowhere to record
    return root / ".build-cache" / "validated" / key


def known_valid(data_dir: Path, key: str) -> bool:
    """Whether data with this key passed validation before."""
    record = _record(data_dir, key)
    return record is not None and record.is_file()


def remember_valid(data_dir: Path, key: str) -> None:
    """Record that data with this key passed validation (silently skipped where the cache cannot be written)."""
    record = _record(data_dir, key)
    if record is None:
        return
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name renamed into place: a reader never sees a half-made record.
        handle, temporary = tempfile.mkstemp(dir=record.parent, prefix=".", suffix=".tmp")
        os.close(handle)
        os.replace(temporary, record)
    except OSError:
        pass
