"""Render the Quarto manuscript without Quarto: pandoc for HTML, pandoc and Typst for PDF.

Quarto renders the report where it is installed. Where it cannot be, this
module produces the same article from the same sources with tools that
install from PyPI: the pandoc binary of ``pypandoc-binary`` and the Typst
compiler of the ``typst`` wheel.

It reproduces what the article relies on (see ``crossref.lua`` for the
pandoc side):

* ``{{< embed ../analysis/nb.ipynb#label >}}`` shortcodes, replaced by the
  saved outputs of the labelled notebook cell: a captioned, numbered table
  or figure for ``tbl-``/``fig-`` labels, plain content otherwise, with a
  "Source:" note under it;
* section numbers (``number-sections``), table and figure numbers, and the
  ``@sec-``/``@tbl-``/``@fig-`` cross-references, as links;
* the title block (title, subtitle, authors, date, abstract) and a "Cite as"
  appendix built from the ``citation`` metadata;
* one self-contained HTML file that makes no request when opened, and a PDF.

What Quarto adds beyond that is listed in :data:`QUARTO_WOULD_ADD`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pypandoc
import typst
import yaml

RENDERER = "pandoc+typst"
LUA_FILTER = Path(__file__).with_name("crossref.lua")
# Marker that crossref.lua puts in front of its error messages.
FILTER_ERROR_PREFIX = "bolero-render: "
# Intermediate files live here, inside the output folder, until the render succeeds.
WORK_DIR_NAME = "_render-intermediate"

QUARTO_WOULD_ADD = (
    "the manuscript website around the article (navigation, the 'Other Formats', 'Notebooks' and "
    "'Code Links' lists, the MECA bundle)",
    "HTML notebook views of the embedded notebooks; the 'Source:' note under an embed is plain text, not a link",
    "Quarto's HTML theme and title block, hover previews of cross-references, and its Typst template",
    "Quarto markdown extensions other than embeds, cross-references and the pagebreak shortcode "
    "(callouts, tabsets, layout columns, other shortcodes and embed options such as echo=true)",
    "citation meta tags (Google Scholar, Dublin Core) in the HTML head",
)

# Quarto's default words and date style for English documents.
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
CSL_TO_BIBTEX_TYPE = {
    "article-journal": "article", "article": "article", "article-magazine": "article",
    "article-newspaper": "article", "report": "techreport", "book": "book",
    "chapter": "incollection", "paper-conference": "inproceedings", "thesis": "phdthesis",
    "webpage": "online", "post-weblog": "online", "post": "online", "dataset": "misc",
    "software": "software",
}
CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}

HTML_STYLE = """<style>
body { max-width: 50em; }
.header-section-number { margin-right: 0.35em; }
caption, figcaption { text-align: left; font-size: 0.92em; margin: 0.4em 0; color: #333; }
figure { margin: 1.5em 0; }
/* Full width as in Quarto; pandoc's display: block would squeeze the caption to a narrow table. */
table { display: table; width: 100%; font-size: 0.88em; }
img.bolero-output { max-width: 100%; height: auto; }
.bolero-note { font-size: 0.8em; color: #555; margin: 0.3em 0 1.2em; }
div.sourceCode pre, pre { white-space: pre-wrap; }
</style>
"""

TYPST_HEADER = """// Captions already read "Table 1: ..." (numbered by crossref.lua, as in the HTML).
#set figure(numbering: none)
// A long table continues on the next page instead of overflowing it.
#show figure: set block(breakable: true)
// Tables in a report are dense: small type, tight cells (pandoc's template uses 6pt).
#show table: set text(size: 8pt)
#set table(inset: (x: 4pt, y: 3pt))
// Centred text (the title block, tables) is not justified: justified centred
// lines of a long subtitle are spaced out word by word.
#show align: set par(justify: false)
#show raw.where(block: true): set text(size: 7.5pt)
// A plot keeps its natural size unless that is wider than the text block.
#let fit-image(path, alt) = layout(size => {
  let natural = image(path, alt: alt)
  if measure(natural).width > size.width { image(path, alt: alt, width: 100%) } else { natural }
})
"""

SHORTCODE = re.compile(r"(?P<open>\{?)\{\{<\s*(?P<name>[\w-]+)(?P<args>.*?)>\}\}(?P<close>\}?)")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
CELL_OPTION = re.compile(r"^#\|\s?(?P<text>.*)$")


class RenderError(RuntimeError):
    """The article cannot be rendered; the message names the file and the problem."""


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_with_pandoc` wrote.

    Attributes
    ----------
    html, pdf : Path
        The self-contained HTML file and the PDF, both in the output folder.
    renderer : str
        ``"pandoc+typst"``.
    note : str
        The sentence stating the renderer and tool versions, also shown in the report.
    quarto_would_add : tuple of str
        What a Quarto render adds that this renderer does not.
    """

    html: Path
    pdf: Path
    renderer: str
    note: str
    quarto_would_add: tuple[str, ...]


def render_with_pandoc(
    project_dir: Path, output_dir: Path, *, progress: Callable[[str], None] = print
) -> RenderResult:
    """Render the manuscript article of ``project_dir`` to HTML and PDF without Quarto.

    Parameters
    ----------
    project_dir : Path
        Folder holding ``_quarto.yml``, whose ``manuscript.article`` names the article.
    output_dir : Path
        Folder to write ``<article-stem>.html`` and ``<article-stem>.pdf`` into; nothing
        is written anywhere else. Intermediate files go to a subfolder that is removed
        once both outputs exist (and kept after a failure, for inspection).
    progress : callable, optional
        Receives one line per step.

    Returns
    -------
    RenderResult

    Raises
    ------
    RenderError
        If an embed names a missing notebook or label, the cell has no outputs or an
        error output, a cross-reference points nowhere, or pandoc or Typst fails.
    """
    project_dir, output_dir = Path(project_dir).resolve(), Path(output_dir).resolve()
    manuscript = read_manuscript(project_dir)
    article, metadata = manuscript.article, manuscript.metadata
    work_dir = output_dir / WORK_DIR_NAME
    work_dir.mkdir(parents=True, exist_ok=True)
    where = _relative(article, project_dir)

    started = time.perf_counter()
    sources = EmbedSources(article, project_dir, media_dir=work_dir, notebook_titles=manuscript.notebook_titles)
    body, embed_count = expand_shortcodes(manuscript.body, sources)
    versions = tool_versions()
    note = renderer_note(*versions)
    markdown = compose_article(body, metadata, note)
    source = work_dir / f"{article.stem}.md"
    source.write_text(markdown, encoding="utf-8")
    progress(f"  {where}: {embed_count} embedded outputs; pandoc {versions[0]}, Typst {versions[1]} (without Quarto)")

    html = output_dir / f"{article.stem}.html"
    run_pandoc(source, html, "html", metadata, article=article, work_dir=work_dir)
    progress(f"  wrote {html.name} ({time.perf_counter() - started:.1f} s)")

    typst_source = work_dir / f"{article.stem}.typ"
    run_pandoc(source, typst_source, "typst", metadata, article=article, work_dir=work_dir)
    pdf = output_dir / f"{article.stem}.pdf"
    compile_typst(typst_source, pdf, article=article, progress=progress)
    progress(f"  wrote {pdf.name} ({time.perf_counter() - started:.1f} s)")

    shutil.rmtree(work_dir)
    return RenderResult(html=html, pdf=pdf, renderer=RENDERER, note=note, quarto_would_add=QUARTO_WOULD_ADD)


# Reading the project ---------------------------------------------------------


@dataclass(frozen=True)
class Manuscript:
    """The article of a manuscript project and what the project says about it.

    Attributes
    ----------
    article : Path
        The .qmd file.
    metadata : dict
        Its front matter merged over ``_quarto.yml``: Quarto merges the project's
        options into every document, the document's own winning.
    body : str
        The markdown after the front matter.
    notebook_titles : dict of Path to str
        Titles given in ``manuscript.notebooks``, by notebook path.
    """

    article: Path
    metadata: dict[str, Any]
    body: str
    notebook_titles: dict[Path, str]


def read_manuscript(project_dir: Path) -> Manuscript:
    """Read ``_quarto.yml`` and the article it names (``index.qmd`` if it names none, as in Quarto)."""
    config_path = project_dir / "_quarto.yml"
    if not config_path.is_file():
        raise RenderError(f"{config_path}: not found; the project folder needs a _quarto.yml")
    config = _load_yaml(config_path.read_text(encoding="utf-8"), config_path) or {}
    settings = config.get("manuscript") or {}
    article = project_dir / str(settings.get("article") or "index.qmd")
    if not article.is_file():
        raise RenderError(f"{config_path}: the manuscript article {_relative(article, project_dir)} does not exist")
    front_matter, body = split_front_matter(article.read_text(encoding="utf-8"), article)
    defaults = {key: value for key, value in config.items() if key not in ("project", "manuscript")}
    titles = {
        (project_dir / str(entry["notebook"])).resolve(): str(entry["title"])
        for entry in settings.get("notebooks") or []
        if isinstance(entry, Mapping) and entry.get("notebook") and entry.get("title")
    }
    return Manuscript(article, merge_metadata(defaults, front_matter), body, titles)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """The YAML front matter of a .qmd as a dict, and the markdown after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return _load_yaml(match["yaml"], path) or {}, text[match.end():]


def merge_metadata(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``override``, merging nested mappings key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_metadata(merged[key], value)
        else:
            merged[key] = value
    return merged


def format_options(metadata: Mapping[str, Any], output_format: str) -> dict[str, Any]:
    """Document options as Quarto sees them for one format: ``format.<name>`` wins."""
    formats = metadata.get("format") or {}
    specific = formats.get(output_format) if isinstance(formats, Mapping) else None
    return merge_metadata(metadata, specific if isinstance(specific, Mapping) else {})


def _load_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RenderError(f"{path}: invalid YAML: {error}") from error


def _relative(path: Path, start: Path) -> str:
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        return str(path)


# Shortcodes and embeds -------------------------------------------------------


@dataclass
class EmbedSources:
    """What embeds are resolved against, and the notebooks read so far.

    Attributes
    ----------
    article : Path
        The article; embed paths are relative to its folder.
    project_dir : Path
        The project; "Source:" notes give notebook paths relative to it.
    media_dir : Path
        Where images of outputs are written, beside the intermediate document.
    notebook_titles : dict of Path to str
        Titles from ``manuscript.notebooks``, used in "Source:" notes.
    notebooks : dict of Path to NotebookNode
        Notebooks already read, so each is read once.
    """

    article: Path
    project_dir: Path
    media_dir: Path
    notebook_titles: Mapping[Path, str] = field(default_factory=dict)
    notebooks: dict[Path, nbformat.NotebookNode] = field(default_factory=dict)


def expand_shortcodes(body: str, sources: EmbedSources) -> tuple[str, int]:
    """Replace the article's shortcodes by markdown; return it and the number of embeds.

    ``{{< embed nb.ipynb#label >}}`` becomes the cell's outputs (images are written
    to ``sources.media_dir``), ``{{< pagebreak >}}`` a Typst page break, and an
    escaped ``{{{< x >}}}`` the literal ``{{< x >}}``. Any other shortcode is an error
    rather than text left in the report.
    """
    article = sources.article
    embed_count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal embed_count
        shortcode = match[0]
        if match["open"] and match["close"]:
            return shortcode[1:-1]
        name, args = match["name"], match["args"].split()
        if name == "pagebreak":
            return match["open"] + '\n\n```{=typst}\n#pagebreak()\n```\n\n' + match["close"]
        if name != "embed":
            raise RenderError(f"{article}: shortcode {shortcode!r} is not supported by the fallback renderer")
        if len(args) != 1:
            raise RenderError(
                f"{article}: {shortcode!r}: the fallback renderer supports only "
                "{{< embed path#label >}}, without options"
            )
        embed_count += 1
        return match["open"] + embed_markdown(args[0], sources) + match["close"]

    return SHORTCODE.sub(replace, body), embed_count


def embed_markdown(target: str, sources: EmbedSources) -> str:
    """Markdown for one embed: the cell's outputs, as a float if the label is ``tbl-``/``fig-``."""
    article = sources.article
    notebook_ref, _, label = target.partition("#")
    if not label:
        raise RenderError(f"{article}: embed {target!r} names no cell; write path.ipynb#label")
    notebook_path = (article.parent / notebook_ref).resolve()
    if notebook_path not in sources.notebooks:
        sources.notebooks[notebook_path] = read_notebook(notebook_path, article=article, reference=notebook_ref)
    notebook = sources.notebooks[notebook_path]
    cell, options = find_cell(notebook, label, notebook_path=notebook_path, article=article)
    where = f"{article}: embed {target!r} ({notebook_path})"
    outputs = [
        output_markdown(output, where=where, media_dir=sources.media_dir,
                        image_name=f"{notebook_path.stem}-{label}-{index}.png",
                        alt=str(options.get("fig-alt") or options.get("fig-cap") or ""))
        for index, output in enumerate(cell.get("outputs", []), start=1)
    ]
    if not outputs:
        raise RenderError(f"{where}: the cell labelled {label!r} has no outputs; execute and save the notebook")
    title = sources.notebook_titles.get(notebook_path) or notebook_title(notebook)
    location = _relative(notebook_path, sources.project_dir)
    source_note = "Source: " + escape_markdown(f"{title} ({location})" if title else location)
    content = "\n\n".join(outputs)
    kind = label.split("-", 1)[0]
    if kind in ("tbl", "fig"):
        caption = str(options.get(f"{kind}-cap") or "")
        return (
            f"::: {{#{label} .bolero-float}}\n{content}\n\n"
            f"::: {{.bolero-float-caption}}\n{caption}\n:::\n:::\n\n"
            f"::: {{.bolero-note .bolero-embed-source}}\n{source_note}\n:::\n"
        )
    return f"::: {{#{label} .bolero-embed}}\n{content}\n:::\n\n::: {{.bolero-note .bolero-embed-source}}\n{source_note}\n:::\n"


def read_notebook(path: Path, *, article: Path, reference: str) -> nbformat.NotebookNode:
    """The notebook at ``path``, or a RenderError naming the article's reference to it."""
    if not path.is_file():
        raise RenderError(f"{article}: embed points to notebook {reference!r}, which does not exist ({path})")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types for unreadable files
        raise RenderError(f"{article}: notebook {path} cannot be read: {error}") from error


def find_cell(
    notebook: nbformat.NotebookNode, label: str, *, notebook_path: Path, article: Path
) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """The code cell whose ``#| label:`` (or cell id) is ``label``, and its options."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        options = cell_options(cell.source, notebook_path)
        if options.get("label") == label or cell.get("id") == label:
            return cell, options
    raise RenderError(f"{article}: label {label!r} not found in notebook {notebook_path}")


def cell_options(source: str, notebook_path: Path) -> dict[str, Any]:
    """The ``#| key: value`` options at the top of a cell, read as YAML as Quarto does."""
    option_lines = []
    for line in source.splitlines():
        match = CELL_OPTION.match(line)
        if not match:
            break
        option_lines.append(match["text"])
    options = _load_yaml("\n".join(option_lines), notebook_path) if option_lines else None
    return options if isinstance(options, dict) else {}


def output_markdown(output: Mapping[str, Any], *, where: str, media_dir: Path, image_name: str, alt: str) -> str:
    """Markdown for one cell output; an image is written to ``media_dir / image_name``."""
    kind = output.get("output_type")
    if kind == "error":
        raise RenderError(f"{where}: the cell has an error output: {output.get('ename')}: {output.get('evalue')}")
    if kind == "stream":
        return code_block(_text(output.get("text")), "stderr" if output.get("name") == "stderr" else "")
    data = output.get("data") or {}
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    if "image/png" in data:
        (media_dir / image_name).write_bytes(base64.b64decode(_text(data["image/png"])))
        return f"![{escape_markdown(alt)}]({image_name}){{.bolero-output}}"
    if "text/plain" in data:
        return code_block(_text(data["text/plain"]))
    raise RenderError(f"{where}: no output of a type the fallback renderer can show ({', '.join(data) or kind})")


def notebook_title(notebook: nbformat.NotebookNode) -> str:
    """The text of the notebook's first ``# `` heading, or "" if it has none."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            heading = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if heading:
                return heading[1]
    return ""


def code_block(text: str, css_class: str = "") -> str:
    """A fenced code block that no run of backticks in ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    attributes = f" {{.{css_class}}}" if css_class else ""
    return f"{fence}{attributes}\n{text.rstrip()}\n{fence}"


def escape_markdown(text: str) -> str:
    """``text`` with every ASCII punctuation character backslash-escaped, so pandoc reads it literally."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _text(value: Any) -> str:
    # Notebook text fields are a string or a list of lines.
    return "".join(value) if isinstance(value, list) else str(value or "")


# The document handed to pandoc -----------------------------------------------


def compose_article(body: str, metadata: Mapping[str, Any], note: str) -> str:
    """The article body with the renderer note at the top and the "Cite as" appendix at the end."""
    parts = [f"::: {{.bolero-note .bolero-renderer}}\n{escape_markdown(note)}\n:::", body.strip()]
    citation = metadata.get("citation")
    if citation:
        parts.append(cite_as_markdown(metadata, citation if isinstance(citation, Mapping) else {}))
    return "\n\n".join(parts) + "\n"


def renderer_note(pandoc_version: str, typst_version: str) -> str:
    """The sentence that says how the report was rendered."""
    return (
        f"Rendered without Quarto by pandoc {pandoc_version} and Typst {typst_version}; "
        "a Quarto render of the same sources also publishes the notebooks and the manuscript website."
    )


def tool_versions() -> tuple[str, str]:
    """The versions of pandoc and of the Typst compiler in use."""
    compiler = re.findall(r"\d+", typst.eval(b"", "sys.version"))
    return pypandoc.get_pandoc_version(), ".".join(compiler)


def pandoc_metadata(metadata: Mapping[str, Any], output_format: str) -> dict[str, Any]:
    """The metadata pandoc's templates and crossref.lua read, for ``output_format``."""
    options = format_options(metadata, output_format)
    people = authors(options.get("author"))
    result: dict[str, Any] = {
        "lang": str(options.get("lang") or "en"),
        "abstract-title": "Abstract",
        "bolero-number-sections": bool(options.get("number-sections", False)),
        "bolero-number-depth": int(options.get("number-depth", 6)),
    }
    for key in ("title", "subtitle", "abstract"):
        if options.get(key):
            result[key] = str(options[key])
    if isinstance(options.get("keywords"), list) and output_format == "html":
        # Not for Typst: pandoc's Typst template writes keywords unquoted, which Typst cannot parse.
        result["keywords"] = [str(word) for word in options["keywords"]]
    if options.get("date"):
        result["date"] = format_date(options["date"], str(options.get("date-format") or "long"))
    if people:
        if output_format == "typst":
            result["author"] = [{"name": p.display, "affiliation": p.affiliation} for p in people]
        else:
            result["author"] = [f"{p.display} ({p.affiliation})" if p.affiliation else p.display for p in people]
    if output_format == "typst":
        for key in ("papersize", "margin", "fontsize", "mainfont", "columns", "linestretch"):
            if key in options:
                result[key] = options[key]
    else:
        result["toc-title"] = str(options.get("toc-title") or "Table of contents")
    return result


def run_pandoc(
    source: Path, target: Path, output_format: str, metadata: Mapping[str, Any], *, article: Path, work_dir: Path
) -> None:
    """Convert the intermediate markdown to HTML or Typst source with crossref.lua."""
    options = format_options(metadata, output_format)
    meta_file = work_dir / f"{output_format}-metadata.json"
    meta_file.write_text(json.dumps(pandoc_metadata(metadata, output_format), default=str, indent=1), encoding="utf-8")
    header = work_dir / f"{output_format}-header.{'typ' if output_format == 'typst' else 'html'}"
    header.write_text(TYPST_HEADER if output_format == "typst" else HTML_STYLE, encoding="utf-8")
    args = [
        pypandoc.get_pandoc_path(), str(source), "--from", "markdown", "--to", output_format,
        "--output", str(target), "--standalone", "--metadata-file", str(meta_file),
        "--include-in-header", str(header), "--lua-filter", str(LUA_FILTER),
        f"--resource-path={os.pathsep.join([str(work_dir), str(article.parent)])}",
        # A warning (an image not found, a duplicate id) would leave a quietly broken report.
        "--fail-if-warnings",
    ]
    if options.get("toc"):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth', 3))}"]
    if output_format == "html":
        # MathML needs no script from a CDN; --embed-resources inlines images and CSS.
        args += ["--embed-resources", "--mathml"]
    else:
        # Images the article links directly are copied beside the Typst source.
        args += ["--extract-media", "."]
    args += bibliography_args(options, article)
    completed = subprocess.run(args, cwd=work_dir, capture_output=True, text=True, encoding="utf-8")
    if completed.returncode != 0:
        raise RenderError(pandoc_failure(completed.stderr, article=article, output_format=output_format,
                                         status=completed.returncode))


def bibliography_args(options: Mapping[str, Any], article: Path) -> list[str]:
    """``--citeproc`` with the article's bibliography and CSL style, if it has any."""
    bibliographies = options.get("bibliography") or []
    if isinstance(bibliographies, str):
        bibliographies = [bibliographies]
    if not bibliographies:
        return []
    args = ["--citeproc"] + [f"--bibliography={(article.parent / name).resolve()}" for name in bibliographies]
    if options.get("csl"):
        args.append(f"--csl={(article.parent / str(options['csl'])).resolve()}")
    return args


def pandoc_failure(stderr: str, *, article: Path, output_format: str, status: int) -> str:
    """The message for a failed pandoc run: the filter's own words if it raised them."""
    for line in stderr.splitlines():
        if line.startswith(FILTER_ERROR_PREFIX):
            return f"{article}: {line.removeprefix(FILTER_ERROR_PREFIX)}"
    return f"{article}: pandoc failed converting to {output_format} (exit {status}):\n{stderr.strip()}"


def compile_typst(source: Path, pdf: Path, *, article: Path, progress: Callable[[str], None]) -> None:
    """Compile the Typst source to ``pdf`` with only Typst's embedded fonts, for the same PDF everywhere."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        _, warnings = typst.compile_with_warnings(
            str(source), output=str(pdf), root=str(source.parent), ignore_system_fonts=True,
            timestamp=int(epoch) if epoch else None,
        )
    except typst.TypstError as error:
        details = "\n".join([error.diagnostic or str(error), *error.hints, *error.trace])
        raise RenderError(f"{article}: Typst failed compiling {source.name}:\n{details}") from error
    except RuntimeError as error:
        raise RenderError(f"{article}: Typst failed compiling {source.name}: {error}") from error
    for warning in warnings:
        progress(f"  Typst warning: {warning.message}")


# Front matter ----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An author as Quarto and CSL describe one: a literal name or given and family names."""

    given: str = ""
    family: str = ""
    literal: str = ""
    affiliation: str = ""

    @property
    def display(self) -> str:
        """The name as printed in the title block: "Ada Example"."""
        return self.literal or f"{self.given} {self.family}".strip()

    @property
    def inverted(self) -> str:
        """The name as a reference list starts it: "Example, Ada"."""
        return self.literal or ", ".join(part for part in (self.family, self.given) if part)


def authors(value: Any) -> list[Person]:
    """Authors from Quarto's ``author`` (or CSL's ``citation.author``) in any of its forms."""
    if not value:
        return []
    return [person(entry) for entry in (value if isinstance(value, list) else [value])]


def person(entry: Any) -> Person:
    """One author: ``"Ada Example"``, ``{name: ..., affiliations: [...]}`` or ``{given:, family:}``."""
    if not isinstance(entry, Mapping):
        return _person_from_text(str(entry))
    name = entry.get("name", entry)
    if isinstance(name, Mapping):
        found = Person(given=str(name.get("given", "")), family=str(name.get("family", "")),
                       literal=str(name.get("literal", "")))
    else:
        found = _person_from_text(str(name))
    return Person(found.given, found.family, found.literal, affiliation_text(entry))


def _person_from_text(text: str) -> Person:
    # Quarto takes the first word as the given name and the rest as the family
    # name ("Diego J. Lizcano" is cited as "J. Lizcano, Diego"); write
    # `name: {literal: ...}` for a group author.
    given, _, family = text.strip().partition(" ")
    return Person(given=given, family=family) if family else Person(literal=given)


def affiliation_text(entry: Mapping[str, Any]) -> str:
    """The names of an author's affiliations joined by "; "."""
    found = entry.get("affiliations", entry.get("affiliation")) or []
    items = found if isinstance(found, list) else [found]
    return "; ".join(str(item.get("name", "")) if isinstance(item, Mapping) else str(item) for item in items)


def format_date(value: Any, style: str = "long") -> str:
    """A date as Quarto prints it in English: "January 15, 2025" for the default ``long`` style.

    Dates that are not ISO (or ``today``) are printed as written.
    """
    day = _as_date(value)
    if day is None:
        return str(value)
    if style == "iso":
        return day.isoformat()
    if style == "short":
        return f"{day.month}/{day.day}/{day:%y}"
    month = MONTHS[day.month - 1]
    if style == "medium":
        return f"{month[:3]} {day.day}, {day.year}"
    text = f"{month} {day.day}, {day.year}"
    return f"{day:%A}, {text}" if style == "full" else text


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if str(value) == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# The "Cite as" appendix ------------------------------------------------------

# Chicago author-date, Quarto's default style: these types have an italic
# title ("*Title*."), the others a quoted one inside a container.
ITALIC_TITLE_TYPES = {"book", "report", "thesis", "software", "dataset", "manuscript", "standard"}
# Words citeproc leaves in lower case when it title-cases an English title.
TITLE_CASE_STOP_WORDS = set(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via with yet".split()
)


def cite_as_markdown(metadata: Mapping[str, Any], citation: Mapping[str, Any]) -> str:
    """The "Cite as" appendix: a formatted reference and a BibTeX entry, as Quarto adds them."""
    return (
        "## Cite as {#sec-cite-as .unnumbered .appendix}\n\n"
        "For attribution, please cite this work as:\n\n"
        f"::: {{.bolero-citation}}\n{formatted_reference(metadata, citation)}\n:::\n\n"
        "BibTeX citation:\n\n"
        f"{code_block(bibtex_entry(metadata, citation), 'bibtex')}\n"
    )


def citation_fields(metadata: Mapping[str, Any], citation: Mapping[str, Any]) -> dict[str, Any]:
    """The CSL item of the article: ``citation`` with title, authors and date taken from the document."""
    text = {key: str(citation.get(key, "") or "") for key in
            ("container-title", "publisher", "volume", "issue", "page", "doi", "url", "version", "note")}
    return {
        **text,
        "type": str(citation.get("type", "article-journal")),
        "title": str(citation.get("title", metadata.get("title", ""))),
        "authors": authors(citation.get("author", metadata.get("author"))),
        "issued": _csl_date(citation.get("issued", metadata.get("date"))),
        "lang": str(metadata.get("lang", "en")),
    }


def _csl_date(value: Any) -> str:
    # CSL dates are "2025-01-15", a YAML date, or {date-parts: [[2025, 1, 15]]}.
    if isinstance(value, Mapping) and value.get("date-parts"):
        return "-".join(f"{int(part):02d}" for part in value["date-parts"][0])
    day = _as_date(value)
    return day.isoformat() if day else str(value or "")


def title_case(title: str) -> str:
    """``title`` capitalised as citeproc does for English: words already holding capitals stay as written."""
    words = title.split(" ")
    result = []
    for index, word in enumerate(words):
        after_colon = index > 0 and words[index - 1].endswith(":")
        edge = index in (0, len(words) - 1) or after_colon
        if word.islower() and (edge or word not in TITLE_CASE_STOP_WORDS):
            word = word[0].upper() + word[1:]
        result.append(word)
    return " ".join(result)


def formatted_reference(metadata: Mapping[str, Any], citation: Mapping[str, Any]) -> str:
    """A Chicago author-date reference (Quarto's default style), as escaped markdown.

    The URL stays plain text so that the HTML holds no link to follow by accident.
    """
    item = citation_fields(metadata, citation)
    names = [p.inverted if i == 0 else p.display for i, p in enumerate(item["authors"])]
    parts = []
    if names:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]
        parts.append(escape_markdown(joined.rstrip(".")) + ".")
    parts.append(f"{item['issued'][:4]}." if item["issued"] else "n.d.")
    title = escape_markdown(title_case(item["title"]))
    parts.append(f"*{title}*." if item["type"] in ITALIC_TITLE_TYPES else f"“{title}.”")
    container = f"*{escape_markdown(item['container-title'])}*" if item["container-title"] else ""
    if item["volume"]:
        container += f" {escape_markdown(item['volume'])}"
        container += f" ({escape_markdown(item['issue'])})" if item["issue"] else ""
    if item["page"]:
        container += f": {escape_markdown(item['page'])}"
    if container:
        parts.append(container.strip() + ".")
    if item["version"]:
        parts.append(f"Version {escape_markdown(item['version'])}.")
    if item["publisher"] and item["publisher"] != item["container-title"]:
        parts.append(escape_markdown(item["publisher"]) + ".")
    link = f"https://doi.org/{item['doi']}" if item["doi"] else item["url"]
    if link:
        parts.append(escape_markdown(link) + ".")
    return " ".join(parts)


def bibtex_entry(metadata: Mapping[str, Any], citation: Mapping[str, Any]) -> str:
    """The BibTeX entry Quarto offers under "BibTeX citation"."""
    item = citation_fields(metadata, citation)
    entry_type = CSL_TO_BIBTEX_TYPE.get(item["type"], "misc")
    first = item["authors"][0] if item["authors"] else Person(literal="anonymous")
    # Quarto's key: the first author's family name, spaces as "_", and the year.
    key = re.sub(r"[^\w.-]", "", (first.family or first.literal).lower().replace(" ", "_")) + item["issued"][:4]
    fields = {
        "author": " and ".join(
            f"{{{p.literal}}}" if p.literal else f"{p.family}, {p.given}" for p in item["authors"]
        ),
        "title": item["title"],
        CONTAINER_FIELD.get(entry_type, "series"): item["container-title"],
        "institution" if entry_type == "techreport" else "publisher": item["publisher"],
        "volume": item["volume"],
        "number": item["issue"],
        "pages": item["page"],
        "version": item["version"],
        "note": item["note"],
        "date": item["issued"],
        "doi": item["doi"],
        "url": item["url"],
        "langid": item["lang"],
    }
    lines = [
        f"  {name} = {{{value if name in ('url', 'doi') else _bibtex_escape(value)}}}"
        for name, value in fields.items() if value
    ]
    return f"@{entry_type}{{{key},\n" + ",\n".join(lines) + "\n}"


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)
