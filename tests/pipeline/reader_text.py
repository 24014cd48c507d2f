"""Internal names in text a reader sees: what the reader-text tests look for, and where they read the text.

An internal name is a name of the project's machinery that a reader cannot
cite or look up: a source id (``nejm_2011``: the report cites "NEJM 2011"), a
seed document's file name (``003_47ceb6856ae0d802.txt``), a data file name
(``pfs.csv``), a snake_case identifier (a column, a label or a function of the
code: ``hr_ci_low``), a Quarto label written out as text (``sec-pfs``), or a
note about the tooling ("seeds", "fallback", "Quarto").

Ids the report shows on purpose are not internal names: a register id
(``pfs.local.interim.median_gain``, dotted and lower-case: the citable name of
a derived figure, listed in ``report/generated/register.csv``) and a
discrepancy id (``same_analysis-1a6666f0cf``, the key of the published
``discrepancies.csv``). Files the report publishes beside itself and links
(``register.csv``) are named as the reader downloads them.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]

# A token: word characters joined by dots, hyphens and slashes (an id, a file name, a path).
_TOKEN = re.compile(r"[\w][\w./-]*[\w*]|\w")
_SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
_LABEL = re.compile(r"(?:sec|tbl|fig)-[a-z0-9]+(?:-[a-z0-9]+)*")
_SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
_FILE = re.compile(r"[\w./-]+\.(?:csv|txt|ipynb|py|qmd|lua|typ|yml|yaml)")
_TOOL_WORDS = re.compile(r"\b(seeds?|fallback|quarto)\b", re.IGNORECASE)
# Files the build publishes beside the report, which the report links by name.
PUBLISHED_FILES = frozenset({"register.csv", "register.json", "discrepancies.csv", "discrepancies.json", "datapackage.json"})


def internal_names(text: str, *, known_ids=frozenset(), source_ids=frozenset(), published_files=PUBLISHED_FILES,
                   context: int = 50) -> list[tuple[str, str]]:
    """The internal names in ``text``: (name, the text around it) for each occurrence.

    Parameters
    ----------
    text : str
        Plain text as a reader sees it (tags, Markdown escapes removed).
    known_ids : set of str
        Ids shown on purpose (register and discrepancy ids); never reported.
    source_ids : set of str
        The ``source_id`` column of ``data/sources.csv``.
    published_files : set of str
        File names the report publishes and links.
    """
    found = []

    def add(name: str, start: int, end: int) -> None:
        found.append((name, text[max(0, start - context):end + context]))

    for match in _TOKEN.finditer(text):
        token = match.group(0).rstrip(".-/")
        if not token or token in known_ids or token.rstrip("*") in known_ids:
            continue
        start, end = match.start(), match.start() + len(token)
        if _SEED_FILE.fullmatch(token) or token in source_ids:
            add(token, start, end)
        elif _FILE.fullmatch(token) and token.rsplit("/", 1)[-1] not in published_files:
            add(token, start, end)
        elif _LABEL.fullmatch(token):
            add(token, start, end)
        elif _SNAKE.search(token) and not _FILE.fullmatch(token):
            add(token, start, end)
    for match in _TOOL_WORDS.finditer(text):
        add(match.group(0), match.start(), match.end())
    return found


# ---------------------------------------------------------------- what the project knows
def _column(path: Path, column: str) -> set[str]:
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", newline="") as f:
        return {row[column] for row in csv.DictReader(f)}


def known_ids(project: Path = ROOT) -> set[str]:
    """Register ids, discrepancy ids and table and figure labels: the citable ids the report shows.

    A table's or figure's label (``tbl-summary-of-findings``) follows its caption on purpose
    (report/fallback/float-labels.lua); a section label (``sec-pfs``) is never shown, and is not here.
    """
    generated = project / "report" / "generated"
    sources = [project / "index.qmd", *sorted((project / "analysis").glob("[0-9][0-9]-*.ipynb"))]
    labels = {label for path in sources if path.exists()
              for label in re.findall(r"(?:#\||\{#)\s*(?:label:\s*)?((?:tbl|fig)-[a-z0-9-]+)", path.read_text(encoding="utf-8"))}
    return _column(generated / "register.csv", "id") | _column(generated / "discrepancies.csv", "id") | labels


def source_ids(project: Path = ROOT) -> set[str]:
    return _column(project / "data" / "sources.csv", "source_id")


def column_names(project: Path = ROOT) -> set[str]:
    """The column names of the data tables' schemas. Those with an underscore are snake_case names
    (:func:`internal_names` finds them); those without (``locator``, ``quote``) are English words too and
    cannot be told from prose, and are not looked for."""
    package = json.loads((project / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return {field["name"] for resource in package["resources"] for field in resource["schema"]["fields"]}


def project_names(text: str, project: Path = ROOT, **kwargs) -> list[tuple[str, str]]:
    """:func:`internal_names` with the project's own ids, sources and columns."""
    return internal_names(text, known_ids=known_ids(project), source_ids=source_ids(project), **kwargs)


# ---------------------------------------------------------------- where the reader's text is
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]<>|$~^@&#.!{}()+-])")


def markdown_plain(markdown: str, *, code_spans: bool = True) -> str:
    """Markdown as the words a reader sees: escapes, link targets, attributes and cross-reference markup removed.

    ``code_spans=False`` drops inline code (in a notebook's own prose, a code
    span names the function or file that does the work: the notebook is the
    analysis' code document).
    """
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"\{\{<.*?>\}\}", " ", text)  # shortcodes (embeds)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"\{[#.][^}]*\}", " ", text)  # attributes: {#sec-x}, {.class key="v"}
    text = re.sub(r"@(?:sec|tbl|fig)-[\w-]+", "Section", text)  # cross-references render as numbers
    if not code_spans:
        text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def notebook_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every reader-facing piece of a saved notebook: markdown cells, Markdown and HTML outputs, captions."""
    notebook = nbformat.read(path, as_version=4)
    pieces = []
    for number, cell in enumerate(notebook.cells):
        where = f"{path.name}, cell {number}"
        if cell.cell_type == "markdown":
            pieces.append((where, markdown_plain(cell.source, code_spans=False)))
            continue
        if cell.cell_type != "code":
            continue
        captions = [line.split(":", 1)[1] for line in cell.source.splitlines() if re.match(r"#\|\s*(tbl|fig)-cap:", line)]
        pieces += [(f"{where}, caption", markdown_plain(caption)) for caption in captions]
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                pieces.append((f"{where}, Markdown output", markdown_plain(data["text/markdown"])))
            elif "text/html" in data:
                pieces.append((f"{where}, HTML output", html_plain(data["text/html"])))
    return pieces


def article_text(path: Path) -> str:
    """The prose of the article source (``index.qmd``): front matter values and body, markup removed."""
    source = path.read_text(encoding="utf-8")
    front, body = "", source
    if source.startswith("---"):
        _, front, body = source.split("---", 2)
    # Front matter: the values only (keys and option names are not shown), continuation lines of a block kept.
    values = " ".join(re.sub(r"^\s*-?\s*[\w-]+:(?=\s|$)", " ", line) for line in front.splitlines() if not line.strip().startswith("#"))
    return markdown_plain(values) + " " + markdown_plain(body)


def html_plain(markup: str) -> str:
    """What a reader sees of HTML: scripts and styles dropped, ``alt``/``title`` kept, ``<wbr>`` joined, tags removed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.DOTALL | re.IGNORECASE)
    markup = re.sub(r"<wbr\s*/?>", "", markup)

    def attributes(tag: re.Match) -> str:
        return " " + " ".join(re.findall(r'\b(?:alt|title)="([^"]*)"', tag.group(0))) + " "

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", attributes, markup)))


def american_spellings(text: str) -> list[tuple[str, str]]:
    """American spellings (:data:`bolero_evidence.presentation.names.AMERICAN_SPELLINGS`) in ``text``, with their context.

    For the report's own prose only: a verbatim quote keeps its source's spelling.
    """
    from bolero_evidence.presentation.names import AMERICAN_SPELLINGS

    pattern = re.compile(r"\b(" + "|".join(sorted(AMERICAN_SPELLINGS)) + r")\b", re.IGNORECASE)
    return [(m.group(0), text[max(0, m.start() - 50):m.end() + 50]) for m in pattern.finditer(text)]
