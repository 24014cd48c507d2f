"""The statistics are tested as computed: the cache of results between processes is off here."""

from __future__ import annotations

import pytest

from bolero_evidence.cache import DISABLE_VARIABLE
from bolero_evidence.stats import exact


@pytest.fixture(autouse=True, scope="module")
def computed_not_remembered():
    """No record read or written (``$BOLERO_NO_CACHE``), and the in-memory cache emptied: every interval is computed here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DISABLE_VARIABLE, "1")
        exact.risk_ratio_exact.cache_clear()
        exact.risk_difference_exact.cache_clear()
        yield
        exact.risk_ratio_exact.cache_clear()
        exact.risk_difference_exact.cache_clear()
