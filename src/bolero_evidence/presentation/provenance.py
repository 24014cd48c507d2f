"""Display tables of notebook 01 (data and provenance)."""

from __future__ import annotations

import pandas as pd

from .names import readable_key, source_name, source_names, table_title
from .text import MISSING, escape_markdown

__all__ = ["KIND_TEXT", "DISCREPANCY_KIND_TEXT", "sources_table", "inventory_table", "discrepancy_table", "discrepancy_register_table",
           "death_split_table"]

KIND_TEXT = {
    "same_analysis": "same analysis, different figures",
    "unattributed": "analysis not stated; matches no figure it could be",
}


def _doi_link(doi) -> str:
    # Markdown written here, not data: the DOI is escaped, the address is the DOI resolver's.
    if doi is None or pd.isna(doi) or not str(doi).strip():
        return MISSING
    return f"[{escape_markdown(doi)}](https://doi.org/{doi})"


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.source_list` for the reader: each source by the name the report cites it by.

    The DOI column holds Markdown links (to show with ``markdown_table(..., raw=["DOI"])``);
    the source documents without a DOI have no public address.
    """
    return pd.DataFrame({
        "Source": sources["short_name"], "Citation": sources["citation"],
        "DOI": sources["doi"].map(_doi_link), "Data cut": sources["data_cut"],
    })


def inventory_table(inventory: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.inventory` as text (whole counts), tables and sources in words."""
    names = source_names(sources)
    shown = inventory.astype(str)
    shown["table"] = inventory["table"].map(lambda name: table_title(name.removesuffix(".csv")))
    return shown.rename(columns={"table": "Data table", "all sources": "All sources",
                                 **{column: source_name(column, names) for column in inventory.columns if column in names}})


_CUT_TEXT = {"unstated": "not stated"}


def discrepancy_table(versions: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.discrepancy_versions`, one row per printed version, in words."""
    names = source_names(sources)
    return pd.DataFrame({
        "#": versions["number"], "What": (versions["table"] + ": " + versions["measure"]).map(readable_key),
        "Kind": versions["kind"].map(KIND_TEXT), "Source": [source_name(s, names) for s in versions["source_id"]],
        "Data cut": versions["data_cut"].replace(_CUT_TEXT), "Assessment": versions["assessment"].replace(_CUT_TEXT),
        "Printed": versions["printed"], "Where": versions["locator"],
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
    return pd.DataFrame({"Discrepancy id": register["id"], "Kind": register["kind"].map(DISCREPANCY_KIND_TEXT),
                         "Versions": versions, "Why": register["reason"]})


def _counts(counts: tuple[int, ...]) -> str:
    return ", ".join(map(str, counts)) or "none"


def death_split_table(check: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`bolero_evidence.derived.provenance.death_split_check` as text."""
    first = check.iloc[0]
    names = source_names(sources)
    return pd.DataFrame({
        "Source": [source_name(s, names) for s in check["source_id"]],
        "Everolimus printed": check["printed_everolimus"],
        f"Counts of {first['nobs_everolimus']}": check["counts_everolimus"].map(_counts),
        "Placebo printed": check["printed_placebo"],
        f"Counts of {first['nobs_placebo']}": check["counts_placebo"].map(_counts),
        "Deaths printed": check["deaths_total"].astype(str),
        "Pairs adding up": check["pairs"].map(lambda pairs: "; ".join(f"{a} + {b}" for a, b in pairs) or "none"),
    })
