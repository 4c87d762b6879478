"""On Redis the request throttles decide in one round trip (a Lua script keeps each scope's
sliding window), with exactly the statuses and Retry-After of DRF's reading and writing of
histories (the other caches' path, `_Batch`); with Redis unreachable requests go through."""

import json
import os
import socket

import pytest
import redis.connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from public_api.common import throttling
from tests.factories import ListingFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set"),
]

LISTINGS = "/api/v1/listings/"


@pytest.fixture
def sent(monkeypatch):
    """Every command sent to Redis that names a throttle's key."""
    commands: list[bytes] = []
    original = redis.connection.Connection.send_packed_command

    def spy(self, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        if b"throttle_" in packed:
            commands.append(packed.split(b"\r\n")[2])  # the command's name
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", spy)
    return commands


def answers(client, count: int, request=None) -> list[tuple[int, str | None]]:
    request = request or (lambda: client.get(LISTINGS))
    return [
        (response.status_code, response.headers.get("Retry-After"))
        for response in (request() for _ in range(count))
    ]


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_script_answers_as_drf_does(settings, monkeypatch, signed_in):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": "5/min", "auth": None}
    client = APIClient()
    if signed_in:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(UserFactory())}")
    scripted = answers(client, 7)
    monkeypatch.setattr(throttling._WindowScript, "usable", staticmethod(lambda cache: False))
    from django.core.cache import cache

    cache.clear()
    assert answers(client, 7) == scripted
    refused = 3 if not signed_in else 5  # anon counts anonymous callers only
    assert [status for status, _ in scripted] == [200] * refused + [429] * (7 - refused)
    assert {wait for _, wait in scripted[refused:]} == {"60"}


def test_one_round_trip_per_request_and_each_scope_counts_what_it_lets_through(sent, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": "5/min", "auth": None}
    client = APIClient()
    for _ in range(7):
        sent.clear()
        client.get(LISTINGS)
        assert sent == [b"EVALSHA"]
    from django.core.cache import cache
    from django_redis import get_redis_connection

    redis_client = get_redis_connection("default")
    windows = [cache.make_key(f"throttle_{scope}_127.0.0.1:window") for scope in ("anon", "user")]
    assert [redis_client.zcard(key) for key in windows] == [3, 5]


def test_graphql_requests_also_take_one_round_trip(sent, settings):
    settings.API_THROTTLE_RATES = {"anon": "100/min", "user": "100/min", "auth": None}
    query = json.dumps({"query": "{ listings(first: 1) { edges { node { id } } } }"})
    response = APIClient().post("/graphql/", query, content_type="application/json")
    assert response.status_code == 200
    assert sent == [b"EVALSHA"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_redis_unreachable_throttled_reads_still_answer(settings):
    listing = ListingFactory()
    settings.API_THROTTLE_RATES = {"anon": "1/min", "user": "1/min", "auth": None}
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    client = APIClient()
    for _ in range(3):  # over the budget: the throttles cannot count, so they let it through
        response = client.get(f"/api/v1/listings/{listing.pk}/")
        assert response.status_code == 200
        assert response.json()["id"] == str(listing.pk)


@pytest.fixture
def every_command(monkeypatch):
    """The name of every command sent to Redis, a pipeline's as one list."""
    commands: list = []
    original = redis.connection.Connection.send_packed_command

    def spy(self, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        names = [part.split(b"\r\n")[2] for part in packed.split(b"*")[1:] if b"\r\n" in part]
        commands.append(names[0] if len(names) == 1 else names)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", spy)
    return commands


def test_a_signed_out_listing_is_read_with_the_throttles_round_trip(every_command, settings):
    """The view names the keys it will read; the throttles' script reads them: a hit is one
    round trip, a miss adds only its lock and its store (with the unlock, one pipeline)."""
    settings.API_THROTTLE_RATES = {"anon": "100/min", "user": "100/min", "auth": None}
    listing = ListingFactory()
    client = APIClient()
    url = f"/api/v1/listings/{listing.pk}/"
    every_command.clear()  # the listing's creation bumped its tokens
    first = client.get(url)
    assert first.status_code == 200
    assert every_command == [b"EVALSHA", b"SET", [b"SET", b"DEL"]]  # throttles + read, lock
    every_command.clear()
    again = client.get(url)
    assert every_command == [b"EVALSHA"]
    assert again.content == first.content
    listing.title = "Renamed by its host"
    listing.save()  # bumps the listing's token: what the script reads next is stale
    renamed = client.get(url)
    assert renamed.json()["title"] == "Renamed by its host"


def test_a_listing_read_ahead_answers_as_a_read_of_its_own(settings, monkeypatch):
    """Without the read-ahead (another cache, a lost Redis) the same bodies come back."""
    settings.API_THROTTLE_RATES = {"anon": "100/min", "user": "100/min", "auth": None}
    listing = ListingFactory()
    url = f"/api/v1/listings/{listing.pk}/"
    client = APIClient()
    bodies = [client.get(url).content for _ in range(2)]
    monkeypatch.setattr(throttling._WindowScript, "usable", staticmethod(lambda cache: False))
    assert [client.get(url).content for _ in range(2)] == bodies
    assert client.get("/api/v1/listings/not-a-uuid/").status_code == 400
