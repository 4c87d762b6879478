"""A rotating X-Forwarded-For header buys an attacker nothing (the attack replayed).

The attack: 40 wrong passwords, each with a fresh X-Forwarded-For, all answered 401 and none
429, because the throttles took the client address from that header. The same worked for
GraphQL's tokenAuth and for anonymous reads. The address now comes from REMOTE_ADDR unless
TRUSTED_PROXY_COUNT says how many of our own proxies stand in front.
"""

import json

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from common.network import client_ip
from listings.models import Listing
from tests.factories import PASSWORD, HostFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
GRAPHQL = "/graphql/"
TOKEN_AUTH = """mutation($email: String!, $password: String!) {
  tokenAuth(input: {email: $email, password: $password}) { access errors { code } }
}"""


def forged(i: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i % 250 + 1}, 10.0.0.{i % 250 + 1}"}


def test_rest_logins_with_a_rotating_header_are_throttled(settings):
    settings.AXES_FAILURE_LIMIT = 1000  # the per-IP throttle alone (the lockout has its tests)
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "5/min"}
    user = UserFactory()
    client = APIClient()
    statuses = [
        client.post(TOKEN, {"email": user.email, "password": f"guess-{i}"}, **forged(i)).status_code
        for i in range(40)
    ]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}


def test_graphql_token_auth_with_a_rotating_header_is_throttled(client, settings):
    settings.AXES_FAILURE_LIMIT = 1000
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "5/min"}
    user = UserFactory()
    codes = []
    for i in range(20):
        body = json.dumps(
            {"query": TOKEN_AUTH, "variables": {"email": user.email, "password": f"guess-{i}"}}
        )
        response = client.post(GRAPHQL, body, content_type="application/json", **forged(i))
        assert response.status_code == 200, response.content
        codes.append(response.json()["data"]["tokenAuth"]["errors"][0]["code"])
    assert codes[:5] == ["invalid_credentials"] * 5
    assert set(codes[5:]) == {"throttled"}


def test_anonymous_reads_with_a_rotating_header_are_throttled(client, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": None, "auth": None}
    rest = [client.get("/api/v1/listings/", **forged(i)).status_code for i in range(6)]
    assert rest == [200, 200, 200, 429, 429, 429]
    query = json.dumps({"query": "{ listings(first: 1) { edges { node { id } } } }"})
    graphql = client.post(GRAPHQL, query, content_type="application/json", **forged(99))
    assert graphql.status_code == 429  # one budget per address across both APIs


def test_behind_one_trusted_proxy_each_client_has_its_own_budget(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": None, "auth": None}
    client = APIClient()

    def get(client_address, spoofed=""):
        # The proxy appends the address it saw; whatever the client sent stays to the left.
        header = f"{spoofed}, {client_address}" if spoofed else client_address
        return client.get(
            "/api/v1/listings/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR="10.0.0.2"
        ).status_code

    assert [get("203.0.113.7", spoofed=f"198.51.100.{i}") for i in range(3)] == [200, 200, 429]
    assert get("203.0.113.8") == 200  # a different client behind the same proxy


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "192.0.2.10"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the spoofed left part is never read
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.1", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),  # fewer hops than proxies: our own leftmost entry
        (1, "not-an-address", "192.0.2.10"),
        (1, "", "192.0.2.10"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_audit_trail_records_the_connection_address_not_the_header():
    host = HostFactory()
    client = APIClient()
    access = client.post(TOKEN, {"email": host.email, "password": PASSWORD}).data["access"]
    response = client.post(
        "/api/v1/listings/",
        {
            "title": "Harbour flat",
            "description": "Quiet.",
            "property_type": "apartment",
            "city": "Porto",
            "country": "PT",
            "timezone": "Europe/Lisbon",
            "capacity": 2,
            "nightly_price": "80.00",
            "currency": "EUR",
        },  # fmt: skip
        HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 201, response.content
    record = Listing.history.filter(id=response.data["id"]).latest()
    assert record.history_ip == "192.0.2.44"
