"""Inputs found by review 3 that once produced server errors."""

import json

import pytest

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


def test_deeply_nested_json_is_a_400_in_rest(client):
    response = client.post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_deeply_nested_json_is_a_400_in_graphql(client):
    response = client.post("/graphql/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert b"nested too deeply" in response.content


@pytest.mark.parametrize(
    "variables",
    [{"city": "a\ud800b"}, {"nested": ["ok", {"k": "\udfff"}]}],
)
def test_lone_surrogates_are_refused_before_graphql_runs(client, variables):
    query = "query($city: String) { listings(city: $city) { edges { node { id } } } }"
    body = json.dumps({"query": query, "variables": variables})
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["errors"][0]["message"]


def test_options_on_the_docs_page_is_not_a_server_error(client):
    assert client.options("/api/v1/docs/").status_code == 405
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_time_zone_folder_is_a_400(client, django_user_model):
    from rest_framework_simplejwt.tokens import AccessToken

    user = django_user_model.objects.create_user(email="tz@example.test", password="x")
    token = AccessToken.for_user(user)
    body = {"title": "T", "city": "X", "country": "PT", "nightly_price": "10",
            "time_zone": "Europe"}  # fmt: skip
    response = client.post("/api/v1/listings/", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_time_zone"
