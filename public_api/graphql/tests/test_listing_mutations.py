"""Hosts create and change listings through the core's services."""

import pytest

from listings.models import Listing
from tests.factories import AmenityFactory, ListingFactory, future, make_booking

from .conftest import error_codes

pytestmark = pytest.mark.django_db

CREATE = """
mutation($input: CreateListingInput!) { createListing(input: $input) {
  listing { id title status nightlyPrice currency country propertyType amenities { slug }
            host { firstName } }
  errors { field code message }
} }
"""
UPDATE = """
mutation($input: UpdateListingInput!) { updateListing(input: $input) {
  listing { id title status nightlyPrice amenities { slug } }
  errors { field code message }
} }
"""
ME = "{ me { isHost } }"


def new_listing(**overrides) -> dict:
    data = {"title": "Sea view", "city": "Faro", "country": "pt", "nightlyPrice": "80.5"}
    return {"input": {**data, **overrides}}


def test_any_user_can_list_a_home_and_becomes_a_host(gql, guest):
    AmenityFactory(slug="wifi")
    payload = gql.data(CREATE, new_listing(amenities=["wifi"], propertyType="house"), user=guest)[
        "createListing"
    ]

    assert payload["errors"] == []
    listing = payload["listing"]
    assert listing["status"] == "draft"
    assert listing["nightlyPrice"] == "80.50"
    assert listing["country"] == "PT"
    assert listing["propertyType"] == "house"
    assert listing["amenities"] == [{"slug": "wifi"}]
    assert gql.data(ME, user=guest)["me"]["isHost"] is True


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"currency": "XXX"}, "invalid_currency", "currency"),
        ({"amenities": ["jacuzzi"]}, "unknown_amenity", "amenities"),
        ({"minNights": 10, "maxNights": 2}, "invalid_nights", "minNights"),
        ({"maxGuests": 500}, "invalid", "maxGuests"),
        ({"title": ""}, "invalid", "title"),
        ({"timeZone": "Mars/Olympus"}, "invalid_time_zone", "timeZone"),
        ({"title": "bad\u0000byte"}, "invalid_text", "title"),
    ],
)
def test_invalid_listings_carry_the_domain_code_and_field(gql, guest, overrides, code, field):
    payload = gql.data(CREATE, new_listing(**overrides), user=guest)["createListing"]
    assert payload["listing"] is None
    assert payload["errors"][0]["code"] == code
    assert payload["errors"][0]["field"] == field
    assert not Listing.objects.exists()


def test_every_problem_of_a_listing_is_an_error_of_its_own(gql, guest):
    overrides = {"timeZone": "Mars/Olympus", "minNights": 10, "maxNights": 2}
    payload = gql.data(CREATE, new_listing(**overrides), user=guest)["createListing"]
    assert payload["listing"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("timeZone", "invalid_time_zone"),
        ("minNights", "invalid_nights"),
    ]


def test_creating_needs_a_token(gql, db):
    assert error_codes(gql.data(CREATE, new_listing())["createListing"]) == ["not_authenticated"]


def test_the_host_updates_and_publishes(gql, host):
    listing = ListingFactory(host=host, status="draft")
    AmenityFactory(slug="pool")
    payload = gql.data(
        UPDATE,
        {"input": {"id": str(listing.id), "title": "Renamed", "nightlyPrice": "120",
                   "amenities": ["pool"], "status": "published"}},
        user=host,
    )["updateListing"]  # fmt: skip

    assert payload["errors"] == []
    assert payload["listing"] == {
        "id": str(listing.id), "title": "Renamed", "status": "published",
        "nightlyPrice": "120.00", "amenities": [{"slug": "pool"}],
    }  # fmt: skip


def test_a_refused_publish_undoes_the_other_changes(gql, host):
    listing = ListingFactory(host=host, status="suspended", title="Before")
    payload = gql.data(
        UPDATE, {"input": {"id": str(listing.id), "title": "After", "status": "published"}},
        user=host,
    )["updateListing"]  # fmt: skip
    assert error_codes(payload) == ["listing_suspended"]
    assert Listing.objects.get(pk=listing.pk).title == "Before"


def test_other_hosts_cannot_change_a_listing(gql, host, other_host):
    published = ListingFactory(host=host, title="Mine")
    draft = ListingFactory(host=host, status="draft", title="Mine too")

    on_published = gql.data(UPDATE, {"input": {"id": str(published.id), "title": "Theirs"}},
                            user=other_host)["updateListing"]  # fmt: skip
    on_draft = gql.data(UPDATE, {"input": {"id": str(draft.id), "title": "Theirs"}},
                        user=other_host)["updateListing"]  # fmt: skip

    assert error_codes(on_published) == ["not_listing_host"]  # REST: 403, it is public anyway
    assert error_codes(on_draft) == ["not_found"]  # a draft's existence is not revealed
    assert set(Listing.objects.values_list("title", flat=True)) == {"Mine", "Mine too"}


DELETE = """
mutation($id: UUID!) { deleteListing(input: {listingId: $id}) {
  deleted listing { id status } errors { field code message }
} }
"""


def test_the_host_deletes_a_listing_without_bookings(gql, host, listing):
    payload = gql.data(DELETE, {"id": str(listing.pk)}, user=host)["deleteListing"]

    assert payload == {"deleted": True, "listing": None, "errors": []}
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_a_listing_with_bookings_is_unpublished_instead(gql, host, listing):
    make_booking(listing=listing, check_in=future(20))

    payload = gql.data(DELETE, {"id": str(listing.pk)}, user=host)["deleteListing"]

    assert payload == {
        "deleted": False,
        "listing": {"id": str(listing.pk), "status": "draft"},
        "errors": [],
    }
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_delete_listing_refusals(gql, guest, other_host, listing):
    anonymous = gql.data(DELETE, {"id": str(listing.pk)})["deleteListing"]
    assert error_codes(anonymous) == ["not_authenticated"]
    # A published listing is public: like REST's 403, "not yours" reveals nothing new.
    not_yours = gql.data(DELETE, {"id": str(listing.pk)}, user=other_host)["deleteListing"]
    assert (not_yours["deleted"], error_codes(not_yours)) == (None, ["not_listing_host"])
    unknown = gql.data(DELETE, {"id": "00000000-0000-0000-0000-000000000000"}, user=guest)
    assert error_codes(unknown["deleteListing"]) == ["not_found"]
    malformed = gql(DELETE, {"id": "not-a-uuid"}, user=guest, status=400)
    assert "UUID" in malformed["errors"][0]["message"]
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.PUBLISHED
