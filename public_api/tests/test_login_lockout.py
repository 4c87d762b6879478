"""Failed logins are limited per account and per address, across REST, GraphQL and the
back-office (django-axes). The attacks replayed:

- 30 wrong passwords on /admin/login/, then the right one, logged in; now it is refused.
- Guessing one account's password from many addresses (no per-IP budget helps) locks the
  account; guessing many accounts from one address locks the address.
- The answers are the same whether the email has an account or not.
"""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from tests.bodies import without_request_id
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
TOKEN_AUTH = """mutation($email: String!, $password: String!) {
  tokenAuth(input: {email: $email, password: $password}) { access errors { code message } }
}"""


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def rest_login(email, password, address="192.0.2.1"):
    return APIClient().post(TOKEN, {"email": email, "password": password}, REMOTE_ADDR=address)


def graphql_login(email, password, address="192.0.2.1"):
    body = json.dumps({"query": TOKEN_AUTH, "variables": {"email": email, "password": password}})
    response = Client().post(
        "/graphql/", body, content_type="application/json", REMOTE_ADDR=address
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]["tokenAuth"]


def assert_locked(response):
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "locked_out"
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_an_account_is_locked_after_five_failures_from_anywhere():
    user = UserFactory()
    statuses = [
        rest_login(user.email, f"guess-{i}", address=f"198.51.100.{i}").status_code
        for i in range(1, 5)
    ]
    assert statuses == [401] * 4
    assert_locked(rest_login(user.email, "guess-5", address="198.51.100.5"))
    # The right password from a fresh address is refused too, until the cool-off ends.
    assert_locked(rest_login(user.email.upper(), PASSWORD, address="198.51.100.77"))
    # Other accounts are not affected.
    assert rest_login(UserFactory().email, PASSWORD, address="198.51.100.78").status_code == 200


def test_an_address_is_locked_after_five_failures_on_any_accounts():
    victims = UserFactory.create_batch(6)
    for victim in victims[:4]:
        assert rest_login(victim.email, "wrong", address="203.0.113.9").status_code == 401
    assert_locked(rest_login(victims[4].email, "wrong", address="203.0.113.9"))
    assert_locked(rest_login(victims[5].email, PASSWORD, address="203.0.113.9"))
    assert rest_login(victims[5].email, PASSWORD, address="203.0.113.10").status_code == 200


def test_answers_never_reveal_whether_an_account_exists():
    user = UserFactory()

    def answers(email, address):
        return [
            (r.status_code, without_request_id(r), r.get("Retry-After"))
            for r in (rest_login(email, "wrong", address=address) for _ in range(7))
        ]

    assert answers(user.email, "192.0.2.20") == answers("nobody@example.com", "192.0.2.21")


def test_graphql_and_rest_failures_count_against_one_limit():
    user = UserFactory()
    for i in range(3):
        assert graphql_login(user.email, "wrong", address=f"192.0.2.{30 + i}")["errors"][0][
            "code"
        ] == ("invalid_credentials")
    assert rest_login(user.email, "wrong").status_code == 401
    payload = graphql_login(user.email, "wrong", address="192.0.2.40")
    assert payload["access"] is None
    assert payload["errors"][0]["code"] == "locked_out"
    assert graphql_login(user.email, PASSWORD, address="192.0.2.41")["errors"][0]["code"] == (
        "locked_out"
    )
    assert_locked(rest_login(user.email, PASSWORD))


def test_admin_login_is_locked_after_repeated_failures():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    statuses = [
        client.post(ADMIN_LOGIN, {"username": staff.email, "password": f"guess-{i}"}).status_code
        for i in range(30)
    ]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}
    response = client.post(ADMIN_LOGIN, {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed logins" in response.content
    assert b'id="login-form"' in response.content  # the login page, not a bare error
    assert client.get("/admin/").status_code == 302  # not logged in


def test_the_lockout_ends_after_the_cool_off():
    user = UserFactory()
    for _ in range(5):
        rest_login(user.email, "wrong")
    assert_locked(rest_login(user.email, PASSWORD))
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )
    assert rest_login(user.email, PASSWORD).status_code == 200


def test_staff_unlock_an_account_from_the_back_office():
    user = UserFactory()
    for _ in range(5):
        rest_login(user.email, "wrong", address="192.0.2.50")
    assert_locked(rest_login(user.email, PASSWORD, address="192.0.2.51"))

    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = "/admin/axes/accessattempt/"
    page = admin.get(changelist)
    assert page.status_code == 200
    assert user.email.encode() in page.content
    attempts = AccessAttempt.objects.filter(username=user.email)
    response = admin.post(
        changelist,
        {"action": "unlock", "_selected_action": [str(a.pk) for a in attempts]},
    )
    assert response.status_code == 302
    assert rest_login(user.email, PASSWORD, address="192.0.2.51").status_code == 200


def test_hosts_cannot_see_or_lift_lockouts(settings):
    from tests.factories import HostFactory

    host = Client()
    host.force_login(HostFactory())
    assert host.get("/admin/axes/accessattempt/").status_code == 403
