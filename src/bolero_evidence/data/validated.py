"""A record of data that passed validation, so that each process need not validate the same bytes again.

Every notebook validates the whole package when it loads its tables, and
each runs in a kernel of its own: a build or a test run validated the same
files a dozen times, about 2.5 s each (issue 14: suite time). The verdict
is recorded (:mod:`bolero_evidence.cache`) in the project's
``.build-cache/validated/`` under a hash of every entry of ``data/`` (name,
kind, bytes) and of the code the analyses run with the library versions
(:func:`bolero_evidence.cache.code_digest`):

- only a clean verdict is recorded; data with problems are validated again
  each time, so every error message is computed afresh;
- a change to any data file, to the analyses' code or tables, or to a
  library version gives another key: nothing stale can be reused;
- data outside a project (a copy in a temporary folder) are not recorded.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from ..cache import code_digest, read_record, write_record
from ..paths import Project, is_project


def validation_key(data_dir: Path) -> str:
    """Hash of every entry of ``data_dir`` (name, kind, bytes) and of the package's code.

    The kind (file, link, folder) is part of the key: a data file replaced by a link to the same bytes is
    invalid (validation requires regular files) and must not match the clean record.
    """
    digest = hashlib.sha256(code_digest().encode())
    for path in sorted(Path(data_dir).iterdir()):
        kind = stat.S_IFMT(path.lstat().st_mode)
        content = hashlib.sha256(path.read_bytes()).digest() if kind == stat.S_IFREG else b""
        digest.update(path.name.encode() + b"\0" + str(kind).encode() + b"\0" + content)
    return digest.hexdigest()


def _folder(data_dir: Path) -> Path | None:
    data_dir = Path(data_dir).resolve()
    project = Project(data_dir.parent)
    if not is_project(project.root) or project.data != data_dir:
        return None  # not a project's data/: nowhere to record
    return project.cache / "validated"


def known_valid(data_dir: Path, key: str) -> bool:
    """Whether data with this key passed validation before."""
    folder = _folder(data_dir)
    return folder is not None and read_record(folder, key) is not None


def remember_valid(data_dir: Path, key: str) -> None:
    """Record that data with this key passed validation."""
    folder = _folder(data_dir)
    if folder is not None:
        write_record(folder, key, "")
