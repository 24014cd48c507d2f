"""Fuzz suite: every class of broken input the reliability probe found (issue 14) stops validation with a message.

Each case breaks a fresh copy of ``data/`` (and, for the seed cases, of the
seeds) in one way and asserts that validation (``load_tables``, then
``check_provenance`` as ``bolero-evidence validate`` runs them)

- raises :class:`DataValidationError` and nothing else (no traceback),
- names the file, row and column and the value found (``expected`` below is
  a substring of the message, ``file, row N, column 'x': got ...``),
- never reads ``expected expected``, and
- writes nothing into the data or seed folders.

The table is deterministic (no random draws): each mutation is one
representative of its class, chosen to reach the check that must catch it.
Frictionless results are cached per unchanged table, so a case re-validates
only the table it broke; the suite runs in a few seconds.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bolero_evidence.data.errors import DataValidationError
from bolero_evidence.data.loader import load_tables
from bolero_evidence.data.provenance import check_provenance
from tests.conftest import DATA, delete_lines, edit_cell, edit_descriptor, find_line, resource_of, snapshot

NEJM_SEED = "003_47ceb6856ae0d802.txt"


@dataclass(frozen=True)
class Mutation:
    """One class of broken input: how to break the copy, and what the message must say."""

    name: str
    apply: Callable[[Path, Path], None]
    expected: tuple[str, ...]
    provenance: bool = False  # caught by the seed check, not by load_tables
    seeds_only: bool = False  # breaks a seed, not data/: the shared unbroken copy (loaded once) is used


def _hr_line(data: Path) -> int:
    return find_line(data, "pfs", statistic="hr", source_id="nejm_2011", assessment="local",
                     locator="Table 3, Local assessment, Progression-free survival, Hazard Ratio")


def _nan_value(data, seeds):
    edit_cell(data, "pfs", _hr_line(data), "value", "NaN")


def _descriptor_is(value):
    def apply(data, seeds):
        (data / "datapackage.json").write_text(value, encoding="utf-8")
    return apply


def _remove_resource(data, seeds):
    edit_descriptor(data, lambda d: d["resources"].remove(resource_of(d, "design")))


def _remove_schema_field(data, seeds):
    def change(descriptor):
        fields = resource_of(descriptor, "pfs")["schema"]["fields"]
        fields.remove(next(f for f in fields if f["name"] == "arm"))
    edit_descriptor(data, change)


def _resource_path(path):
    def apply(data, seeds):
        edit_descriptor(data, lambda d: resource_of(d, "pfs").update(path=path))
    return apply


def _bad_field_type(data, seeds):
    def change(descriptor):
        next(f for f in resource_of(descriptor, "pfs")["schema"]["fields"] if f["name"] == "value")["type"] = "numbr"
    edit_descriptor(data, change)


def _primary_key_missing_field(data, seeds):
    edit_descriptor(data, lambda d: resource_of(d, "pfs")["schema"]["primaryKey"].append("analysis"))


def _empty_count_printed_nr(data, seeds):
    line = find_line(data, "pfs", statistic="events_n", source_id="nejm_2011", assessment="local", arm="everolimus",
                     locator="Table 3, Local assessment, Progression-free survival, Events — no.")
    for column, value in (("value", ""), ("qualifier", "not_reported"), ("printed", "NR")):
        edit_cell(data, "pfs", line, column, value)


def _header_only(data, seeds):
    path = data / "pfs_subgroups.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")


def _delete_required_row(data, seeds):
    delete_lines(data, "design", find_line(data, "design", parameter="allocation_ratio"))


def _delete_rows(table, **where):
    """Delete every row of ``table`` whose cells equal ``where``: the whole figure, however many sources print it."""
    def apply(data, seeds):
        with (data / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            lines = [n for n, row in enumerate(csv.DictReader(f), start=2) if all(row[k] == v for k, v in where.items())]
        assert lines, f"no row of {table} with {where}"
        delete_lines(data, table, *lines)
    return apply


def _empty_n_arm(data, seeds):
    line = find_line(data, "adverse_events", term="rash", grade="any", arm="everolimus", source_id="nejm_2011")
    edit_cell(data, "adverse_events", line, "n_arm", "")


def _figure_of_the_same_quote(data, seeds):
    # The quote "... <0.001 0.43 (0.35–0.54)": the HR row now reads the lower limit, which the quote also prints.
    line = _hr_line(data)
    edit_cell(data, "pfs", line, "value", "0.35")
    edit_cell(data, "pfs", line, "printed", "0.35")


def _figure_of_a_shared_quote(data, seeds):
    # "Black 3 1" (Table 1): the placebo row now reads the everolimus 3, which the quote prints once.
    line = find_line(data, "baseline", characteristic="race", category="black", arm="placebo")
    edit_cell(data, "baseline", line, "value", "3")
    edit_cell(data, "baseline", line, "printed", "3")


def _huge_cell(data, seeds):
    edit_cell(data, "pfs", 2, "note", "x" * 5_000_000)


def _many_rows(data, seeds):
    path = data / "pfs.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + lines[1:2] * 200_000), encoding="utf-8")


def _symlinked_file(data, seeds):
    (data / "extra.csv").write_text("secret line one\nsecret line two\n", encoding="utf-8")
    (data / "trials.csv").unlink()
    os.symlink(data / "extra.csv", data / "trials.csv")


def _short_quote(data, seeds):
    edit_cell(data, "pfs", _hr_line(data), "quote", "0.43")


def _seed_bytes(content: bytes | None):
    def apply(data, seeds):
        if content is None:
            (seeds / NEJM_SEED).unlink()
        else:
            (seeds / NEJM_SEED).write_bytes(content)
    return apply


def _header_renamed(data, seeds):
    path = data / "pfs.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",arm,", ",Arm,", 1), encoding="utf-8")


def _header_blank(data, seeds):
    path = data / "pfs.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",arm,", ",,", 1), encoding="utf-8")


MUTATIONS = [
    Mutation("nan-value", _nan_value, ("pfs.csv, row 7, column 'value': got 'NaN'; expected a finite number",)),
    Mutation("descriptor-empty-object", _descriptor_is("{}"),
             ("datapackage.json, column 'resources': got \"(no 'resources')\"; expected a non-empty list of resources",)),
    Mutation("descriptor-empty-list", _descriptor_is("[]"), ("datapackage.json: got '[]'; expected a JSON object with a list of resources",)),
    Mutation("resource-removed", _remove_resource,
             ("datapackage.json, column 'resources': got 'design'; expected a resource named 'design'",)),
    Mutation("schema-field-removed", _remove_schema_field,
             ("datapackage.json, column 'resources (pfs).schema.fields': got 'arm'; expected a field 'arm' of pfs",)),
    Mutation("unsafe-path", _resource_path("../pfs.csv"),
             ("datapackage.json, column 'resources[2] (pfs).path': got '../pfs.csv'; expected the name of a CSV file directly inside data/",)),
    Mutation("absolute-path", _resource_path("/etc/passwd"),
             ("datapackage.json, column 'resources[2] (pfs).path': got '/etc/passwd'; expected the name of a CSV file directly inside data/",)),
    Mutation("bad-field-type", _bad_field_type,
             ("datapackage.json, column 'resources[2] (pfs).schema.fields[7] (value).type': got 'numbr'; expected a Frictionless field type",)),
    Mutation("primary-key-missing-field", _primary_key_missing_field,
             ("datapackage.json, column 'resources[2] (pfs).schema.primaryKey': got 'analysis'; expected a field of pfs",)),
    Mutation("empty-count-printed-nr", _empty_count_printed_nr,
             ("pfs.csv, row 2, column 'value': got ''; expected a value for data_cut=interim, assessment=local, arm=everolimus, statistic=events_n, source_id=nejm_2011, required by 02-pfs-gains 05-interim-boundaries",)),
    Mutation("table-reduced-to-header", _header_only,
             ("pfs_subgroups.csv: got 'the header only'; expected at least one data row",)),
    Mutation("required-row-deleted", _delete_required_row,
             ("design.csv, column 'parameter, arm, source_id': got 'parameter=allocation_ratio, arm=all, source_id=nejm_2011'; "
              "expected a row with this key: a figure required by 02-pfs-gains 05-interim-boundaries",)),
    # One deleted figure per kind declared for the selections that issue 14 (item 3) found undeclared.
    Mutation("side-effect-cell-deleted", _delete_rows("trial_side_effects", trial="horizon", term="stomatitis_mucositis", grade="all", arm="experimental"),
             ("trial_side_effects.csv, column 'trial, term, grade, arm': got 'trial=horizon, term=stomatitis_mucositis, grade=all, arm=experimental'; "
              "expected a row with this key: a figure required by 06-cross-trial",)),
    Mutation("qol-row-deleted", _delete_rows("quality_of_life", analysis="sensitivity", arm="all", statistic="threshold"),
             ("quality_of_life.csv, column 'trial, source_id, endpoint, analysis, arm, statistic': got 'trial=bolero2, source_id=mtor_review_2014, "
              "endpoint=ttd_qol_10pt, analysis=sensitivity, arm=all, statistic=threshold'; expected a row with this key: "
              "a figure required by 07-summary-of-findings 08-survival-quality-of-life 09-esmo-mcbs",)),
    Mutation("death-total-deleted", _delete_rows("exposure", measure="death", arm="all", statistic="n", source_id="oncology_news_2011", data_cut="interim"),
             ("exposure.csv, column 'measure, data_cut, source_id, arm, statistic': got 'measure=death, data_cut=interim, source_id=oncology_news_2011, "
              "arm=all, statistic=n'; expected a row with this key: a figure required by 01-data-provenance",)),
    Mutation("central-median-limit-deleted", _delete_rows("pfs", source_id="nejm_2011", data_cut="interim", assessment="central", arm="placebo",
                                                           statistic="median_ci_high"),
             ("pfs.csv, column 'arm, statistic, data_cut, assessment, source_id': got 'arm=placebo, statistic=median_ci_high, data_cut=interim, "
              "assessment=central, source_id=nejm_2011'; expected a row with this key (data cut and assessment as stated or inferred): "
              "a figure required by 02-pfs-gains",)),
    Mutation("scored-hr-deleted-from-every-source", _delete_rows("pfs", data_cut="interim", assessment="central", arm="comparison", statistic="hr"),
             ("pfs.csv, column 'data_cut, assessment, arm, statistic': got 'data_cut=interim, assessment=central, arm=comparison, statistic=hr'; "
              "expected a row with this key: a figure required by 07-summary-of-findings 09-esmo-mcbs",)),
    Mutation("abstract-grade-3-4-deleted", _delete_rows("adverse_events", term="pneumonitis", grade="3-4", arm="everolimus",
                                                         locator="Abstract, Results (most common grade 3 or 4 adverse events)"),
             ("adverse_events.csv, column 'arm, term, grade, source_id, locator': got 'arm=everolimus, term=pneumonitis, grade=3-4, source_id=nejm_2011, "
              "locator=Abstract, Results (most common grade 3 or 4 adverse events)'; expected a row with this key: "
              "a figure required by 07-summary-of-findings",)),
    Mutation("final-survival-claim-deleted", _delete_rows("finding", trial="bolero2", endpoint="overall_survival", data_cut="final"),
             ("finding.csv, column 'trial, endpoint, data_cut': got 'trial=bolero2, endpoint=overall_survival, data_cut=final'; "
              "expected a row with this key (data cut and assessment as stated or inferred): a figure required by 07-summary-of-findings 09-esmo-mcbs",)),
    Mutation("empty-n-arm", _empty_n_arm,
             ("adverse_events.csv, row 8, column 'n_arm': got ''; expected a n_arm for term=rash, grade=any, arm=everolimus",)),
    Mutation("figure-of-the-same-quote", _figure_of_the_same_quote,
             ("pfs.csv, row 7, column 'value': got \"'0.35', '0.43' (rows 7, 32)\"",
              "expected one value for data_cut=interim, assessment=local, arm=comparison, statistic=hr, source_id=nejm_2011")),
    Mutation("figure-of-a-shared-quote", _figure_of_a_shared_quote,
             ("baseline.csv, row 11, column 'printed': got '3'; expected a figure of the quote not already read by row 10: "
              "the quote prints '3' 1 time and 2 rows read it",)),
    Mutation("cell-of-5-mb", _huge_cell, ("pfs.csv, row 2, column 'note': got '5,000,000 characters: xxxx", "expected a cell of at most 2,000 characters")),
    Mutation("200000-extra-rows", _many_rows, ("pfs.csv, row 5002: got 'more than 5,000 rows'; expected at most 5,000 data rows per table",)),
    Mutation("symlinked-data-file", _symlinked_file, ("trials.csv: got 'a symbolic link to", "expected a regular file inside data/ (not a link)")),
    Mutation("header-renamed", _header_renamed, ("pfs.csv, row 1, column 'arm': got 'Arm'; expected the header 'arm' (column 6 of the schema)",)),
    Mutation("header-blank", _header_blank, ("pfs.csv, row 1, column 'arm': got ''; expected the header 'arm' (column 6 of the schema)",)),
    Mutation("quote-too-short", _short_quote,
             ("pfs.csv, row 7, column 'quote': got '0.43'; expected a quote that locates its figure: at least 8 characters and 3 words",),
             provenance=True),
    Mutation("seed-empty", _seed_bytes(b""), (f"{NEJM_SEED}: got 'an empty file'; expected the seed's text",), provenance=True, seeds_only=True),
    Mutation("seed-not-utf8", _seed_bytes("Median 6.9 2.8 caf\u00e9".encode("latin-1")),
             (f"{NEJM_SEED}, row 1: got b'\\xe9'; expected UTF-8 text (byte 18 is not)",), provenance=True, seeds_only=True),
    Mutation("seed-missing", _seed_bytes(None), (f"sources.csv, column 'seed_file': got '{NEJM_SEED}'; expected seed files present in",), provenance=True, seeds_only=True),
]


def _validate(data: Path, seeds: Path, provenance: bool) -> str | None:
    """The validation message, or None when the data pass; any other exception propagates (a traceback: the test fails)."""
    try:
        tables = load_tables(data)
        if provenance:
            problems = check_provenance(tables, data, seeds)
            if problems:
                raise DataValidationError(problems)
    except DataValidationError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def pristine_seeds(seeds, tmp_path_factory):
    target = tmp_path_factory.mktemp("seeds") / "seeds"
    shutil.copytree(seeds, target)
    return target


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_reported_with_file_row_and_column(mutation, pristine_copy, pristine_seeds, tmp_path):
    data = pristine_copy if mutation.seeds_only else shutil.copytree(pristine_copy, tmp_path / "data", symlinks=True)
    seeds = shutil.copytree(pristine_seeds, tmp_path / "seeds") if mutation.provenance else pristine_seeds
    mutation.apply(data, seeds)
    before = snapshot(tmp_path), snapshot(pristine_copy)
    message = _validate(data, seeds, mutation.provenance)
    assert message is not None, f"{mutation.name}: accepted silently"
    for expected in mutation.expected:
        assert expected in message, f"{mutation.name}: {expected!r} not in\n{message[:3000]}"
    assert "expected expected" not in message
    assert len(message) < 20_000, f"{mutation.name}: a message of {len(message):,} characters"
    assert (snapshot(tmp_path), snapshot(pristine_copy)) == before, f"{mutation.name}: validation wrote into the data or seed folder"


def test_the_unbroken_copy_validates(pristine_copy, pristine_seeds):
    """The cases above fail because of their mutation, not because the copy is broken."""
    assert _validate(pristine_copy, pristine_seeds, provenance=True) is None


def test_the_symlinked_file_is_not_read(pristine_copy, tmp_path):
    data = shutil.copytree(pristine_copy, tmp_path / "data")
    _symlinked_file(data, None)
    assert "secret line" not in _validate(data, None, provenance=False)


def test_every_class_of_the_issue_is_in_the_table():
    classes = {"nan-value", "descriptor-empty-object", "descriptor-empty-list", "resource-removed", "schema-field-removed", "unsafe-path",
               "absolute-path", "bad-field-type", "primary-key-missing-field", "empty-count-printed-nr", "table-reduced-to-header",
               "required-row-deleted", "empty-n-arm", "figure-of-the-same-quote", "figure-of-a-shared-quote", "cell-of-5-mb", "200000-extra-rows", "symlinked-data-file",
               "quote-too-short", "seed-empty", "seed-not-utf8", "seed-missing", "header-renamed"}
    assert classes <= {m.name for m in MUTATIONS}
    assert DATA.is_dir()
