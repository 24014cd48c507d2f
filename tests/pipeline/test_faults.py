"""Faults give one clear line and a clean state (issue 14).

Each test builds a small project through the command line
(``bolero-evidence build``) with one fault injected, and checks what the user
sees and what is left on disk:

- the exit status, and stderr holding exactly the expected lines (one line
  naming what failed: the file, or the renderer and its first error line;
  then "The previous report in _output/ is untouched."), no traceback;
- the previous ``_output/`` byte for byte, the notebooks and
  ``report/generated/`` unchanged;
- no ``_output.staging``/``_output.old`` and no ``.*.tmp`` file left;
- the lock released: the next build runs and succeeds.

The project is the fallback renderer's fixture (``fixtures/mini``) with a
two-table ``data/`` and one seed document, its notebook already current, so
no kernel starts. Only the slow parts are replaced: the data loader reads
the two CSV files with pandas (validation against the seed is the real
code), and the renderer writes three small files (the render-failure tests
run the real pandoc fallback up to an embed error, the pipeline's handling of
a Typst diagnostic, or a stand-in ``quarto`` script). Disk faults
are injected where the build writes (``Path.write_text``, ``Path.mkdir``,
``Path.rename``, ``shutil.rmtree``), since the tests run as root and
``chmod`` cannot make a folder unwritable.

Seed files that are empty, not UTF-8 or missing are covered by
``tests/data/test_mutations.py``; here the seed folder is missing and a seed
cannot be read.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import time
from pathlib import Path

import pandas as pd
import pytest

from bolero_evidence import cli
from bolero_evidence.data import loader
from bolero_evidence.paths import Project
from bolero_evidence.pipeline import notebooks, pipeline
from bolero_evidence.published import TABLE_MIME
from bolero_evidence.register import REGISTER_MIME

CHECKOUT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
NOTEBOOK = "analysis/01-demo.ipynb"
UNTOUCHED = "The previous report in _output/ is untouched."
SEED = "demo.txt"
PREVIOUS = {"index.html": b"<p>previous report</p>", "index.pdf": b"%PDF previous", "index.docx": b"PK previous"}


# The project -------------------------------------------------------------------------------


def _declare_tables_and_publish_discrepancies(path: Path) -> None:
    """Give the fixture notebook what the build reads: a read_tables declaration and a published discrepancy table.

    Its register output keeps only its Markdown: the register is then empty (the fixture's entry lacks
    fields the build's register requires, and no test here is about the register).
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(REGISTER_MIME, None)
    declaration = {"cell_type": "code", "execution_count": None, "id": "declare", "metadata": {}, "outputs": [],
                   "source": 'from bolero_evidence.data import read_tables\ntables = read_tables(["demo"])'}
    bundle = {"name": "discrepancies", "columns": ["id", "kind", "subject", "reason", "n_versions", "versions"], "rows": []}
    published = {"cell_type": "code", "execution_count": None, "id": "published", "metadata": {},
                 "source": "discrepancies", "outputs": [{"output_type": "display_data", "metadata": {},
                                                          "data": {"text/markdown": "No discrepancies.", TABLE_MIME: bundle}}]}
    notebook["cells"][1:1] = [declaration]
    notebook["cells"].append(published)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def _read_csv_tables(data_dir: Path):
    """Stands in for the Frictionless loader (seconds per call): the tables as pandas reads them."""
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(Path(data_dir).glob("*.csv"))}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The mini project with data, a seed, a current notebook and a previous report; copied by each test."""
    root = tmp_path_factory.mktemp("faults") / "mini"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("make_notebook.py"))
    shutil.copytree(CHECKOUT / "report" / "fallback", root / "report" / "fallback")
    (root / "data").mkdir()
    (root / "data" / "datapackage.json").write_text("{}", encoding="utf-8")
    (root / "data" / "sources.csv").write_text(f"source_id,seed_file\ndemo,{SEED}\n", encoding="utf-8")
    (root / "data" / "demo.csv").write_text("source_id,printed,quote\ndemo,46,Responders were 46 of 485 patients\n", encoding="utf-8")
    seeds = root.parent / "seeds"
    seeds.mkdir()
    (seeds / SEED).write_text("In the demo trial, Responders were 46 of 485 patients.\n", encoding="utf-8")
    _declare_tables_and_publish_discrepancies(root / NOTEBOOK)
    project = Project(root)
    # Mark the notebook current, as if the build had executed it: no kernel starts in these tests.
    ((path, (_, fingerprint)),) = pipeline.plan(project, sorted(_read_csv_tables(project.data)), force=True).items()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["metadata"][notebooks.FINGERPRINT_KEY] = {"inputs-sha256": fingerprint}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    pipeline.write_generated(project)
    (root / "_output").mkdir()
    for name, content in PREVIOUS.items():
        (root / "_output" / name).write_bytes(content)
    return root


def fake_render(project, staging, quarto, epoch, progress):
    for name in PREVIOUS:
        (staging / name).write_bytes(b"new report")
    return "pandoc", []


@pytest.fixture
def project(template, tmp_path, monkeypatch):
    root = tmp_path / "mini"
    shutil.copytree(template, root, symlinks=True)
    shutil.copytree(template.parent / "seeds", tmp_path / "seeds")
    monkeypatch.setattr(loader, "load_tables", _read_csv_tables)
    monkeypatch.setattr(pipeline, "_render", fake_render)
    return root


def build_cli(root: Path, capsys, *extra: str, seeds: Path | None = None) -> tuple[int, list[str], str]:
    """``bolero-evidence build``: the exit status, the lines of stderr and stdout (the progress)."""
    capsys.readouterr()
    status = cli.main(["--project", str(root), "--seeds-dir", str(seeds or root.parent / "seeds"), "build", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, err.strip().splitlines(), out


def run_build(root: Path, capsys, *extra: str, seeds: Path | None = None) -> tuple[int, list[str]]:
    """``bolero-evidence build``: the exit status and the lines of stderr."""
    return build_cli(root, capsys, *extra, seeds=seeds)[:2]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sources_state(root: Path) -> dict[str, bytes]:
    """What a failed build must leave as it was: the notebooks, the generated tables and the report."""
    return {**files(root / "analysis"), **files(root / "report" / "generated"), **files(root / "_output")}


def leftovers(root: Path) -> list[str]:
    found = [p.name for p in root.iterdir() if p.name.startswith("_output.")]
    found += [p.relative_to(root).as_posix() for p in root.rglob(".*.tmp")]
    return sorted(found)


def assert_clean_and_next_build_runs(root: Path, before: dict[str, bytes], capsys) -> None:
    assert sources_state(root) == before
    assert files(root / "_output") == PREVIOUS
    assert leftovers(root) == []
    # The lock is released and nothing left in the way: the next build succeeds.
    status, err = run_build(root, capsys, "--no-quarto")
    assert (status, err) == (0, [])
    assert files(root / "_output")["index.html"] == b"new report"


@pytest.fixture
def failing(monkeypatch):
    """``failing(Path.method, when, error)``: the method raises ``error`` on the paths ``when`` accepts.

    ``write_text`` writes half of the text first, as a full disk does.
    """
    def install(method, when, error: OSError):
        original = method

        def broken(self, *args, **kwargs):
            if when(self):
                if method.__name__ == "write_text":
                    original(self, args[0][: len(args[0]) // 2], **kwargs)
                if error.filename:
                    raise error
                # As the OS says it: the path, and for a rename its target too.
                raise type(error)(error.errno, error.strerror, str(self), *([None, str(args[0])] if method.__name__ == "rename" else []))
            return original(self, *args, **kwargs)
        monkeypatch.setattr(Path, method.__name__, broken)
        return lambda: monkeypatch.setattr(Path, method.__name__, original)
    return install


def no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# A full disk ---------------------------------------------------------------------------------


def test_a_full_disk_while_rendering_names_the_file_and_removes_the_staging_folder(project, capsys, monkeypatch):
    before = sources_state(project)

    def render_half(project_, staging, quarto, epoch, progress):
        (staging / "index.html").write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / "index.pdf"))
    monkeypatch.setattr(pipeline, "_render", render_half)
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: {project / '_output.staging' / 'index.pdf'}: No space left on device", UNTOUCHED])
    monkeypatch.setattr(pipeline, "_render", fake_render)
    assert_clean_and_next_build_runs(project, before, capsys)


def test_a_full_disk_while_saving_a_notebook_keeps_the_saved_one(project, capsys, monkeypatch, failing):
    before = sources_state(project)
    monkeypatch.setattr(pipeline, "execute_notebook", lambda path, fingerprint: notebooks._normalise(
        notebooks.nbformat.read(path, as_version=4), "changed"))
    restore = failing(Path.write_text, lambda path: path.name.endswith(".ipynb.tmp"), no_space())
    status, err = run_build(project, capsys, "--no-quarto", "--force")
    assert (status, err) == (1, [f"build stopped: {project / NOTEBOOK}: No space left on device", UNTOUCHED])
    restore()
    monkeypatch.setattr(pipeline, "execute_notebook", lambda path, fingerprint: notebooks.nbformat.read(path, as_version=4))
    assert_clean_and_next_build_runs(project, before, capsys)


def test_a_full_disk_while_writing_the_generated_tables_keeps_them_whole(project, capsys, failing):
    (project / "report" / "generated" / "register.csv").write_text("stale register\n", encoding="utf-8")
    before = sources_state(project)
    restore = failing(Path.write_text, lambda path: path.name == ".register.csv.tmp", no_space())
    status, err = run_build(project, capsys, "--no-quarto")
    generated = project / "report" / "generated" / "register.csv"
    assert (status, err) == (1, [f"build stopped: {generated}: No space left on device", UNTOUCHED])
    assert generated.read_text(encoding="utf-8") == "stale register\n"
    restore()
    assert leftovers(project) == [] and sources_state(project) == before
    status, _ = run_build(project, capsys, "--no-quarto")
    assert status == 0 and generated.read_text(encoding="utf-8") != "stale register\n"


def test_a_full_disk_after_the_report_is_in_place_does_not_fail_the_build(project, capsys, failing):
    # The render key is a cache: without it the next build renders again. The report is already replaced,
    # so saying "stopped ... untouched" would be wrong.
    failing(Path.write_text, lambda path: path.name == ".render.json.tmp", no_space())
    status, err, out = build_cli(project, capsys, "--no-quarto")
    assert (status, err) == (0, [])
    assert "  could not record the render in render.json (No space left on device); the next build renders again" in out.splitlines()
    assert files(project / "_output")["index.html"] == b"new report"
    assert leftovers(project) == []


# A read-only output folder -------------------------------------------------------------------


# Only the checkout's own folder needs to be writable: _output/ is replaced by a rename, whatever the
# permissions of the files in it.


@pytest.mark.parametrize("folder", [".build-cache", "_output.staging"])  # the lock's folder, then the staging folder
def test_a_read_only_checkout_names_the_folder_it_could_not_create(project, capsys, failing, folder):
    before = sources_state(project)
    restore = failing(Path.mkdir, lambda path: path.name == folder, OSError(errno.EROFS, os.strerror(errno.EROFS)))
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: {project / folder}: Read-only file system", UNTOUCHED])
    restore()
    assert_clean_and_next_build_runs(project, before, capsys)


def test_an_output_folder_that_cannot_be_replaced_is_restored(project, capsys, failing):
    # The old report is moved aside, then the new one cannot take its place: the old one goes back.
    before = sources_state(project)
    restore = failing(Path.rename, lambda path: path.name == "_output.staging", PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: {project / '_output.staging'} -> {project / '_output'}: Permission denied", UNTOUCHED])
    restore()
    assert_clean_and_next_build_runs(project, before, capsys)


def test_a_report_moved_aside_by_a_killed_build_is_restored_at_the_next_start(project, capsys):
    # Killed between the two renames of the swap: _output.old holds the previous report, _output is missing.
    (project / "_output").rename(project / "_output.old")
    (project / "_output.staging").mkdir()
    lines: list[str] = []
    with pipeline.build_lock(Project(project), progress=lines.append):
        pass
    assert files(project / "_output") == PREVIOUS and leftovers(project) == []
    assert "  restoring _output/ from _output.old/ left by an interrupted build" in lines


# A symbolic link for _output -----------------------------------------------------------------


def test_a_symlinked_output_folder_is_refused_and_its_target_left_alone(project, capsys, tmp_path):
    # The build replaces _output/ as a whole and deletes the old one: through a link it would delete or
    # swap a folder outside the checkout, and replacing the link would silently stop updating the folder
    # the user pointed it at. So it stops and says so.
    target = tmp_path / "published"
    (project / "_output").rename(target)
    (project / "_output").symlink_to(target)
    before = files(target)
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: _output is a symbolic link (to {target}): the build replaces _output/ as a whole "
                                 "and never writes or deletes through a link; remove the link (its target is left as it is) "
                                 "and link to _output/ from where the report is wanted", UNTOUCHED])
    assert files(target) == before and (project / "_output").is_symlink()
    assert leftovers(project) == []
    (project / "_output").unlink()
    status, _ = run_build(project, capsys, "--no-quarto")
    assert status == 0 and files(target) == before


# Ctrl-C ---------------------------------------------------------------------------------------


def test_ctrl_c_while_rendering_leaves_the_previous_report_and_no_staging_folder(project, capsys, monkeypatch):
    before = sources_state(project)

    def interrupted(project_, staging, quarto, epoch, progress):
        (staging / "index.html").write_bytes(b"half")
        raise KeyboardInterrupt
    monkeypatch.setattr(pipeline, "_render", interrupted)
    status, err = run_build(project, capsys, "--no-quarto")
    assert status == 130 and len(err) == 1
    assert err[0].startswith("build interrupted: the previous report in _output/ is untouched;")
    monkeypatch.setattr(pipeline, "_render", fake_render)
    assert_clean_and_next_build_runs(project, before, capsys)


def test_a_second_ctrl_c_during_the_clean_up_stops_it_and_the_next_build_finishes_it(project, capsys, monkeypatch):
    before = sources_state(project)

    def interrupted(project_, staging, quarto, epoch, progress):
        (staging / "index.html").write_bytes(b"half")
        raise KeyboardInterrupt  # the first Ctrl-C

    def interrupted_removal(path, *args, **kwargs):
        raise KeyboardInterrupt  # the second, while the staging folder is being removed
    monkeypatch.setattr(pipeline, "_render", interrupted)
    monkeypatch.setattr(pipeline.shutil, "rmtree", interrupted_removal)
    status, err, out = build_cli(project, capsys, "--no-quarto")
    assert (status, len(err)) == (130, 1) and err[0].startswith("build interrupted: the previous report in _output/ is untouched;"), err
    assert "  removing _output.staging/ was interrupted; the next build removes it" in out.splitlines()
    assert sources_state(project) == before and leftovers(project) == ["_output.staging"]
    monkeypatch.undo()
    monkeypatch.setattr(loader, "load_tables", _read_csv_tables)
    monkeypatch.setattr(pipeline, "_render", fake_render)
    status, err, out = build_cli(project, capsys, "--no-quarto")
    assert (status, err) == (0, []) and "  removing _output.staging/ left by an interrupted build" in out.splitlines()
    assert files(project / "_output")["index.html"] == b"new report" and leftovers(project) == []


def test_ctrl_c_while_executing_starts_no_further_notebook(project, capsys, monkeypatch):
    for number in (2, 3, 4, 5):
        shutil.copy(project / NOTEBOOK, project / "analysis" / f"0{number}-demo.ipynb")
    started: list[str] = []

    def execute(path, fingerprint):
        started.append(path.name)
        if path.name == "01-demo.ipynb":
            time.sleep(0.05)  # the build is waiting for the first two notebooks
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: Python raises KeyboardInterrupt in the main thread
        time.sleep(0.2)  # a notebook takes a while
        return notebooks.nbformat.read(path, as_version=4)
    monkeypatch.setattr(pipeline, "execute_notebook", execute)
    status, err = run_build(project, capsys, "--no-quarto", "--force")
    # The lines in the message: one run under a loaded two-worker test run gave status 1 that could not be repeated.
    assert (status, len(err)) == (130, 1) and err[0].startswith("build interrupted: the previous report in _output/ is untouched;"), err
    # Two notebooks run at a time; the two running finish, none of the three queued may start.
    assert set(started) <= {"01-demo.ipynb", "02-demo.ipynb"}, started
    assert files(project / "_output") == PREVIOUS and leftovers(project) == []
    for number in (2, 3, 4, 5):  # copies publish the same tables: the next build runs on the fixture alone
        (project / "analysis" / f"0{number}-demo.ipynb").unlink()
    monkeypatch.setattr(pipeline, "execute_notebook", lambda path, fingerprint: notebooks.nbformat.read(path, as_version=4))
    assert_clean_and_next_build_runs(project, sources_state(project), capsys)


def test_a_failing_notebook_is_named_and_starts_no_further_notebook(project, capsys, monkeypatch):
    for number in (2, 3, 4, 5):
        shutil.copy(project / NOTEBOOK, project / "analysis" / f"0{number}-demo.ipynb")
    before = sources_state(project)
    started: list[str] = []

    def execute(path, fingerprint):
        started.append(path.name)
        time.sleep(0.05 if path.name == "01-demo.ipynb" else 0.3)
        if path.name == "01-demo.ipynb":
            raise notebooks.NotebookFailed("01-demo.ipynb: cell 4 (tbl-demo): RuntimeError: deliberate")
        return notebooks.nbformat.read(path, as_version=4)
    monkeypatch.setattr(pipeline, "execute_notebook", execute)
    status, err = run_build(project, capsys, "--no-quarto", "--force")
    assert (status, err) == (1, ["build stopped: notebook failed: 01-demo.ipynb: cell 4 (tbl-demo): RuntimeError: deliberate", UNTOUCHED])
    # The worker freed by the failure starts none of the queued notebooks (the report of the failure would wait for it).
    assert set(started) <= {"01-demo.ipynb", "02-demo.ipynb"}, started
    after = sources_state(project)
    assert {k: v for k, v in after.items() if k != "02-demo.ipynb"} == {k: v for k, v in before.items() if k != "02-demo.ipynb"}  # 02 ran to its end
    assert leftovers(project) == []


# Render failures --------------------------------------------------------------------------------


def test_a_pandoc_render_failure_names_the_renderer_and_the_error(project, capsys, monkeypatch):
    monkeypatch.setattr(pipeline, "_render", PIPELINE_RENDER)
    article = project / "index.qmd"
    article.write_text(article.read_text(encoding="utf-8").replace("#tbl-demo >}}", "#tbl-nowhere >}}"), encoding="utf-8")
    before = sources_state(project)
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: render (pandoc fallback): index.qmd: embed {NOTEBOOK}#tbl-nowhere: "
                                 f"no cell labelled tbl-nowhere in {NOTEBOOK}", UNTOUCHED])
    assert sources_state(project) == before and leftovers(project) == []


def test_a_multi_line_render_failure_is_shown_by_its_first_error_line(project, capsys, monkeypatch):
    from bolero_evidence.pipeline import render

    monkeypatch.setattr(pipeline, "_render", PIPELINE_RENDER)
    # The fallback's message for a Typst error, as a real render of the fixture gives it (with
    # "#no-such-function()" in the article, as test_render.py does), without spending two seconds on it.
    diagnostic = ("error: unknown variable: no-such-function\n    ┌─ ../../tmp/bolero-render-sx7enl73/index.typ:261:1\n    │\n"
                  "261 │ #no-such-function()\n    │  ^^^^^^^^^^^^^^^^\n    │\n    = hint: if you meant to use subtraction, "
                  "try adding spaces around the minus signs: `no - such - function`\n\n")

    def typst_fails(project_, staging, progress, source_date_epoch=None):
        raise render.RenderError(f"{project_.article}: Typst failed compiling the PDF:\n{diagnostic}")
    monkeypatch.setattr(render, "render_with_pandoc", typst_fails)
    before = sources_state(project)
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, [f"build stopped: render (pandoc fallback): {project / 'index.qmd'}: Typst failed compiling the PDF: "
                                 "error: unknown variable: no-such-function (full message in .build-cache/render-error.log)", UNTOUCHED])
    assert "261 │ #no-such-function()" in (project / ".build-cache" / "render-error.log").read_text(encoding="utf-8")
    assert sources_state(project) == before and leftovers(project) == []


def test_a_quarto_render_failure_names_quarto_and_its_first_error_line(project, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline, "_render", PIPELINE_RENDER)
    # A stand-in for Quarto that fails as Quarto does: progress lines, then ERROR and a stack trace, on stderr.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text("#!/bin/sh\n[ \"$1\" = --version ] && { echo 1.7.34; exit 0; }\n"
                      "echo 'processing file: index.qmd' >&2\necho '[1/2] index.qmd' >&2\n"
                      "echo 'ERROR: Unable to locate notebook analysis/01-demo.ipynb#fig-gone' >&2\n"
                      "echo '' >&2\necho 'Stack trace:' >&2\necho '    at embed (file:///quarto.js:1:1)' >&2\nexit 1\n")
    quarto.chmod(quarto.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    before = sources_state(project)
    status, err = run_build(project, capsys)
    assert (status, err) == (1, ["build stopped: render (Quarto 1.7.34): ERROR: Unable to locate notebook analysis/01-demo.ipynb#fig-gone "
                                 "(full message in .build-cache/render-error.log)", UNTOUCHED])
    assert sources_state(project) == before and leftovers(project) == []


# The seeds ---------------------------------------------------------------------------------------


def test_a_missing_seed_folder_is_named(project, capsys, tmp_path):
    before = sources_state(project)
    status, err = run_build(project, capsys, "--no-quarto", seeds=tmp_path / "nowhere")
    assert status == 1
    assert err == ["build stopped at [1/4] validating data/: nothing was written.",
                   "data validation failed (1 problem):",
                   f"  - {tmp_path / 'nowhere'}: got 'no such folder'; expected the folder of the source documents "
                   "(set $BOLERO_SEEDS_DIR or --seeds-dir to the folder that holds them)"]
    assert_clean_and_next_build_runs(project, before, capsys)


def test_an_unreadable_seed_is_named(project, capsys, tmp_path, failing):
    before = sources_state(project)
    seed = tmp_path / "seeds" / SEED
    restore = failing(Path.read_text, lambda path: path == seed, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    status, err = run_build(project, capsys, "--no-quarto")
    assert status == 1 and err[0] == "build stopped at [1/4] validating data/: nothing was written."
    assert f"  - {seed}: got 'Permission denied'; expected a readable seed file, named in {project / 'data' / 'sources.csv'}" in err
    restore()
    assert_clean_and_next_build_runs(project, before, capsys)


# Clean-up never hides the first error ----------------------------------------------------------------


def test_a_failing_clean_up_does_not_mask_the_render_error(project, capsys, monkeypatch):
    before = sources_state(project)

    def render_fails(project_, staging, quarto, epoch, progress):
        (staging / "index.html").write_bytes(b"half")
        raise pipeline.BuildError("render (pandoc fallback): index.qmd: the first error")
    monkeypatch.setattr(pipeline, "_render", render_fails)
    rmtree = shutil.rmtree

    def rmtree_fails(path, ignore_errors=False, *args, **kwargs):
        if Path(path).name == "_output.staging":
            if ignore_errors:
                return None  # the folder stays, as rmtree leaves what it cannot remove
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return rmtree(path, ignore_errors, *args, **kwargs)
    monkeypatch.setattr(shutil, "rmtree", rmtree_fails)
    status, err, out = build_cli(project, capsys, "--no-quarto")
    assert (status, err) == (1, ["build stopped: render (pandoc fallback): index.qmd: the first error", UNTOUCHED])
    # The clean-up's own failure is a note in the progress, and the folder goes at the next start.
    assert "  could not remove _output.staging/ (Permission denied); the next build removes it" in out.splitlines()
    assert leftovers(project) == ["_output.staging"] and sources_state(project) == before
    monkeypatch.setattr(shutil, "rmtree", rmtree)
    monkeypatch.setattr(pipeline, "_render", fake_render)
    status, err, out = build_cli(project, capsys, "--no-quarto")
    assert (status, err) == (0, []) and "  removing _output.staging/ left by an interrupted build" in out.splitlines()
    assert leftovers(project) == []


def test_a_failing_lock_release_does_not_mask_the_render_error(project, capsys, monkeypatch):
    def render_fails(project_, staging, quarto, epoch, progress):
        raise pipeline.BuildError("render (pandoc fallback): index.qmd: the first error")
    monkeypatch.setattr(pipeline, "_render", render_fails)

    class TruncateFailsOnRelease:
        """The lock file, whose clearing at release fails (an I/O error)."""

        def __init__(self, handle):
            self.handle, self.truncations = handle, 0

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def truncate(self, *args):
            self.truncations += 1
            if self.truncations > 1:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            return self.handle.truncate(*args)
    monkeypatch.setattr(pipeline, "open", lambda *a, **k: TruncateFailsOnRelease(open(*a, **k)), raising=False)
    status, err = run_build(project, capsys, "--no-quarto")
    assert (status, err) == (1, ["build stopped: render (pandoc fallback): index.qmd: the first error", UNTOUCHED])
    monkeypatch.delattr(pipeline, "open")
    monkeypatch.setattr(pipeline, "_render", fake_render)
    assert_clean_and_next_build_runs(project, sources_state(project), capsys)


PIPELINE_RENDER = pipeline._render
