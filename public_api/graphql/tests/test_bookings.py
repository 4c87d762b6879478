"""Bookings: create (with idempotency), read, accept/decline, cancel with refund, and who may
see what."""

import datetime as dt
from decimal import Decimal

import pytest

from bookings.models import Booking
from common.idempotency import fingerprint
from common.models import IdempotencyRecord
from tests.factories import ListingFactory, future, make_booking

from .conftest import error_codes

pytestmark = pytest.mark.django_db

BOOKING_FIELDS = """
  id listingId listingTitle checkIn checkOut guests status nights nightlySubtotal discount
  cleaningFee serviceFee taxes total currency cancellationPolicy refundAmount createdAt
  listing { id host { firstName } }
"""
CREATE = f"""
mutation($input: CreateBookingInput!) {{ createBooking(input: $input) {{
  booking {{ {BOOKING_FIELDS} }} replayed errors {{ field code message }}
}} }}
"""
CANCEL = """
mutation($id: UUID!, $reason: String) { cancelBooking(input: {bookingId: $id, reason: $reason}) {
  booking { id status refundAmount } refundAmount errors { field code message }
} }
"""
ACCEPT = """
mutation($id: UUID!) { acceptBooking(input: {bookingId: $id}) {
  booking { id status } errors { code }
} }
"""
DECLINE = """
mutation($id: UUID!) { declineBooking(input: {bookingId: $id, reason: "Sorry"}) {
  booking { id status } errors { code }
} }
"""
ONE = "query($id: UUID!) { booking(id: $id) { id status } }"
MINE = """
query($role: BookingRole, $first: Int, $after: String) {
  myBookings(role: $role, first: $first, after: $after) {
    edges { node { id listingTitle listing { title amenities { slug } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
QUOTE = """
query($id: UUID!, $in: Date!, $out: Date!) {
  quote(listingId: $id, checkIn: $in, checkOut: $out, guests: 2) { total serviceFee taxes }
}
"""


def stay(listing, *, days=30, nights=3, guests=2, key=None) -> dict:
    check_in = future(days)
    data = {
        "listingId": str(listing.id),
        "checkIn": str(check_in),
        "checkOut": str(check_in + dt.timedelta(days=nights)),
        "guests": guests,
    }
    if key:
        data["idempotencyKey"] = key
    return {"input": data}


def test_create_booking_matches_the_quote(gql, guest, listing):
    variables = stay(listing)
    quote = gql.data(QUOTE, {"id": str(listing.id), "in": variables["input"]["checkIn"],
                             "out": variables["input"]["checkOut"]})["quote"]  # fmt: skip

    payload = gql.data(CREATE, variables, user=guest)["createBooking"]

    assert payload["errors"] == []
    booking = payload["booking"]
    assert booking["status"] == "pending_payment"  # the factory's listings are instant-book
    assert booking["listingTitle"] == "Alfama loft"
    assert booking["nights"] == 3
    assert booking["total"] == quote["total"]
    assert booking["serviceFee"] == quote["serviceFee"]
    assert booking["refundAmount"] is None
    assert Booking.objects.get(pk=booking["id"]).guest == guest


def test_create_booking_records_the_token_user_in_history(gql, guest, listing):
    booking_id = gql.data(CREATE, stay(listing), user=guest)["createBooking"]["booking"]["id"]
    record = Booking.history.filter(id=booking_id).earliest("history_date")
    assert record.history_user == guest
    assert record.history_actor == f"user:{guest.email}"


def test_overlapping_dates_are_refused_with_dates_unavailable(gql, guest, other_guest, listing):
    gql.data(CREATE, stay(listing), user=guest)
    payload = gql.data(CREATE, stay(listing, days=31), user=other_guest)["createBooking"]
    assert payload["booking"] is None
    assert error_codes(payload) == ["dates_unavailable"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"guests": 9}, "guests_exceed_capacity", "guests"),
        ({"guests": 0}, "guests_invalid", "guests"),
        ({"nights": 0}, "dates_invalid", "checkOut"),
        ({"days": -3}, "past_dates", "checkIn"),
    ],
)
def test_invalid_stays_carry_the_domain_code_and_field(gql, guest, listing, overrides, code, field):
    payload = gql.data(CREATE, stay(listing, **overrides), user=guest)["createBooking"]
    assert payload["errors"] == [
        {"field": field, "code": code, "message": payload["errors"][0]["message"]}
    ]


def test_hosts_cannot_book_their_own_listing(gql, host, listing):
    payload = gql.data(CREATE, stay(listing), user=host)["createBooking"]
    assert payload["errors"][0]["code"] == "own_listing"
    assert payload["errors"][0]["field"] == "listingId"


def test_booking_needs_a_token_and_a_visible_listing(gql, guest, host):
    draft = ListingFactory(host=host, status="draft")
    anonymous = gql.data(CREATE, stay(draft))["createBooking"]
    assert error_codes(anonymous) == ["not_authenticated"]
    hidden = gql.data(CREATE, stay(draft), user=guest)["createBooking"]
    assert error_codes(hidden) == ["listing_not_found"]


def test_the_same_idempotency_key_replays_the_first_booking(gql, guest, listing):
    first = gql.data(CREATE, stay(listing, key="k-1"), user=guest)["createBooking"]
    again = gql.data(CREATE, stay(listing, key="k-1"), user=guest)["createBooking"]

    assert again["errors"] == []
    assert again["replayed"] is True and first["replayed"] is False
    assert again["booking"]["id"] == first["booking"]["id"]
    assert Booking.objects.count() == 1


def test_the_same_key_with_another_stay_is_refused(gql, guest, listing):
    gql.data(CREATE, stay(listing, key="k-2"), user=guest)
    payload = gql.data(CREATE, stay(listing, days=60, key="k-2"), user=guest)["createBooking"]
    assert error_codes(payload) == ["idempotency_key_reused"]
    assert Booking.objects.count() == 1


def test_a_failed_attempt_does_not_burn_the_key(gql, guest, listing):
    refused = gql.data(CREATE, stay(listing, guests=9, key="k-3"), user=guest)["createBooking"]
    assert error_codes(refused) == ["guests_exceed_capacity"]
    assert not IdempotencyRecord.objects.exists()


def test_a_repeat_while_the_first_is_running_is_refused(gql, guest, listing):
    """REST's 409: the key's record is still "in progress" (the first request has not
    finished), so the repeat must neither book nor wait; it is told to retry later."""
    variables = stay(listing, key="k-running")
    first = variables["input"]
    # What the first request leaves behind while it is still running.
    payload = {
        "listing": listing.pk,
        "check_in": dt.date.fromisoformat(first["checkIn"]),
        "check_out": dt.date.fromisoformat(first["checkOut"]),
        "guests": first["guests"],
    }
    IdempotencyRecord.objects.create(
        user=guest, scope="booking_create", key="k-running", fingerprint=fingerprint(payload)
    )

    repeat = gql.data(CREATE, variables, user=guest)["createBooking"]

    assert repeat["booking"] is None and repeat["replayed"] is None
    assert repeat["errors"] == [
        {"field": None, "code": "idempotency_in_progress",
         "message": "A request with this idempotency key is still running."}
    ]  # fmt: skip
    assert not Booking.objects.exists()
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.IN_PROGRESS


def test_keys_are_per_user(gql, guest, other_guest, listing):
    gql.data(CREATE, stay(listing, key="shared"), user=guest)
    other = gql.data(CREATE, stay(listing, days=60, key="shared"), user=other_guest)
    assert other["createBooking"]["errors"] == []
    assert Booking.objects.count() == 2


def test_a_key_used_through_rest_replays_through_graphql(gql, client, guest, listing):
    from .conftest import bearer

    variables = stay(listing, key="cross-api")["input"]
    response = client.post(
        "/api/v1/bookings/",
        {"listing": variables["listingId"], "check_in": variables["checkIn"],
         "check_out": variables["checkOut"], "guests": variables["guests"]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="cross-api",
        **bearer(guest),
    )  # fmt: skip
    assert response.status_code == 201, response.content

    payload = gql.data(CREATE, {"input": variables}, user=guest)["createBooking"]
    assert payload["replayed"] is True
    assert payload["booking"]["id"] == response.json()["id"]


def test_a_key_used_through_graphql_replays_through_rest(gql, client, guest, listing):
    from .conftest import bearer

    variables = stay(listing, key="cross-api-2")["input"]
    payload = gql.data(CREATE, {"input": variables}, user=guest)["createBooking"]
    assert payload["errors"] == [] and payload["replayed"] is False

    response = client.post(
        "/api/v1/bookings/",
        {"listing": variables["listingId"], "check_in": variables["checkIn"],
         "check_out": variables["checkOut"], "guests": variables["guests"]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="cross-api-2",
        **bearer(guest),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response["Idempotent-Replayed"] == "true"
    # The replay is REST's own representation of that booking.
    detail = client.get(f"/api/v1/bookings/{payload['booking']['id']}/", **bearer(guest))
    assert response.json() == detail.json()
    assert Booking.objects.count() == 1


def test_guest_cancels_with_the_policys_refund(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest, check_in=future(30))
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)

    payload = gql.data(CANCEL, {"id": str(booking.id), "reason": "Plans changed"}, user=guest)
    payload = payload["cancelBooking"]

    assert payload["errors"] == []
    assert payload["booking"]["status"] == "cancelled"
    assert payload["refundAmount"] == str(booking.total)  # moderate, 30 days ahead: everything
    assert payload["booking"]["refundAmount"] == payload["refundAmount"]


def test_a_late_cancellation_refunds_half_without_the_service_fee(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest, check_in=future(2))
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)

    payload = gql.data(CANCEL, {"id": str(booking.id)}, user=guest)["cancelBooking"]

    expected = ((booking.total - booking.service_fee) / 2).quantize(Decimal("0.01"))
    assert payload["refundAmount"] == str(expected)


PREVIEW = """
query($id: UUID!) { refundPreview(bookingId: $id) { refundAmount currency policy } }
"""


def test_the_refund_preview_is_what_cancelling_then_refunds(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest, check_in=future(2))
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)

    preview = gql.data(PREVIEW, {"id": str(booking.id)}, user=guest)["refundPreview"]

    expected = ((booking.total - booking.service_fee) / 2).quantize(Decimal("0.01"))
    assert preview == {"refundAmount": str(expected), "currency": "EUR", "policy": "moderate"}
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"  # a preview changes nothing
    cancelled = gql.data(CANCEL, {"id": str(booking.id)}, user=guest)["cancelBooking"]
    assert cancelled["refundAmount"] == preview["refundAmount"]


def test_the_host_previews_a_full_refund(gql, host, guest, listing):
    booking = make_booking(listing=listing, guest=guest, check_in=future(2))
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)

    preview = gql.data(PREVIEW, {"id": str(booking.id)}, user=host)["refundPreview"]

    assert preview["refundAmount"] == str(booking.total)


def test_refund_preview_needs_a_token_and_a_booking_id(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest)

    anonymous = gql(PREVIEW, {"id": str(booking.id)})
    assert anonymous["data"]["refundPreview"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "not_authenticated"
    malformed = gql(PREVIEW, {"id": "12"}, user=guest, status=400)
    assert "UUID" in malformed["errors"][0]["message"]


def test_cancelling_twice_is_an_invalid_status(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    gql.data(CANCEL, {"id": str(booking.id)}, user=guest)
    payload = gql.data(CANCEL, {"id": str(booking.id)}, user=guest)["cancelBooking"]
    assert error_codes(payload) == ["invalid_status"]


def test_host_accepts_or_declines_requests(gql, host, guest):
    listing = ListingFactory(host=host, instant_book=False)
    first = make_booking(listing=listing, guest=guest, check_in=future(10))
    second = make_booking(listing=listing, guest=guest, check_in=future(20))

    accepted = gql.data(ACCEPT, {"id": str(first.id)}, user=host)["acceptBooking"]
    declined = gql.data(DECLINE, {"id": str(second.id)}, user=host)["declineBooking"]

    assert accepted == {"booking": {"id": str(first.id), "status": "pending_payment"}, "errors": []}
    assert declined["booking"]["status"] == "declined"


def test_the_guest_cannot_answer_their_own_request(gql, host, guest):
    booking = make_booking(listing=ListingFactory(host=host, instant_book=False), guest=guest)
    payload = gql.data(ACCEPT, {"id": str(booking.id)}, user=guest)["acceptBooking"]
    assert error_codes(payload) == ["not_listing_host"]


@pytest.mark.parametrize("operation", ["query", "preview", "cancel", "accept", "decline"])
def test_strangers_learn_nothing_about_a_booking(
    gql, host, guest, other_guest, other_host, operation
):
    booking = make_booking(listing=ListingFactory(host=host, instant_book=False), guest=guest)
    variables = {"id": str(booking.id)}
    document, field = {"query": (ONE, "booking"), "preview": (PREVIEW, "refundPreview"),
                       "cancel": (CANCEL, "cancelBooking"),
                       "accept": (ACCEPT, "acceptBooking"),
                       "decline": (DECLINE, "declineBooking")}[operation]  # fmt: skip

    answers = []
    for stranger in (other_guest, other_host):
        body = gql(document, variables, user=stranger)
        if operation in ("query", "preview"):
            assert body["data"][field] is None
            answers.append(body["errors"][0]["extensions"]["code"])
        else:
            assert body["data"][field]["booking"] is None
            answers.append(error_codes(body["data"][field])[0])
    # The same answer as for an id that does not exist at all.
    assert answers == ["not_found", "not_found"]
    assert Booking.objects.get(pk=booking.pk).status == "requested"


def test_my_bookings_as_guest_and_as_host(gql, host, guest, other_guest, listing):
    mine = make_booking(listing=listing, guest=guest, check_in=future(10))
    make_booking(listing=listing, guest=other_guest, check_in=future(20))
    make_booking(guest=other_guest)  # another host's listing

    as_guest = gql.data(MINE, user=guest)["myBookings"]["edges"]
    assert [e["node"]["id"] for e in as_guest] == [str(mine.id)]
    assert as_guest[0]["node"]["listing"]["amenities"] == [{"slug": "wifi"}]

    as_host = gql.data(MINE, {"role": "host"}, user=host)["myBookings"]["edges"]
    assert len(as_host) == 2

    page = gql.data(MINE, {"role": "host", "first": 1}, user=host)["myBookings"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = gql.data(MINE, {"role": "host", "after": page["pageInfo"]["endCursor"]}, user=host)
    assert len(rest["myBookings"]["edges"]) == 1


def test_my_bookings_needs_a_token(gql):
    body = gql(MINE)
    assert body["data"]["myBookings"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_guest_and_host_both_see_the_booking(gql, host, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    for party in (guest, host):
        assert gql.data(ONE, {"id": str(booking.id)}, user=party)["booking"]["id"] == str(
            booking.id
        )


@pytest.mark.parametrize("count", [3, 30])
def test_a_nested_bookings_page_costs_the_same_queries_whatever_its_size(
    gql, guest, django_assert_max_num_queries, count
):
    for days in range(count):
        make_booking(guest=guest, check_in=future(10 + days), nights=1)
    query = """{ myBookings(first: 50) { edges { node { id listing { title host { firstName }
      amenities { slug } photo reviews(first: 3) { edges { node { rating } } } } } } } }"""

    # user (token), bookings (+listing, host joined), amenities, photos, reviews: 5 queries.
    with django_assert_max_num_queries(5):
        edges = gql.data(query, user=guest)["myBookings"]["edges"]
    assert len(edges) == count
