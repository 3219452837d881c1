"""Every repository and service test runs on both APIs: ``db`` and ``tx`` are the sync
Database's, then an AsyncDatabase's behind the sync API's face (tests/support/async_proxy.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> str:
    """The API under test."""
    param: str = request.param
    return param
