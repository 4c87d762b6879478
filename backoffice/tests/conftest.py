"""A logged-in client per back-office role (the people are tests/people.py's)."""

import pytest
from django.test import Client

from tests.factories import ListingFactory


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
