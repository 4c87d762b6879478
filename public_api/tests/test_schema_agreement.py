"""What the OpenAPI schema says and what the server does agree (the disagreements found by the
attack, replayed): the token endpoints document their 400/401/429, an empty place filter and a
number sent as text are refused, by REST and GraphQL alike, with the same code."""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/api/v1/auth/token/", {"200", "400", "401", "429"}),
        ("/api/v1/auth/token/refresh/", {"200", "400", "401", "429"}),
        ("/api/v1/auth/logout/", {"204", "400", "401", "429"}),
        ("/api/v1/auth/password/change/", {"200", "400", "401", "429"}),
        ("/api/v1/auth/password/reset/", {"202", "400", "429"}),
    ],
)
def test_the_auth_endpoints_document_every_status_they_answer(schema, path, statuses):
    assert set(schema["paths"][path]["post"]["responses"]) == statuses


@pytest.mark.parametrize("field", ["country", "city"])
def test_an_empty_place_filter_is_refused_alike(client, field):
    rest = APIClient().get("/api/v1/listings/", {field: ""})
    assert rest.status_code == 400
    assert rest.json()["code"] == "invalid_filter" and field in rest.json()
    query = f'{{ listings(first: 1, {field}: "  ") {{ edges {{ node {{ id }} }} }} }}'
    body = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json")
    (error,) = body.json()["errors"]
    assert error["extensions"]["code"] == "invalid_filter"


def test_profile_text_fields_take_text_only():
    user = UserFactory(bio="Hello")
    client = APIClient()
    client.force_authenticate(user)
    for value in (0, 1.5, True, ["x"], {"a": 1}):
        response = client.patch("/api/v1/me/", {"bio": value}, format="json")
        assert response.status_code == 400, (value, response.content)
        assert "bio" in response.json()
    user.refresh_from_db()
    assert user.bio == "Hello"
    assert client.patch("/api/v1/me/", {"bio": "0"}, format="json").json()["bio"] == "0"
