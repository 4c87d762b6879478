"""Accounts for each back-office role, and a logged-in client per role."""

import pytest
from django.test import Client

from accounts import roles
from tests.factories import HostFactory, ListingFactory, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def host(db):
    return HostFactory(email="host@example.test", first_name="Hannah", last_name="Host")


@pytest.fixture
def other_host(db):
    return HostFactory(email="other@example.test")


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.test", groups=[roles.MODERATORS])


@pytest.fixture
def auditor(db):
    return UserFactory(email="auditor@example.test", groups=[roles.AUDITORS])


@pytest.fixture
def guest(db):
    return UserFactory(email="guest@example.test", first_name="Gina", last_name="Guest",
                       phone="+351 900 000 000")  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_staff(staff):
    return client_for(staff)


@pytest.fixture
def as_host(host):
    return client_for(host)


@pytest.fixture
def as_moderator(moderator):
    return client_for(moderator)


@pytest.fixture
def as_auditor(auditor):
    return client_for(auditor)


@pytest.fixture
def own_listing(host):
    return ListingFactory(host=host, title="Hannah loft", city="Porto")


@pytest.fixture
def foreign_listing(other_host):
    return ListingFactory(host=other_host, title="Faraway villa", city="Faro")
