"""The people of the test suite, defined once (registered by the root conftest.py): every
test module that asks for `guest` or `host` gets the same person, whichever interface it
drives. Logged-in clients stay in each interface's conftest (JWTs for the APIs, sessions for
the back-office)."""

import pytest

from accounts import roles
from tests.factories import HostFactory, UserFactory


@pytest.fixture
def guest(db):
    """Gina Guest, who books stays."""
    return UserFactory(
        email="guest@example.test", first_name="Gina", last_name="Guest", phone="+351 900 000 001"
    )


@pytest.fixture
def other_guest(db):
    """Otto, a guest with no business with `host`'s listings."""
    return UserFactory(email="other.guest@example.test", first_name="Otto")


@pytest.fixture
def host(db):
    """Hannah Host, who lists homes."""
    return HostFactory(
        email="host@example.test", first_name="Hannah", last_name="Host", phone="+351 900 000 002"
    )


@pytest.fixture
def other_host(db):
    """Olga, another host: `host`'s listings are not hers."""
    return HostFactory(email="other@example.test", first_name="Olga")


@pytest.fixture
def staff(db):
    """A superuser on staff."""
    return UserFactory(email="staff@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def moderator(db):
    """Reviews' moderator."""
    return UserFactory(email="moderator@example.test", groups=[roles.MODERATORS])


@pytest.fixture
def auditor(db):
    """Reads everything in the back-office, changes nothing."""
    return UserFactory(email="auditor@example.test", groups=[roles.AUDITORS])
