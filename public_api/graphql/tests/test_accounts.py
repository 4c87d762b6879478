"""Accounts: register, tokens, me, and how bearer tokens are authenticated."""

import pytest

from accounts.models import User

from .conftest import error_codes

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: RegisterInput!) { register(input: $input) {
  user { id email firstName lastName isHost } errors { field code message }
} }
"""
TOKEN = """
mutation($email: String!, $password: String!) {
  tokenAuth(input: {email: $email, password: $password}) {
    access refresh errors { field code message }
  }
}
"""
REFRESH = """
mutation($refresh: String!) { refreshToken(input: {refresh: $refresh}) {
  access refresh errors { code }
} }
"""
ME = "{ me { id email firstName lastName phone bio isHost dateJoined } }"


def test_register_then_sign_in_and_read_me(gql):
    payload = gql.data(
        REGISTER,
        {"input": {"email": "New@Example.test", "password": "a-long-passphrase",
                   "firstName": "Nia", "lastName": "Lee"}},
    )["register"]  # fmt: skip
    assert payload["errors"] == []
    assert payload["user"]["email"] == "new@example.test"
    assert payload["user"]["isHost"] is False

    tokens = gql.data(TOKEN, {"email": "new@example.test", "password": "a-long-passphrase"})
    assert tokens["tokenAuth"]["errors"] == []
    access = tokens["tokenAuth"]["access"]

    response = gql.post(ME, headers={"HTTP_AUTHORIZATION": f"Bearer {access}"})
    me = response.json()["data"]["me"]
    assert me["id"] == payload["user"]["id"]
    assert me["firstName"] == "Nia"

    refreshed = gql.data(REFRESH, {"refresh": tokens["tokenAuth"]["refresh"]})["refreshToken"]
    assert refreshed["errors"] == [] and refreshed["access"]


@pytest.mark.parametrize(
    ("password", "email", "code", "field"),
    [
        ("a-long-passphrase", "taken@example.test", "email_taken", "email"),
        ("123", "fresh@example.test", "weak_password", "password"),
        ("a-long-passphrase", "", "email_required", "email"),
        ("a-long-passphrase", "not an email", "invalid_email", "email"),
        ("a-long-passphrase", f"{'a' * 300}@example.test", "too_long", "email"),
        ("x" * 100_000, "fresh@example.test", "too_long", "password"),
    ],
)
def test_register_refusals_carry_the_domain_code(gql, password, email, code, field):
    User.objects.create_user(email="taken@example.test", password="whatever-long-1")
    payload = gql.data(REGISTER, {"input": {"email": email, "password": password}})["register"]
    assert payload["user"] is None
    assert payload["errors"][0]["code"] == code
    assert payload["errors"][0]["field"] == field


def test_bad_credentials_give_no_tokens(gql, guest):
    payload = gql.data(TOKEN, {"email": guest.email, "password": "wrong"})["tokenAuth"]
    assert payload["access"] is None
    assert error_codes(payload) == ["invalid_credentials"]


def test_a_forged_refresh_token_is_refused(gql):
    assert error_codes(gql.data(REFRESH, {"refresh": "nonsense"})["refreshToken"]) == [
        "token_invalid"
    ]


def test_token_auth_is_throttled_per_client(gql, guest, settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "2/min"}
    for _ in range(2):
        gql.data(TOKEN, {"email": guest.email, "password": "wrong"})
    payload = gql.data(TOKEN, {"email": guest.email, "password": "demo-password"})
    assert error_codes(payload["tokenAuth"]) == ["throttled"]
    assert payload["tokenAuth"]["access"] is None


def test_refresh_token_has_rests_refresh_rate_not_the_login_one(gql, guest, settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "1/min", "refresh": "2/min"}
    refresh = gql.data(TOKEN, {"email": guest.email, "password": "demo-password"})["tokenAuth"][
        "refresh"
    ]
    results = []
    for _ in range(3):  # each refresh rotates the token: the next one uses the new token
        results.append(gql.data(REFRESH, {"refresh": refresh})["refreshToken"])
        refresh = results[-1]["refresh"] or refresh
    assert [error_codes(result) for result in results] == [[], [], ["throttled"]]
    assert results[0]["access"] and results[2]["access"] is None


def test_me_needs_a_token(gql):
    body = gql(ME)
    assert body["data"]["me"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_me_shows_the_callers_own_contact_details(gql, guest):
    me = gql.data(ME, user=guest)["me"]
    assert me["email"] == guest.email
    assert me["phone"] == "+351 900 000 001"


def test_an_invalid_bearer_token_is_a_401(gql):
    response = gql.post(ME, headers={"HTTP_AUTHORIZATION": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid_token"


def test_a_session_cookie_does_not_authenticate(gql, client, guest):
    client.force_login(guest)  # the endpoint is CSRF-exempt: only bearer tokens may count
    body = gql(ME)
    assert body["data"]["me"] is None


UPDATE_ME = """
mutation($input: UpdateMeInput!) { updateMe(input: $input) {
  user { id email firstName lastName phone bio } errors { field code message }
} }
"""


def test_update_me_changes_only_the_given_fields(gql, guest):
    payload = gql.data(
        UPDATE_ME, {"input": {"lastName": "Silva", "bio": "Loves the sea."}}, user=guest
    )["updateMe"]

    assert payload["errors"] == []
    assert payload["user"]["lastName"] == "Silva" and payload["user"]["bio"] == "Loves the sea."
    guest.refresh_from_db()
    assert (guest.first_name, guest.last_name, guest.phone, guest.bio) == (
        "Gina", "Silva", "+351 900 000 001", "Loves the sea.",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"phone": "9" * 33}, "phone", "too_long"),
        ({"bio": "b" * 2001}, "bio", "too_long"),
        ({"firstName": None}, "firstName", "required"),
    ],
)
def test_update_me_refuses_invalid_values_and_keeps_the_profile(gql, guest, changes, field, code):
    before = (guest.first_name, guest.last_name, guest.phone, guest.bio)
    payload = gql.data(UPDATE_ME, {"input": {"lastName": "New", **changes}}, user=guest)["updateMe"]

    assert payload["user"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    guest.refresh_from_db()
    assert (guest.first_name, guest.last_name, guest.phone, guest.bio) == before


def test_a_refused_update_does_not_leak_into_the_next_mutation_of_the_document(gql, guest):
    both = """mutation {
      bad: updateMe(input: {phone: "%s"}) { errors { code } }
      good: updateMe(input: {bio: "Fine"}) { user { phone bio } errors { code } }
    }""" % ("9" * 33)  # noqa: UP031 (GraphQL braces)
    data = gql.data(both, user=guest)

    assert error_codes(data["bad"]) == ["too_long"]
    assert data["good"] == {"user": {"phone": "+351 900 000 001", "bio": "Fine"}, "errors": []}


def test_update_me_needs_a_token_and_cannot_change_the_email(gql, guest):
    anonymous = gql.data(UPDATE_ME, {"input": {"bio": "x"}})["updateMe"]
    assert error_codes(anonymous) == ["not_authenticated"]

    body = gql(UPDATE_ME, {"input": {"email": "new@example.test"}}, user=guest, status=400)
    assert "email" in body["errors"][0]["message"]
