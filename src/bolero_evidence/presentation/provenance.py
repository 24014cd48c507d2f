"""Display tables of notebook 01 (data and provenance)."""

from __future__ import annotations

import pandas as pd

from .text import MISSING

__all__ = ["KIND_TEXT", "DISCREPANCY_KIND_TEXT", "sources_table", "inventory_table", "discrepancy_table", "discrepancy_register_table",
           "death_split_table"]

KIND_TEXT = {
    "same_analysis": "same analysis, different figures",
    "unattributed": "analysis not stated; matches no figure it could be",
}


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.source_list` with reader-facing headers."""
    return pd.DataFrame({
        "source id": sources["source_id"], "seed file": sources["seed_file"], "citation": sources["citation"],
        "DOI": sources["doi"].fillna(MISSING), "data cut": sources["data_cut"],
    })


def inventory_table(inventory: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.inventory` as text (whole counts)."""
    return inventory.astype(str)


def discrepancy_table(versions: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.discrepancy_versions`, one row per printed version."""
    return pd.DataFrame({
        "#": versions["number"], "what": versions["table"] + ": " + versions["measure"],
        "kind": versions["kind"].map(KIND_TEXT), "source": versions["source_id"], "data cut": versions["data_cut"],
        "assessment": versions["assessment"], "printed": versions["printed"], "where": versions["locator"],
    })


DISCREPANCY_KIND_TEXT = {
    "same_analysis": "same analysis, different figures",
    "unattributed": "analysis not stated; matches no figure it could be",
    "different_label": "same figures under labels of different definition",
    "impossible_across_cuts": "cannot both be true across analyses",
    "internal_arithmetic": "a source disagrees with its own arithmetic",
    "claim_contradiction": "a claim contradicted by a figure or another source",
}


def discrepancy_register_table(register: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.data.discrepancy_register.discrepancy_register` for the reader.

    One row per discrepancy: its id, kind, every printed version with the
    source named as a reader cites it and the place in it, and the reason.
    """
    import json

    names = dict(zip(sources["source_id"], sources["short_name"]))
    versions = [
        "; ".join(f"{v['printed']} ({names.get(v['source_id'], v['source_id'])}, {v['locator']})" for v in json.loads(text))
        for text in register["versions"]
    ]
    return pd.DataFrame({"id": register["id"], "kind": register["kind"].map(DISCREPANCY_KIND_TEXT),
                         "versions": versions, "why": register["reason"]})


def _counts(counts: tuple[int, ...]) -> str:
    return ", ".join(map(str, counts)) or "none"


def death_split_table(check: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.death_split_check` as text."""
    first = check.iloc[0]
    return pd.DataFrame({
        "source": check["source_id"],
        "everolimus printed": check["printed_everolimus"],
        f"counts of {first['nobs_everolimus']}": check["counts_everolimus"].map(_counts),
        "placebo printed": check["printed_placebo"],
        f"counts of {first['nobs_placebo']}": check["counts_placebo"].map(_counts),
        "deaths printed": check["deaths_total"].astype(str),
        "pairs adding up": check["pairs"].map(lambda pairs: "; ".join(f"{a} + {b}" for a, b in pairs) or "none"),
    })
