"""Fixtures shared by the REST and GraphQL suites."""

import pytest


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """Throttling off by default so tests never flake; the throttle tests turn it back on."""
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": None, "refresh": None}
