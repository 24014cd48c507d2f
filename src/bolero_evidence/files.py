"""Files written whole, and the hash of the package's code: shared by the build, the citing tools and the cache."""

from __future__ import annotations

import hashlib
from contextlib import suppress
from pathlib import Path

__all__ = ["package_digest", "sha256_of", "write_whole"]

_PACKAGE = Path(__file__).resolve().parent


def sha256_of(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def package_digest() -> str:
    """Hash of the package code the analyses run (``*.py``, ``*.csv``, ``*.json``; the build's own modules excluded).

    The notebooks' inputs (:mod:`bolero_evidence.pipeline.notebooks`) and the keys of the records between
    processes (:mod:`bolero_evidence.cache`): a change to the build or the command line changes neither.
    """
    files = sorted(p for p in _PACKAGE.rglob("*") if p.suffix in {".py", ".csv", ".json"} and p.is_file()
                   and "__pycache__" not in p.parts and "pipeline" not in p.relative_to(_PACKAGE).parts
                   and p.name != "cli.py")
    # Read and hashed again only when a file changed (name, size or modification time): the build asks for the
    # digest once per notebook, and a test session builds dozens of projects (issue 14: suite time).
    signature = tuple((str(p), stat.st_size, stat.st_mtime_ns) for p in files for stat in [p.stat()])
    if signature not in _DIGESTS:
        _DIGESTS.clear()
        _DIGESTS[signature] = sha256_of(*(str(p.relative_to(_PACKAGE)).encode() + p.read_bytes() for p in files))
    return _DIGESTS[signature]


_DIGESTS: dict[tuple, str] = {}


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: through a temporary file beside it, removed if the write fails.

    Raises
    ------
    OSError
        Naming ``path`` (not the temporary file), e.g. a full disk.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException as error:
        # A full disk leaves half a file; Ctrl-C may land here too. Neither may leave it behind, and a
        # failing removal must not hide the first error (the next build removes what is left).
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename == str(tmp):
            error.filename = str(path)
        raise
