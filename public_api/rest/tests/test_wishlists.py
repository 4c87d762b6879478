"""Wishlists through REST, and the `saved` flag on search results in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from listings.models import Listing
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

WISHLISTS = "/api/v1/wishlists/"


def create(client, name="Sea"):
    response = client.post(WISHLISTS, {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_guest_saves_two_listings_and_sees_them_flagged(as_guest, anon, listing):
    other = ListingFactory(title="Harbour flat")
    wishlist = create(as_guest)
    items = f"{WISHLISTS}{wishlist['id']}/listings/"
    assert as_guest.post(items, {"listing": str(listing.pk)}, format="json").status_code == 201
    again = as_guest.post(items, {"listing": str(listing.pk)}, format="json")
    assert (again.status_code, again.json()) == (200, {"added": False})
    assert as_guest.post(items, {"listing": str(other.pk)}, format="json").status_code == 201

    cards = as_guest.get(items).json()["results"]
    assert [c["title"] for c in cards] == ["Harbour flat", "Sea view loft"]
    assert all(c["saved"] for c in cards)
    assert as_guest.get(WISHLISTS).json()["results"][0]["listing_count"] == 2

    ListingFactory(title="Not saved")
    flags = {c["title"]: c["saved"] for c in as_guest.get("/api/v1/listings/").json()["results"]}
    assert flags == {"Sea view loft": True, "Harbour flat": True, "Not saved": False}
    assert as_guest.get(f"/api/v1/listings/{listing.pk}/").json()["saved"] is True
    assert not any(c["saved"] for c in anon.get("/api/v1/listings/").json()["results"])

    assert as_guest.delete(f"{items}{listing.pk}/").status_code == 204
    assert as_guest.delete(f"{items}{listing.pk}/").status_code == 204
    assert as_guest.get(f"/api/v1/listings/{listing.pk}/").json()["saved"] is False


def test_rename_delete_and_conflicts(as_guest):
    first = create(as_guest, "Ski")
    create(as_guest, "Sea")
    url = f"{WISHLISTS}{first['id']}/"
    taken = as_guest.patch(url, {"name": "Sea"}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "wishlist_name_taken")
    renamed = as_guest.patch(url, {"name": "Alps"}, format="json")
    assert renamed.json()["name"] == "Alps"
    assert as_guest.delete(url).status_code == 204
    assert as_guest.get(url).status_code == 404
    assert [w["name"] for w in as_guest.get(WISHLISTS).json()["results"]] == ["Sea"]


def test_bad_input_is_a_400(as_guest, host):
    assert as_guest.post(WISHLISTS, {"name": ""}, format="json").status_code == 400
    wishlist = create(as_guest)
    items = f"{WISHLISTS}{wishlist['id']}/listings/"
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    response = as_guest.post(items, {"listing": str(draft.pk)}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "listing_not_found")
    assert as_guest.delete(f"{items}not-a-uuid/").status_code == 400


def test_search_with_saved_flags_in_constant_queries(as_guest, django_assert_num_queries):
    wishlist = create(as_guest)
    items = f"{WISHLISTS}{wishlist['id']}/listings/"

    def add(n):
        for _ in range(n):
            listing = ListingFactory()
            as_guest.post(items, {"listing": str(listing.pk)}, format="json")
            ListingFactory()

    add(1)
    with CaptureQueriesContext(connection) as search:
        assert len(as_guest.get("/api/v1/listings/").json()["results"]) == 2
    search_queries = len(search)  # read now: the next request clears the log
    with CaptureQueriesContext(connection) as saved:
        assert len(as_guest.get(items).json()["results"]) == 1
    saved_queries = len(saved)
    add(9)
    with django_assert_num_queries(search_queries):
        results = as_guest.get("/api/v1/listings/").json()["results"]
    assert sum(c["saved"] for c in results) == 10
    with django_assert_num_queries(saved_queries):
        assert len(as_guest.get(items).json()["results"]) == 10
