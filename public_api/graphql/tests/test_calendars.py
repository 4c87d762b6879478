"""Calendars: availability night by night, and the host's blocks (create and remove)."""

import datetime as dt

import pytest

from calendars.models import HostBlock
from calendars.services import host_block_create
from listings.models import Listing
from tests.factories import ListingFactory, future, make_booking

from .conftest import error_codes

pytestmark = pytest.mark.django_db

AVAILABILITY = """
query($id: UUID!, $start: Date!, $end: Date!) {
  availability(listingId: $id, start: $start, end: $end) { date available price }
}
"""
CREATE_BLOCK = """
mutation($input: CreateBlockInput!) { createBlock(input: $input) {
  block { id start end note } errors { field code message }
} }
"""
DELETE_BLOCK = """
mutation($listing: UUID!, $block: UUID!) {
  deleteBlock(input: {listingId: $listing, blockId: $block}) {
    deleted errors { field code message }
  }
}
"""


def days(start: dt.date, end: dt.date) -> dict:
    return {"start": str(start), "end": str(end)}


# --- availability ----------------------------------------------------------------------------


def test_availability_marks_booked_nights_and_prices_each_night(gql, listing):
    make_booking(listing=listing, check_in=future(12), nights=2)

    rows = gql.data(AVAILABILITY, {"id": str(listing.pk), **days(future(10), future(15))})

    rows = rows["availability"]
    assert [row["date"] for row in rows] == [str(future(n)) for n in range(10, 15)]
    assert [row["available"] for row in rows] == [True, True, False, False, True]
    assert all(row["price"].count(".") == 1 and len(row["price"].split(".")[1]) == 2
               for row in rows)  # fmt: skip


def test_availability_of_a_draft_is_not_found_for_others_but_shown_to_its_host(
    gql, host, other_host
):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    variables = {"id": str(draft.pk), **days(future(1), future(3))}

    body = gql(AVAILABILITY, variables, user=other_host)
    assert body["data"]["availability"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["not_found"]
    assert len(gql.data(AVAILABILITY, variables, user=host)["availability"]) == 2


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(20, 20, "dates_invalid"), (20, 10, "dates_invalid"), (1, 1 + 367, "range_too_long")],
)
def test_availability_refuses_bad_ranges(gql, listing, start, end, code):
    body = gql(AVAILABILITY, {"id": str(listing.pk), **days(future(start), future(end))})

    assert body["data"]["availability"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": code, "field": "end"}


def test_a_full_year_is_allowed_and_within_the_cost_budget(gql, listing):
    rows = gql.data(AVAILABILITY, {"id": str(listing.pk), **days(future(1), future(367))})
    assert len(rows["availability"]) == 366


def test_many_aliased_year_long_calendars_are_too_expensive(gql, listing):
    """Each row counts: 10 aliased years (~11 000) exceed the cost cap before anything runs."""
    fields = " ".join(
        f"a{n}: availability(listingId: $id, start: $start, end: $end) {{ date available price }}"
        for n in range(10)
    )
    query = f"query($id: UUID!, $start: Date!, $end: Date!) {{ {fields} }}"
    response = gql.post(query, {"id": str(listing.pk), **days(future(1), future(367))})

    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["query_too_expensive"]


# --- blocks ----------------------------------------------------------------------------------


def block_input(listing, start=10, end=13, **extra) -> dict:
    return {"input": {"listingId": str(listing.pk), **days(future(start), future(end)), **extra}}


def test_the_host_blocks_nights_and_removes_the_block(gql, host, listing):
    created = gql.data(CREATE_BLOCK, block_input(listing, note="Painting"), user=host)
    created = created["createBlock"]

    assert created["errors"] == []
    block = created["block"]
    assert (block["start"], block["end"], block["note"]) == (
        str(future(10)), str(future(13)), "Painting",
    )  # fmt: skip
    rows = gql.data(AVAILABILITY, {"id": str(listing.pk), **days(future(10), future(14))})
    assert [row["available"] for row in rows["availability"]] == [False, False, False, True]

    removed = gql.data(DELETE_BLOCK, {"listing": str(listing.pk), "block": block["id"]}, user=host)[
        "deleteBlock"
    ]
    assert removed == {"deleted": True, "errors": []}
    assert not HostBlock.objects.filter(pk=block["id"]).exists()


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"start": 13, "end": 10}, "end", "dates_invalid"),
        ({"start": -2, "end": 3}, "start", "past_dates"),
        ({"note": "x" * 201}, "note", "too_long"),
    ],
)
def test_create_block_validation(gql, host, listing, extra, field, code):
    start, end = extra.pop("start", 10), extra.pop("end", 13)
    payload = gql.data(CREATE_BLOCK, block_input(listing, start, end, **extra), user=host)

    payload = payload["createBlock"]
    assert payload["block"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert not HostBlock.objects.filter(listing=listing).exists()


def test_a_block_over_a_booking_is_dates_unavailable(gql, host, listing):
    make_booking(listing=listing, check_in=future(11), nights=2)

    payload = gql.data(CREATE_BLOCK, block_input(listing), user=host)["createBlock"]

    assert error_codes(payload) == ["dates_unavailable"]


def test_create_block_needs_a_token(gql, listing):
    payload = gql.data(CREATE_BLOCK, block_input(listing))["createBlock"]
    assert error_codes(payload) == ["not_authenticated"]


def test_another_host_cannot_block_a_published_listing(gql, other_host, listing):
    # As REST (403): the listing is public, so "not yours" says nothing new.
    payload = gql.data(CREATE_BLOCK, block_input(listing), user=other_host)["createBlock"]

    assert error_codes(payload) == ["not_listing_host"]
    assert not HostBlock.objects.filter(listing=listing).exists()


@pytest.mark.parametrize("caller", ["other_guest", "other_host"])
def test_others_cannot_learn_of_or_remove_a_block(gql, request, host, listing, caller):
    stranger = request.getfixturevalue(caller)
    block = host_block_create(
        listing=listing, start=future(5), end=future(7), note="Family visit", actor=host
    )
    response = gql.post(
        DELETE_BLOCK, {"listing": str(listing.pk), "block": str(block.pk)}, user=stranger
    )

    payload = response.json()["data"]["deleteBlock"]
    assert payload == {
        "deleted": None,
        "errors": [{"field": None, "code": "not_found", "message": "Not found."}],
    }
    assert "Family visit" not in response.content.decode()
    assert HostBlock.objects.filter(pk=block.pk).exists()


def test_a_block_of_another_listing_is_not_found(gql, host, listing):
    elsewhere = ListingFactory(host=host)
    block = host_block_create(listing=elsewhere, start=future(5), end=future(7), actor=host)

    payload = gql.data(
        DELETE_BLOCK, {"listing": str(listing.pk), "block": str(block.pk)}, user=host
    )["deleteBlock"]

    assert error_codes(payload) == ["not_found"]
    assert HostBlock.objects.filter(pk=block.pk).exists()
