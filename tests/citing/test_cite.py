"""``bolero-evidence cite``: the four formats, read back by pandoc and by check-draft; unknown ids."""

from __future__ import annotations

import json

import pypandoc
import pytest

from bolero_evidence.citing.errors import ExitCode
from bolero_evidence.citing.registers import data_date
from tests.conftest import ROOT

IDS = ["pfs.central.final.median_gain", "orr.local.everolimus", "safety.discontinuation_adverse_event.exemestane.difference",
       "orr.local.nnt", "pfs.local.interim.p_value"]


def test_plain_names_figure_section_version_date_and_anchor(run):
    code, out, _ = run("cite", "orr.local.everolimus")
    assert code == ExitCode.OK
    assert out.startswith("9.5% (7.0 to 12.4) [orr.local.everolimus]: Objective response, local assessment")
    # The date is the report's data date (the latest commit that changed data/), the rule build-info.lua uses.
    assert f"version 0.1.0 ({data_date(ROOT)}), section 5 Response." in out
    assert out.rstrip().endswith("index.html#orr.local.everolimus")


def test_section_numbers_follow_the_article(run):
    from bolero_evidence.citing.registers import parse_sections

    sections = parse_sections("## A {#sec-a}\n### B {#sec-b}\n```\n## not {#sec-x}\n```\n"
                              "## C {.unnumbered #sec-c}\n## D {#sec-d}\n### E {#sec-e}")
    assert {k: s.number for k, s in sections.items()} == {"sec-a": "1", "sec-b": "1.1", "sec-c": "", "sec-d": "2", "sec-e": "2.1"}


def test_csl_json_is_read_by_pandoc(run):
    code, out, _ = run("cite", "--format", "csl-json", *IDS)
    assert code == ExitCode.OK
    items = json.loads(out)
    # pandoc's own CSL-JSON reader: what a reference manager's import sees.
    back = json.loads(pypandoc.convert_text(out, "csljson", format="csljson"))
    assert [i["id"] for i in back] == [f"bolero2-evidence:{i}" for i in IDS]
    assert back[1]["title"] == items[1]["title"]
    assert back[1]["issued"] == {"date-parts": [[int(part) for part in data_date(ROOT).split("-")]]}
    assert back[1]["URL"] == "index.html#orr.local.everolimus"


def test_bibtex_is_read_by_pandoc(run):
    code, out, _ = run("cite", "--format", "bibtex", *IDS)
    assert code == ExitCode.OK
    back = json.loads(pypandoc.convert_text(out, "csljson", format="bibtex"))
    assert [i["id"] for i in back] == [f"bolero2-evidence:{i}" for i in IDS]
    everolimus = back[1]
    assert everolimus["title"].endswith("(from the printed 9.5%): 9.5% (7.0 to 12.4)")  # \% unescaped again
    assert everolimus["issued"]["date-parts"][0][:2] == [2026, 11]
    assert everolimus["author"] == [{"literal": "BOLERO-2 evidence project contributors"}]


@pytest.mark.parametrize("fmt", ["plain", "markdown"])
def test_pasted_citations_pass_check_draft(run, tmp_path, fmt):
    """What ``cite`` prints is what ``check-draft`` accepts: paste every citation into a draft."""
    _, out, _ = run("cite", "--format", fmt, *IDS)
    draft = tmp_path / "pasted.md"
    draft.write_text(out, encoding="utf-8")
    code, report, _ = run("check-draft", draft)
    assert code == ExitCode.OK, report
    assert report.count(" OK ") == len(IDS)


def test_unknown_id_names_the_nearest(run):
    code, out, err = run("cite", "pfs.central.final.median_gain", "pfs.cental.final.median_gain")
    assert code == ExitCode.UNKNOWN_ID
    assert out == ""
    assert "'pfs.cental.final.median_gain' is not a register id" in err
    assert "nearest ids: pfs.central.final.median_gain" in err


def test_cite_at_a_revision_that_does_not_exist(run):
    code, _, err = run("cite", "--at", "no-such-revision", "orr.local.everolimus")
    assert code == ExitCode.UNKNOWN_REVISION
    assert "neither a register file nor a git revision" in err


def test_data_date_is_the_latest_commit_to_data_or_the_newest_data_file(tmp_path):
    import datetime
    import os

    (tmp_path / "data").mkdir()
    for name, day in (("a.csv", "2024-03-01"), ("b.csv", "2025-07-15")):
        path = tmp_path / "data" / name
        path.write_text("x\n", encoding="utf-8")
        stamp = datetime.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()
        os.utime(path, (stamp, stamp))
    assert data_date(tmp_path) == "2025-07-15"  # no git here: the newest file
    assert data_date(ROOT) is not None and len(data_date(ROOT)) == 10
