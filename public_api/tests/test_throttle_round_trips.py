"""On a cache other than Redis (the counting wrapper below hides Redis, so these run that path
everywhere) the request throttles (anon and user) cost one cache read and one cache write per
request, whichever API is called, with DRF's counting: each scope keeps its own sliding window,
a scope that lets a request through counts it even when another scope refuses it. On Redis
they take one round trip: test_throttle_window.py."""

import json

import pytest
from rest_framework import throttling
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/listings/"


class Counting:
    """The throttles' cache, with each call it receives written down (and passed on)."""

    def __init__(self, cache) -> None:
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def call(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


@pytest.fixture
def counted(monkeypatch):
    counting = Counting(throttling.SimpleRateThrottle.cache)
    monkeypatch.setattr(throttling.SimpleRateThrottle, "cache", counting)
    return counting


def calls_of(counted, request) -> tuple[int, list[str]]:
    counted.calls.clear()
    status = request().status_code
    return status, list(counted.calls)


def test_anonymous_rest_reads_one_read_one_write_and_both_windows_count(counted, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": "5/min", "auth": None}
    client = APIClient()
    seen = [calls_of(counted, lambda: client.get(LISTINGS)) for _ in range(7)]
    recorded = ["get_many", "set_many"]
    assert seen == [
        (200, recorded), (200, recorded), (200, recorded),
        # anon refuses; user still lets them through and counts them, as DRF does
        (429, recorded), (429, recorded),
        (429, ["get_many"]), (429, ["get_many"]),  # both refuse: nothing to write
    ]  # fmt: skip
    history = counted.cache.get_many(["throttle_anon_127.0.0.1", "throttle_user_127.0.0.1"])
    assert [len(history["throttle_anon_127.0.0.1"]), len(history["throttle_user_127.0.0.1"])] == [
        3,
        5,
    ]


def test_signed_in_and_graphql_requests_also_one_read_one_write(counted, settings):
    settings.API_THROTTLE_RATES = {"anon": "100/min", "user": "100/min", "auth": None}
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(UserFactory())}")
    assert calls_of(counted, lambda: signed_in.get(LISTINGS)) == (200, ["get_many", "set_many"])
    query = json.dumps({"query": "{ listings(first: 1) { edges { node { id } } } }"})
    graphql = APIClient()
    assert calls_of(
        counted, lambda: graphql.post("/graphql/", query, content_type="application/json")
    ) == (200, ["get_many", "set_many"])
