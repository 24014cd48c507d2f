"""Fixtures shared by the analysis-module tests."""

import pandas as pd
import pytest

from bolero_evidence.data import load_tables


@pytest.fixture(scope="session")
def tables():
    """The validated tables of data/ (loaded once for all analysis tests)."""
    return load_tables()


def one_row(frame: pd.DataFrame, **where) -> pd.Series:
    """The one row of ``frame`` whose columns equal ``where`` (the test fails if there are none or several)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]
