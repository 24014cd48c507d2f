"""The build's notebook executor with a real kernel, on the small fixture's notebook (seconds, not the project's minute).

The build executes a stale notebook in its own kernel
(:func:`~bolero_evidence.pipeline.notebooks.execute_notebook`) and saves it
whole (:func:`~bolero_evidence.pipeline.notebooks.save_notebook`). The real
project's notebooks are re-executed by nbval in every test run; which of them
a build would execute is ``test_plan.py``'s; the thread pool around the
executor, its Ctrl-C and its failures are ``test_faults.py``'s (with a stand-in
executor); a failing cell in a real kernel is ``test_build.py``'s.
"""

from __future__ import annotations

import json

import nbformat

from bolero_evidence.pipeline.notebooks import FINGERPRINT_KEY, execute_notebook, save_notebook, saved_fingerprint
from tests.pipeline.test_render import NOTEBOOK, make_project


def _outputs(notebook) -> dict[str, list]:
    """Each labelled cell's outputs: its text and the kinds of its images."""
    found = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("#| label: "):
            label = source.split("\n", 1)[0].removeprefix("#| label: ")
            found[label] = [(output.get("data", {}).get("text/markdown"), sorted(k for k in output.get("data", {}) if k.startswith("image/")))
                            for output in cell["outputs"]]
    return found


def test_a_notebook_executed_by_the_build_is_saved_with_fresh_outputs_and_its_fingerprint(tmp_path):
    project = make_project(tmp_path / "mini")
    path = project / NOTEBOOK
    saved = json.loads(path.read_text(encoding="utf-8"))
    for cell in saved["cells"]:
        cell["outputs"] = []  # as if never executed: whatever the save holds comes from the kernel
    path.write_text(json.dumps(saved), encoding="utf-8")

    executed = execute_notebook(path, "inputs-of-this-test")
    assert save_notebook(path, executed) is True
    again = json.loads(path.read_text(encoding="utf-8"))
    assert saved_fingerprint(path) == "inputs-of-this-test"
    assert again["metadata"][FINGERPRINT_KEY] == {"inputs-sha256": "inputs-of-this-test"}
    assert "version" not in again["metadata"].get("language_info", {})  # a patch release of Python is not an input
    assert all("execution" not in cell["metadata"] for cell in again["cells"])  # no timings: a rerun saves the same bytes
    original = json.loads((make_project(tmp_path / "original") / NOTEBOOK).read_text(encoding="utf-8"))
    assert _outputs(again) == _outputs(original) != {}
    assert save_notebook(path, nbformat.read(path, as_version=4)) is False  # unchanged text: not written again
