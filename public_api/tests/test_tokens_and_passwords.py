"""Tokens can be revoked, passwords changed and reset (the attacks replayed):

- one refresh token worked 5 times in 5: now it works once (rotation) and its replay is a 401;
- there was no logout: now REST and GraphQL revoke a refresh token;
- after a password change the old access and refresh tokens kept working: now none does;
- a reset answers the same whether the email has an account or not, and its token works once.
"""

import json
import re

import pytest
from django.core import mail
from django.test import Client, TestCase
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def login(email=None, password=PASSWORD, *, user=None) -> dict:
    email = email or user.email
    response = APIClient().post(f"{API}/auth/token/", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def me(access) -> int:
    return APIClient().get(f"{API}/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def post(path, body, access=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {access}"} if access else {}
    # Run what the request left for after commit (the reset email's task), as a real commit
    # would; the test's own transaction never commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return APIClient().post(f"{API}{path}", body, format="json", **extra)


def graphql(query, variables=None, access=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {access}"} if access else {}
    body = json.dumps({"query": query, "variables": variables or {}})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client().post("/graphql/", body, content_type="application/json", **extra)
    assert response.status_code == 200, response.content
    return response.json()["data"]


# --- rotation and logout ------------------------------------------------------------------------


def test_a_refresh_token_works_once_and_its_replay_is_refused():
    user = UserFactory()
    tokens = login(user=user)
    first = post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert me(first.json()["access"]) == 200
    replays = [post("/auth/token/refresh/", {"refresh": tokens["refresh"]}) for _ in range(4)]
    assert [r.status_code for r in replays] == [401] * 4
    assert replays[0].json()["code"] == "token_invalid"
    # The rotated token works (once).
    assert post("/auth/token/refresh/", {"refresh": first.json()["refresh"]}).status_code == 200


def test_logout_revokes_the_refresh_token():
    user = UserFactory()
    tokens = login(user=user)
    assert post("/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 204
    assert post("/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    assert post("/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 401
    assert post("/auth/logout/", {"refresh": "not-a-token"}).status_code == 401
    assert post("/auth/logout/", {}).status_code == 400


def test_graphql_refresh_rotates_and_logout_revokes():
    user = UserFactory()
    tokens = login(user=user)
    refresh = """mutation($r: String!) { refreshToken(input: {refresh: $r}) {
        access refresh errors { code } } }"""
    logout = "mutation($r: String!) { logout(input: {refresh: $r}) { ok errors { code } } }"
    rotated = graphql(refresh, {"r": tokens["refresh"]})["refreshToken"]
    assert rotated["errors"] == [] and rotated["refresh"]
    again = graphql(refresh, {"r": tokens["refresh"]})["refreshToken"]
    assert again["errors"] == [{"code": "token_invalid"}] and again["access"] is None
    assert graphql(logout, {"r": rotated["refresh"]})["logout"] == {"ok": True, "errors": []}
    # Revoked through GraphQL, refused by REST: one blacklist.
    assert post("/auth/token/refresh/", {"refresh": rotated["refresh"]}).status_code == 401


# --- password change ----------------------------------------------------------------------------


def test_a_password_change_revokes_every_earlier_token():
    user = UserFactory()
    laptop, phone = login(user=user), login(user=user)
    response = post(
        "/auth/password/change/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        access=laptop["access"],
    )
    assert response.status_code == 200, response.content
    fresh = response.json()
    for old in (laptop, phone):
        assert me(old["access"]) == 401
        assert post("/auth/token/refresh/", {"refresh": old["refresh"]}).status_code == 401
    assert me(fresh["access"]) == 200
    assert post("/auth/token/refresh/", {"refresh": fresh["refresh"]}).status_code == 200
    assert (
        APIClient()
        .post(f"{API}/auth/token/", {"email": user.email, "password": PASSWORD})
        .status_code
        == 401
    )
    login(user=user, password=NEW_PASSWORD)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"old_password": "wrong", "new_password": NEW_PASSWORD}, "old_password", "wrong_password"),
        ({"old_password": PASSWORD, "new_password": "123"}, "new_password", "weak_password"),
        ({"old_password": PASSWORD, "new_password": "password"}, "new_password", "weak_password"),
        ({"old_password": PASSWORD, "new_password": PASSWORD}, "new_password", "same_password"),
    ],
)
def test_password_change_refusals_in_rest_and_graphql(body, field, code):
    user = UserFactory()
    access = login(user=user)["access"]
    response = post("/auth/password/change/", body, access=access)
    assert response.status_code == 400
    assert response.json()["code"] == code and field in response.json()
    mutation = """mutation($o: String!, $n: String!) {
      changePassword(input: {oldPassword: $o, newPassword: $n}) {
        access errors { field code } } }"""
    payload = graphql(
        mutation, {"o": body["old_password"], "n": body["new_password"]}, access=access
    )["changePassword"]
    camel = {"old_password": "oldPassword", "new_password": "newPassword"}[field]
    assert payload == {"access": None, "errors": [{"field": camel, "code": code}]}
    assert me(access) == 200  # nothing changed


def test_password_change_needs_a_token():
    assert (
        post("/auth/password/change/", {"old_password": "a", "new_password": "b"}).status_code
        == 401
    )


# --- password reset -----------------------------------------------------------------------------


def reset_email_parts(message) -> tuple[str, str]:
    uid = re.search(r"uid: (\S+)", message.body).group(1)
    token = re.search(r"token: (\S+)", message.body).group(1)
    return uid, token


def test_reset_answers_the_same_for_unknown_emails_and_sends_only_to_real_ones():
    user = UserFactory()
    known = post("/auth/password/reset/", {"email": user.email.upper()})
    unknown = post("/auth/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert post("/auth/password/reset/", {"email": "not an email"}).status_code == 400


def test_a_reset_sets_the_password_once_and_revokes_earlier_tokens():
    user = UserFactory()
    old = login(user=user)
    post("/auth/password/reset/", {"email": user.email})
    (message,) = mail.outbox
    uid, token = reset_email_parts(message)
    assert uid in message.alternatives[0][0] and token in message.alternatives[0][0]
    confirm = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    assert post("/auth/password/reset/confirm/", confirm).status_code == 200
    assert me(old["access"]) == 401
    assert post("/auth/token/refresh/", {"refresh": old["refresh"]}).status_code == 401
    login(user=user, password=NEW_PASSWORD)
    # The token worked once: it is bound to the old password hash.
    again = post("/auth/password/reset/confirm/", {**confirm, "new_password": "another-pass-99"})
    assert again.status_code == 400 and again.json()["code"] == "invalid_token"
    history = User.history.filter(id=user.pk).latest()
    assert history.history_user_id == user.pk


@pytest.mark.parametrize(
    "change",
    [
        {"token": "1-forged"},
        {"uid": "bm90LWEtdXVpZA"},  # "not-a-uuid"
        {"uid": "%%%"},
        {"new_password": "123"},
    ],
)
def test_reset_refusals_in_rest_and_graphql(change):
    user = UserFactory()
    post("/auth/password/reset/", {"email": user.email})
    uid, token = reset_email_parts(mail.outbox[0])
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD, **change}
    response = post("/auth/password/reset/confirm/", body)
    assert response.status_code == 400, response.content
    expected = "weak_password" if "new_password" in change else "invalid_token"
    assert response.json()["code"] == expected
    mutation = """mutation($u: String!, $t: String!, $p: String!) {
      resetPassword(input: {uid: $u, token: $t, newPassword: $p}) { ok errors { code } } }"""
    payload = graphql(mutation, {"u": body["uid"], "t": body["token"], "p": body["new_password"]})
    assert payload["resetPassword"] == {"ok": None, "errors": [{"code": expected}]}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_graphql_reset_flow():
    user = UserFactory()
    request = """mutation($e: String!) { requestPasswordReset(input: {email: $e}) {
        ok errors { code } } }"""
    assert graphql(request, {"e": user.email})["requestPasswordReset"] == {"ok": True, "errors": []}
    assert graphql(request, {"e": "ghost@example.com"})["requestPasswordReset"] == {
        "ok": True, "errors": [],
    }  # fmt: skip
    uid, token = reset_email_parts(mail.outbox[0])
    reset = """mutation($u: String!, $t: String!, $p: String!) {
      resetPassword(input: {uid: $u, token: $t, newPassword: $p}) { ok errors { code } } }"""
    assert graphql(reset, {"u": uid, "t": token, "p": NEW_PASSWORD})["resetPassword"]["ok"]
    login(user=user, password=NEW_PASSWORD)


def test_reset_requests_are_throttled_per_address(settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "auth": "3/min"}
    statuses = [
        post("/auth/password/reset/", {"email": f"x{i}@example.com"}).status_code for i in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
