"""Fixtures for the REST API tests: clients signed in with real JWTs as the suite's people
(tests/people.py)."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import ListingFactory


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        access = AccessToken.for_user(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def listing(host):
    return ListingFactory(host=host, title="Sea view loft")


@pytest.fixture
def as_guest(guest):
    return client_for(guest)


@pytest.fixture
def as_host(host):
    return client_for(host)


@pytest.fixture
def as_other_guest(other_guest):
    return client_for(other_guest)


@pytest.fixture
def as_other_host(other_host):
    return client_for(other_host)
