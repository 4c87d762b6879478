"""auth/register, auth/token, auth/token/refresh, me."""

import pytest

from accounts.models import User
from tests.factories import PASSWORD

from .conftest import client_for

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"


def test_register_creates_a_user_and_shows_no_password(anon):
    response = anon.post(
        REGISTER,
        {"email": "New@Example.test", "password": "a-long-passphrase", "first_name": "Nia"},
        format="json",
    )
    assert response.status_code == 201
    assert set(response.data) == {"id", "email", "first_name", "last_name"}
    assert response.data["email"] == "new@example.test"
    assert User.objects.get(email="new@example.test").check_password("a-long-passphrase")


def test_register_rejects_a_duplicate_email_with_its_code(anon, guest):
    response = anon.post(
        REGISTER, {"email": guest.email.upper(), "password": "a-long-passphrase"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "email_taken"
    assert "email" in response.data


@pytest.mark.parametrize("password", ["short", "12345678901", "password"])
def test_register_rejects_weak_passwords(anon, password):
    response = anon.post(REGISTER, {"email": "w@example.test", "password": password}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "weak_password"
    assert not User.objects.filter(email="w@example.test").exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "not-an-email", "password": "a-long-passphrase"}, {"email": ["x"]}, []],
)
def test_register_rejects_malformed_bodies(anon, body):
    assert anon.post(REGISTER, body, format="json").status_code == 400


def test_token_pair_for_good_credentials_and_401_otherwise(anon, guest):
    ok = anon.post(TOKEN, {"email": guest.email, "password": PASSWORD}, format="json")
    assert ok.status_code == 200
    assert set(ok.data) == {"access", "refresh"}
    bad = anon.post(TOKEN, {"email": guest.email, "password": "wrong"}, format="json")
    assert bad.status_code == 401
    refreshed = anon.post(REFRESH, {"refresh": ok.data["refresh"]}, format="json")
    assert refreshed.status_code == 200
    assert "access" in refreshed.data
    assert anon.post(REFRESH, {"refresh": "garbage"}, format="json").status_code == 401


def test_refresh_gives_a_working_access_token_for_the_same_user(anon, guest):
    pair = anon.post(TOKEN, {"email": guest.email, "password": PASSWORD}, format="json").data
    refreshed = anon.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert refreshed.status_code == 200
    assert set(refreshed.data) == {"access", "refresh"}  # rotation: a new refresh token too
    me = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {refreshed.data['access']}")
    assert me.status_code == 200
    assert me.data["id"] == str(guest.pk)


def test_the_access_token_authenticates_requests(anon, guest):
    tokens = anon.post(TOKEN, {"email": guest.email, "password": PASSWORD}, format="json").data
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = anon.get(ME)
    assert response.status_code == 200
    assert response.data["email"] == guest.email


def test_me_needs_a_valid_token(anon):
    assert anon.get(ME).status_code == 401
    anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert anon.get(ME).status_code == 401


def test_me_shows_the_profile(as_host, host):
    response = as_host.get(ME)
    assert response.status_code == 200
    assert set(response.data) == {
        "id", "email", "first_name", "last_name", "phone", "bio", "is_host", "date_joined",
    }  # fmt: skip
    assert response.data["is_host"] is True
    assert response.data["id"] == str(host.pk)


def test_me_patch_updates_the_profile_but_not_the_email(as_guest, guest):
    response = as_guest.patch(
        ME, {"phone": "+351 900 000 000", "bio": "Hi", "email": "x@y.test"}, format="json"
    )
    assert response.status_code == 200
    guest.refresh_from_db()
    assert (guest.phone, guest.bio) == ("+351 900 000 000", "Hi")
    assert guest.email != "x@y.test"


def test_me_patch_rejects_too_long_values(as_guest):
    response = as_guest.patch(ME, {"phone": "9" * 100}, format="json")
    assert response.status_code == 400
    assert "phone" in response.data


def test_api_changes_are_attributed_to_the_token_user(guest):
    client_for(guest).patch(ME, {"bio": "audited"}, format="json")
    latest = guest.history.latest()
    assert latest.history_actor == f"user:{guest.email}"
    assert latest.history_user_id == guest.pk


def test_a_self_registration_is_recorded_as_done_by_the_new_user(anon):
    response = anon.post(
        REGISTER, {"email": "self@example.test", "password": "a-long-passphrase"}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(email="self@example.test")
    record = user.history.get()
    assert record.history_type == "+"
    assert (record.history_user_id, record.history_actor) == (user.pk, "user:self@example.test")
    assert record.history_ip == "127.0.0.1"
