"""What changed between two versions of the register: figures added, removed and changed.

Changed means a different value, interval or unit (the register's six
significant digits, compared exactly); a reworded description or method
with the same numbers is not a change of figure. The build calls
:func:`write_changelog` so each release carries the changelog of its figures
against the previous release tag.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..files import write_whole
from .numberstyle import format_figure
from .registers import Figure, RegisterVersion, load_register, release_tags

__all__ = ["RegisterDiff", "diff_registers", "format_diff", "write_changelog", "CHANGELOG_PATH"]

#: Where :func:`write_changelog` writes, relative to the project root.
CHANGELOG_PATH = "report/generated/figure-changes.md"


@dataclass(frozen=True)
class RegisterDiff:
    old: RegisterVersion
    new: RegisterVersion
    added: tuple[Figure, ...]
    removed: tuple[Figure, ...]
    changed: tuple[tuple[Figure, Figure], ...]  # (old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_registers(old: RegisterVersion, new: RegisterVersion) -> RegisterDiff:
    """Figures added, removed and changed from ``old`` to ``new``, in register order."""
    added = tuple(f for i, f in new.figures.items() if i not in old.figures)
    removed = tuple(f for i, f in old.figures.items() if i not in new.figures)
    changed = tuple((old.figures[i], f) for i, f in new.figures.items() if i in old.figures and not old.figures[i].same_numbers(f))
    return RegisterDiff(old, new, added, removed, changed)


def _styled(f: Figure) -> str:
    text = format_figure(f.value, f.ci_low, f.ci_high, f.unit)
    exact = f"{f.value:g}" + (f" ({f.ci_low:g} to {f.ci_high:g})" if f.has_interval else "")
    return f"{text} [{exact}]"


def _name(r: RegisterVersion) -> str:
    return f"{r.label}, version {r.version}" if r.version and r.version not in r.label else r.label


def format_diff(diff: RegisterDiff, markdown: bool = False) -> str:
    """The diff for a terminal, or as a Markdown changelog (``markdown=True``)."""
    title = f"Figures changed from {_name(diff.old)} to {_name(diff.new)}"
    counts = f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
    lines = [f"# {title}" if markdown else f"{title}: {counts}", ""]
    if markdown:
        lines += [counts + ".", ""]
    if diff.empty:
        lines.append("No figure was added, removed or changed.")
        return "\n".join(lines).rstrip() + "\n"
    bullet = "- " if markdown else "  "

    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    for heading, figures in (("Added", diff.added), ("Removed", diff.removed)):
        if figures:
            lines.append(f"## {heading}" if markdown else f"{heading} ({len(figures)}):")
            lines += [f"{bullet}{code(f.id)}: {_styled(f)}. {f.description}" for f in figures]
            lines.append("")
    if diff.changed:
        lines.append("## Changed" if markdown else f"Changed ({len(diff.changed)}):")
        for old, new in diff.changed:
            unit = f" (unit {old.unit} → {new.unit})" if old.unit != new.unit else ""
            lines.append(f"{bullet}{code(new.id)}: {_styled(old)} → {_styled(new)}{unit}. {new.description}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_changelog(project_root: Path, output: Path | None = None) -> Path | None:
    """Write the changelog of figures against the previous release tag; None when there is no such tag.

    The previous release is the newest tag ``v<version>`` whose version is
    not the current one (``version`` in ``pyproject.toml``), so rebuilding a
    tagged release still compares it with the release before.

    Parameters
    ----------
    project_root : Path
        The checkout (a git work tree) whose working-tree register is the new version.
    output : Path, optional
        Default :data:`CHANGELOG_PATH` under ``project_root``.

    Returns
    -------
    Path or None
        The file written, or None (nothing written) when no earlier release tag exists.
    """
    root = Path(project_root)
    try:
        current_version = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        current_version = None
    previous = next((tag for tag, version in release_tags(root) if version != current_version), None)
    if previous is None:
        return None
    diff = diff_registers(load_register(root, previous), load_register(root))
    target = Path(output) if output else root / CHANGELOG_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    text = format_diff(diff, markdown=True)
    text = re.sub(r"^# .*", f"# Figures changed since {previous}", text, count=1)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        # Whole or not at all (a full disk, Ctrl-C): the previous changelog stays until the new one is complete.
        write_whole(target, text)
    return target
