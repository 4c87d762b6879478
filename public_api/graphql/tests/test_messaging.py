"""Guest-host messages through GraphQL: the same rules and codes as REST."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ListingFactory, UserFactory

from .conftest import error_codes

pytestmark = pytest.mark.django_db

START = """mutation($listing: UUID, $booking: UUID, $body: String!) {
  startConversation(input: {listingId: $listing, bookingId: $booking, body: $body}) {
    conversation { id unreadCount lastMessage host { firstName } listing { title } }
    errors { field code message }
  }
}"""
SEND = """mutation($id: UUID!, $body: String!) {
  sendMessage(input: {conversationId: $id, body: $body}) {
    message { id body sender { firstName } readAt } errors { field code message }
  }
}"""
READ = """mutation($id: UUID!) {
  markConversationRead(input: {conversationId: $id}) { marked errors { code } }
}"""
MINE = """{ unreadMessageCount myConversations(first: 20) { edges { node {
  id unreadCount lastMessage guest { firstName }
  messages(first: 5) { edges { node { body readAt } } } } } } }"""


def test_ask_answer_read(gql, guest, host, listing):
    started = gql.data(START, {"listing": str(listing.pk), "body": "Parking?"}, user=guest)
    payload = started["startConversation"]
    assert payload["errors"] == []
    conversation = payload["conversation"]
    assert conversation["host"] == {"firstName": "Hannah"}
    assert conversation["lastMessage"] == "Parking?"

    mine = gql.data(MINE, user=host)
    assert mine["unreadMessageCount"] == 1
    [edge] = mine["myConversations"]["edges"]
    assert edge["node"]["unreadCount"] == 1
    assert edge["node"]["guest"] == {"firstName": "Gina"}

    sent = gql.data(SEND, {"id": conversation["id"], "body": "Yes."}, user=host)["sendMessage"]
    assert sent["message"]["sender"] == {"firstName": "Hannah"}
    assert gql.data(READ, {"id": conversation["id"]}, user=guest)["markConversationRead"] == {
        "marked": 1,
        "errors": [],
    }
    node = gql.data(MINE, user=guest)["myConversations"]["edges"][0]["node"]
    assert [m["node"]["body"] for m in node["messages"]["edges"]] == ["Yes.", "Parking?"]
    assert all(m["node"]["readAt"] for m in node["messages"]["edges"])


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"body": "Hi"}, "listing_or_booking", "listingId"),
        ({"listing": "{listing}", "body": " "}, "message_empty", "body"),
        ({"listing": "{listing}", "body": "x" * 5001}, "message_too_long", "body"),
        ({"listing": "00000000-0000-0000-0000-000000000000", "body": "Hi"},
         "listing_not_found", "listingId"),
    ],
)  # fmt: skip
def test_refusals_carry_the_rest_codes(gql, guest, listing, variables, code, field):
    variables = {k: v.format(listing=listing.pk) for k, v in variables.items()}
    payload = gql.data(START, variables, user=guest)["startConversation"]
    assert payload["conversation"] is None
    assert error_codes(payload) == [code]
    assert payload["errors"][0]["field"] == field


def test_own_listing_is_refused(gql, host, listing):
    payload = gql.data(START, {"listing": str(listing.pk), "body": "Hi"}, user=host)
    assert error_codes(payload["startConversation"]) == ["own_listing"]


def test_anonymous_is_refused(gql, listing):
    body = gql(MINE)
    assert body["data"]["myConversations"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"not_authenticated"}


def test_my_conversations_in_constant_queries(gql, host, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            listing = ListingFactory(host=host)
            gql.data(START, {"listing": str(listing.pk), "body": "Hello"}, user=UserFactory())

    add(2)
    with CaptureQueriesContext(connection) as small:
        gql.data(MINE, user=host)
    queries = len(small)  # read now: the next request clears the log
    add(6)
    # The nested messages of the whole page come in one query, whatever the page's size.
    with django_assert_num_queries(queries):
        body = gql.data(MINE, user=host)
    edges = body["myConversations"]["edges"]
    assert len(edges) == 8
    assert all(
        [m["node"]["body"] for m in e["node"]["messages"]["edges"]] == ["Hello"] for e in edges
    )


def test_nested_messages_page_per_conversation(gql, guest, host, listing):
    """Each conversation's own messages, newest first, paged by the window in one query."""
    other = ListingFactory(host=host)
    first = gql.data(START, {"listing": str(listing.pk), "body": "a1"}, user=guest)
    second = gql.data(START, {"listing": str(other.pk), "body": "b1"}, user=guest)
    first_id = first["startConversation"]["conversation"]["id"]
    second_id = second["startConversation"]["conversation"]["id"]
    for body in ("a2", "a3"):
        gql.data(SEND, {"id": first_id, "body": body}, user=host)
    gql.data(SEND, {"id": second_id, "body": "b2"}, user=host)
    paged = """query($after: String) { myConversations { edges { node { id
      messages(first: 2, after: $after) { edges { node { body } } pageInfo { hasNextPage } }
    } } } }"""

    def bodies(after=None):
        edges = gql.data(paged, {"after": after}, user=guest)["myConversations"]["edges"]
        return {
            e["node"]["id"]: (
                [m["node"]["body"] for m in e["node"]["messages"]["edges"]],
                e["node"]["messages"]["pageInfo"]["hasNextPage"],
            )
            for e in edges
        }

    assert bodies() == {first_id: (["a3", "a2"], True), second_id: (["b2", "b1"], False)}
    after_two = "b2Zmc2V0OjE="  # the endCursor of a first page of 2 (offset 1)
    assert bodies(after_two) == {first_id: (["a1"], False), second_id: ([], False)}
