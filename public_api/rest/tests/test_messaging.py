"""Guest-host messages through REST: ask, answer, read receipts, unread counts, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from tests.factories import ListingFactory, UserFactory, make_booking

from .conftest import client_for

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"


def ask(client, listing, body="Is there parking?"):
    response = client.post(CONVERSATIONS, {"listing": str(listing.pk), "body": body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_guest_asks_the_host_answers_and_both_see_read_receipts(as_guest, as_host, listing):
    conversation = ask(as_guest, listing)
    assert conversation["listing"]["title"] == "Sea view loft"
    assert conversation["host"]["first_name"] == "Hannah"
    assert conversation["unread_count"] == 0
    assert conversation["last_message"] == "Is there parking?"

    assert as_host.get(CONVERSATIONS + "unread/").json() == {"unread": 1}
    listed = as_host.get(CONVERSATIONS).json()["results"]
    assert [(c["id"], c["unread_count"]) for c in listed] == [(conversation["id"], 1)]

    url = f"{CONVERSATIONS}{conversation['id']}/"
    reply = as_host.post(url + "messages/", {"body": "Yes, free."}, format="json")
    assert reply.status_code == 201, reply.content
    assert reply.json()["sender"]["first_name"] == "Hannah"
    assert as_host.get(CONVERSATIONS + "unread/").json() == {"unread": 0}

    messages = as_guest.get(url + "messages/").json()["results"]
    assert [(m["body"], m["read_at"] is not None) for m in messages] == [
        ("Yes, free.", False),
        ("Is there parking?", True),
    ]
    assert as_guest.post(url + "read/").json() == {"marked": 1}
    assert as_guest.get(url).json()["unread_count"] == 0


def test_the_host_writes_first_about_a_booking(as_host, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    response = as_host.post(
        CONVERSATIONS, {"booking": str(booking.pk), "body": "Arrival time?"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["guest"]["first_name"] == "Gina"
    assert client_for(guest).get(CONVERSATIONS + "unread/").json() == {"unread": 1}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"body": "Hi"}, 400, "listing_or_booking"),
        ({"listing": "{listing}", "booking": "{booking}", "body": "Hi"}, 400,
         "listing_or_booking"),
        ({"listing": "{listing}", "body": "   "}, 400, "message_empty"),
        ({"listing": "00000000-0000-0000-0000-000000000000", "body": "Hi"}, 400,
         "listing_not_found"),
        ({"booking": "00000000-0000-0000-0000-000000000000", "body": "Hi"}, 400,
         "booking_not_found"),
    ],
)  # fmt: skip
def test_bad_starts_are_clear_400s(as_guest, guest, listing, body, status, code):
    booking = make_booking(listing=listing, guest=guest)
    body = {k: v.format(listing=listing.pk, booking=booking.pk) for k, v in body.items()}
    response = as_guest.post(CONVERSATIONS, body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_too_long_and_own_listing_refusals(as_guest, as_host, listing):
    response = as_guest.post(
        CONVERSATIONS, {"listing": str(listing.pk), "body": "x" * 5001}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()
    response = as_host.post(
        CONVERSATIONS, {"listing": str(listing.pk), "body": "Hi"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "own_listing")


def test_staff_and_auditors_read_but_cannot_write(as_guest, listing):
    conversation = ask(as_guest, listing)
    url = f"{CONVERSATIONS}{conversation['id']}/"
    for user in (UserFactory(is_staff=True), UserFactory(groups=[roles.AUDITORS])):
        client = client_for(user)
        assert client.get(url + "messages/").status_code == 200
        response = client.post(url + "messages/", {"body": "Support here"}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "not_a_participant")
        # Their own list stays theirs: they take part in nothing.
        assert client.get(CONVERSATIONS).json()["results"] == []


def test_anonymous_callers_get_401(anon, listing):
    assert anon.get(CONVERSATIONS).status_code == 401
    assert anon.post(CONVERSATIONS, {"listing": str(listing.pk), "body": "Hi"}).status_code == 401


def test_the_list_reads_in_constant_queries(host, django_assert_num_queries):
    def add_conversations(n):
        for _ in range(n):
            guest = UserFactory()
            ask(client_for(guest), ListingFactory(host=host))

    client = client_for(host)
    add_conversations(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(CONVERSATIONS).status_code == 200
    queries = len(small)  # read now: the next request clears the log
    assert queries <= 4  # user, count, page (with unread counts and last messages)
    add_conversations(8)
    with django_assert_num_queries(queries):
        body = client.get(CONVERSATIONS).json()
    assert body["count"] == 10
    assert all(c["unread_count"] == 1 for c in body["results"])
