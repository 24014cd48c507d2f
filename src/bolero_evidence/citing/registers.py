"""Versions of the register: the working tree's, a file's, or a git revision's, with the report's metadata.

The build writes ``report/generated/register.csv`` and commits it with the
notebooks, so any revision's register is ``git show REV:<path>``; revisions
before the report moved to Quarto kept it at ``data/register.csv``. A release
is a tag ``v<version>``; the report's version is ``version`` in
``pyproject.toml`` and in the ``citation`` block of ``index.qmd``.
"""

from __future__ import annotations

import difflib
import io
import math
import re
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..register import REGISTER_COLUMNS, read_register
from .errors import UnknownId, UnknownRevision, UnreadableFile

__all__ = ["Figure", "Section", "ReportInfo", "RegisterVersion", "REGISTER_PATHS", "load_register", "register_for_version",
           "release_tags", "report_info", "parse_sections", "is_git_revision"]

#: Where a revision keeps its register: the current path first, then the one before the Quarto layout.
REGISTER_PATHS = ("report/generated/register.csv", "data/register.csv")
_SECTION_HEADING = re.compile(r"^(?P<hashes>#{2,6})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_VERSION_TAG = re.compile(r"^v(\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?)$")


@dataclass(frozen=True)
class Figure:
    """One row of the register (see ``report/generated/README.md``); bounds are ``None`` where there is no interval."""

    id: str
    value: float
    ci_low: float | None
    ci_high: float | None
    unit: str
    method: str
    inputs: str
    notebook: str
    cell: str
    section: str
    description: str

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def same_numbers(self, other: Figure) -> bool:
        """Same value, interval and unit (the register's six significant digits, compared exactly)."""
        return (self.value, self.ci_low, self.ci_high, self.unit) == (other.value, other.ci_low, other.ci_high, other.unit)


@dataclass(frozen=True)
class Section:
    """A numbered section of the report: ``number`` as the reader sees it (``2.1``)."""

    id: str
    number: str
    title: str


@dataclass(frozen=True)
class ReportInfo:
    """What a citation names besides the figure: the report's title, version, date and sections."""

    title: str
    version: str | None
    date: str | None
    publisher: str | None
    author: str | None
    sections: Mapping[str, Section] = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterVersion:
    """One version of the register.

    Attributes
    ----------
    label : str
        Where it was read, for messages: ``working tree``, ``v0.1.0 (3f2a1b0)``, a file name.
    figures : Mapping[str, Figure]
        The rows by id, in register order.
    version : str or None
        The report version it belongs to, where known.
    report : ReportInfo or None
        The report's metadata at the same revision, where known.
    """

    label: str
    figures: Mapping[str, Figure]
    version: str | None = None
    report: ReportInfo | None = None

    def nearest(self, wanted: str, n: int = 3) -> list[str]:
        """The ids closest to ``wanted`` (for "did you mean"), best first."""
        return difflib.get_close_matches(wanted, list(self.figures), n=n, cutoff=0.6)

    def get(self, wanted: str) -> Figure:
        """The figure of ``wanted``; :class:`UnknownId` names the nearest ids."""
        try:
            return self.figures[wanted]
        except KeyError:
            near = self.nearest(wanted)
            hint = f"; nearest ids: {', '.join(near)}" if near else "; no id is close to it"
            raise UnknownId(f"{wanted!r} is not a register id of {self.label}{hint}") from None


def _bound(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def parse_register(text: str, origin: str) -> dict[str, Figure]:
    """The figures of a register CSV's text; ``origin`` names it in errors."""
    try:
        frame = read_register(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise UnreadableFile(f"{origin}: not a register CSV ({error})") from None
    missing = [c for c in REGISTER_COLUMNS if c not in frame.columns]
    if missing:
        raise UnreadableFile(f"{origin}: not a register CSV: columns {', '.join(missing)} are missing "
                             f"(expected {', '.join(REGISTER_COLUMNS)})")
    figures: dict[str, Figure] = {}
    for line, row in enumerate(frame.to_dict("records"), start=2):
        try:
            value = float(row["value"])
        except (TypeError, ValueError):
            raise UnreadableFile(f"{origin}, line {line}, column value: {row['value']!r} is not a number") from None
        figures[row["id"]] = Figure(row["id"], value, _bound(row["ci_low"]), _bound(row["ci_high"]), str(row["unit"]),
                                    str(row["method"]), str(row["inputs"]), str(row["notebook"]), str(row["cell"]),
                                    str(row["section"]), str(row["description"]))
    return figures


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8")


def is_git_revision(root: Path, revision: str) -> bool:
    """Whether ``revision`` names a commit of the repository holding ``root``."""
    return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode == 0


def _show(root: Path, revision: str, path: str) -> str | None:
    completed = _git(root, "show", f"{revision}:{path}")
    return completed.stdout if completed.returncode == 0 else None


def parse_sections(article: str) -> dict[str, Section]:
    """Section ids of ``index.qmd`` with their numbers as rendered (level 2 = 1, 2, ...; level 3 = 1.1, ...).

    Headings marked ``.unnumbered`` (or ``-``) take no number, as in Quarto;
    lines inside code fences are not headings.
    """
    sections: dict[str, Section] = {}
    counters = [0] * 5
    in_fence = False
    for line in article.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _SECTION_HEADING.match(line)
        if not match:
            continue
        attrs = (match["attrs"] or "").split()
        if ".unnumbered" in attrs or "-" in attrs:
            number = ""
        else:
            level = len(match["hashes"]) - 2
            counters[level] += 1
            counters[level + 1:] = [0] * (len(counters) - level - 1)
            number = ".".join(str(c) for c in counters[:level + 1])
        for attr in attrs:
            if attr.startswith("#"):
                sections[attr[1:]] = Section(attr[1:], number, match["title"])
    return sections


def _front_matter(article: str) -> dict:
    if not article.startswith("---"):
        return {}
    end = article.find("\n---", 3)
    try:
        data = yaml.safe_load(article[3:end]) if end > 0 else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _author(front: dict) -> str | None:
    authors = front.get("author")
    if isinstance(authors, list) and authors:
        first = authors[0]
        name = first.get("name", first) if isinstance(first, dict) else first
        if isinstance(name, dict):
            return name.get("literal") or " ".join(str(v) for v in name.values())
        return str(name)
    return str(authors) if authors else None


def data_date(root: Path, revision: str | None = None) -> str | None:
    """The report's date: the day of the latest commit that changed ``data/`` (at ``revision``, or HEAD).

    Without git, the modification day of the newest file in ``data/``. The
    same rule as ``report/fallback/build-info.lua``, which writes the date
    into the rendered report (the article types none).
    """
    import datetime as dt

    try:
        completed = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%cs", *([revision] if revision else []), "--", "data"],
                                   capture_output=True, text=True, timeout=30)
        if completed.returncode == 0 and completed.stdout.strip():
            return completed.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    files = [p for p in (Path(root) / "data").glob("*") if p.is_file()] if revision is None else []
    if not files:
        return None
    return dt.datetime.fromtimestamp(max(p.stat().st_mtime for p in files), tz=dt.UTC).date().isoformat()


def report_info(root: Path, revision: str | None = None) -> ReportInfo:
    """Title, version, date and sections of the report in the working tree, or at ``revision``."""
    if revision is None:
        article = (root / "index.qmd").read_text(encoding="utf-8") if (root / "index.qmd").is_file() else ""
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8") if (root / "pyproject.toml").is_file() else ""
    else:
        article = _show(root, revision, "index.qmd") or ""
        pyproject = _show(root, revision, "pyproject.toml") or ""
    front = _front_matter(article)
    citation = front.get("citation") if isinstance(front.get("citation"), dict) else {}
    try:
        project_version = tomllib.loads(pyproject).get("project", {}).get("version") if pyproject else None
    except tomllib.TOMLDecodeError:
        project_version = None
    version = project_version or citation.get("version")
    date = front.get("date") or data_date(root, revision)
    return ReportInfo(title=str(front.get("title") or citation.get("title") or "BOLERO-2 evidence summary"),
                      version=str(version) if version else None, date=str(date) if date else None,
                      publisher=citation.get("publisher"), author=_author(front), sections=parse_sections(article))


def load_register(root: Path, source: str | Path | None = None) -> RegisterVersion:
    """The register of the working tree (``source`` None), of a CSV file, or of a git revision.

    A ``source`` that names an existing file is read as a file; anything else
    must be a git revision of the repository holding ``root``.

    Raises
    ------
    UnreadableFile
        The file (or the working tree's register) is missing or not a register.
    UnknownRevision
        ``source`` is neither a file nor a revision, or the revision has no register.
    """
    root = Path(root)
    if source is None:
        path = root / REGISTER_PATHS[0]
        if not path.is_file():
            raise UnreadableFile(f"{path}: no register (the build writes it: bolero-evidence build)")
        info = report_info(root)
        return RegisterVersion("working tree", parse_register(path.read_text(encoding="utf-8"), str(path)), info.version, info)
    path = Path(source)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise UnreadableFile(f"{path}: cannot be read as UTF-8 text ({error})") from None
        return RegisterVersion(str(path), parse_register(text, str(path)))
    revision = str(source)
    if path.exists() or not is_git_revision(root, revision):
        raise UnknownRevision(f"{revision!r} is neither a register file nor a git revision of {root}")
    for register_path in REGISTER_PATHS:
        text = _show(root, revision, register_path)
        if text is not None:
            info = report_info(root, revision)
            short = _git(root, "rev-parse", "--short", revision).stdout.strip()
            label = revision if short.startswith(revision) else f"{revision} ({short})"
            return RegisterVersion(label, parse_register(text, f"{revision}:{register_path}"), info.version, info)
    raise UnknownRevision(f"revision {revision!r} has no register (looked for {' and '.join(REGISTER_PATHS)})")


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.+-]", version))


def release_tags(root: Path) -> list[tuple[str, str]]:
    """Release tags ``v<version>`` of the repository as ``(tag, version)``, newest version first."""
    completed = _git(root, "tag", "--list", "v*")
    if completed.returncode != 0:
        return []
    tags = [(tag, m[1]) for tag in completed.stdout.split() if (m := _VERSION_TAG.match(tag))]
    return sorted(tags, key=lambda pair: _version_key(pair[1]), reverse=True)


def register_for_version(root: Path, version: str, current: RegisterVersion,
                         releases: Mapping[str, str | Path] | None = None) -> RegisterVersion | None:
    """The register a draft means when it states report ``version``.

    Looked up in ``releases`` (version → file or revision, given by the
    user), then the current register if its version is ``version``, then the
    release tag ``v<version>``; None when none of them exists.
    """
    if releases and version in releases:
        found = load_register(root, releases[version])
        return RegisterVersion(f"{found.label} (as version {version})", found.figures, version, found.report)
    if current.version == version:
        return current
    tag = f"v{version}"
    if is_git_revision(root, tag):
        return load_register(root, tag)
    return None
