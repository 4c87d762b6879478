"""Malformed requests of every kind are 400s with a message, never 500s; throttling is 429."""

import json

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


def raw_post(client, path, body: bytes, content_type="application/json"):
    return client.generic("POST", path, body, content_type=content_type)


def test_malformed_json_is_a_400(as_guest):
    response = raw_post(as_guest, BOOKINGS, b'{"listing": ')
    assert response.status_code == 400
    assert "JSON parse error" in response.data["detail"]


def test_non_finite_numbers_are_rejected(as_guest):
    assert raw_post(as_guest, BOOKINGS, b'{"guests": NaN}').status_code == 400


def test_an_oversized_body_is_a_400(as_guest, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"reason": "x" * 2000}).encode()
    response = raw_post(as_guest, "/api/v1/listings/", body)
    assert response.status_code == 400
    assert "exceed" in response.data["detail"]


def test_a_non_json_body_is_a_415(as_guest):
    response = raw_post(as_guest, BOOKINGS, b"listing=1", "application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {"listing": 12, "check_in": True, "check_out": None, "guests": "2.5"},
        {"listing": "x" * 10_000},
        {"guests": 10**40, "check_in": "99999-01-01"},
        "just a string",
        [1, 2, 3],
    ],
)
def test_wrong_types_and_huge_values_are_400s(as_guest, body):
    response = as_guest.post(BOOKINGS, body, format="json")
    assert response.status_code == 400


def test_a_huge_integer_literal_is_a_400(as_guest):
    assert raw_post(as_guest, BOOKINGS, b'{"guests": ' + b"9" * 5000 + b"}").status_code == 400


def test_unknown_methods_are_405(as_guest, listing):
    assert as_guest.put(f"/api/v1/listings/{listing.pk}/", {}).status_code == 405


# --- throttling ------------------------------------------------------------------------------


def test_the_token_endpoint_has_a_strict_per_ip_rate(anon, guest, settings):
    settings.API_THROTTLE_RATES = {"anon": "1000/min", "user": "1000/min", "auth": "3/min"}
    attempts = [
        anon.post("/api/v1/auth/token/", {"email": guest.email, "password": "guess"})
        for _ in range(3)
    ]
    assert [a.status_code for a in attempts] == [401, 401, 401]
    blocked = anon.post("/api/v1/auth/token/", {"email": guest.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 60
    # Other endpoints are not affected by the login rate.
    assert anon.get("/api/v1/listings/").status_code == 200


def test_token_refresh_has_its_own_looser_per_ip_rate(anon, guest, settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "2/min", "refresh": "3/min"}
    login = {"email": guest.email, "password": PASSWORD}
    refresh = anon.post("/api/v1/auth/token/", login).data["refresh"]
    refreshes = []
    for _ in range(4):  # each refresh rotates the token: the next one uses the new token
        response = anon.post("/api/v1/auth/token/refresh/", {"refresh": refresh})
        refreshes.append(response.status_code)
        refresh = response.data.get("refresh", refresh)
    assert refreshes == [200, 200, 200, 429]
    # Refreshing spent none of the login budget: a second login still works.
    assert anon.post("/api/v1/auth/token/", login).status_code == 200


def test_anonymous_and_user_rates(anon, as_guest, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "3/min", "auth": None}
    assert [anon.get("/api/v1/listings/").status_code for _ in range(3)] == [200, 200, 429]
    assert [as_guest.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
