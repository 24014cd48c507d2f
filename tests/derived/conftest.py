"""Fixtures shared by the analysis-module tests."""

import pytest

from bolero_evidence.data import load_tables


@pytest.fixture(scope="session")
def tables():
    """The validated tables of data/ (loaded once for all analysis tests)."""
    return load_tables()
