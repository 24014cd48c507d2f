"""Numbers as authors type them (citing.figures): each form the issue names, and what must not be read as a figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bolero_evidence.citing.figures import find_figures, find_ids, find_versions, mask_labels


def figures(text):
    return [(f.estimate.value if f.estimate else None, f.low.value if f.low else None, f.high.value if f.high else None)
            for f in find_figures(mask_labels(text))]


D = Decimal


@pytest.mark.parametrize(("text", "expected"), [
    ("HR 0.45 (95% CI 0.38–0.54)", (D("0.45"), D("0.38"), D("0.54"))),           # en dash range
    ("HR 0.45; 95% CI 0.38-0.54", (D("0.45"), D("0.38"), D("0.54"))),            # hyphen range after "95% CI"
    ("HR 0.45 (95% CI, 0.38 to 0.54)", (D("0.45"), D("0.38"), D("0.54"))),       # "to"
    ("0.45 (0.38, 0.54)", (D("0.45"), D("0.38"), D("0.54"))),                    # comma in brackets
    ("9.5% [7.0%; 12.4%]", (D("9.5"), D("7.0"), D("12.4"))),
    ("4.1 (\u22120.4 to 8.0)", (D("4.1"), D("-0.4"), D("8.0"))),                 # Unicode minus
    ("4.1 (–0.4–8.0)", (D("4.1"), D("-0.4"), D("8.0"))),                         # en dash as minus, then as range
    ("4.1 (-0.4 to 8.0)", (D("4.1"), D("-0.4"), D("8.0"))),                      # hyphen-minus
    ("\u22127.63", (D("-7.63"), None, None)),
    ("1,234 patients", (D("1234"), None, None)),                                 # thousands comma
    ("1\u00a0234 events (1\u202f100 to 1,400)", (D("1234"), D("1100"), D("1400"))),  # no-break and narrow no-break spaces
    ("95% CI 0.35–0.54", (None, D("0.35"), D("0.54"))),                          # interval alone; 95 is the level
    ("P<0.001", (D("0.001"), None, None)),
])
def test_number_forms(text, expected):
    assert figures(text) == [expected]


def test_a_plain_space_is_not_a_thousands_separator():
    assert figures("between 1 234 and") == [(D("1"), None, None), (D("234"), None, None)]


@pytest.mark.parametrize("text", [
    "BOLERO-2 (NEJM 2011, Table 2, section 2.1; report version 0.1.0 of 2026-11-21)",
    "grade 3–4 events in 46 of 485 and 46/485 patients [12]",
    "see https://example.org/report/2.1/index.html#sec-pfs and v0.1.0",
])
def test_labels_are_not_figures(text):
    assert figures(text) == []


def test_comparator_is_kept():
    (figure,) = find_figures(mask_labels("P ≤ 0.05"))
    assert figure.estimate.comparator == "≤"


def test_ids_and_typos_but_not_ordinary_dotted_words():
    known = {"pfs.central.final.median_gain", "orr.local.everolimus"}
    text = ("6.9 months [pfs.central.final.median_gain], see index.html#orr.local.everolimus, www.nejm.org, "
            "e.g. pfz.central.final.median_gain")
    found = [(m.id, m.anchor) for m in find_ids(text, known)]
    assert found == [("pfs.central.final.median_gain", False), ("orr.local.everolimus", True), ("pfz.central.final.median_gain", False)]


def test_versions():
    assert [v for _, v in find_versions("report version 0.1.0; v0.2.0. release: 1.0.0-rc.1.")] == ["0.1.0", "0.2.0", "1.0.0-rc.1"]
