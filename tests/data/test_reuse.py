"""Checks reused for unchanged tables (``bolero_evidence.data.reuse``): never a stale verdict, paths of the folder checked now."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from bolero_evidence.data import loader
from bolero_evidence.data.errors import DataValidationError, Problem
from bolero_evidence.data.reuse import reused_problems
from tests.conftest import DATA, edit_cell, find_line

TABLES = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [2]})}


class CountingCheck:
    """Reads table ``a``; reports one problem in ``a.csv`` of the folder it was made for."""

    def __init__(self, folder: Path):
        self.folder, self.runs = folder, 0

    def __call__(self, given):
        self.runs += 1
        assert set(given) == {"a"}  # given the tables it names, and no other
        return [Problem(self.folder / "a.csv", 2, "x", int(given["a"]["x"].iloc[0]), "a planted problem")]


def test_a_check_runs_again_only_when_a_table_it_reads_changes(tmp_path):
    check = CountingCheck(tmp_path)
    name = ("counting check", tmp_path)
    first = reused_problems(name, ["a"], check, TABLES, tmp_path, {"a": ("1", "s"), "b": ("2", "s")})
    again = reused_problems(name, ["a"], check, TABLES, tmp_path, {"a": ("1", "s"), "b": ("changed", "s")})
    assert check.runs == 1 and again == first
    reused_problems(name, ["a"], check, TABLES, tmp_path, {"a": ("changed", "s"), "b": ("changed", "s")})
    assert check.runs == 2  # a table it reads changed: it must run (a reuse here would be a stale verdict)


def test_without_digests_the_check_always_runs(tmp_path):
    check = CountingCheck(tmp_path)
    for _ in range(2):
        reused_problems(("uncached", tmp_path), ["a"], check, TABLES, tmp_path, None)
    assert check.runs == 2


def test_a_reused_problem_names_the_folder_checked_now(tmp_path):
    check = CountingCheck(tmp_path / "first")
    digests = {"a": ("same", "s"), "b": ("same", "s")}
    reused_problems(("folders", tmp_path), ["a"], check, TABLES, tmp_path / "first", digests)
    [problem] = reused_problems(("folders", tmp_path), ["a"], check, TABLES, tmp_path / "second", digests)
    assert check.runs == 1
    assert problem == Problem(tmp_path / "second" / "a.csv", 2, "x", 1, "a planted problem")


def test_a_problem_outside_the_folder_is_not_kept(tmp_path):
    check = CountingCheck(tmp_path / "elsewhere")
    digests = {"a": ("same", "s"), "b": ("same", "s")}
    for _ in range(2):
        [problem] = reused_problems(("outside", tmp_path), ["a"], check, TABLES, tmp_path / "checked", digests)
    assert check.runs == 2 and problem.path == tmp_path / "elsewhere" / "a.csv"


def _broken_copy(target: Path) -> Path:
    """A copy of data/ whose interim local HR upper bound lies below the HR: a cross-table problem."""
    data = target / "data"
    shutil.copytree(DATA, data)
    line = find_line(data, "pfs", statistic="hr_ci_high", source_id="nejm_2011", assessment="local",
                     locator="Table 3, Local assessment, Progression-free survival, Hazard Ratio 95% CI")
    edit_cell(data, "pfs", line, "value", "0.1")
    edit_cell(data, "pfs", line, "printed", "0.1")
    return data


def test_validation_after_a_valid_copy_still_finds_the_problem_each_broken_copy_has(tmp_path):
    loader.load_tables(DATA)  # every check has run on the real tables: the broken table alone must run again
    for folder in ("one", "two"):  # the second copy's problem is reused, under its own path
        data = _broken_copy(tmp_path / folder)
        with pytest.raises(DataValidationError) as caught:
            loader.load_tables(data)
        assert any(p.path == data / "pfs.csv" and p.column == "value" and "≥ the hr" in p.expected for p in caught.value.problems), \
            caught.value.problems
