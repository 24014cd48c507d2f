"""Render the article without Quarto: pandoc with the Lua filters and defaults files of ``report/fallback/``.

The filters do the Quarto parts (``embed.lua``: notebook outputs through
pandoc's ipynb reader; ``crossref.lua``: section, table and figure numbers and
cross-references; ``citation.lua``: the "Citation" appendix by citeproc), the
defaults files hold the options of each pass and format. This module only
runs them: pandoc from the ``pypandoc-binary`` wheel, then the ``typst`` wheel
for the PDF.

Two passes: the article is read, its notebooks embedded and every
format-independent filter run once (``ast.yaml``, written as pandoc's JSON
AST with the notebooks' images as files); then the three writers run in
parallel on that AST with the filters that depend on the format
(``html.yaml``, ``typst.yaml``, ``docx.yaml``, sharing ``common.yaml``). The
filters were most of each format's time, and each format ran them all:
one pass instead of three saves about seven seconds of CPU on the report. The parity
test (``tests/pipeline/test_parity.py``) checks that the result has the same
sections, numbers, captions and cross-reference targets as Quarto's.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pypandoc
import typst

from ..paths import Project
from .epoch import ENVIRONMENT_VARIABLE, EpochError
from .epoch import source_date_epoch as epoch_of
from .pipeline import BuildError

__all__ = ["QUARTO_WOULD_ADD", "RenderError", "render_with_pandoc"]

# The filters start their messages with this, so the message (which names
# the article, the notebook and the label) can be told apart from a traceback.
FILTER_ERROR_PREFIX = "bolero-render: "
# (defaults file, output name): the PDF is compiled from index.typ by Typst.
FORMATS = (("html.yaml", "index.html"), ("docx.yaml", "index.docx"), ("typst.yaml", "index.typ"))

# The allocation area of pandoc's runtime (GHC). With the default, pandoc spent more time collecting garbage
# than working on the whole report (the HTML writer 1.9 s of its 3.0 s): 256 MB took the render's pandoc time
# from about 9.5 s to 8 s of CPU (issue 14), for about 330 MB of memory per pandoc process instead of 80 MB.
# The output is the same bytes. Only where the binary accepts runtime options: one linked without them refuses.
RUNTIME_OPTIONS = ("+RTS", "-A256m", "-RTS")

QUARTO_WOULD_ADD = [
    "A Quarto render also publishes the notebook pages and the manuscript website around the article",
    "Quarto's HTML theme, hover previews of cross-references and its Typst template are not reproduced",
]


class RenderError(BuildError):
    """The fallback could not render the article; the message names the file and the problem."""


def render_with_pandoc(project: Project, staging: Path, progress: Callable[[str], None] = print, *,
                       source_date_epoch: int | None = None) -> list[str]:
    """Render ``project``'s article to ``index.html``, ``index.pdf`` and ``index.docx`` in ``staging``.

    Parameters
    ----------
    project : Project
        The checkout; its article (``index.qmd``) embeds outputs of the notebooks in ``analysis/``.
    staging : Path
        Folder the three files are written to (created if needed).
    progress : callable, optional
        Receives one line per step.
    source_date_epoch : int, optional
        Creation time (UNIX seconds) written into the PDF (by Typst) and the
        DOCX (by pandoc), so that two renders of the same sources are
        byte-identical (see :mod:`.epoch`). None: ``$SOURCE_DATE_EPOCH`` if
        set, else the clock.

    Returns
    -------
    list of str
        Notes for the user: what a Quarto render would add.

    Raises
    ------
    RenderError
        An embed names a missing notebook or label, a cell has no outputs or an
        error output, a cross-reference points nowhere, or pandoc or Typst failed.
    """
    staging = Path(staging).resolve()
    staging.mkdir(parents=True, exist_ok=True)
    fallback = project.report / "fallback"
    binary = pypandoc.get_pandoc_path()
    pandoc = [binary, *_runtime_options(binary)]
    if source_date_epoch is None and os.environ.get(ENVIRONMENT_VARIABLE, "").strip():
        try:
            source_date_epoch, _ = epoch_of(project.root)
        except EpochError as error:
            raise RenderError(str(error)) from None
    env = dict(os.environ)
    if source_date_epoch is not None:
        env[ENVIRONMENT_VARIABLE] = str(int(source_date_epoch))
    with tempfile.TemporaryDirectory(prefix="bolero-render-") as work:
        # From the project root, as Quarto runs: paths in the article are relative to it.
        ast, media = Path(work) / "article.json", Path(work) / "notebook-media"
        first = subprocess.run([*pandoc, "--defaults", str(fallback / "ast.yaml"), project.article.name,
                                "--extract-media", str(media), "--output", str(ast)],
                               cwd=project.article.parent, capture_output=True, text=True, env=env)
        if first.returncode != 0:
            raise RenderError(_pandoc_failure(first.stderr, project.article, "the article's AST", first.returncode))
        # The images by their bare names (the hash of their bytes), found through --resource-path: the
        # DOCX writer names a picture by its path, and a temporary folder's name would differ on every build.
        document = json.loads(ast.read_text(encoding="utf-8"))
        _bare_image_names(document, media)
        ast.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        resources = ["--resource-path", os.pathsep.join([str(media), "."])]
        # The three formats in parallel, each from the one AST.
        runs = []
        for defaults, name in FORMATS:
            target = staging / name if name != "index.typ" else Path(work) / name
            args = [*pandoc, "--defaults", str(fallback / defaults), str(ast), *resources, "--output", str(target)]
            runs.append((name, subprocess.Popen(args, cwd=project.article.parent, stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, text=True, env=env)))
        for name, run in runs:
            _, stderr = run.communicate()
            if run.returncode != 0:
                raise RenderError(_pandoc_failure(stderr, project.article, name, run.returncode))
            progress(f"  pandoc {pypandoc.get_pandoc_version()}: wrote {name}")
        _compile_pdf(Path(work) / "index.typ", staging / "index.pdf", project.article, source_date_epoch)
        progress("  typst: wrote index.pdf")
    return list(QUARTO_WOULD_ADD)


@functools.cache
def _runtime_options(pandoc: str) -> tuple[str, ...]:
    """:data:`RUNTIME_OPTIONS` if ``pandoc`` accepts them, else none."""
    try:
        probe = subprocess.run([pandoc, *RUNTIME_OPTIONS, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ()  # the render's own call of pandoc reports what is wrong with it
    return RUNTIME_OPTIONS if probe.returncode == 0 else ()


def _bare_image_names(node: object, folder: Path) -> None:
    """Image targets inside ``folder`` (pandoc's JSON AST, changed in place) by their names alone."""
    if isinstance(node, dict):
        if node.get("t") == "Image":
            target = node["c"][2]  # [attr, caption inlines, [url, title]]
            if Path(target[0]).parent == folder:
                target[0] = Path(target[0]).name
        for value in node.values():
            _bare_image_names(value, folder)
    elif isinstance(node, list):
        for value in node:
            _bare_image_names(value, folder)


def _pandoc_failure(stderr: str, article: Path, name: str, status: int) -> str:
    for line in stderr.splitlines():
        if FILTER_ERROR_PREFIX in line:
            return line.split(FILTER_ERROR_PREFIX, 1)[1]
    return f"{article}: pandoc failed writing {name} (exit {status}):\n{stderr.strip()}"


def _compile_pdf(source: Path, pdf: Path, article: Path, epoch: int | None) -> None:
    """Compile with Typst's embedded fonts only and a fixed creation time, so the PDF is the same on every machine."""
    try:
        typst.compile(str(source), output=str(pdf), root=str(source.parent), ignore_system_fonts=True, timestamp=epoch)
    except typst.TypstError as error:
        raise RenderError(f"{article}: Typst failed compiling the PDF:\n{error.diagnostic or error}") from error
    except RuntimeError as error:
        raise RenderError(f"{article}: Typst failed compiling the PDF: {error}") from error
