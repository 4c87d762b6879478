import pytest

from payouts.tests.support import paid_stay


@pytest.fixture
def stay(db):
    """A paid, confirmed stay (EUR, UTC) whose check-in was three days ago."""
    return paid_stay(days_ago=3)
