"""publish_tables: the register as CSV and JSON with a Frictionless descriptor, validated by frictionless."""

from __future__ import annotations

import json
import shutil

import pandas as pd
from frictionless import validate

from bolero_evidence.citing.publish import publish_tables
from tests.conftest import ROOT

from .conftest import REGISTER


def test_published_tables_are_valid(tmp_path):
    descriptor = publish_tables(ROOT, tmp_path / "out")
    assert sorted(p.name for p in descriptor.parent.iterdir()) == ["datapackage.json", "register.csv", "register.json"]
    report = validate(descriptor)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    register = pd.read_csv(REGISTER)
    records = json.loads((tmp_path / "out" / "register.json").read_text(encoding="utf-8"))
    assert len(records) == len(register) == report.tasks[0].stats["rows"]
    assert records[0]["id"] == register["id"][0]


def test_unbounded_interval_survives_json(tmp_path):
    project = tmp_path / "project"
    (project / "report" / "generated").mkdir(parents=True)
    shutil.copy(ROOT / "index.qmd", project / "index.qmd")
    register = pd.read_csv(REGISTER, dtype=str, keep_default_na=False)
    register.loc[0, ["ci_low", "ci_high"]] = ["1.0", "inf"]
    register.to_csv(project / "report" / "generated" / "register.csv", index=False, lineterminator="\n")
    descriptor = publish_tables(project, tmp_path / "out")
    assert validate(descriptor).valid
    assert json.loads((tmp_path / "out" / "register.json").read_text(encoding="utf-8"))[0]["ci_high"] == "inf"


def test_a_broken_register_fails_validation(tmp_path):
    """The schema is not decoration: a duplicated id, a non-number and an unknown unit are each reported."""
    project = tmp_path / "project"
    (project / "report" / "generated").mkdir(parents=True)
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])                                   # duplicate id
    lines[3] = lines[3].replace(",31.0,", ",thirty-one,")    # not a number
    lines[4] = lines[4].replace(",months,", ",moons,")        # unit not in the list
    (project / "report" / "generated" / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(publish_tables(project, tmp_path / "out"))
    assert not report.valid
    kinds = {e[0] for e in report.flatten(["type"])}
    assert {"primary-key", "type-error", "constraint-error"} <= kinds


def test_extra_table(tmp_path):
    frame = pd.DataFrame({"quantity": ["deaths"], "versions": [2]})
    schema = {"fields": [{"name": "quantity", "type": "string"}, {"name": "versions", "type": "integer"}]}
    descriptor = publish_tables(ROOT, tmp_path, {"discrepancies": (frame, schema, "Discrepancies between sources")})
    assert [r["name"] for r in json.loads(descriptor.read_text())["resources"]] == ["register", "register-json", "discrepancies",
                                                                                  "discrepancies-json"]
    assert validate(descriptor).valid
