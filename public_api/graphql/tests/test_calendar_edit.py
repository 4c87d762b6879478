"""setCalendar and clearCalendar: REST's calendar edit, with the same codes."""

import pytest

from calendars.models import CalendarDay
from tests.factories import future, make_booking

from .conftest import error_codes

pytestmark = pytest.mark.django_db

SET = """mutation($l: UUID!, $s: Date!, $e: Date!, $price: Money, $closed: Boolean) {
  setCalendar(input: {listingId: $l, start: $s, end: $e, price: $price, closed: $closed}) {
    changed days { date available price } errors { field code message } } }"""
CLEAR = """mutation($l: UUID!, $s: Date!, $e: Date!) {
  clearCalendar(input: {listingId: $l, start: $s, end: $e}) { changed errors { code } } }"""


def test_price_close_and_clear(gql, host, listing):
    variables = {"l": str(listing.pk), "s": str(future(10)), "e": str(future(12))}
    payload = gql.data(SET, {**variables, "price": "99.5", "closed": True}, user=host)
    result = payload["setCalendar"]
    assert result["errors"] == []
    assert [(d["available"], d["price"]) for d in result["days"]] == [(False, "99.50")] * 2
    cleared = gql.data(CLEAR, variables, user=host)["clearCalendar"]
    assert cleared == {"changed": 2, "errors": []}
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"price": "0"}, "invalid_price"), ({"price": "100000000"}, "invalid_price"),
     ({}, "nothing_to_set"), ({"closed": True, "s": "booked"}, "dates_unavailable")],
)  # fmt: skip
def test_refusals(gql, host, listing, extra, code):
    make_booking(listing=listing, check_in=future(20), nights=2)
    variables = {"l": str(listing.pk), "s": str(future(10)), "e": str(future(22)), **extra}
    if variables["s"] == "booked":
        variables["s"] = str(future(20))
    payload = gql.data(SET, variables, user=host)["setCalendar"]
    assert error_codes(payload) == [code]
    assert payload["days"] is None
    assert not CalendarDay.objects.exists()


def test_other_hosts_are_refused(gql, other_host, listing):
    variables = {"l": str(listing.pk), "s": str(future(10)), "e": str(future(12)), "closed": True}
    payload = gql.data(SET, variables, user=other_host)["setCalendar"]
    assert error_codes(payload) == ["not_listing_host"]
