"""``bolero-evidence check-draft``: every verdict on the example drafts, a new user's drafts, and bad input."""

from __future__ import annotations

import math
import os
import shutil

import pytest

from bolero_evidence.citing.errors import ExitCode

from .conftest import EARLIER, EXAMPLES, REGISTER, git

EXPECTED = {  # the example draft, citation by citation, with the earlier release given
    "pfs.central.final.median_gain": "ok",
    "pfs.local.interim.hr_exponential": "wrong-value",
    "orr.local.everolimus": "wrong-interval",
    "pfs.central.interim.hr_exponential": "rounding",
    "pfs.cental.final.median_gain": "unknown-id",
    "orr.central.everolimus": "changed",
    "safety.discontinuation_adverse_event.exemestane.difference": "ok",
    "safety.discontinuation_adverse_event.everolimus_or_placebo.nnh": "ok",
    "orr.local.nnt": "ok",
    "pfs.local.interim.p_value": "ok",
    "design.events.required": "no-figure",
}
RELEASE = f"0.0.1-example={EARLIER}"


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory):
    """The example draft written as DOCX now, with python-docx (the committed draft.docx is made the same way)."""
    from examples.make_examples import write_docx

    return write_docx(EXAMPLES / "draft.md", tmp_path_factory.mktemp("docx") / "draft.docx")


def verdicts(root, path, **kwargs):
    from bolero_evidence.citing.check import check_draft
    from bolero_evidence.citing.registers import load_register

    result = check_draft(path, root, load_register(root), **kwargs)
    return result, {c.id: c.verdict for c in result.citations}


@pytest.mark.parametrize("draft", ["md", "docx", "committed-docx"])
def test_every_verdict_on_the_example_draft(draft, example_docx):
    from tests.conftest import ROOT

    path = {"md": EXAMPLES / "draft.md", "docx": example_docx, "committed-docx": EXAMPLES / "draft.docx"}[draft]
    result, found = verdicts(ROOT, path, releases={"0.0.1-example": str(EARLIER)})
    assert found == EXPECTED
    assert not result.unknown_versions


def test_example_draft_exit_code_and_report(run):
    code, out, _ = run("check-draft", EXAMPLES / "draft.md", "--release", RELEASE)
    assert code == ExitCode.PROBLEMS_FOUND
    assert "5 of 11 citations need attention: 1 changed, 1 rounding, 1 unknown-id, 1 wrong-interval, 1 wrong-value" in out
    assert "did you mean pfs.central.final.median_gain" in out
    assert "0.386792 rounds to 0.39, not 0.38" in out
    assert "matches version 0.0.1-example (7.0% (4.7 to 9.3)); version 0.1.0 has 7.0% (4.9 to 9.7)" in out


def test_without_the_earlier_register_the_stated_version_is_unknown(run):
    code, out, _ = run("check-draft", EXAMPLES / "draft.md")
    assert code == ExitCode.PROBLEMS_FOUND
    assert "UNKNOWN-VERSION report version 0.0.1-example: no register known for it" in out
    assert "orr.central.everolimus" in out and "CHANGED" not in out


def test_earlier_register_is_the_wald_interval():
    """The stand-in earlier release differs from the register only in the Wald interval of orr.central.everolimus."""
    from bolero_evidence.citing.registers import load_register
    from tests.conftest import ROOT

    earlier, now = load_register(ROOT, EARLIER).figures, load_register(ROOT).figures
    assert [i for i in now if not now[i].same_numbers(earlier[i])] == ["orr.central.everolimus"]
    # Wald interval of 34/485 by hand; tolerance 1e-4 percent: the register keeps six significant digits.
    p = 34 / 485
    half = 1.959964 * math.sqrt(p * (1 - p) / 485)
    assert earlier["orr.central.everolimus"].ci_low == pytest.approx(100 * (p - half), abs=1e-4)
    assert earlier["orr.central.everolimus"].ci_high == pytest.approx(100 * (p + half), abs=1e-4)


def test_changed_and_removed_against_a_release_tag(released, tmp_path, run):
    """A draft citing release 0.1.0 (tag v0.1.0) is checked against the working tree at 0.2.0."""
    draft = tmp_path / "draft.md"
    draft.write_text("Figures from the evidence summary, version 0.1.0.\n\n"
                     "Central gain 6.9 months [pfs.central.final.median_gain].\n\n"
                     "Placebo response 0.4% (0.0 to 2.3) [orr.local.placebo].\n\n"
                     "Everolimus response 9.5% [orr.local.everolimus].\n", encoding="utf-8")
    _, found = verdicts(released, draft)
    assert found == {"pfs.central.final.median_gain": "changed", "orr.local.placebo": "removed", "orr.local.everolimus": "ok"}
    code, out, _ = run("check-draft", draft, project=released)
    assert code == ExitCode.PROBLEMS_FOUND
    assert "matches version 0.1.0 (6.9 months); version 0.2.0 has 7.0 months" in out


def test_a_new_user_copies_figures_and_changes_one(tmp_path, run):
    """As the issue asks: figures copied from the register into a DOCX and a Markdown file, one value changed."""
    import docx

    lines = ["Median PFS gain (central review, final analysis): 6.9 months (pfs.central.final.median_gain).",
             "Objective response with everolimus, local review: 9.5% (95% CI 7.0–12.4), orr.local.everolimus.",
             "Discontinuation for adverse events (exemestane): risk difference 4.1 percentage points "
             "(95% CI −0.4 to 8.0), safety.discontinuation_adverse_event.exemestane.difference.",
             "Number needed to harm: 7 (95% CI 5 to 10), safety.discontinuation_adverse_event.everolimus_or_placebo.nnh.",
             # the changed value: the register says 0.39
             "HR implied by the central medians (interim): 0.29 (pfs.central.interim.hr_exponential)."]
    markdown = tmp_path / "my-draft.md"
    markdown.write_text("BOLERO-2 evidence summary, version 0.1.0.\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    document = docx.Document()
    document.add_paragraph("BOLERO-2 evidence summary, version 0.1.0.")
    for line in lines:
        document.add_paragraph(line)
    document.save(tmp_path / "my-draft.docx")
    for path in (markdown, tmp_path / "my-draft.docx"):
        code, out, _ = run("check-draft", path)
        assert code == ExitCode.PROBLEMS_FOUND, out
        assert "1 of 5 citations need attention: 1 wrong-value" in out
        assert "WRONG-VALUE    pfs.central.interim.hr_exponential" in out


def test_a_correct_draft_passes(tmp_path, run):
    draft = tmp_path / "ok.txt"
    draft.write_text("The HR was 0.41 [pfs.local.interim.hr_exponential] and the gain 4.1 months [pfs.local.interim.median_gain].\n",
                     encoding="utf-8")
    code, out, _ = run("check-draft", draft)
    assert code == ExitCode.OK
    assert "all 2 citations match the register" in out


def test_wrong_figure_must_fail_even_if_close(tmp_path):
    """One unit of the last decimal off is a wrong value, not a rounding: 4.2 for 4.1."""
    from tests.conftest import ROOT

    draft = tmp_path / "d.md"
    draft.write_text("4.2 months [pfs.local.interim.median_gain]; 4.15 months [pfs.local.final.median_gain]\n", encoding="utf-8")
    _, found = verdicts(ROOT, draft)
    assert found == {"pfs.local.interim.median_gain": "wrong-value", "pfs.local.final.median_gain": "wrong-value"}


def test_more_digits_than_the_register_holds(tmp_path):
    from tests.conftest import ROOT

    draft = tmp_path / "d.md"
    draft.write_text("0.4057970 [pfs.local.interim.hr_exponential]\n", encoding="utf-8")
    _, found = verdicts(ROOT, draft)
    assert found == {"pfs.local.interim.hr_exponential": "rounding"}


def test_json_output(run):
    import json

    code, out, _ = run("check-draft", EXAMPLES / "draft.md", "--release", RELEASE, "--format", "json")
    assert code == ExitCode.PROBLEMS_FOUND
    data = json.loads(out)
    assert {c["id"]: c["verdict"] for c in data["citations"]} == EXPECTED


# Bad input: each kind has its own exit code and says what was found.

def test_missing_file(run, tmp_path):
    code, _, err = run("check-draft", tmp_path / "nope.md")
    assert code == ExitCode.UNREADABLE_FILE
    assert "nope.md: no such file" in err


def test_not_utf8(run, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("0.41 [pfs.local.interim.hr_exponential] — café".encode("cp1252"))
    code, _, err = run("check-draft", path)
    assert code == ExitCode.UNREADABLE_FILE
    assert "not UTF-8 text" in err


def test_broken_docx(run, tmp_path):
    path = tmp_path / "broken.docx"
    path.write_text("not a zip", encoding="utf-8")
    code, _, err = run("check-draft", path)
    assert code == ExitCode.UNREADABLE_FILE
    assert "not a readable DOCX file" in err


def test_old_word_format(run, tmp_path):
    path = tmp_path / "draft.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run("check-draft", path)
    assert code == ExitCode.UNREADABLE_FILE
    assert "save the draft as .docx" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_permissions(run, tmp_path):
    path = tmp_path / "locked.md"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    code, _, _ = run("check-draft", path)
    assert code == ExitCode.UNREADABLE_FILE


def test_draft_with_no_ids(run, tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("The hazard ratio was 0.45 (95% CI 0.38–0.54); see index.html and www.nejm.org.\n", encoding="utf-8")
    code, _, err = run("check-draft", path)
    assert code == ExitCode.NO_CITATIONS
    assert "cites no register id" in err


def test_register_revision_that_does_not_exist(run):
    code, _, err = run("check-draft", EXAMPLES / "draft.md", "--register", "v9.9.9")
    assert code == ExitCode.UNKNOWN_REVISION
    assert "'v9.9.9' is neither a register file nor a git revision" in err


def test_distinct_exit_codes():
    codes = [ExitCode.PROBLEMS_FOUND, ExitCode.UNREADABLE_FILE, ExitCode.NO_CITATIONS, ExitCode.UNKNOWN_ID, ExitCode.UNKNOWN_REVISION]
    assert len(set(codes)) == len(codes) and ExitCode.OK not in codes and ExitCode.USAGE not in codes


def test_register_file_that_is_not_a_register(run, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run("check-draft", EXAMPLES / "draft.md", "--register", path)
    assert code == ExitCode.UNREADABLE_FILE
    assert "columns id, value" in err


def test_old_register_path_of_earlier_revisions(tmp_path):
    """Revisions before the Quarto layout kept the register at data/register.csv."""
    from bolero_evidence.citing.registers import load_register

    repo = tmp_path / "old"
    (repo / "data").mkdir(parents=True)
    shutil.copy(REGISTER, repo / "data" / "register.csv")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old layout")
    assert "orr.local.everolimus" in load_register(repo, "HEAD").figures
