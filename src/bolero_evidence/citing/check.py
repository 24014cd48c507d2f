"""Check a draft's quoted figures against the register: one verdict per citation.

A citation is a register id and the figure written next to it: the last
figure between the previous citation and the id ("6.9 months [pfs.central.final.median_gain]"),
else the first one after the id ("pfs.central.final.median_gain: 6.9 months").
Each figure is compared with the register of the report version the draft
states (per citation, else the first version the draft names) and with the
current register.

A quoted number matches when the register's value rounds to it: it is within
half a unit of its last decimal (either half-way rule counts). It is a
*rounding* problem when it is off by less than one unit of its last decimal
(truncated, or rounded the wrong way) or shows more digits than the
register's six significant ones; anything further off is a wrong value.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from ..register import SIGNIFICANT_DIGITS
from .drafts import read_draft
from .errors import NoCitations
from .figures import Quoted, QuotedFigure, find_figures, find_ids, find_versions, mask_labels
from .numberstyle import format_figure
from .registers import Figure, RegisterVersion, register_for_version

__all__ = ["VERDICTS", "PROBLEMS", "CitationCheck", "DraftCheck", "check_draft", "compare_figure"]

#: Every verdict, with what it means for the draft's author.
VERDICTS = {
    "ok": "the quoted figure matches the register",
    "no-figure": "the id is cited without a figure next to it (nothing to compare)",
    "wrong-value": "the quoted value is not the register's",
    "wrong-interval": "the value matches but the interval is not the register's",
    "rounding": "the quoted figure differs from the register's only by rounding the register does not support",
    "changed": "the quote matches the stated report version, but the figure has changed since",
    "removed": "the id was in the stated report version and is no longer in the register",
    "unknown-id": "no such register id (the nearest ids are named)",
}
PROBLEMS = frozenset(VERDICTS) - {"ok", "no-figure"}
_SEVERITY = {"ok": 0, "rounding": 1, "wrong-interval": 2, "wrong-value": 3}


@dataclass(frozen=True)
class Comparison:
    verdict: str
    detail: str


@dataclass(frozen=True)
class CitationCheck:
    """The verdict on one citation of a draft."""

    id: str
    where: str
    quoted: str | None
    stated_version: str | None
    verdict: str
    message: str
    register_figure: str | None = None
    nearest: tuple[str, ...] = ()

    @property
    def is_problem(self) -> bool:
        return self.verdict in PROBLEMS


@dataclass(frozen=True)
class DraftCheck:
    """All verdicts on a draft, and the versions it stated that no register is known for."""

    path: str
    current: str
    current_version: str | None
    citations: tuple[CitationCheck, ...]
    unknown_versions: tuple[tuple[str, str], ...] = field(default=())  # (version, where)

    @property
    def problems(self) -> list[CitationCheck]:
        return [c for c in self.citations if c.is_problem]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unknown_versions

    def as_dict(self) -> dict:
        return {"path": self.path, "register": self.current, "version": self.current_version, "ok": self.ok,
                "unknown_versions": [{"version": v, "where": w} for v, w in self.unknown_versions],
                "citations": [{**asdict(c), "nearest": list(c.nearest)} for c in self.citations]}

    def summary(self) -> str:
        counts = Counter(c.verdict for c in self.problems)
        parts = [f"{n} {verdict}" for verdict, n in sorted(counts.items())]
        if self.unknown_versions:
            parts.append(f"{len(self.unknown_versions)} unknown report version")
        if not parts:
            n = len(self.citations)
            return "the citation matches the register" if n == 1 else f"all {n} citations match the register"
        return f"{len(self.problems)} of {len(self.citations)} citations need attention: {', '.join(parts)}"


def _compare_number(quoted: Quoted, target: float, *, scale: int = 1, round_up_allowed: bool = False) -> Comparison:
    """How one quoted number stands to the register's (``scale`` 100: a proportion quoted in %)."""
    if quoted.value is None or math.isinf(target):
        same = quoted.value is None and math.isinf(target) and target > 0
        return Comparison("ok" if same else "wrong", "")
    exact = Decimal(repr(float(target))) * scale
    q = quoted.value
    if quoted.comparator:
        holds = {"<": exact < q, "≤": exact <= q, ">": exact > q, "≥": exact >= q}[quoted.comparator]
        return Comparison("ok" if holds else "wrong", "")
    last = Decimal(1).scaleb(-quoted.decimals)
    off = abs(q - exact)
    if quoted.significant > SIGNIFICANT_DIGITS:
        if off <= Decimal(1).scaleb(exact.adjusted() - SIGNIFICANT_DIGITS + 1) / 2:
            return Comparison("rounding", f"shows {quoted.significant} significant digits; the register holds {SIGNIFICANT_DIGITS}")
        return Comparison("wrong", "")
    if off <= last / 2:
        return Comparison("ok", "")
    # NNT and NNH: rounding up to a whole number is the convention of the
    # Cochrane Handbook (section 15.4.4), so it is not a rounding error.
    if round_up_allowed and quoted.decimals == 0 and q == math.ceil(exact):
        return Comparison("ok", "")
    if off < last:
        right = exact.quantize(last, rounding="ROUND_HALF_UP")
        return Comparison("rounding", f"{exact.normalize():f} rounds to {right}, not {quoted.text.strip()}")
    return Comparison("wrong", "")


def compare_figure(quoted: QuotedFigure, figure: Figure) -> Comparison:
    """The verdict of one quoted figure against one register row (ok, rounding, wrong-interval, wrong-value)."""
    scale = 100 if figure.unit == "proportion" and quoted.percent else 1
    round_up = figure.id.endswith((".nnt", ".nnh"))
    verdicts: list[tuple[str, str]] = []
    if quoted.estimate is not None:
        c = _compare_number(quoted.estimate, figure.value, scale=scale, round_up_allowed=round_up)
        verdicts.append(("wrong-value" if c.verdict == "wrong" else c.verdict, c.detail))
    if quoted.low is not None:
        if not figure.has_interval:
            verdicts.append(("wrong-interval", "the register gives no interval for this figure"))
        else:
            for name, q, target in (("lower bound", quoted.low, figure.ci_low), ("upper bound", quoted.high, figure.ci_high)):
                c = _compare_number(q, target, scale=scale, round_up_allowed=round_up)
                kind = "wrong-interval" if c.verdict == "wrong" else c.verdict
                verdicts.append((kind, f"{name}: {c.detail}" if c.detail else ""))
    worst = max(verdicts, key=lambda v: _SEVERITY[v[0]])[0]
    details = "; ".join(d for v, d in verdicts if v == worst and d)
    return Comparison(worst, details)


def _styled(figure: Figure) -> str:
    return format_figure(figure.value, figure.ci_low, figure.ci_high, figure.unit)


def _judge(mention_id: str, where: str, quoted: QuotedFigure | None, stated: str | None, current: RegisterVersion,
           stated_register: RegisterVersion | None) -> CitationCheck:
    quoted_text = quoted.text if quoted else None
    if mention_id not in current.figures:
        if stated_register is not None and stated_register is not current and mention_id in stated_register.figures:
            old = stated_register.figures[mention_id]
            return CitationCheck(mention_id, where, quoted_text, stated, "removed",
                                 f"in version {stated} ({_styled(old)}) but not in the current register "
                                 f"({current.version or current.label})",
                                 None, tuple(current.nearest(mention_id)))
        near = tuple(current.nearest(mention_id))
        hint = f"; did you mean {' or '.join(near)}?" if near else ""
        return CitationCheck(mention_id, where, quoted_text, stated, "unknown-id", f"not a register id{hint}", None, near)
    figure = current.figures[mention_id]
    now = _styled(figure)
    version = current.version or current.label
    if quoted is None:
        return CitationCheck(mention_id, where, None, stated, "no-figure", f"register (version {version}): {now}", now)
    against_now = compare_figure(quoted, figure)
    if (against_now.verdict != "ok" and stated_register is not None and stated_register is not current
            and mention_id in stated_register.figures):
        old = stated_register.figures[mention_id]
        if compare_figure(quoted, old).verdict == "ok" and not old.same_numbers(figure):
            return CitationCheck(mention_id, where, quoted_text, stated, "changed",
                                 f"matches version {stated} ({_styled(old)}); version {version} has {now}", now)
    if against_now.verdict == "ok":
        return CitationCheck(mention_id, where, quoted_text, stated, "ok", f"register (version {version}): {now}", now)
    detail = f" ({against_now.detail})" if against_now.detail else ""
    return CitationCheck(mention_id, where, quoted_text, stated, against_now.verdict,
                         f"register (version {version}): {now} [{_raw(figure)}]{detail}", now)


def _raw(figure: Figure) -> str:
    def g(x: float) -> str:
        return f"{x:g}"
    return g(figure.value) + (f", {g(figure.ci_low)} to {g(figure.ci_high)}" if figure.has_interval else "")


def check_draft(path: Path, root: Path, current: RegisterVersion, *, stated_version: str | None = None,
                releases: Mapping[str, str | Path] | None = None) -> DraftCheck:
    """Find every citation of a register id in the draft and judge it.

    Parameters
    ----------
    path : Path
        The draft (``.md``, ``.txt`` or ``.docx``).
    root : Path
        The project checkout, whose release tags give older registers.
    current : RegisterVersion
        The register to check against.
    stated_version : str, optional
        The report version the draft quotes, overriding what it states.
    releases : mapping, optional
        Register file or revision of report versions that have no tag.

    Raises
    ------
    UnreadableFile
        See :func:`~.drafts.read_draft`.
    NoCitations
        The draft cites no register id.
    """
    passages = read_draft(path)
    registers: dict[str, RegisterVersion | None] = {}
    known = set(current.figures)
    for version in {v for p in passages for _, v in find_versions(p.text)} | ({stated_version} - {None}):
        registers[version] = register_for_version(root, version, current, releases)
        if registers[version] is not None:
            known |= set(registers[version].figures)
    document_version = stated_version or next((v for p in passages for _, v in find_versions(p.text)), None)
    checks: list[CitationCheck] = []
    unknown_versions: dict[str, str] = {}
    for passage in passages:
        mentions = find_ids(passage.text, known)
        mentions = [m for i, m in enumerate(mentions) if not (m.anchor and i > 0 and mentions[i - 1].id == m.id)]
        if not mentions:
            continue
        masked = mask_labels(passage.text, [(m.start, m.end) for m in find_ids(passage.text, known)])
        figures = find_figures(masked)
        versions = find_versions(passage.text)
        taken_until = 0
        for index, mention in enumerate(mentions):
            next_start = mentions[index + 1].start if index + 1 < len(mentions) else len(passage.text)
            before = [f for f in figures if f.start >= taken_until and f.end <= mention.start]
            after = [f for f in figures if f.start >= mention.end and f.end <= next_start]
            quoted = before[-1] if before else (after[0] if after else None)
            taken_until = max(mention.end, quoted.end if quoted else 0)
            span_start = before[-1].start if before else mention.start
            own = [v for pos, v in versions if span_start <= pos < next_start]
            stated = stated_version or (own[0] if own else document_version)
            where = passage.locate(mention.start)
            stated_register = registers.get(stated) if stated else None
            if stated and stated_register is None:
                unknown_versions.setdefault(stated, where)
            checks.append(_judge(mention.id, where, quoted, stated, current, stated_register))
    if not checks:
        raise NoCitations(f"{path}: cites no register id (ids look like pfs.central.final.median_gain; "
                          "list them with the report's register table)")
    return DraftCheck(str(path), current.label, current.version, tuple(checks), tuple(unknown_versions.items()))
