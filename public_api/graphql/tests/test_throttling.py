"""The anonymous and user rates apply to GraphQL as to REST: 429, Retry-After, one budget."""

import pytest
from rest_framework.test import APIClient

from .conftest import bearer

pytestmark = pytest.mark.django_db

LISTINGS = "{ listings(first: 1) { edges { node { id } } } }"
ME = "{ me { id } }"


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert "data" not in body  # refused before execution, as GraphQL-over-HTTP prescribes
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "throttled"
    assert error["extensions"]["retryAfter"] == int(response["Retry-After"])
    assert "throttled" in error["message"]


def test_anonymous_callers_are_throttled_per_ip(gql, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": None, "auth": None}
    assert [gql.post(LISTINGS).status_code for _ in range(2)] == [200, 200]
    assert_throttled(gql.post(LISTINGS))


def test_users_are_throttled_per_user(gql, guest, other_guest, settings):
    settings.API_THROTTLE_RATES = {"anon": "1/min", "user": "3/min", "auth": None}
    assert [gql.post(ME, user=guest).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(gql.post(ME, user=guest))
    # Another user from the same IP has a budget of their own, and so do anonymous callers.
    assert gql.post(ME, user=other_guest).status_code == 200
    assert gql.post(LISTINGS).status_code == 200


def test_rest_and_graphql_share_one_budget(gql, guest, settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": "2/min", "auth": None}
    rest = APIClient()
    assert rest.get("/api/v1/me/", **bearer(guest)).status_code == 200
    assert gql.post(ME, user=guest).status_code == 200
    assert_throttled(gql.post(ME, user=guest))
    assert rest.get("/api/v1/me/", **bearer(guest)).status_code == 429
