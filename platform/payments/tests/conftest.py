import pytest

from tests.factories import make_booking


@pytest.fixture
def booking(db):
    """A pending-payment booking (instant book): 3 nights of 100 EUR, moderate policy."""
    return make_booking()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks (task dispatches) the test's own transaction would never commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
