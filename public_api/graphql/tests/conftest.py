"""Helpers for GraphQL tests: every request goes through the real URL stack as JSON."""

import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import AmenityFactory, ListingFactory

URL = "/graphql/"


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}


class GraphQLClient:
    def __init__(self, client):
        self.client = client

    def post(self, query, variables=None, *, user=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps({"query": query, "variables": variables})
        extra = dict(headers or {})
        if user is not None:
            extra.update(bearer(user))
        return self.client.post(URL, body, content_type="application/json", **extra)

    def __call__(self, query, variables=None, *, user=None, status=200):
        """Run an operation; return the JSON body after checking the HTTP status."""
        response = self.post(query, variables, user=user)
        assert response.status_code == status, response.content
        return response.json()

    def data(self, query, variables=None, *, user=None):
        """Run an operation that must succeed without any GraphQL error."""
        body = self(query, variables, user=user)
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def gql(client):
    return GraphQLClient(client)


@pytest.fixture
def listing(host):
    listing = ListingFactory(host=host, title="Alfama loft", city="Lisbon", country="PT")
    listing.amenities.set([AmenityFactory(slug="wifi", name="Wi-Fi")])
    return listing


def error_codes(payload) -> list[str]:
    return [error["code"] for error in payload["errors"]]
