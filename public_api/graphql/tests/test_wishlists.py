"""Wishlists through GraphQL: the same rules and codes as REST, `saved` in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ListingFactory

from .conftest import error_codes

pytestmark = pytest.mark.django_db

CREATE = """mutation($name: String!) { createWishlist(input: {name: $name}) {
  wishlist { id name listingCount } errors { field code message } } }"""
ADD = """mutation($w: UUID!, $l: UUID!) { addToWishlist(input: {wishlistId: $w, listingId: $l}) {
  added wishlist { listingCount } errors { field code } } }"""
REMOVE = """mutation($w: UUID!, $l: UUID!) {
  removeFromWishlist(input: {wishlistId: $w, listingId: $l}) { removed errors { code } } }"""
RENAME = """mutation($w: UUID!, $name: String!) {
  renameWishlist(input: {wishlistId: $w, name: $name}) { wishlist { name } errors { code } } }"""
SEARCH = "{ listings(first: 50) { edges { node { title saved } } } }"


def create(gql, user, name="Sea"):
    payload = gql.data(CREATE, {"name": name}, user=user)["createWishlist"]
    assert payload["errors"] == []
    return payload["wishlist"]["id"]


def test_save_list_and_flag(gql, guest, listing):
    wishlist = create(gql, guest)
    added = gql.data(ADD, {"w": wishlist, "l": str(listing.pk)}, user=guest)["addToWishlist"]
    assert added == {"added": True, "wishlist": {"listingCount": 1}, "errors": []}
    again = gql.data(ADD, {"w": wishlist, "l": str(listing.pk)}, user=guest)["addToWishlist"]
    assert again["added"] is False
    ListingFactory(title="Other")

    flags = {
        e["node"]["title"]: e["node"]["saved"]
        for e in gql.data(SEARCH, user=guest)["listings"]["edges"]
    }
    assert flags == {"Alfama loft": True, "Other": False}
    anonymous = gql.data(SEARCH)["listings"]["edges"]
    assert not any(e["node"]["saved"] for e in anonymous)
    mine = gql.data(
        "{ myWishlists { edges { node { name listings { edges { node { title saved } } } } } } }",
        user=guest,
    )["myWishlists"]["edges"]
    assert mine[0]["node"]["listings"]["edges"] == [
        {"node": {"title": "Alfama loft", "saved": True}}
    ]
    removed = gql.data(REMOVE, {"w": wishlist, "l": str(listing.pk)}, user=guest)
    assert removed["removeFromWishlist"] == {"removed": True, "errors": []}


def test_refusals_carry_the_rest_codes(gql, guest, other_guest):
    wishlist = create(gql, guest, "Ski")
    create(gql, guest, "Sea")
    taken = gql.data(RENAME, {"w": wishlist, "name": "Sea"}, user=guest)["renameWishlist"]
    assert error_codes(taken) == ["wishlist_name_taken"]
    blank = gql.data(CREATE, {"name": " "}, user=guest)["createWishlist"]
    assert blank["errors"][0] == {
        "field": "name", "code": "name_required", "message": "Give the wishlist a name."
    }  # fmt: skip
    unknown = gql.data(
        ADD, {"w": wishlist, "l": "00000000-0000-0000-0000-000000000000"}, user=guest
    )["addToWishlist"]
    assert unknown["errors"] == [{"field": "listingId", "code": "listing_not_found"}]
    stranger = gql.data(RENAME, {"w": wishlist, "name": "Mine"}, user=other_guest)
    assert error_codes(stranger["renameWishlist"]) == ["not_found"]


def test_saved_flags_in_constant_queries(gql, guest, django_assert_num_queries):
    wishlist = create(gql, guest)

    def add(n):
        for _ in range(n):
            listing = ListingFactory()
            gql.data(ADD, {"w": wishlist, "l": str(listing.pk)}, user=guest)
            ListingFactory()

    add(1)
    with CaptureQueriesContext(connection) as small:
        gql.data(SEARCH, user=guest)
    queries = len(small)  # read now: the next request clears the log
    add(9)
    with django_assert_num_queries(queries):
        edges = gql.data(SEARCH, user=guest)["listings"]["edges"]
    assert sum(e["node"]["saved"] for e in edges) == 10
